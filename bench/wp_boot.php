<?php
/**
 * pingdesk bench: boot WordPress from php-cli against the bench database.
 *
 * Required by the other bench/wp_*.php scripts. The configuration comes from the
 * environment (set by bench/gen_blog.py and bench/bench_engine.py):
 *
 *   PD_DB_NAME (pd_bench)  PD_DB_HOST (127.0.0.1:3306)  PD_DB_USER (root)  PD_DB_PASSWORD ('')
 *   PD_PREFIX (wp_)        PD_HOME (http://bench.test)   PD_INSTALLING (set: boot in install mode)
 *   PD_MULTISITE (set: boot as the main site of a subdirectory network whose domain is
 *                 PD_HOME's host, as bench/gen_network.py makes it)
 *
 * Debian's /usr/share/wordpress/wp-config.php is deliberately NOT used: it would load
 * /etc/wordpress/config-<HTTP_HOST>.php, i.e. whatever real site lives on this machine.
 * We define what a wp-config.php would define and require wp-settings.php ourselves.
 */

// The whole-process clock starts here; scripts report boot time separately.
$pdb_t0 = microtime( true );

ini_set( 'display_errors', 'stderr' );
error_reporting( E_ALL & ~E_DEPRECATED & ~E_NOTICE & ~E_WARNING );

function pdb_env( $name, $default ) {
	$v = getenv( $name );
	return ( false === $v ) ? $default : $v;
}

$pdb_home = rtrim( pdb_env( 'PD_HOME', 'http://bench.test' ), '/' );
$pdb_url  = parse_url( $pdb_home );

// What a web request would have set: WordPress reads these while booting.
$_SERVER['HTTP_HOST']       = $pdb_url['host'];
$_SERVER['SERVER_NAME']     = $pdb_url['host'];
$_SERVER['SERVER_PORT']     = '80';
$_SERVER['REQUEST_URI']     = '/wp-admin/edit-comments.php';
$_SERVER['SCRIPT_NAME']     = '/wp-admin/edit-comments.php';
$_SERVER['PHP_SELF']        = '/wp-admin/edit-comments.php';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

define( 'ABSPATH', '/usr/share/wordpress/' );
define( 'DB_NAME', pdb_env( 'PD_DB_NAME', 'pd_bench' ) );
define( 'DB_USER', pdb_env( 'PD_DB_USER', 'root' ) );
define( 'DB_PASSWORD', pdb_env( 'PD_DB_PASSWORD', '' ) );
define( 'DB_HOST', pdb_env( 'PD_DB_HOST', '127.0.0.1:3306' ) );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
// Read-only use of the packaged themes/plugins; nothing here writes to it.
define( 'WP_CONTENT_DIR', '/usr/share/wordpress/wp-content' );
if ( getenv( 'PD_MULTISITE' ) ) {
	// What Network Setup tells one to add to wp-config.php; home/siteurl are per site then.
	define( 'WP_ALLOW_MULTISITE', true );
	define( 'MULTISITE', true );
	define( 'SUBDOMAIN_INSTALL', false );
	define( 'DOMAIN_CURRENT_SITE', $pdb_url['host'] );
	define( 'PATH_CURRENT_SITE', '/' );
	define( 'SITE_ID_CURRENT_SITE', 1 );
	define( 'BLOG_ID_CURRENT_SITE', 1 );
} else {
	define( 'WP_HOME', $pdb_home );
	define( 'WP_SITEURL', $pdb_home );
}
define( 'WP_DEBUG', false );
define( 'DISABLE_WP_CRON', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
$table_prefix = pdb_env( 'PD_PREFIX', 'wp_' );
if ( getenv( 'PD_INSTALLING' ) ) {
	define( 'WP_INSTALLING', true );
}

require ABSPATH . 'wp-settings.php';

// No mail leaves the machine: notifications are short-circuited (the rest of the
// work WordPress does around them still runs).
add_filter( 'pre_wp_mail', '__return_false' );

$pdb_t_booted = microtime( true );

/** One JSON line on stdout: the only thing the Python side parses. */
function pdb_out( array $data ) {
	global $pdb_t0, $pdb_t_booted;
	$data['boot_ms'] = round( ( $pdb_t_booted - $pdb_t0 ) * 1000, 3 );
	$data['total_ms'] = round( ( microtime( true ) - $pdb_t0 ) * 1000, 3 );
	echo json_encode( $data, JSON_UNESCAPED_SLASHES ), "\n";
}

function pdb_ms( $t ) {
	return round( ( microtime( true ) - $t ) * 1000, 3 );
}
