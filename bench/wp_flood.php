<?php
/**
 * pingdesk bench: the flood's posts and pings, written by WordPress itself.
 *
 *   PD_DB_NAME=pd_flood_tpl PD_FLOOD_JSON=/tmp/flood.json php bench/wp_flood.php
 *
 * PD_FLOOD_JSON names a file written by bench/bench_flood.py:
 *
 *   {"posts": [{"title": ..., "content": ..., "date": "Y-m-d H:i:s"}, ...],
 *    "options": {"wordpress_api_key": ...},
 *    "pings": [{"post": INDEX INTO posts, "type": "pingback"|"trackback", "author": ...,
 *               "url": ..., "ip": ..., "agent": ..., "content": ..., "date": ...}, ...]}
 *
 * Posts go in with wp_insert_post() (published, pings open), every ping with
 * wp_insert_comment() as held (comment_approved 0), in one process. Prints one JSON
 * line: the post IDs and WordPress's own get_permalink() of each, in order.
 */
require __DIR__ . '/wp_boot.php';

$pdb_spec = json_decode( file_get_contents( getenv( 'PD_FLOOD_JSON' ) ), true );
if ( ! is_array( $pdb_spec ) ) {
	fwrite( STDERR, "PD_FLOOD_JSON: not a JSON file\n" );
	exit( 2 );
}

foreach ( $pdb_spec['options'] as $pdb_name => $pdb_value ) {
	update_option( $pdb_name, $pdb_value );
}

$pdb_t       = microtime( true );
$pdb_post_ids = array();
$pdb_links    = array();
foreach ( $pdb_spec['posts'] as $pdb_post ) {
	$pdb_id = wp_insert_post(
		array(
			'post_title'     => $pdb_post['title'],
			'post_content'   => $pdb_post['content'],
			'post_status'    => 'publish',
			'post_date'      => $pdb_post['date'],
			'ping_status'    => 'open',
			'comment_status' => 'open',
			'post_author'    => 1,
		),
		true
	);
	if ( is_wp_error( $pdb_id ) ) {
		fwrite( STDERR, 'wp_insert_post: ' . $pdb_id->get_error_message() . "\n" );
		exit( 1 );
	}
	$pdb_post_ids[] = $pdb_id;
	$pdb_links[]    = get_permalink( $pdb_id );
}
$pdb_posts_ms = pdb_ms( $pdb_t );

$pdb_t = microtime( true );
wp_defer_comment_counting( true );
$pdb_n = 0;
foreach ( $pdb_spec['pings'] as $pdb_ping ) {
	$pdb_cid = wp_insert_comment(
		wp_slash(
			array(
				'comment_post_ID'      => $pdb_post_ids[ $pdb_ping['post'] ],
				'comment_type'         => $pdb_ping['type'],
				'comment_author'       => $pdb_ping['author'],
				'comment_author_email' => '',
				'comment_author_url'   => $pdb_ping['url'],
				'comment_author_IP'    => $pdb_ping['ip'],
				'comment_agent'        => $pdb_ping['agent'],
				'comment_content'      => $pdb_ping['content'],
				'comment_date'         => $pdb_ping['date'],
				'comment_date_gmt'     => $pdb_ping['date'],
				'comment_approved'     => 0,
				'user_id'              => 0,
			)
		)
	);
	if ( ! $pdb_cid ) {
		fwrite( STDERR, "wp_insert_comment failed at ping $pdb_n\n" );
		exit( 1 );
	}
	++$pdb_n;
}
wp_defer_comment_counting( false );
$pdb_pings_ms = pdb_ms( $pdb_t );

pdb_out(
	array(
		'post_ids'   => $pdb_post_ids,
		'permalinks' => $pdb_links,
		'pings'      => $pdb_n,
		'posts_ms'   => $pdb_posts_ms,
		'pings_ms'   => $pdb_pings_ms,
	)
);
