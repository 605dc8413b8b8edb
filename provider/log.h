/*
 * log.h - apex-provider's log lines on standard error.
 *
 * Under systemd (JOURNAL_STREAM set) each line starts with a syslog
 * priority prefix such as "<4>" so that journald records the level.
 * Otherwise it starts with a UTC timestamp.  Lines never contain the
 * bearer token.
 */
#ifndef PROVIDER_LOG_H
#define PROVIDER_LOG_H

#include <stddef.h>

typedef enum log_level {
	LEVEL_DEBUG,
	LEVEL_INFO,
	LEVEL_WARNING,
	LEVEL_ERROR
} log_level;

/* Sets the lowest level written; LEVEL_INFO unless --verbose. */
void provider_log_init(log_level min_level);

/* Writes one line; the lines of a multi-line message are joined with "; ". */
void provider_log(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Copies TEXT to OUT (SIZE bytes, truncated) as one line: each line break
 * with the blanks around it becomes "; ", tabs become spaces, runs of
 * spaces become one, and trailing breaks and blanks are dropped.  libpq's
 * messages add a second line, such as "Is the server running ...".
 */
void provider_join_lines(const char *text, char *out, size_t size);

#endif
