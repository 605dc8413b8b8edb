/*
 * tui_db.c - the console's database connection: LISTEN, notifications, and
 * reconnecting with backoff after a loss.
 *
 * Reconnection is non-blocking (PQconnectStartParams and PQconnectPoll
 * driven by the main loop's poll()), so the keyboard keeps working and the
 * last data stays on screen while the database is away.
 */
#include "tui.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "migrate.h"

#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS 15000
#define CONNECT_TIMEOUT_MS 10000

static const char *const channels[] = { APEX_NOTIFY_CHANNEL, APEX_AUDIT_CHANNEL };

static void
ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

apex_status
tui_db_setup(tui_app *app, apex_error *err)
{
	PGconn *conn = app->db.conn;
	char sql[64];

	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	if (apex_require_schema(conn, err))
		return APEX_FAILED;
	/* observers cannot change anything even through a bug in the console */
	if (app->read_only &&
	    apex_db_command(conn, err, "could not make the session read-only",
			    "SET default_transaction_read_only = on"))
		return APEX_FAILED;
	for (size_t i = 0; i < sizeof(channels) / sizeof(channels[0]); i++) {
		snprintf(sql, sizeof(sql), "LISTEN %s", channels[i]);
		if (apex_db_command(conn, err, "could not subscribe to notifications", sql))
			return APEX_FAILED;
	}
	app->ctx.conn = conn;
	app->db.state = DB_CONNECTED;
	return APEX_OK;
}

/* Keeps the first line of a libpq message, which fits the status line. */
static void
trim(char *s)
{
	size_t len = strcspn(s, "\n");

	s[len] = '\0';
	while (len > 0 && s[len - 1] == ' ')
		s[--len] = '\0';
}

/* Drops the connection and schedules the next attempt with exponential backoff. */
static void
schedule_retry(tui_app *app, const char *reason)
{
	tui_db *db = &app->db;

	/* REASON may be the connection's own error message, freed by PQfinish() */
	snprintf(db->error, sizeof(db->error), "%s", reason);
	trim(db->error);
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	app->ctx.conn = NULL;
	db->state = DB_WAITING;
	db->backoff_ms = db->backoff_ms ? db->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (db->backoff_ms > BACKOFF_MAX_MS)
		db->backoff_ms = BACKOFF_MAX_MS;
	db->retry_at_ms = apex_now_ms() + db->backoff_ms;
	app->dirty = 1;
}

static void
lost(tui_app *app, const char *reason)
{
	schedule_retry(app, reason);
	tui_message(app, 1, "database connection lost: %s; showing the data from before, "
		    "reconnecting", app->db.error);
}

void
tui_db_failed(tui_app *app, const apex_error *err)
{
	if (app->db.state == DB_CONNECTED && (!app->db.conn || PQstatus(app->db.conn) == CONNECTION_BAD))
		lost(app, err->message);
	else
		tui_message_error(app, err);
}

int
tui_db_ready(const tui_app *app)
{
	return app->db.state == DB_CONNECTED && app->db.conn;
}

static void
start_connect(tui_app *app)
{
	int is_private;
	char *conninfo = apex_config_conninfo(app->cfg, &is_private);
	const char *keys[] = { "dbname", "application_name", "keepalives", "keepalives_idle",
			       "keepalives_interval", "keepalives_count", NULL };
	const char *values[] = { conninfo, TUI_PROGRAM, "1", "10", "5", "3", NULL };
	tui_db *db = &app->db;

	db->conn = PQconnectStartParams(keys, values, 1);
	free(conninfo);
	if (!db->conn || PQstatus(db->conn) == CONNECTION_BAD) {
		schedule_retry(app, db->conn ? PQerrorMessage(db->conn) : "out of memory");
		return;
	}
	db->state = DB_CONNECTING;
	db->polling = PGRES_POLLING_WRITING;
	db->deadline_ms = apex_now_ms() + CONNECT_TIMEOUT_MS;
	app->dirty = 1;
}

static void
finish_connect(tui_app *app)
{
	apex_error err = { 0 };

	if (tui_db_setup(app, &err)) {
		schedule_retry(app, err.message);
		return;
	}
	app->db.backoff_ms = 0;
	app->db.changed |= TUI_CHANGED_ALL;
	tui_message(app, 0, "reconnected to the database");
}

static void
note_channel(tui_db *db, const char *channel)
{
	if (strcmp(channel, APEX_NOTIFY_CHANNEL) == 0)
		db->changed |= TUI_CHANGED_TENANTS;
	else if (strcmp(channel, APEX_AUDIT_CHANNEL) == 0)
		db->changed |= TUI_CHANGED_AUDIT;
}

void
tui_db_collect(tui_app *app)
{
	PGnotify *note;

	if (!tui_db_ready(app))
		return;
	while ((note = PQnotifies(app->db.conn)) != NULL) {
		note_channel(&app->db, note->relname);
		PQfreemem(note);
	}
}

void
tui_db_on_socket(tui_app *app)
{
	tui_db *db = &app->db;

	if (db->state == DB_CONNECTING) {
		db->polling = PQconnectPoll(db->conn);
		if (db->polling == PGRES_POLLING_OK)
			finish_connect(app);
		else if (db->polling == PGRES_POLLING_FAILED)
			schedule_retry(app, PQerrorMessage(db->conn));
		return;
	}
	if (db->state != DB_CONNECTED)
		return;
	if (!PQconsumeInput(db->conn) || PQstatus(db->conn) == CONNECTION_BAD) {
		lost(app, PQerrorMessage(db->conn));
		return;
	}
	tui_db_collect(app);
}

void
tui_db_tick(tui_app *app, double now_ms)
{
	tui_db *db = &app->db;

	if (db->state == DB_WAITING && now_ms >= db->retry_at_ms)
		start_connect(app);
	else if (db->state == DB_CONNECTING && now_ms >= db->deadline_ms)
		schedule_retry(app, "timed out");
}

int
tui_db_timeout(const tui_app *app, double now_ms)
{
	double at;

	if (app->db.state == DB_WAITING)
		at = app->db.retry_at_ms;
	else if (app->db.state == DB_CONNECTING)
		at = app->db.deadline_ms;
	else
		return -1;
	return at > now_ms ? (int)(at - now_ms) + 1 : 0;
}

int
tui_db_poll_fd(const tui_app *app, short *events)
{
	if (!app->db.conn || app->db.state == DB_WAITING)
		return -1;
	if (app->db.state == DB_CONNECTING)
		*events = app->db.polling == PGRES_POLLING_READING ? POLLIN : POLLOUT;
	else
		*events = POLLIN;
	return PQsocket(app->db.conn);
}

void
tui_db_describe(const tui_app *app, char *buf, size_t size, int *bad)
{
	double wait;

	*bad = app->db.state != DB_CONNECTED;
	switch (app->db.state) {
	case DB_CONNECTED:
		snprintf(buf, size, "db ok");
		break;
	case DB_CONNECTING:
		snprintf(buf, size, "db LOST, connecting");
		break;
	default:
		wait = (app->db.retry_at_ms - apex_now_ms()) / 1000.0;
		snprintf(buf, size, "db LOST, retry in %.0f s", wait > 0 ? wait : 0);
		break;
	}
}

void
tui_db_close(tui_app *app)
{
	if (app->db.conn)
		PQfinish(app->db.conn);
	app->db.conn = NULL;
	app->ctx.conn = NULL;
}
