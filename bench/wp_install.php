<?php
/**
 * Create the bench blog's schema and options with WordPress's own installer.
 *
 *   PD_INSTALLING=1 PD_DB_NAME=pd_bench php bench/wp_install.php
 */
require __DIR__ . '/wp_boot.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$pdb_t = microtime( true );
$pdb_res = wp_install( 'pingdesk bench', 'admin', 'admin@bench.test', true, '', wp_slash( 'bench-password' ) );
// A date-based structure, as most blogs with years of posts use.
update_option( 'permalink_structure', '/%year%/%monthnum%/%postname%/' );
pdb_out(
	array(
		'installed'   => true,
		'user_id'     => $pdb_res['user_id'],
		'install_ms'  => pdb_ms( $pdb_t ),
		'db_version'  => get_option( 'db_version' ),
	)
);
