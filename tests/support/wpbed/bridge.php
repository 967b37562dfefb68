<?php
/**
 * pingdesk test bed: a PHP CLI bridge into real WordPress.
 *
 *     php bridge.php < request.json > response.json
 *
 * The request is ONE JSON object:
 *
 *     {"site": {"db_name": "...", "db_user": "root", "db_password": "", "db_host": "127.0.0.1:3306",
 *               "prefix": "wp_", "home": "http://blog.test", "content_dir": "/tmp/.../wp-content",
 *               "multisite": false, "path": "/"},
 *      "commands": [{"cmd": "new_comments", ...}, ...]}
 *
 * and the response is ONE JSON object on stdout:
 *
 *     {"ok": true, "results": [<one result per command>]}
 *     {"ok": false, "error": "...", "at": <index of the failing command>, "results": [...]}
 *
 * Anything WordPress itself prints (notices, wp_die pages) goes to stderr, never stdout.
 *
 * Commands ({"cmd": name, ...arguments} -> result):
 *   install {title?, user?, email?, password?, options?{}}  -> {user_id}   (must come first;
 *           wp_install() in WP_INSTALLING mode, then home/siteurl = site.home)
 *   install_network {title?, email?} -> true   (after install: install_network() +
 *           populate_network(), path-based; the next request may set site.multisite)
 *   create_blog {path, title?, user_id?, options?} -> blog_id   (multisite: wpmu_create_blog)
 *   set_option {name, value} | {options: {name: value}} -> true;  get_option {name} -> value
 *   create_posts {n, post_type?, post_status?, ping_status?, comment_status?, title? ("%d"),
 *           content?, date_start? (GMT), date_step_hours?, author?} -> [post IDs]
 *   new_comments {comments: [spec]} -> [comment IDs], each through wp_new_comment(). spec:
 *           post, type (pingback|trackback|comment|webmention), author, author_email,
 *           author_url, ip, agent, content, date, date_gmt, user_id, approved (forces
 *           comment_approved through pre_comment_approved), parent (ID) or parent_ref (index
 *           of an earlier spec in the same list), meta {key: value}; webmention: source_url,
 *           target_url?, wm_type? (comment_type, default 'mention').
 *   apply {ops: [[function, comment_ID], ...], marker?, pause?} -> [return values]; function:
 *           approve | hold | wp_spam_comment | wp_unspam_comment | wp_trash_comment |
 *           wp_untrash_comment | wp_delete_comment (force) | wp_delete_comment:soft
 *   moderate {action, ids, applicable: [statuses]} -> [IDs changed]   (pingdesk's action
 *           names; only rows whose current status is in applicable, like wp-admin)
 *   sequence {ops: [{action, ids}], applicable: {action: [statuses]}} -> [[IDs changed]]
 *   hold {ops, marker, seconds} -> [return values]   (ops inside one open transaction;
 *           marker file written while the rows are locked; commit after seconds)
 *   trash_posts {ids} -> [bool];  permalinks {ids} -> {id: url};
 *   trackback_urls {ids} -> {id: url};  count_comments {post_id?} -> wp_count_comments();
 *   comment_status {ids} -> {id: comment_approved|null};  info -> {wp_version, prefix, ...}
 *   Multisite, run from the main site (a request on an archived/spam/deleted site dies in
 *   ms_site_check()); "sites" omitted = every site of the network, flagged ones included:
 *   network_comments {sites?, status? ('hold'), types? (['pingback','trackback','webmention'])}
 *           -> [{site, archived, spam, deleted, public, pings: [{id, site, status, type, post,
 *           author_url, source_url, date_gmt, webmention}]}]   (per site: switch_to_blog() +
 *           get_comments(status, type__in / protocol=webmention meta, comment_date_gmt DESC)
 *           + restore_current_blog(); pings newest first, ties by id descending)
 *   set_site_status {site, archived?, spam?, deleted?, mature?, public?} -> {site, archived,
 *           spam, deleted, mature, public}   (update_blog_status() per flag given, as the
 *           Network Admin's Sites actions)
 *   site_comment_counts {sites?} -> [{site, wp_count_comments {..}, get_comment_count {..},
 *           pings {status: n} (pingbacks+trackbacks), post_comment_count {post ID: n}}]
 * Writing commands run in one transaction unless "txn": false (see below).
 *
 * Debian's /usr/share/wordpress/wp-config.php is NOT used (it would load
 * /etc/wordpress/config-<host>.php): this file defines the configuration itself and
 * requires wp-settings.php directly. A request whose first command is "install" boots
 * WordPress in installing mode (WP_INSTALLING) the way wp-admin/install.php does.
 */

