/*
 * error.c - filling and printing apex_error reports.
 */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void
apex_error_clear(apex_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}

apex_status
apex_fail(apex_error *err, apex_status status, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return status;
	apex_error_clear(err);
	err->status = status;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return status;
}

void
apex_error_detail(apex_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
	va_end(ap);
}

void
apex_error_hint(apex_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->hint, sizeof(err->hint), fmt, ap);
	va_end(ap);
}

void
apex_error_print(const apex_error *err, const char *program)
{
	fprintf(stderr, "%s: error: %s\n", program,
		err->message[0] ? err->message : "unknown error");
	if (err->detail[0])
		fprintf(stderr, "DETAIL:  %s\n", err->detail);
	if (err->hint[0])
		fprintf(stderr, "HINT:  %s\n", err->hint);
}
