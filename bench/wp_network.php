<?php
/**
 * The bench network's WordPress side (bench/gen_network.py, bench/bench_network.py).
 *
 *   PD_INSTALLING=1 php bench/wp_network.php install
 *       wp_install() for the main site, then what Tools > Network Setup does:
 *       install_network() + populate_network(), subdirectory network on PD_HOME's host.
 *   PD_MULTISITE=1 php bench/wp_network.php create PATH...
 *       wpmu_create_blog() for each path (as Network Admin > Sites > Add New: public).
 *   PD_MULTISITE=1 php bench/wp_network.php queue LIMIT [BLOG_ID...]
 *       The per-site loop a network view written with WordPress's API costs: for every
 *       live site (get_sites() without archived, spam, deleted), switch_to_blog() +
 *       get_comments() of its newest LIMIT pending pingbacks/trackbacks +
 *       restore_current_blog(), merged newest first; timed inside PHP. With BLOG_IDs:
 *       those sites only.
 *
 * Prints one JSON line (pdb_out() of wp_boot.php).
 */
require __DIR__ . '/wp_boot.php';

$pdb_mode = isset( $argv[1] ) ? $argv[1] : '';
$pdb_host = parse_url( rtrim( pdb_env( 'PD_HOME', 'http://bench.test' ), '/' ), PHP_URL_HOST );

if ( 'install' === $pdb_mode ) {
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
	$t   = microtime( true );
	$res = wp_install( 'pingdesk bench network', 'admin', 'admin@bench.test', true, '', wp_slash( 'bench-password' ) );
	update_option( 'permalink_structure', '/%year%/%monthnum%/%postname%/' );
	// The network tables are named from the base prefix (as bridge.php's install_network).
	foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed ) {
		$wpdb->$table = $prefixed;
	}
	install_network();
	$r = populate_network( 1, $pdb_host, 'admin@bench.test', 'pingdesk bench network', '/', false );
	if ( is_wp_error( $r ) ) {
		fwrite( STDERR, 'populate_network: ' . $r->get_error_message() . "\n" );
		exit( 1 );
	}
	pdb_out(
		array(
			'installed'  => true,
			'user_id'    => $res['user_id'],
			'install_ms' => pdb_ms( $t ),
			'db_version' => get_option( 'db_version' ),
		)
	);
} elseif ( 'create' === $pdb_mode ) {
	$t   = microtime( true );
	$ids = array();
	foreach ( array_slice( $argv, 2 ) as $path ) {
		$title = 'Site ' . preg_replace( '/[^0-9]/', '', $path );
		$id    = wpmu_create_blog( $pdb_host, $path, $title, 1, array( 'public' => 1 ), 1 );
		if ( is_wp_error( $id ) ) {
			fwrite( STDERR, "wpmu_create_blog $path: " . $id->get_error_message() . "\n" );
			exit( 1 );
		}
		$ids[] = (int) $id;
	}
	pdb_out(
		array(
			'blog_ids'  => $ids,
			'create_ms' => pdb_ms( $t ),
		)
	);
} elseif ( 'queue' === $pdb_mode ) {
	$limit = isset( $argv[2] ) ? (int) $argv[2] : 150;
	$t     = microtime( true );
	$sites = array_map( 'intval', array_slice( $argv, 3 ) );
	if ( ! $sites ) {
		$sites = get_sites(
			array(
				'archived' => 0,
				'spam'     => 0,
				'deleted'  => 0,
				'number'   => 0,
				'fields'   => 'ids',
			)
		);
	}
	$sites_ms = pdb_ms( $t );
	$rows     = array();
	foreach ( $sites as $site_id ) {
		switch_to_blog( $site_id );
		$found = get_comments(
			array(
				'type'    => array( 'pingback', 'trackback' ),
				'status'  => 'hold',
				'number'  => $limit,
				'orderby' => 'comment_date_gmt',
				'order'   => 'DESC',
			)
		);
		foreach ( $found as $c ) {
			$rows[] = array( $c->comment_date_gmt, (int) $site_id, (int) $c->comment_ID );
		}
		restore_current_blog();
	}
	rsort( $rows );
	$rows = array_slice( $rows, 0, $limit );
	pdb_out(
		array(
			'sites'     => count( $sites ),
			'rows'      => count( $rows ),
			'sites_ms'  => $sites_ms,
			'queue_ms'  => pdb_ms( $t ),
			'first'     => $rows ? $rows[0] : null,
		)
	);
} else {
	fwrite( STDERR, "usage: wp_network.php install | create PATH... | queue [LIMIT]\n" );
	exit( 2 );
}