// Everything printed from here on is WordPress's business; keep stdout for our JSON.
ob_start();
ini_set( 'display_errors', 'stderr' );

$pdbed_request = json_decode( stream_get_contents( STDIN ), true );
if ( ! is_array( $pdbed_request ) || ! isset( $pdbed_request['site'], $pdbed_request['commands'] ) ) {
	fwrite( STDERR, "bridge.php: stdin must be a JSON object with 'site' and 'commands'\n" );
	exit( 2 );
}
$pdbed_site     = $pdbed_request['site'];
$pdbed_commands = $pdbed_request['commands'];
$pdbed_results  = array();
$pdbed_done     = false;
$pdbed_at       = -1;

/** Print the one JSON response (stdout) and what WordPress printed (stderr). */
function pdbed_respond( array $response ) {
	$noise = '';
	while ( ob_get_level() > 0 ) {
		$noise .= ob_get_clean();
	}
	if ( '' !== trim( $noise ) ) {
		fwrite( STDERR, $noise . "\n" );
		$response['output'] = substr( $noise, 0, 4000 );
	}
	fwrite( STDOUT, json_encode( $response, JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR ) );
}

// WordPress exits from deep inside (wp_die, dead_db, bail): still answer in JSON.
register_shutdown_function(
	function () {
		global $pdbed_done, $pdbed_results, $pdbed_at;
		if ( $pdbed_done ) {
			return;
		}
		$error = error_get_last();
		pdbed_respond(
			array(
				'ok'      => false,
				'error'   => 'WordPress exited early' . ( $error ? ': ' . $error['message'] : '' ),
				'at'      => $pdbed_at,
				'results' => $pdbed_results,
			)
		);
	}
);

$pdbed_installing = isset( $pdbed_commands[0]['cmd'] ) && 'install' === $pdbed_commands[0]['cmd'];
$pdbed_home       = rtrim( $pdbed_site['home'], '/' );
$pdbed_url        = parse_url( $pdbed_home );
$pdbed_host       = $pdbed_url['host'] . ( isset( $pdbed_url['port'] ) ? ':' . $pdbed_url['port'] : '' );
$pdbed_path       = isset( $pdbed_site['path'] ) ? $pdbed_site['path'] : '/';

// What a web request would have set; wp_new_comment() reads REMOTE_ADDR and HTTP_USER_AGENT.
$_SERVER['HTTP_HOST']       = $pdbed_host;
$_SERVER['SERVER_NAME']     = $pdbed_url['host'];
$_SERVER['SERVER_PORT']     = isset( $pdbed_url['port'] ) ? (string) $pdbed_url['port'] : '80';
$_SERVER['REQUEST_URI']     = $pdbed_path;
$_SERVER['SCRIPT_NAME']     = $pdbed_path . 'index.php';
$_SERVER['PHP_SELF']        = $pdbed_path . 'index.php';
$_SERVER['REQUEST_METHOD']  = 'GET';
$_SERVER['REMOTE_ADDR']     = '127.0.0.1';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

