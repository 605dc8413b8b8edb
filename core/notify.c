/*
 * notify.c - non-blocking connects and LISTEN/NOTIFY waits on libpq sockets.
 */
#include "notify.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "db.h"

static void
ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

static void
trim_newline(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
}

/*
 * Polls SOCK for EVENTS and WAKE_FD for input.  Returns 1 when SOCK is
 * ready, 0 on timeout, 2 when woken, -1 on a poll error.
 */
static int
wait_socket(int sock, short events, int wake_fd, int timeout_ms)
{
	struct pollfd fds[2] = {
		{ .fd = sock, .events = events },
		{ .fd = wake_fd, .events = POLLIN },
	};
	int n = poll(fds, wake_fd >= 0 ? 2 : 1, timeout_ms < 0 ? 0 : timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -1;
	if (wake_fd >= 0 && (fds[1].revents & POLLIN))
		return 2;
	return n > 0 ? 1 : 0;
}

static PGconn *
connect_failed(PGconn *conn, int is_private, const apex_config *cfg, const char *reason,
	       apex_error *err)
{
	apex_fail(err, APEX_FAILED, "could not connect to the database: %s", reason);
	if (err)
		trim_newline(err->message);
	if (is_private)
		apex_error_hint(err, "Start the private cluster in \"%s\" with \"apexctl db start\".",
				cfg->apex_home);
	else
		apex_error_hint(err, "Check \"database\" in %s, APEX_DATABASE_URL or the PG* "
				"variables, and that the server is running.",
				cfg->path ? cfg->path : "apex.yaml");
	PQfinish(conn);
	return NULL;
}

/* Drives PQconnectPoll until it succeeds, fails, times out or is woken. */
static PGconn *
finish_connect(PGconn *conn, int is_private, const apex_config *cfg, int wake_fd,
	       int timeout_ms, apex_error *err)
{
	double deadline = apex_now_ms() + timeout_ms;
	PostgresPollingStatusType st = PGRES_POLLING_WRITING;

	while (st != PGRES_POLLING_OK) {
		int ready;

		if (st == PGRES_POLLING_FAILED)
			return connect_failed(conn, is_private, cfg, PQerrorMessage(conn), err);
		ready = wait_socket(PQsocket(conn), st == PGRES_POLLING_READING ? POLLIN : POLLOUT,
				    wake_fd, (int)(deadline - apex_now_ms()));
		if (ready == 2) {
			apex_error_clear(err);
			PQfinish(conn);
			return NULL;
		}
		if (ready == 0 && apex_now_ms() >= deadline)
			return connect_failed(conn, is_private, cfg, "timed out", err);
		if (ready < 0)
			return connect_failed(conn, is_private, cfg, strerror(errno), err);
		st = PQconnectPoll(conn);
	}
	PQsetNoticeProcessor(conn, ignore_notice, NULL);
	return conn;
}

PGconn *
notify_connect(const apex_config *cfg, const char *application, int wake_fd, int timeout_ms,
	       apex_error *err)
{
	int is_private;
	char *conninfo = apex_config_conninfo(cfg, &is_private);
	const char *keys[] = { "dbname", "application_name", "keepalives", "keepalives_idle",
			       "keepalives_interval", "keepalives_count", NULL };
	const char *values[] = { conninfo, application, "1", "30", "10", "3", NULL };
	PGconn *conn = PQconnectStartParams(keys, values, 1);

	free(conninfo);
	if (!conn) {
		apex_fail(err, APEX_FAILED, "could not connect to the database: out of memory");
		return NULL;
	}
	if (PQstatus(conn) == CONNECTION_BAD)
		return connect_failed(conn, is_private, cfg, PQerrorMessage(conn), err);
	return finish_connect(conn, is_private, cfg, wake_fd, timeout_ms, err);
}

apex_status
notify_listen(PGconn *conn, const char *channel, apex_error *err)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "LISTEN %s", channel);
	return apex_db_command(conn, err, "could not listen for change notifications", sql);
}

static notify_event
connection_lost(PGconn *conn, apex_error *err)
{
	apex_fail(err, APEX_FAILED, "lost the database connection: %s", PQerrorMessage(conn));
	if (err)
		trim_newline(err->message);
	return NOTIFY_LOST;
}

/* Reads what the server sent and counts the notifications it contained. */
static int
consume(PGconn *conn, int *received)
{
	PGnotify *note;

	if (!PQconsumeInput(conn) || PQstatus(conn) == CONNECTION_BAD)
		return -1;
	while ((note = PQnotifies(conn))) {
		(*received)++;
		PQfreemem(note);
	}
	return 0;
}

notify_event
notify_wait(PGconn *conn, int wake_fd, int timeout_ms, int *count, apex_error *err)
{
	double deadline = apex_now_ms() + timeout_ms;
	int received = 0;

	if (count)
		*count = 0;
	for (;;) {
		int ready;

		if (consume(conn, &received) < 0)
			return connection_lost(conn, err);
		if (received > 0) {
			if (count)
				*count = received;
			return NOTIFY_RECEIVED;
		}
		ready = wait_socket(PQsocket(conn), POLLIN, wake_fd, (int)(deadline - apex_now_ms()));
		if (ready == 2)
			return NOTIFY_WOKEN;
		if (ready < 0)
			return connection_lost(conn, err);
		if (ready == 0 && apex_now_ms() >= deadline)
			return NOTIFY_TIMEOUT;
	}
}
