<?php
/**
 * WordPress's own cost for what bench_engine.py measures pingdesk doing.
 *
 *   php bench/wp_bench.php read
 *       The data of the Comments screen's pending-pings view: get_comments() for the
 *       first 20 pending pings, the pending-pings count, wp_count_comments().
 *   php bench/wp_bench.php moderate approve|spam IDS_FILE
 *       edit-comments.php's bulk-action loop on the ids (one per line).
 *   php bench/wp_bench.php bulk_edit IDS_FILE
 *       Posts > Bulk Edit with "Pings: Do not allow": bulk_edit_posts() on the ids.
 *
 * Prints one JSON line; every *_ms figure is timed inside PHP with microtime(),
 * boot_ms/total_ms from the first line of wp_boot.php (bench_engine.py also times
 * the whole process from outside).
 */
require __DIR__ . '/wp_boot.php';

$pdb_mode = isset( $argv[1] ) ? $argv[1] : 'read';

function pdb_ids( $file ) {
	return array_map( 'intval', array_filter( array_map( 'trim', file( $file ) ) ) );
}

if ( 'read' === $pdb_mode ) {
	$pings = array( 'pingback', 'trackback' );
	$t     = microtime( true );
	$page  = get_comments(
		array(
			'type'   => $pings,
			'status' => 'hold',
			'number' => 20,
		)
	);
	$page_ms = pdb_ms( $t );
	$t       = microtime( true );
	$pending = get_comments(
		array(
			'type'   => $pings,
			'status' => 'hold',
			'count'  => true,
		)
	);
	$count_ms = pdb_ms( $t );
	$t        = microtime( true );
	$all      = wp_count_comments();
	$wpcc_ms  = pdb_ms( $t );
	pdb_out(
		array(
			'page_ms'          => $page_ms,
			'page_rows'        => count( $page ),
			'pending_count_ms' => $count_ms,
			'pending_pings'    => (int) $pending,
			'count_comments_ms' => $wpcc_ms,
			'moderated'        => (int) $all->moderated,
		)
	);
} elseif ( 'moderate' === $pdb_mode ) {
	$action = $argv[2];
	$ids    = pdb_ids( $argv[3] );
	// The moderator's capabilities: edit-comments.php checks them for every row.
	wp_set_current_user( 1 );
	$t = microtime( true );
	// As wp-admin/edit-comments.php's bulk action: counts deferred to the end.
	wp_defer_comment_counting( true );
	$done = 0;
	foreach ( $ids as $comment_id ) {
		if ( ! current_user_can( 'edit_comment', $comment_id ) ) {
			continue;
		}
		if ( 'approve' === $action ) {
			$ok = wp_set_comment_status( $comment_id, 'approve' );
		} elseif ( 'spam' === $action ) {
			$ok = wp_spam_comment( $comment_id );
		} else {
			fwrite( STDERR, "unknown action $action\n" );
			exit( 2 );
		}
		$done += $ok ? 1 : 0;
	}
	wp_defer_comment_counting( false );
	$ms = pdb_ms( $t );
	pdb_out(
		array(
			'action'     => $action,
			'requested'  => count( $ids ),
			'changed'    => $done,
			'action_ms'  => $ms,
			'per_ping_ms' => $ms / max( 1, count( $ids ) ),
		)
	);
} elseif ( 'bulk_edit' === $pdb_mode ) {
	require_once ABSPATH . 'wp-admin/includes/admin.php';
	$ids = pdb_ids( $argv[2] );
	wp_set_current_user( 1 );
	// What edit.php posts for Bulk Edit with only "Pings: Do not allow" changed.
	$data = array(
		'post_type'      => 'post',
		'post'           => $ids,
		'_status'        => -1,
		'post_author'    => -1,
		'comment_status' => '',
		'ping_status'    => 'closed',
		'post_password'  => '',
		'sticky'         => -1,
		'post_format'    => -1,
	);
	$t   = microtime( true );
	$res = bulk_edit_posts( $data );
	$ms  = pdb_ms( $t );
	pdb_out(
		array(
			'requested'   => count( $ids ),
			'updated'     => count( $res['updated'] ),
			'skipped'     => count( $res['skipped'] ),
			'locked'      => count( $res['locked'] ),
			'action_ms'   => $ms,
			'per_post_ms' => $ms / max( 1, count( $ids ) ),
		)
	);
} else {
	fwrite( STDERR, "usage: wp_bench.php read | moderate approve|spam IDS_FILE | bulk_edit IDS_FILE\n" );
	exit( 2 );
}