// The configuration a wp-config.php would hold.
define( 'ABSPATH', isset( $pdbed_site['abspath'] ) ? $pdbed_site['abspath'] : '/usr/share/wordpress/' );
define( 'DB_NAME', $pdbed_site['db_name'] );
define( 'DB_USER', $pdbed_site['db_user'] );
define( 'DB_PASSWORD', $pdbed_site['db_password'] );
define( 'DB_HOST', $pdbed_site['db_host'] );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'WP_CONTENT_DIR', rtrim( $pdbed_site['content_dir'], '/' ) );
define( 'WP_DEBUG', false );
define( 'DISABLE_WP_CRON', true );
define( 'WP_AUTO_UPDATE_CORE', false );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
$table_prefix = $pdbed_site['prefix'];
if ( ! empty( $pdbed_site['multisite'] ) ) {
	define( 'WP_ALLOW_MULTISITE', true );
	define( 'MULTISITE', true );
	define( 'SUBDOMAIN_INSTALL', false );
	define( 'DOMAIN_CURRENT_SITE', $pdbed_host );
	define( 'PATH_CURRENT_SITE', '/' );
	define( 'SITE_ID_CURRENT_SITE', 1 );
	define( 'BLOG_ID_CURRENT_SITE', 1 );
} else {
	define( 'WP_HOME', $pdbed_home );
	define( 'WP_SITEURL', $pdbed_home );
}
if ( $pdbed_installing ) {
	define( 'WP_INSTALLING', true );
}

/*
 * Pluggable functions (wp-includes/pluggable.php only defines them when missing): the bed
 * sends no mail. The notifications write nothing to the database, but they look up the
 * commenter's IP with gethostbyaddr(): a DNS query per comment (slow, and network).
 */
function wp_mail( $to, $subject, $message, $headers = '', $attachments = array() ) {
	return true;
}
function wp_notify_moderator( $comment_id ) {
	return true;
}
function wp_notify_postauthor( $comment_id, $deprecated = null ) {
	return true;
}

require ABSPATH . 'wp-settings.php';

if ( $pdbed_installing ) {
	require_once ABSPATH . 'wp-admin/includes/upgrade.php';
}

// No outgoing HTTP from the bridge (the installer probes pretty permalinks with it), except
// for the commands that send pings, and then only to 127.0.0.1 (the bed's mu-plugin).
$pdbed_http = false;
add_filter(
	'pre_http_request',
	function ( $pre ) {
		global $pdbed_http;
		return $pdbed_http ? $pre : new WP_Error( 'http_request_failed', 'pingdesk test bed: no network from the bridge' );
	},
	1
);
// Pings have no e-mail and share IPs: WordPress's 15 s flood check would refuse most of them.
remove_action( 'check_comment_flood', 'check_comment_flood_db', 10 );
// Any wp_die() becomes an error of the current command instead of an HTML page and exit.
$pdbed_die = function ( $message ) {
	if ( is_wp_error( $message ) ) {
		$message = $message->get_error_message();
	}
	throw new RuntimeException( 'wp_die: ' . wp_strip_all_tags( (string) $message ) );
};
foreach ( array( 'wp_die_handler', 'wp_die_ajax_handler', 'wp_die_json_handler', 'wp_die_xmlrpc_handler' ) as $pdbed_hook ) {
	add_filter(
		$pdbed_hook,
		function () use ( $pdbed_die ) {
			return $pdbed_die;
		}
	);
}

/** comment_approved forced by the current new_comments spec (null: WordPress decides). */
$pdbed_force_approved = null;
add_filter(
	'pre_comment_approved',
	function ( $approved ) {
		global $pdbed_force_approved;
		return null === $pdbed_force_approved ? $approved : $pdbed_force_approved;
	},
	99
);

/** The comment as it is in the database now (never a cached copy). */
function pdbed_fresh_comment( $id ) {
	clean_comment_cache( (int) $id );
	return get_comment( (int) $id );
}

/** The moderation functions a command may call, by name, with a comment ID. */
function pdbed_call( $fn, $id ) {
	$id = (int) $id;
	clean_comment_cache( $id );
	switch ( $fn ) {
		case 'approve':
		case 'wp_set_comment_status:approve':
			return wp_set_comment_status( $id, 'approve' );
		case 'hold':
		case 'wp_set_comment_status:hold':
			return wp_set_comment_status( $id, 'hold' );
		case 'wp_spam_comment':
			return wp_spam_comment( $id );
		case 'wp_unspam_comment':
			return wp_unspam_comment( $id );
		case 'wp_trash_comment':
			return wp_trash_comment( $id );
		case 'wp_untrash_comment':
			return wp_untrash_comment( $id );
		case 'wp_delete_comment':
			return wp_delete_comment( $id, true );
		case 'wp_delete_comment:soft':
			return wp_delete_comment( $id, false );
	}
	throw new InvalidArgumentException( "unknown moderation function $fn" );
}

