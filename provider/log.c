/*
 * log.c - level-tagged log lines on standard error, one write per line so
 * that lines from different threads do not interleave.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static log_level min_level = LEVEL_INFO;
static int journal;

static const struct {
	const char *name;
	int syslog_priority;
} levels[] = {
	[LEVEL_DEBUG] = { "debug", 7 },
	[LEVEL_INFO] = { "info", 6 },
	[LEVEL_WARNING] = { "warning", 4 },
	[LEVEL_ERROR] = { "error", 3 },
};

void
provider_log_init(log_level level)
{
	const char *stream = getenv("JOURNAL_STREAM");

	min_level = level;
	journal = stream && *stream;
}

static size_t
line_prefix(char *buf, size_t size, log_level level)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	if (journal)
		return (size_t)snprintf(buf, size, "<%d>%s: ", levels[level].syslog_priority,
					levels[level].name);
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	return (size_t)snprintf(buf, size, "%s.%03ldZ apex-provider %s: ", stamp,
				ts.tv_nsec / 1000000, levels[level].name);
}

void
provider_join_lines(const char *text, char *out, size_t size)
{
	size_t len = 0;
	int line_break = 0;

	if (size == 0)
		return;
	for (size_t i = 0; text[i] && len + 1 < size; i++) {
		char c = text[i] == '\t' ? ' ' : text[i];

		if (c == '\n' || c == '\r') {
			line_break = len > 0;
			continue;
		}
		if (c == ' ' && (len == 0 || out[len - 1] == ' ' || line_break))
			continue;
		if (line_break) {
			while (len > 0 && out[len - 1] == ' ')
				len--;
			if (len + 3 >= size)
				break;
			out[len++] = ';';
			out[len++] = ' ';
			line_break = 0;
		}
		out[len++] = c;
	}
	while (len > 0 && out[len - 1] == ' ')
		len--;
	out[len] = '\0';
}

void
provider_log(log_level level, const char *fmt, ...)
{
	char message[2048];
	char line[2048];
	size_t len;
	va_list ap;

	if (level < min_level)
		return;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	len = line_prefix(line, sizeof(line), level);
	provider_join_lines(message, line + len, sizeof(line) - len - 1);
	len = strlen(line);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}
