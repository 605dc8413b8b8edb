/*
 * db.h - connections and queries on top of libpq.
 */
#ifndef APEX_DB_H
#define APEX_DB_H

#include <libpq-fe.h>

#include "config.h"
#include "error.h"

/*
 * Connects as configured (see apex_config_conninfo) with APPLICATION as
 * application_name.  When the private cluster is not running, the error's
 * hint shows how to start it.  Returns NULL on failure.
 */
PGconn *apex_db_connect(const apex_config *cfg, const char *application, apex_error *err);

/*
 * Fills ERR from a failed result (or from the connection when RES is NULL):
 * "WHAT: server message", with the server's detail, hint and SQLSTATE.
 * Returns APEX_FAILED.
 */
apex_status apex_db_error(apex_error *err, PGconn *conn, const PGresult *res, const char *what);

/*
 * Runs SQL with optional text parameters.  Returns the result (the caller
 * PQclear()s it) when it succeeded, else NULL with ERR filled.
 */
PGresult *apex_db_query(PGconn *conn, apex_error *err, const char *what, const char *sql,
			int n_params, const char *const *params);

/* Runs SQL that returns no rows (one or more statements); clears the result. */
apex_status apex_db_command(PGconn *conn, apex_error *err, const char *what, const char *sql);

/* Returns the result of a query that yields one value as a new string, or NULL. */
char *apex_db_value(PGconn *conn, apex_error *err, const char *what, const char *sql,
		    int n_params, const char *const *params);

#endif