/** pingdesk's action names mapped to what wp-admin calls for them. */
const PDBED_ACTIONS = array(
	'approve'   => 'wp_set_comment_status:approve',
	'unapprove' => 'wp_set_comment_status:hold',
	'spam'      => 'wp_spam_comment',
	'unspam'    => 'wp_unspam_comment',
	'trash'     => 'wp_trash_comment',
	'untrash'   => 'wp_untrash_comment',
	'delete'    => 'wp_delete_comment',
);

/**
 * Moderation the way the Comments screen does it: the action is applied to each chosen
 * comment whose CURRENT status is one the screen offers the action for.
 * Returns the IDs for which WordPress's function reported a change (it returns false, and
 * writes nothing, when the status would not change).
 */
function pdbed_moderate( $action, array $ids, array $applicable ) {
	if ( ! isset( PDBED_ACTIONS[ $action ] ) ) {
		throw new InvalidArgumentException( "unknown action $action" );
	}
	$applied = array();
	foreach ( $ids as $id ) {
		$comment = pdbed_fresh_comment( $id );
		if ( ! $comment || ! in_array( $comment->comment_approved, $applicable, true ) ) {
			continue;
		}
		$ok = pdbed_call( PDBED_ACTIONS[ $action ], $id );
		if ( is_wp_error( $ok ) ) {
			throw new RuntimeException( "$action on comment $id: " . $ok->get_error_message() );
		}
		if ( $ok ) {
			$applied[] = (int) $id;
		}
	}
	return $applied;
}

/** One comment as wp_new_comment() receives it from xmlrpc.php / wp-trackback.php / a form. */
function pdbed_commentdata( array $spec, array $created ) {
	$type = isset( $spec['type'] ) ? $spec['type'] : 'comment';
	$data = array(
		'comment_post_ID'      => (int) $spec['post'],
		'comment_author'       => isset( $spec['author'] ) ? $spec['author'] : '',
		'comment_author_email' => isset( $spec['author_email'] ) ? $spec['author_email'] : '',
		'comment_author_url'   => isset( $spec['author_url'] ) ? $spec['author_url'] : '',
		'comment_content'      => isset( $spec['content'] ) ? $spec['content'] : '',
		'comment_type'         => 'webmention' === $type ? ( isset( $spec['wm_type'] ) ? $spec['wm_type'] : 'mention' ) : $type,
	);
	if ( 'pingback' === $type || 'trackback' === $type ) {
		// xmlrpc.php / wp-trackback.php: pings never have an e-mail.
		$data['comment_author_email'] = '';
	}
	foreach ( array( 'ip' => 'comment_author_IP', 'agent' => 'comment_agent', 'date' => 'comment_date', 'date_gmt' => 'comment_date_gmt', 'user_id' => 'user_id' ) as $key => $field ) {
		if ( isset( $spec[ $key ] ) ) {
			$data[ $field ] = $spec[ $key ];
		}
	}
	if ( isset( $spec['parent'] ) ) {
		$data['comment_parent'] = (int) $spec['parent'];
	} elseif ( isset( $spec['parent_ref'] ) ) {
		// A reply to a comment created earlier in the same batch.
		$data['comment_parent'] = (int) $created[ (int) $spec['parent_ref'] ];
	}
	$meta = isset( $spec['meta'] ) ? $spec['meta'] : array();
	if ( 'webmention' === $type ) {
		// The Webmention plugin: semantic type, source in commentmeta, marked by protocol.
		$meta += array(
			'protocol'              => 'webmention',
			'webmention_source_url' => $spec['source_url'],
			'webmention_target_url' => isset( $spec['target_url'] ) ? $spec['target_url'] : get_permalink( (int) $spec['post'] ),
			'webmention_created_at' => isset( $spec['date_gmt'] ) ? $spec['date_gmt'] : current_time( 'mysql', 1 ),
		);
	}
	if ( $meta ) {
		$data['comment_meta'] = $meta;
	}
	// wp_new_comment() takes slashed data, as $_POST and $wp_xmlrpc_server->escape() give it.
	return wp_slash( $data );
}

