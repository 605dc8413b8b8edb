/*
 * helpers.h - shared helpers for the Criterion suites.
 *
 * The suites run under scripts/run-tests.sh, which exports APEX_HOME (the
 * throwaway cluster, already initialised), APEX_BUILD (the build folder with
 * the programs) and APEX_ROOT (the source tree).
 */
#ifndef APEX_TEST_HELPERS_H
#define APEX_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "context.h"
#include "db.h"

/* Loads the default configuration (no file) for the test cluster. */
static inline apex_config *
test_config(void)
{
	apex_config *cfg = apex_config_defaults();
	const char *root = getenv("APEX_ROOT");
	char dir[4096];

	if (root) {
		snprintf(dir, sizeof(dir), "%s/blueprints", root);
		apex_config_set(&cfg->blueprints_dir, dir);
	}
	return cfg;
}

/* Connects to the test cluster's "apex" database; aborts the test on failure. */
static inline PGconn *
test_connect(const apex_config *cfg)
{
	apex_error err = { 0 };
	PGconn *conn = apex_db_connect(cfg, "apex-tests", &err);

	cr_assert_not_null(conn, "cannot connect to the test database: %s", err.message);
	return conn;
}

/* Returns the single value of QUERY as a new string ("" for NULL). */
static inline char *
test_value(PGconn *conn, const char *query)
{
	PGresult *res = PQexec(conn, query);
	char *value;

	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "query failed: %s: %s", query,
		     PQresultErrorMessage(res));
	cr_assert_eq(PQntuples(res), 1, "query returned %d rows: %s", PQntuples(res), query);
	value = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return value;
}

/* Returns the integer value of QUERY. */
static inline long long
test_count(PGconn *conn, const char *fmt, ...)
{
	char query[8192];
	va_list ap;
	char *value;
	long long n;

	va_start(ap, fmt);
	vsnprintf(query, sizeof(query), fmt, ap);
	va_end(ap);
	value = test_value(conn, query);
	n = atoll(value);
	free(value);
	return n;
}

/*
 * Runs a shell command, captures standard output and standard error
 * together into *output (may be NULL) and returns the exit status.
 */
static inline int
test_run(char **output, const char *fmt, ...)
{
	char command[8192];
	char *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *pipe;
	int status;

	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	strncat(command, " 2>&1", sizeof(command) - strlen(command) - 1);
	pipe = popen(command, "r");
	cr_assert_not_null(pipe, "cannot run %s", command);
	{
		FILE *mem = open_memstream(&buf, &len);
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), pipe)) > 0)
			fwrite(chunk, 1, n, mem);
		fclose(mem);
	}
	status = pclose(pipe);
	if (output)
		*output = buf;
	else
		free(buf);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Path of a program in the build folder. */
static inline const char *
test_program(const char *name)
{
	static char path[4096];
	const char *build = getenv("APEX_BUILD");

	snprintf(path, sizeof(path), "%s/%s", build ? build : "build", name);
	return path;
}

/*
 * Writes a subdomain unique to this process and test into BUF:
 * PREFIX-<pid>-<counter>, so suites can share one database.
 */
static inline const char *
test_subdomain(char *buf, size_t size, const char *prefix)
{
	static int counter;

	snprintf(buf, size, "%s-%d-%d", prefix, (int)getpid(), ++counter);
	return buf;
}

#endif
