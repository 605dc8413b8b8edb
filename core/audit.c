/*
 * audit.c - writing audit entries.
 */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

/* Returns a quoted SQL literal of S (or NULL as the keyword), to be freed. */
static char *
literal(PGconn *conn, const char *s)
{
	char *quoted;
	char *copy;

	if (!s)
		return strdup("NULL");
	quoted = PQescapeLiteral(conn, s, strlen(s));
	if (!quoted)
		return NULL;
	copy = strdup(quoted);
	PQfreemem(quoted);
	return copy;
}

char *
audit_insert_sql(const apex_ctx *ctx, const char *action, const char *tenant,
		 int success, double duration_ms, json_t *detail)
{
	char *detail_text = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *lits[5] = { 0 };
	char duration[32];
	char *sql = NULL;
	size_t size;

	lits[0] = literal(ctx->conn, ctx->actor);
	lits[1] = literal(ctx->conn, ctx->source);
	lits[2] = literal(ctx->conn, action);
	lits[3] = literal(ctx->conn, tenant);
	lits[4] = literal(ctx->conn, detail_text ? detail_text : "{}");
	if (duration_ms >= 0)
		snprintf(duration, sizeof(duration), "%.3f", duration_ms);
	else
		snprintf(duration, sizeof(duration), "NULL");
	if (lits[0] && lits[1] && lits[2] && lits[3] && lits[4]) {
		size = strlen(lits[0]) + strlen(lits[1]) + strlen(lits[2]) + strlen(lits[3]) +
		       strlen(lits[4]) + 256;
		sql = malloc(size);
		snprintf(sql, size,
			 "INSERT INTO apex.audit_logs (actor, source, action, tenant, status, "
			 "duration_ms, detail) VALUES (%s, %s, %s, %s, '%s', %s, %s::jsonb)",
			 lits[0], lits[1], lits[2], lits[3], success ? "success" : "failure",
			 duration, lits[4]);
	}
	for (int i = 0; i < 5; i++)
		free(lits[i]);
	free(detail_text);
	return sql;
}

apex_status
audit_append(const apex_ctx *ctx, const char *action, const char *tenant,
	     int success, double duration_ms, json_t *detail, apex_error *err)
{
	char *sql = audit_insert_sql(ctx, action, tenant, success, duration_ms, detail);
	apex_status st;

	if (!sql)
		return apex_db_error(err, ctx->conn, NULL, "could not prepare the audit entry");
	st = apex_db_command(ctx->conn, err, "could not write the audit entry", sql);
	free(sql);
	return st;
}
