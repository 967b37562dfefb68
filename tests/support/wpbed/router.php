<?php
/**
 * Router for `php -S 127.0.0.1:PORT -t /usr/share/wordpress tests/wpbed/router.php`.
 *
 * Serves WordPress with the test bed's configuration instead of Debian's wp-config.php
 * (which would load /etc/wordpress/config-<host>.php). The configuration comes as JSON in
 * the environment variable PDBED_SITE (same keys as bridge.php's "site"), plus
 * "config_root": a directory holding a wp-config.php that only requires wp-settings.php,
 * and symlinks wp-settings.php, wp-includes and wp-admin into /usr/share/wordpress.
 * Defining ABSPATH as that directory makes wp-load.php pick that wp-config.php.
 */

$pdbed_site = json_decode( getenv( 'PDBED_SITE' ), true );
$pdbed_docroot = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$pdbed_path    = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
$pdbed_file    = $pdbed_docroot . $pdbed_path;
if ( is_dir( $pdbed_file ) ) {
	$pdbed_file = rtrim( $pdbed_file, '/' ) . '/index.php';
}
if ( ! is_file( $pdbed_file ) ) {
	$pdbed_file = $pdbed_docroot . '/index.php'; // Pretty permalinks go to the front controller.
} elseif ( '.php' !== substr( $pdbed_file, -4 ) ) {
	return false; // A static file: let the built-in server send it.
}

$pdbed_url = parse_url( $pdbed_site['home'] );
define( 'ABSPATH', rtrim( $pdbed_site['config_root'], '/' ) . '/' );
define( 'DB_NAME', $pdbed_site['db_name'] );
define( 'DB_USER', $pdbed_site['db_user'] );
define( 'DB_PASSWORD', $pdbed_site['db_password'] );
define( 'DB_HOST', $pdbed_site['db_host'] );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_CONTENT_DIR', rtrim( $pdbed_site['content_dir'], '/' ) );
define( 'WP_HOME', rtrim( $pdbed_site['home'], '/' ) );
define( 'WP_SITEURL', rtrim( $pdbed_site['home'], '/' ) );
define( 'WP_DEBUG', false );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
$table_prefix = $pdbed_site['prefix'];

$_SERVER['SCRIPT_FILENAME'] = $pdbed_file;
$_SERVER['SCRIPT_NAME']     = substr( $pdbed_file, strlen( $pdbed_docroot ) );
$_SERVER['PHP_SELF']        = $_SERVER['SCRIPT_NAME'];
chdir( dirname( $pdbed_file ) );
require $pdbed_file;
