/*
 * error.h - status codes and error reports shared by every layer of Apex.
 *
 * A function that can fail takes an apex_error * as its last argument, fills
 * it on failure and returns the status.  The front ends print it once, in
 * PostgreSQL's message style: a primary message, then optional detail and
 * hint lines.  The numeric values are the exit statuses of apexctl.
 */
#ifndef APEX_ERROR_H
#define APEX_ERROR_H

#include <stddef.h>

typedef enum apex_status {
	APEX_OK = 0,
	APEX_FAILED = 1,	/* the operation failed; a retry may work */
	APEX_INVALID = 2,	/* invalid usage or input; nothing was changed */
	APEX_NOT_FOUND = 3	/* the tenant (or other object) does not exist */
} apex_status;

#define APEX_MSG_MAX 1024

typedef struct apex_error {
	apex_status status;
	char message[APEX_MSG_MAX];
	char detail[APEX_MSG_MAX];
	char hint[APEX_MSG_MAX];
	char sqlstate[6];	/* empty unless the server reported the error */
} apex_error;

/* Clears every field; call before reusing an error report. */
void apex_error_clear(apex_error *err);

/*
 * Sets the status and the primary message and clears detail, hint and
 * SQLSTATE.  Returns the status so callers can write
 * "return apex_fail(err, APEX_INVALID, ...)".  err may be NULL.
 */
apex_status apex_fail(apex_error *err, apex_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Sets the detail or the hint line of an error already reported. */
void apex_error_detail(apex_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void apex_error_hint(apex_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Writes "PROGRAM: error: MESSAGE" plus the DETAIL and HINT lines to
 * standard error.
 */
void apex_error_print(const apex_error *err, const char *program);

#endif