/** Posts of one shape; returns their IDs. */
function pdbed_create_posts( array $c ) {
	$ids   = array();
	$n     = isset( $c['n'] ) ? (int) $c['n'] : 1;
	$start = strtotime( isset( $c['date_start'] ) ? $c['date_start'] . ' UTC' : '2020-01-01 10:00:00 UTC' );
	$step  = isset( $c['date_step_hours'] ) ? (float) $c['date_step_hours'] : 24.0;
	for ( $i = 0; $i < $n; $i++ ) {
		$gmt   = gmdate( 'Y-m-d H:i:s', (int) ( $start + $i * $step * 3600 ) );
		$title = sprintf( isset( $c['title'] ) ? $c['title'] : 'Test post %d', $i + 1 );
		$post  = array(
			'post_title'     => $title,
			'post_content'   => isset( $c['content'] ) ? $c['content'] : "<p>Body of $title.</p>",
			'post_type'      => isset( $c['post_type'] ) ? $c['post_type'] : 'post',
			'post_status'    => isset( $c['post_status'] ) ? $c['post_status'] : 'publish',
			'ping_status'    => isset( $c['ping_status'] ) ? $c['ping_status'] : 'open',
			'comment_status' => isset( $c['comment_status'] ) ? $c['comment_status'] : 'open',
			'post_date_gmt'  => $gmt,
			'post_date'      => get_date_from_gmt( $gmt ),
			'post_author'    => isset( $c['author'] ) ? (int) $c['author'] : 1,
		);
		$id = wp_insert_post( wp_slash( $post ), true );
		if ( is_wp_error( $id ) ) {
			throw new RuntimeException( 'wp_insert_post: ' . $id->get_error_message() );
		}
		$ids[] = $id;
	}
	return $ids;
}

/** The sites a network command covers: the ids given, or every site (flagged ones too). */
function pdbed_network_sites( array $c ) {
	if ( ! is_multisite() ) {
		throw new RuntimeException( 'not a multisite network (set site.multisite)' );
	}
	if ( isset( $c['sites'] ) ) {
		$sites = array();
		foreach ( $c['sites'] as $id ) {
			$site = get_site( (int) $id );
			if ( ! $site ) {
				throw new InvalidArgumentException( "no site $id in the network" );
			}
			$sites[] = $site;
		}
		return $sites;
	}
	return get_sites(
		array(
			'number'  => 0,
			'orderby' => 'id',
			'order'   => 'ASC',
		)
	);
}

/** What {base}blogs says about a site, as WordPress's WP_Site gives it. */
function pdbed_site_flags( $site ) {
	return array(
		'site'     => (int) $site->id,
		'archived' => (bool) (int) $site->archived,
		'spam'     => (bool) (int) $site->spam,
		'deleted'  => (bool) (int) $site->deleted,
		'mature'   => (bool) (int) $site->mature,
		'public'   => (bool) (int) $site->public,
	);
}

/**
 * The current (switched-to) site's pings in one status, newest first, by get_comments():
 * pingbacks/trackbacks by type, webmentions by the Webmention plugin's protocol meta.
 */
