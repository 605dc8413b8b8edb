/*
 * status.h - this instance's row in apex.provider_status.
 */
#ifndef PROVIDER_STATUS_H
#define PROVIDER_STATUS_H

#include <libpq-fe.h>

#include "error.h"

typedef struct status_row {
	const char *instance;		/* "<host name>/<listen address>" */
	long long version_served;	/* -1 before the first document */
	unsigned long long polls_served;	/* since this process started */
	long long last_poll_ms;		/* wall-clock milliseconds, 0 never */
	long long started_ms;		/* wall-clock milliseconds of the process start */
} status_row;

/*
 * Inserts or updates ROW and clears stopped_at; one statement, outside any
 * transaction.
 */
apex_status status_write(PGconn *conn, const status_row *row, apex_error *err);

/* Sets stopped_at of INSTANCE's row to now(), on a clean stop. */
apex_status status_mark_stopped(PGconn *conn, const char *instance, apex_error *err);

#endif
