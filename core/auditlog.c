/*
 * auditlog.c - filtered reads of apex.audit_logs.
 *
 * The query walks the primary key backwards (ORDER BY id DESC LIMIT n), so
 * the newest page costs the same however long the trail is.  A tenant
 * condition uses the (tenant, id) index.
 */
#include "auditlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define AUDITLOG_COLUMNS \
	"id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), actor, source, " \
	"action, coalesce(tenant, ''), status = 'success', coalesce(duration_ms, -1), detail::text"

#define MAX_CONDITIONS 5

typedef struct query {
	char sql[1024];
	const char *params[MAX_CONDITIONS];
	char ids[2][24];
	int n_params;
} query;

static char *
xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		abort();
	return copy;
}

/* Appends " AND CONDITION" with $N standing for VALUE. */
static void
add_condition(query *q, const char *condition, const char *value)
{
	size_t len = strlen(q->sql);

	q->params[q->n_params++] = value;
	snprintf(q->sql + len, sizeof(q->sql) - len, " AND ");
	len = strlen(q->sql);
	snprintf(q->sql + len, sizeof(q->sql) - len, condition, q->n_params);
}

static int
given(const char *s)
{
	return s && *s;
}

static void
build_query(query *q, const auditlog_filter *f)
{
	int limit = f->limit > 0 ? f->limit : AUDITLOG_DEFAULT_LIMIT;
	size_t len;

	if (limit > AUDITLOG_MAX_LIMIT)
		limit = AUDITLOG_MAX_LIMIT;
	memset(q, 0, sizeof(*q));
	snprintf(q->sql, sizeof(q->sql), "SELECT " AUDITLOG_COLUMNS " FROM apex.audit_logs WHERE true");
	if (given(f->tenant))
		add_condition(q, "tenant = $%d", f->tenant);
	if (given(f->action))
		add_condition(q, "strpos(lower(action), lower($%d)) > 0", f->action);
	if (given(f->text))
		add_condition(q, "strpos(lower(coalesce(tenant, '') || ' ' || action || ' ' || actor), "
			      "lower($%d)) > 0", f->text);
	if (f->after_id > 0) {
		snprintf(q->ids[0], sizeof(q->ids[0]), "%lld", f->after_id);
		add_condition(q, "id > $%d", q->ids[0]);
	}
	if (f->before_id > 0) {
		snprintf(q->ids[1], sizeof(q->ids[1]), "%lld", f->before_id);
		add_condition(q, "id < $%d", q->ids[1]);
	}
	len = strlen(q->sql);
	snprintf(q->sql + len, sizeof(q->sql) - len, " ORDER BY id DESC LIMIT %d", limit);
}

static void
entry_from_row(const PGresult *res, int row, auditlog_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = atoll(PQgetvalue(res, row, 0));
	snprintf(e->at, sizeof(e->at), "%s", PQgetvalue(res, row, 1));
	e->actor = xstrdup(PQgetvalue(res, row, 2));
	snprintf(e->source, sizeof(e->source), "%s", PQgetvalue(res, row, 3));
	e->action = xstrdup(PQgetvalue(res, row, 4));
	e->tenant = xstrdup(PQgetvalue(res, row, 5));
	e->success = PQgetvalue(res, row, 6)[0] == 't';
	e->duration_ms = atof(PQgetvalue(res, row, 7));
	e->detail = xstrdup(PQgetvalue(res, row, 8));
}

apex_status
auditlog_load(const apex_ctx *ctx, const auditlog_filter *filter, auditlog_list *out,
	      apex_error *err)
{
	static const auditlog_filter none = { 0 };
	query q;
	PGresult *res;
	int n;

	memset(out, 0, sizeof(*out));
	build_query(&q, filter ? filter : &none);
	res = apex_db_query(ctx->conn, err, "could not read the audit log", q.sql, q.n_params,
			    q.params);
	if (!res)
		return APEX_FAILED;
	n = PQntuples(res);
	out->items = calloc(n ? (size_t)n : 1, sizeof(*out->items));
	if (!out->items)
		abort();
	for (int i = 0; i < n; i++)
		entry_from_row(res, i, &out->items[i]);
	out->count = (size_t)n;
	PQclear(res);
	return APEX_OK;
}

void
auditlog_entry_clear(auditlog_entry *e)
{
	free(e->actor);
	free(e->action);
	free(e->tenant);
	free(e->detail);
	memset(e, 0, sizeof(*e));
}

void
auditlog_list_free(auditlog_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		auditlog_entry_clear(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}
