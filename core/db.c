/*
 * db.c - connecting to PostgreSQL and turning libpq errors into reports.
 */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Server notices such as "already exists, skipping" are not for operators. */
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

apex_status
apex_db_error(apex_error *err, PGconn *conn, const PGresult *res, const char *what)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_HINT) : NULL;
	const char *sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	if (!primary)
		primary = conn ? PQerrorMessage(conn) : "no connection";
	apex_fail(err, APEX_FAILED, "%s: %s", what, primary);
	if (!err)
		return APEX_FAILED;
	trim_newline(err->message);
	if (detail)
		apex_error_detail(err, "%s", detail);
	if (hint)
		apex_error_hint(err, "%s", hint);
	if (sqlstate)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate);
	return APEX_FAILED;
}

PGconn *
apex_db_connect(const apex_config *cfg, const char *application, apex_error *err)
{
	int is_private;
	char *conninfo = apex_config_conninfo(cfg, &is_private);
	const char *keys[] = { "dbname", "application_name", "connect_timeout", NULL };
	const char *values[] = { conninfo, application, "10", NULL };
	PGconn *conn = PQconnectdbParams(keys, values, 1);

	if (PQstatus(conn) == CONNECTION_OK) {
		free(conninfo);
		PQsetNoticeProcessor(conn, ignore_notice, NULL);
		return conn;
	}
	apex_fail(err, APEX_FAILED, "could not connect to the database: %s", PQerrorMessage(conn));
	trim_newline(err->message);
	if (is_private) {
		apex_error_detail(err, "No database is configured, so Apex uses its private "
				  "cluster in \"%s\".", cfg->apex_home);
		apex_error_hint(err, "Start it with \"apexctl db start\" and create the control "
				"schema with \"apexctl init\", or set \"database\" in apex.yaml or "
				"APEX_DATABASE_URL.");
	} else {
		apex_error_hint(err, "Check \"database\" in %s, APEX_DATABASE_URL or the PG* "
				"variables, and that the server is running.",
				cfg->path ? cfg->path : "apex.yaml");
	}
	free(conninfo);
	PQfinish(conn);
	return NULL;
}

PGresult *
apex_db_query(PGconn *conn, apex_error *err, const char *what, const char *sql,
	      int n_params, const char *const *params)
{
	PGresult *res;
	ExecStatusType st;

	if (n_params > 0)
		res = PQexecParams(conn, sql, n_params, NULL, params, NULL, NULL, 0);
	else
		res = PQexec(conn, sql);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	apex_db_error(err, conn, res, what);
	PQclear(res);
	return NULL;
}

apex_status
apex_db_command(PGconn *conn, apex_error *err, const char *what, const char *sql)
{
	PGresult *res = apex_db_query(conn, err, what, sql, 0, NULL);

	if (!res)
		return APEX_FAILED;
	PQclear(res);
	return APEX_OK;
}

char *
apex_db_value(PGconn *conn, apex_error *err, const char *what, const char *sql,
	      int n_params, const char *const *params)
{
	PGresult *res = apex_db_query(conn, err, what, sql, n_params, params);
	char *value = NULL;

	if (!res)
		return NULL;
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		value = strdup(PQgetvalue(res, 0, 0));
	else
		apex_fail(err, APEX_FAILED, "%s: the query returned no value", what);
	PQclear(res);
	return value;
}
