/*
 * status.c - recording which version this provider serves and when Traefik
 * last polled it, so operators can see both from SQL or apexctl.
 */
#include "status.h"

#include <stdio.h>

#include "db.h"

static const char UPSERT_SQL[] =
	"INSERT INTO apex.provider_status AS s (instance, version_served, last_poll_at, "
	"polls_served, started_at, updated_at) "
	"VALUES ($1, $2, to_timestamp($3::double precision / 1000), $4, "
	"to_timestamp($5::double precision / 1000), now()) "
	"ON CONFLICT (instance) DO UPDATE SET version_served = EXCLUDED.version_served, "
	"last_poll_at = EXCLUDED.last_poll_at, polls_served = EXCLUDED.polls_served, "
	"started_at = EXCLUDED.started_at, stopped_at = NULL, updated_at = now()";

static const char STOPPED_SQL[] =
	"UPDATE apex.provider_status SET stopped_at = now(), updated_at = now() WHERE instance = $1";

apex_status
status_write(PGconn *conn, const status_row *row, apex_error *err)
{
	char version[24], last_poll[24], polls[24], started[24];
	const char *params[5] = { row->instance, version, last_poll, polls, started };
	PGresult *res;

	snprintf(version, sizeof(version), "%lld", row->version_served);
	snprintf(last_poll, sizeof(last_poll), "%lld", row->last_poll_ms);
	snprintf(polls, sizeof(polls), "%llu", row->polls_served);
	snprintf(started, sizeof(started), "%lld", row->started_ms);
	if (row->version_served < 0)
		params[1] = NULL;
	if (row->last_poll_ms <= 0)
		params[2] = NULL;

	res = apex_db_query(conn, err, "could not record the provider status", UPSERT_SQL, 5, params);
	if (!res)
		return APEX_FAILED;
	PQclear(res);
	return APEX_OK;
}

apex_status
status_mark_stopped(PGconn *conn, const char *instance, apex_error *err)
{
	const char *params[1] = { instance };
	PGresult *res = apex_db_query(conn, err, "could not record that the provider stopped",
				      STOPPED_SQL, 1, params);

	if (!res)
		return APEX_FAILED;
	PQclear(res);
	return APEX_OK;
}
