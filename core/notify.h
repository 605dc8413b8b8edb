/*
 * notify.h - change notifications: connecting and waiting without blocking.
 *
 * A long-running reader such as apex-provider connects and LISTENs on
 * APEX_NOTIFY_CHANNEL.  Then it waits for a notification, a timeout for its
 * periodic checks, or a wake-up through a file descriptor of its own (an
 * eventfd or pipe), so that a signal never waits for the database.
 */
#ifndef APEX_NOTIFY_H
#define APEX_NOTIFY_H

#include <libpq-fe.h>

#include "config.h"
#include "error.h"

typedef enum notify_event {
	NOTIFY_TIMEOUT,		/* TIMEOUT_MS passed without a notification */
	NOTIFY_RECEIVED,	/* one or more notifications were consumed */
	NOTIFY_WOKEN,		/* WAKE_FD became readable; the caller drains it */
	NOTIFY_LOST		/* the connection failed; ERR says why */
} notify_event;

/*
 * Connects as configured (see apex_config_conninfo), like apex_db_connect()
 * but with TCP keepalives, giving up after TIMEOUT_MS and returning at once
 * with NULL and an empty ERR message when WAKE_FD (-1: none) becomes readable.
 */
PGconn *notify_connect(const apex_config *cfg, const char *application, int wake_fd,
		       int timeout_ms, apex_error *err);

/* Sends LISTEN on CHANNEL, which must be a plain identifier. */
apex_status notify_listen(PGconn *conn, const char *channel, apex_error *err);

/*
 * Waits up to TIMEOUT_MS for a notification on CONN or for WAKE_FD (-1:
 * none) to become readable.  Consumes every pending notification and stores
 * how many in *COUNT (may be NULL).
 */
notify_event notify_wait(PGconn *conn, int wake_fd, int timeout_ms, int *count, apex_error *err);

#endif
