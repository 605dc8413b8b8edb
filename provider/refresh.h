/*
 * refresh.h - the thread that keeps the served document current.
 *
 * It owns the database connection and the configuration.  It renders once
 * per change: on a notification on channel "apex_config", and when the
 * once-a-second check of apex.platform.config_version (the fallback where
 * notifications are lost or unavailable, as on a hot standby) finds a new
 * version.  A failed render or a lost connection keeps the last good
 * document and reports the provider degraded; reconnects back off from
 * 0.2 s to 5 s.
 */
#ifndef PROVIDER_REFRESH_H
#define PROVIDER_REFRESH_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "state.h"

#define REFRESH_CHECK_INTERVAL_MS 1000
#define REFRESH_BACKOFF_MIN_MS 200
#define REFRESH_BACKOFF_MAX_MS 5000
#define REFRESH_CONNECT_TIMEOUT_MS 10000
#define REFRESH_STATUS_HEARTBEAT_MS 30000

typedef struct refresher {
	provider_state *state;
	apex_config *cfg;		/* owned; a reload replaces it */
	const char *config_path;	/* --config, or NULL */
	const char *listen_override;	/* --listen, or NULL */
	char instance[320];		/* apex.provider_status.instance */
	long long started_ms;		/* wall clock, for provider_status.started_at */
	int wake_fd;			/* eventfd: stop or reload requested */
	atomic_int stop_requested;
	atomic_int reload_requested;
	pthread_t thread;

	/* used by the refresh thread only */
	PGconn *conn;
	long long version;		/* config_version of the served document, -1 none */
	int need_render;
	int ever_connected;
	int backoff_ms;
	double last_check;		/* apex_now_ms() of the last version check */
	double failing_since;		/* apex_now_ms() of the first failure, 0 healthy */
	char logged_problem[PROBLEM_MAX];
	char logged_status_problem[PROBLEM_MAX];
	long long status_version;	/* what the status row last recorded */
	unsigned long long status_polls;
	double status_written;
	size_t logged_skipped_hosts;	/* warning counts last logged */
	size_t logged_skipped_tenants;
	size_t logged_unknown_plans;
	int logged_maintenance;
} refresher;

/*
 * Starts the thread.  R must have state, cfg (ownership passes to R),
 * config_path, listen_override and instance set.
 */
apex_status refresher_start(refresher *r, apex_error *err);

/* Asks the thread to reload the configuration and the token file (SIGHUP). */
void refresher_request_reload(refresher *r);

/* Stops the thread, waits for it and frees the configuration. */
void refresher_stop(refresher *r);

#endif
