<?php
/**
 * Plugin Name: pingdesk test bed
 * Description: Lets a test WordPress fetch pingback sources from 127.0.0.1 (any port) and
 *              nothing else, and switches off the comment flood check.
 *
 * Loaded from the bed's own WP_CONTENT_DIR/mu-plugins, never from a real site's.
 */

/** The only hosts a test WordPress may talk to. */
function pdbed_local_host( $host ) {
	return in_array( strtolower( (string) $host ), array( '127.0.0.1', 'localhost' ), true );
}

// wp_http_validate_url() refuses loopback addresses ...
add_filter(
	'http_request_host_is_external',
	function ( $external, $host ) {
		return pdbed_local_host( $host ) ? true : $external;
	},
	10,
	2
);

// ... and ports other than 80, 443 and 8080: the test source server has a random port.
add_filter(
	'http_allowed_safe_ports',
	function ( $ports, $host, $url ) {
		$port = parse_url( $url, PHP_URL_PORT );
		if ( $port && pdbed_local_host( $host ) ) {
			$ports[] = (int) $port;
		}
		return $ports;
	},
	10,
	3
);

// Belt and braces: no request ever leaves 127.0.0.1.
add_filter(
	'pre_http_request',
	function ( $pre, $args, $url ) {
		if ( ! pdbed_local_host( parse_url( $url, PHP_URL_HOST ) ) ) {
			return new WP_Error( 'http_request_failed', "pingdesk test bed: no network beyond 127.0.0.1 ($url)" );
		}
		return $pre;
	},
	10,
	3
);

// Pings have no e-mail and come from one IP here: WordPress would answer 429 within 15 s.
remove_action( 'check_comment_flood', 'check_comment_flood_db', 10 );
