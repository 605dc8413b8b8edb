/*
 * refresh.c - connect, listen, render on change, report, reconnect.
 *
 * The loop: reload the configuration when asked, connect when there is no
 * connection (backing off after failures), render when something changed,
 * then wait for a notification, the next version check or a wake-up.
 * Every failure is logged once with its reason, and once more when it ends.
 */
#include "refresh.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "context.h"
#include "db.h"
#include "doc.h"
#include "log.h"
#include "notify.h"
#include "routes.h"
#include "status.h"
#include "tenant.h"
#include "token.h"

/* ---- problems and recovery ---- */

/* Joins libpq's multi-line messages with "; " and drops a final period. */
static void
one_line(char *text, size_t size)
{
	char joined[APEX_MSG_MAX];
	size_t len;

	provider_join_lines(text, joined, sizeof(joined));
	len = strlen(joined);
	while (len > 0 && joined[len - 1] == '.')
		len--;
	joined[len] = '\0';
	snprintf(text, size, "%s", joined);
}

/* Writes ERR's message and hint as one line. */
static void
format_error(const apex_error *err, char *buf, size_t size)
{
	char message[APEX_MSG_MAX];

	snprintf(message, sizeof(message), "%s", err->message);
	one_line(message, sizeof(message));
	if (err->hint[0])
		snprintf(buf, size, "%s (%s)", message, err->hint);
	else
		snprintf(buf, size, "%s", message);
}

/* Marks the provider degraded; logs the reason unless it is the same as last time. */
static void
report_problem(refresher *r, const char *problem)
{
	if (r->failing_since == 0)
		r->failing_since = apex_now_ms();
	state_set_problem(r->state, problem);
	if (strcmp(problem, r->logged_problem) == 0)
		return;
	snprintf(r->logged_problem, sizeof(r->logged_problem), "%s", problem);
	if (r->state->doc)
		provider_log(LEVEL_ERROR, "%s (still serving version %lld)", problem, r->version);
	else
		provider_log(LEVEL_ERROR, "%s (answering 503 until a document is rendered)", problem);
}

static void
report_error(refresher *r, const apex_error *err)
{
	char text[PROBLEM_MAX];

	format_error(err, text, sizeof(text));
	report_problem(r, text);
}

/* Logs the end of a failure period; state_publish or state_confirm clear the state. */
static void
note_recovery(refresher *r)
{
	if (r->failing_since == 0)
		return;
	provider_log(LEVEL_INFO, "recovered after %.1f s; serving version %lld",
		     (apex_now_ms() - r->failing_since) / 1000.0, r->version);
	r->failing_since = 0;
	r->logged_problem[0] = '\0';
}

/* ---- the connection ---- */

static void
close_connection(refresher *r)
{
	if (r->conn)
		PQfinish(r->conn);
	r->conn = NULL;
	atomic_store(&r->state->db_up, 0);
}

static void
lose_connection(refresher *r, const apex_error *err)
{
	close_connection(r);
	report_error(r, err);
}

/* Handles a failed query: a broken connection is dropped, anything else reported. */
static void
query_failed(refresher *r, const apex_error *err)
{
	if (!r->conn || PQstatus(r->conn) == CONNECTION_BAD)
		lose_connection(r, err);
	else
		report_error(r, err);
}

/* Falls back to the version check alone when LISTEN is unavailable (hot standby). */
static void
start_listening(refresher *r)
{
	apex_error err = { 0 };

	if (notify_listen(r->conn, APEX_NOTIFY_CHANNEL, &err) == APEX_OK)
		return;
	provider_log(LEVEL_WARNING, "%s; checking config_version every %d ms instead",
		     err.message, REFRESH_CHECK_INTERVAL_MS);
}