function pdbed_site_pings( $site_id, array $c ) {
	$status = isset( $c['status'] ) ? $c['status'] : 'hold';
	$types  = isset( $c['types'] ) ? $c['types'] : array( 'pingback', 'trackback', 'webmention' );
	$query  = array(
		'status'  => $status,
		'orderby' => 'comment_date_gmt',
		'order'   => 'DESC',
		'number'  => 0,
	);
	$found  = array();
	$plain  = array_values( array_diff( $types, array( 'webmention' ) ) );
	if ( $plain ) {
		$found = get_comments( $query + array( 'type__in' => $plain ) );
	}
	if ( in_array( 'webmention', $types, true ) ) {
		$found = array_merge(
			$found,
			get_comments(
				$query + array(
					'type__not_in' => array( 'pingback', 'trackback' ),
					'meta_key'     => 'protocol',
					'meta_value'   => 'webmention',
				)
			)
		);
	}
	$rows = array();
	foreach ( $found as $comment ) {
		$wm     = 'webmention' === get_comment_meta( $comment->comment_ID, 'protocol', true );
		$source = $wm ? get_comment_meta( $comment->comment_ID, 'webmention_source_url', true ) : '';
		$rows[] = array(
			'id'         => (int) $comment->comment_ID,
			'site'       => (int) $site_id,
			'status'     => $comment->comment_approved,
			'type'       => $comment->comment_type,
			'post'       => (int) $comment->comment_post_ID,
			'author_url' => $comment->comment_author_url,
			'source_url' => $source ? $source : $comment->comment_author_url,
			'date_gmt'   => $comment->comment_date_gmt,
			'webmention' => $wm,
		);
	}
	usort(
		$rows,
		function ( $a, $b ) {
			return array( $b['date_gmt'], $b['id'] ) <=> array( $a['date_gmt'], $a['id'] );
		}
	);
	return $rows;
}