static apex_status
open_connection(refresher *r)
{
	apex_error err = { 0 };
	PGconn *conn = notify_connect(r->cfg, "apex-provider", r->wake_fd, REFRESH_CONNECT_TIMEOUT_MS, &err);

	if (!conn) {
		if (err.message[0])
			report_error(r, &err);
		return APEX_FAILED;
	}
	r->conn = conn;
	if (apex_db_command(conn, &err, "could not set the statement timeout",
			    "SET statement_timeout = '30s'")) {
		lose_connection(r, &err);
		return APEX_FAILED;
	}
	start_listening(r);
	atomic_store(&r->state->db_up, 1);
	if (r->ever_connected)
		atomic_fetch_add(&r->state->reconnects, 1);
	provider_log(LEVEL_INFO, "%s to the database as \"%s\"",
		     r->ever_connected ? "reconnected" : "connected", PQuser(conn));
	r->ever_connected = 1;
	r->backoff_ms = REFRESH_BACKOFF_MIN_MS;
	r->need_render = 1;
	return APEX_OK;
}

/* ---- waiting ---- */

static void
drain_wake_fd(refresher *r)
{
	uint64_t value;

	if (read(r->wake_fd, &value, sizeof(value)) < 0 && errno != EAGAIN)
		provider_log(LEVEL_WARNING, "could not read the wake-up descriptor: %s", strerror(errno));
}

/* Sleeps for the current backoff (or until woken) and doubles it. */
static void
back_off(refresher *r)
{
	struct pollfd pfd = { .fd = r->wake_fd, .events = POLLIN };

	if (poll(&pfd, 1, r->backoff_ms) > 0)
		drain_wake_fd(r);
	r->backoff_ms *= 2;
	if (r->backoff_ms > REFRESH_BACKOFF_MAX_MS)
		r->backoff_ms = REFRESH_BACKOFF_MAX_MS;
}

/* ---- provider_status ---- */

/*
 * Writes the status row when the served version changed, at most once a
 * second when only the poll count changed, and every 30 s as a heartbeat.
 * A failure (a hot standby is read-only) is logged once and never degrades
 * the provider.
 */
static void
write_status(refresher *r)
{
	double now = apex_now_ms();
	status_row row = {
		.instance = r->instance, .version_served = r->version,
		.polls_served = atomic_load(&r->state->polls),
		.last_poll_ms = atomic_load(&r->state->last_poll_ms), .started_ms = r->started_ms,
	};
	apex_error err = { 0 };
	int changed_version = row.version_served != r->status_version;
	int changed_polls = row.polls_served != r->status_polls;

	if (!r->conn || (!changed_version && !(changed_polls && now - r->status_written >= 1000) &&
			 now - r->status_written < REFRESH_STATUS_HEARTBEAT_MS))
		return;
	r->status_written = now;
	if (status_write(r->conn, &row, &err) == APEX_OK) {
		r->status_version = row.version_served;
		r->status_polls = row.polls_served;
		r->logged_status_problem[0] = '\0';
		return;
	}
	if (PQstatus(r->conn) == CONNECTION_BAD) {
		lose_connection(r, &err);
	} else if (strcmp(err.message, r->logged_status_problem) != 0) {
		snprintf(r->logged_status_problem, sizeof(r->logged_status_problem), "%s", err.message);
		provider_log(LEVEL_WARNING, "%s", err.message);
	}
}

/*
 * Writes the final counts and sets stopped_at, so the console shows a clean
 * stop as stopped instead of as an instance that Traefik stopped polling.
 * Without a connection the row keeps its last heartbeat.
 */
static void
record_stop(refresher *r)
{
	apex_error err = { 0 };

	if (!r->conn)
		return;
	r->status_written = 0;
	write_status(r);
	if (r->conn && status_mark_stopped(r->conn, r->instance, &err) != APEX_OK)
		provider_log(LEVEL_WARNING, "%s", err.message);
}

/* ---- rendering ---- */