/** Runs one command; returns its result. */
function pdbed_run( array $c ) {
	global $wpdb, $pdbed_site, $pdbed_home, $pdbed_host, $pdbed_force_approved, $pdbed_http;
	switch ( $c['cmd'] ) {
		case 'install':
			// wp-admin/install.php step 2.
			$r = wp_install(
				isset( $c['title'] ) ? $c['title'] : 'Test Blog',
				isset( $c['user'] ) ? $c['user'] : 'admin',
				isset( $c['email'] ) ? $c['email'] : 'admin@example.org',
				true,
				'',
				isset( $c['password'] ) ? $c['password'] : 'pingdesk-test-password'
			);
			update_option( 'home', $pdbed_home );
			update_option( 'siteurl', $pdbed_home );
			foreach ( isset( $c['options'] ) ? $c['options'] : array() as $name => $value ) {
				update_option( $name, $value );
			}
			return array( 'user_id' => (int) $r['user_id'] );

		case 'install_network':
			// What "Tools > Network Setup" (and wp core multisite-convert) does after a single install.
			require_once ABSPATH . 'wp-admin/includes/upgrade.php';
			foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed ) {
				$wpdb->$table = $prefixed;
			}
			install_network();
			$r = populate_network(
				1,
				$pdbed_host,
				isset( $c['email'] ) ? $c['email'] : get_option( 'admin_email' ),
				isset( $c['title'] ) ? $c['title'] : 'Test Network',
				'/',
				false
			);
			if ( is_wp_error( $r ) ) {
				throw new RuntimeException( 'populate_network: ' . $r->get_error_message() );
			}
			return true;

		case 'create_blog':
			$blog_id = wpmu_create_blog(
				$pdbed_host,
				$c['path'],
				isset( $c['title'] ) ? $c['title'] : 'Sub Site',
				isset( $c['user_id'] ) ? (int) $c['user_id'] : 1,
				isset( $c['options'] ) ? $c['options'] : array(),
				1
			);
			if ( is_wp_error( $blog_id ) ) {
				throw new RuntimeException( 'wpmu_create_blog: ' . $blog_id->get_error_message() );
			}
			return (int) $blog_id;

		case 'set_option':
			$options = isset( $c['options'] ) ? $c['options'] : array( $c['name'] => $c['value'] );
			foreach ( $options as $name => $value ) {
				update_option( $name, $value );
			}
			return true;

		case 'get_option':
			return get_option( $c['name'] );

		case 'create_posts':
			return pdbed_create_posts( $c );

		case 'new_comments':
			$created = array();
			foreach ( $c['comments'] as $spec ) {
				$pdbed_force_approved = isset( $spec['approved'] ) ? (string) $spec['approved'] : null;
				try {
					$id = wp_new_comment( pdbed_commentdata( $spec, $created ), true );
				} finally {
					$pdbed_force_approved = null;
				}
				if ( is_wp_error( $id ) ) {
					throw new RuntimeException( 'wp_new_comment: ' . $id->get_error_message() );
				}
				$created[] = (int) $id;
			}
			return $created;

		case 'apply':
			// [[function, comment_id], ...] in order; returns what each call returned.
			// Optional "marker": a file touched once WordPress is up, before the first op;
			// optional "pause": seconds between ops (to spread writes over a race).
			if ( isset( $c['marker'] ) ) {
				file_put_contents( $c['marker'], 'started' );
			}
			$out = array();
			foreach ( $c['ops'] as $k => $op ) {
				if ( $k > 0 && ! empty( $c['pause'] ) ) {
					usleep( (int) ( 1e6 * (float) $c['pause'] ) );
				}
				$out[] = pdbed_call( $op[0], $op[1] );
			}
			return $out;

		case 'moderate':
			return pdbed_moderate( $c['action'], $c['ids'], $c['applicable'] );

		case 'sequence':
			// Several moderation actions in order: [{"action", "ids"}, ...]; applicable by action.
			$out = array();
			foreach ( $c['ops'] as $op ) {
				$out[] = pdbed_moderate( $op['action'], $op['ids'], $c['applicable'][ $op['action'] ] );
			}
			return $out;

		case 'hold':
			/*
			 * Concurrency: make WordPress's writes inside one open transaction, tell the test
			 * (marker file) that the rows are now locked, wait, then commit. Whoever writes the
			 * same rows meanwhile waits for our commit and must then see WordPress's values.
			 */
			$wpdb->query( 'START TRANSACTION' );
			$out = array();
			foreach ( $c['ops'] as $op ) {
				$out[] = pdbed_call( $op[0], $op[1] );
			}
			file_put_contents( $c['marker'], 'locked' );
			usleep( (int) ( 1e6 * ( isset( $c['seconds'] ) ? (float) $c['seconds'] : 1.0 ) ) );
			$wpdb->query( 'COMMIT' );
			return $out;

		case 'trash_posts':
			return array_map(
				function ( $id ) {
					return (bool) wp_trash_post( (int) $id );
				},
				$c['ids']
			);

		case 'permalinks':
			$out = array();
			foreach ( $c['ids'] as $id ) {
				$out[ (string) $id ] = get_permalink( (int) $id );
			}
			return $out;

		case 'trackback_urls':
			$out = array();
			foreach ( $c['ids'] as $id ) {
				$GLOBALS['post'] = get_post( (int) $id );
				setup_postdata( $GLOBALS['post'] );
				$out[ (string) $id ] = get_trackback_url();
			}
			wp_reset_postdata();
			return $out;

		case 'post_fields':
			// Raw columns of posts, as the database holds them: {"ids": [...], "fields": [...]}.
			$out = array();
			foreach ( $c['ids'] as $id ) {
				$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM $wpdb->posts WHERE ID = %d", (int) $id ), ARRAY_A );
				$out[ (string) $id ] = $row ? array_intersect_key( $row, array_flip( $c['fields'] ) ) : null;
			}
			return $out;

		case 'set_post_fields':
			// Straight column writes (to_ping / pinged as the Classic editor leaves them).
			$wpdb->update( $wpdb->posts, $c['fields'], array( 'ID' => (int) $c['id'] ) );
			clean_post_cache( (int) $c['id'] );
			return true;

		case 'send_pings':
			$pdbed_http = true;
			// What do_all_pings() does for one post: pingback() then do_trackbacks().
			foreach ( $c['ids'] as $id ) {
				pingback( null, (int) $id );
				do_trackbacks( (int) $id );
			}
			return true;

		case 'discover_pingback':
			$pdbed_http = true;
			return array_map( 'discover_pingback_server_uri', $c['urls'] );

		case 'do_all_pings':
			// A post published with links: WordPress marks it _pingme, then wp-cron runs this.
			$pdbed_http = true;
			foreach ( $c['ids'] as $id ) {
				add_post_meta( (int) $id, '_pingme', '1' );
			}
			do_all_pings();
			return true;

		case 'trackback':
			$pdbed_http = true;
			// trackback() as wp-admin's "Send trackbacks to" ends up calling it.
			return trackback( $c['url'], $c['title'], $c['excerpt'], (int) $c['post'] );

		case 'count_comments':
			return (array) wp_count_comments( isset( $c['post_id'] ) ? (int) $c['post_id'] : 0 );

		case 'comment_status':
			$out = array();
			foreach ( $c['ids'] as $id ) {
				$comment             = pdbed_fresh_comment( $id );
				$out[ (string) $id ] = $comment ? $comment->comment_approved : null;
			}
			return $out;

		case 'network_comments':
			$out = array();
			foreach ( pdbed_network_sites( $c ) as $site ) {
				switch_to_blog( $site->id );
				try {
					$out[] = pdbed_site_flags( $site ) + array( 'pings' => pdbed_site_pings( $site->id, $c ) );
				} finally {
					restore_current_blog();
				}
			}
			return $out;

		case 'set_site_status':
			$id = (int) $c['site'];
			foreach ( array( 'archived', 'spam', 'deleted', 'mature', 'public' ) as $flag ) {
				if ( isset( $c[ $flag ] ) ) {
					update_blog_status( $id, $flag, (int) $c[ $flag ] );
				}
			}
			clean_blog_cache( $id );
			return pdbed_site_flags( get_site( $id ) );

		case 'site_comment_counts':
			$out = array();
			foreach ( pdbed_network_sites( $c ) as $site ) {
				switch_to_blog( $site->id );
				try {
					$pings = array();
					foreach ( array( 'hold', 'approve', 'spam', 'trash' ) as $status ) {
						$pings[ $status ] = (int) get_comments(
							array(
								'status'   => $status,
								'type__in' => array( 'pingback', 'trackback' ),
								'count'    => true,
							)
						);
					}
					$per_post = array();
					foreach ( $wpdb->get_results( "SELECT ID, comment_count FROM $wpdb->posts ORDER BY ID" ) as $row ) {
						$per_post[ (string) $row->ID ] = (int) $row->comment_count;
					}
					$out[] = array(
						'site'               => (int) $site->id,
						'wp_count_comments'  => array_map( 'intval', (array) wp_count_comments() ),
						'get_comment_count'  => array_map( 'intval', get_comment_count() ),
						'pings'              => $pings,
						'post_comment_count' => $per_post,
					);
				} finally {
					restore_current_blog();
				}
			}
			return $out;

		case 'info':
			return array(
				'wp_version' => $GLOBALS['wp_version'],
				'prefix'     => $wpdb->prefix,
				'blog_id'    => get_current_blog_id(),
				'home'       => home_url( '/' ),
				'multisite'  => is_multisite(),
			);
	}
	throw new InvalidArgumentException( 'unknown command ' . $c['cmd'] );
}

/*
 * Commands that write many rows run in one transaction unless told "txn": false: with
 * autocommit every INSERT/UPDATE waits for its own log flush (~50 ms here), and the rows
 * written are the same either way. Concurrency tests pass "txn": false to get
 * WordPress's real one-statement-at-a-time behaviour.
 */
const PDBED_TXN_DEFAULT = array( 'create_posts', 'new_comments', 'apply', 'moderate', 'sequence', 'trash_posts' );

foreach ( $pdbed_commands as $pdbed_at => $pdbed_command ) {
	$pdbed_txn = isset( $pdbed_command['txn'] )
		? (bool) $pdbed_command['txn']
		: in_array( $pdbed_command['cmd'], PDBED_TXN_DEFAULT, true );
	try {
		if ( $pdbed_txn ) {
			$wpdb->query( 'START TRANSACTION' );
		}
		$pdbed_results[] = pdbed_run( $pdbed_command );
		if ( $pdbed_txn ) {
			$wpdb->query( 'COMMIT' );
		}
	} catch ( Throwable $e ) {
		if ( $pdbed_txn ) {
			$wpdb->query( 'ROLLBACK' );
		}
		$pdbed_done = true;
		pdbed_respond(
			array(
				'ok'      => false,
				'error'   => get_class( $e ) . ': ' . $e->getMessage(),
				'at'      => $pdbed_at,
				'results' => $pdbed_results,
			)
		);
		exit( 1 );
	}
}
$pdbed_done = true;
pdbed_respond(
	array(
		'ok'      => true,
		'results' => $pdbed_results,
	)
);