static void
log_document_warnings(refresher *r, const routes_stats *stats)
{
	/* each count is logged when it changes, not at every render */
	if (stats->skipped_hosts != r->logged_skipped_hosts && stats->skipped_hosts > 0)
		provider_log(LEVEL_WARNING, "%zu host names were left out of the document because they "
			     "are invalid or already routed to another tenant", stats->skipped_hosts);
	r->logged_skipped_hosts = stats->skipped_hosts;
	if (stats->skipped_tenants != r->logged_skipped_tenants && stats->skipped_tenants > 0)
		provider_log(LEVEL_WARNING, "%zu tenants have no router because their schema or plan "
			     "contains control characters or invalid UTF-8", stats->skipped_tenants);
	r->logged_skipped_tenants = stats->skipped_tenants;
	if (stats->unknown_plans != r->logged_unknown_plans && stats->unknown_plans > 0)
		provider_log(LEVEL_WARNING, "%zu routers have no rate limit because their plan is "
			     "missing from apex.plans; run \"apexctl init\" to sync the plans",
			     stats->unknown_plans);
	r->logged_unknown_plans = stats->unknown_plans;
	if (stats->maintenance && !r->cfg->maintenance_url[0] && !r->logged_maintenance)
		provider_log(LEVEL_WARNING, "maintenance mode is on but routing.maintenance_url is "
			     "not set, so routers keep the storefront service");
	r->logged_maintenance = stats->maintenance;
}

/* Compresses the served document and attaches the copy; a failure leaves identity only. */
static void
attach_gzip(refresher *r)
{
	apex_error err = { 0 };
	gzip_copy gz;

	if (gzip_copy_build(r->state->doc, &gz, &err) == APEX_OK)
		state_attach_gzip(r->state, &gz);
	else
		provider_log(LEVEL_WARNING, "%s; serving version %lld without gzip", err.message, r->version);
}

/*
 * Publishes BODY (taking ownership) unless it equals the served bytes, then
 * adds the gzip copy.
 */
static void
publish(refresher *r, char *body, size_t len, const routes_stats *stats, double started)
{
	apex_error err = { 0 };
	served_doc *doc = NULL;
	int unchanged = served_doc_equals(r->state->doc, body, len);
	double render_ms;

	if (unchanged) {
		free(body);
	} else {
		doc = served_doc_new(body, len, &err);
		if (!doc) {
			report_error(r, &err);
			return;
		}
	}
	render_ms = apex_now_ms() - started;
	state_publish(r->state, doc, stats, render_ms);
	r->version = stats->config_version;
	r->need_render = 0;
	atomic_fetch_add(&r->state->renders, 1);
	if (doc)
		attach_gzip(r);

	provider_log(LEVEL_INFO, "serving version %lld%s: %zu routers, %zu bytes, rendered in %.1f ms "
		     "(read %.1f, build %.1f), gzip copy of %zu bytes in %.1f ms", r->version,
		     unchanged ? " (same bytes)" : "", stats->routers, r->state->doc->size, render_ms,
		     stats->load_ms, stats->build_ms, r->state->doc->gzip_size, unchanged ? 0.0 : r->state->doc->gzip_ms);
	log_document_warnings(r, stats);
	note_recovery(r);
}

static void
render(refresher *r)
{
	double started = apex_now_ms();
	apex_error err = { 0 };
	routes_stats stats;
	char *body;
	size_t len;

	if (routes_render(r->conn, r->cfg, ROUTES_JSON, &body, &len, &stats, &err)) {
		atomic_fetch_add(&r->state->render_failures, 1);
		query_failed(r, &err);
		return;
	}
	r->last_check = apex_now_ms();
	publish(r, body, len, &stats, started);
	write_status(r);
}

/* Compares config_version with the served one; renders on the next turn when they differ. */
static void
check_version(refresher *r)
{
	apex_error err = { 0 };
	long long version;

	r->last_check = apex_now_ms();
	if (routes_config_version(r->conn, &version, &err)) {
		query_failed(r, &err);
		return;
	}
	if (version != r->version) {
		r->need_render = 1;
		return;
	}
	if (!r->need_render) {
		state_confirm(r->state);
		note_recovery(r);
	}
}

static void
wait_for_change(refresher *r)
{
	apex_error err = { 0 };
	int timeout = (int)(r->last_check + REFRESH_CHECK_INTERVAL_MS - apex_now_ms());

	switch (notify_wait(r->conn, r->wake_fd, timeout < 0 ? 0 : timeout, NULL, &err)) {
	case NOTIFY_RECEIVED:
		check_version(r);
		break;
	case NOTIFY_TIMEOUT:
		check_version(r);
		write_status(r);
		break;
	case NOTIFY_WOKEN:
		drain_wake_fd(r);
		break;
	case NOTIFY_LOST:
		lose_connection(r, &err);
		break;
	}
}

/* ---- reloading ---- */

static int
same_database(const apex_config *a, const apex_config *b)
{
	int private_a, private_b;
	char *conninfo_a = apex_config_conninfo(a, &private_a);
	char *conninfo_b = apex_config_conninfo(b, &private_b);
	int same = strcmp(conninfo_a, conninfo_b) == 0;

	free(conninfo_a);
	free(conninfo_b);
	return same;
}

/* Loads the new configuration and token; returns APEX_OK with both, or logs why not. */
static apex_status
load_new_config(refresher *r, apex_config **cfg, char **token)
{
	apex_error err = { 0 };
	char text[PROBLEM_MAX];

	*token = NULL;
	if (apex_config_load(r->config_path, cfg, &err) == APEX_OK) {
		if (r->listen_override)
			apex_config_set(&(*cfg)->provider_listen, r->listen_override);
		if (!(*cfg)->provider_token_file[0] ||
		    token_load((*cfg)->provider_token_file, token, &err) == APEX_OK)
			return APEX_OK;
		apex_config_free(*cfg);
	}
	format_error(&err, text, sizeof(text));
	provider_log(LEVEL_ERROR, "could not reload the configuration: %s; keeping the running one", text);
	return APEX_FAILED;
}

static void
reload_config(refresher *r)
{
	apex_config *cfg;
	char *token;

	if (load_new_config(r, &cfg, &token))
		return;
	if (strcmp(cfg->provider_listen, r->cfg->provider_listen) != 0)
		provider_log(LEVEL_WARNING, "provider.listen changed to \"%s\"; restart apex-provider "
			     "to listen there", cfg->provider_listen);
	if (!same_database(cfg, r->cfg)) {
		provider_log(LEVEL_INFO, "the database setting changed; reconnecting");
		close_connection(r);
		r->ever_connected = 0;
	}
	state_set_token(r->state, token);
	apex_config_free(r->cfg);
	r->cfg = cfg;
	r->need_render = 1;
	provider_log(LEVEL_INFO, "configuration reloaded from %s; bearer token %s",
		     cfg->path ? cfg->path : "defaults and environment",
		     token ? "required" : "not required");
}

/* ---- the thread ---- */

static void *
refresh_main(void *arg)
{
	refresher *r = arg;

	while (!atomic_load(&r->stop_requested)) {
		if (atomic_exchange(&r->reload_requested, 0))
			reload_config(r);
		if (!r->conn && open_connection(r) != APEX_OK) {
			state_first_attempt_done(r->state);
			if (!atomic_load(&r->stop_requested))
				back_off(r);
			continue;
		}
		if (r->need_render)
			render(r);
		state_first_attempt_done(r->state);
		if (r->conn && !atomic_load(&r->stop_requested) && !atomic_load(&r->reload_requested))
			wait_for_change(r);
		else if (!r->conn)
			back_off(r);
	}
	record_stop(r);
	close_connection(r);
	return NULL;
}

static void
wake(refresher *r)
{
	uint64_t one = 1;

	if (write(r->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		provider_log(LEVEL_WARNING, "could not wake the refresh thread: %s", strerror(errno));
}

apex_status
refresher_start(refresher *r, apex_error *err)
{
	r->version = -1;
	r->status_version = -2;	/* forces the first status write */
	r->backoff_ms = REFRESH_BACKOFF_MIN_MS;
	r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->wake_fd < 0)
		return apex_fail(err, APEX_FAILED, "could not create an eventfd: %s", strerror(errno));
	if (pthread_create(&r->thread, NULL, refresh_main, r) != 0) {
		close(r->wake_fd);
		return apex_fail(err, APEX_FAILED, "could not start the refresh thread");
	}
	return APEX_OK;
}

void
refresher_request_reload(refresher *r)
{
	atomic_store(&r->reload_requested, 1);
	wake(r);
}

void
refresher_stop(refresher *r)
{
	atomic_store(&r->stop_requested, 1);
	wake(r);
	pthread_join(r->thread, NULL);
	close(r->wake_fd);
	apex_config_free(r->cfg);
	r->cfg = NULL;
}
