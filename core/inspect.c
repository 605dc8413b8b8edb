/*
 * inspect.c - read-only queries behind tenant details and the provider view.
 */
#include "inspect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "sqlbuf.h"

#define ISO_UTC(col) \
	"coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

static char *
xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		abort();
	return copy;
}

/* ---- usage ---- */

static void
set_limits(const apex_ctx *ctx, const tenant *t, inspect_usage *out)
{
	const apex_plan *plan = apex_config_plan(ctx->cfg, t->plan);

	out->products_limit = plan ? plan->products : -1;
	out->users_limit = plan ? plan->users : -1;
	out->pages_limit = plan ? plan->pages : -1;
	out->storage_mb_limit = plan ? plan->storage_mb : -1;
}

static apex_status
schema_present(const apex_ctx *ctx, const char *schema, int *present, apex_error *err)
{
	const char *params[1] = { schema };
	PGresult *res = apex_db_query(ctx->conn, err, "could not look up the tenant schema",
				      "SELECT to_regnamespace(quote_ident($1)) IS NOT NULL", 1, params);

	if (!res)
		return APEX_FAILED;
	*present = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	return APEX_OK;
}

static apex_status
count_rows(const apex_ctx *ctx, const char *schema, inspect_usage *out, apex_error *err)
{
	sqlbuf b;
	PGresult *res = NULL;

	sqlbuf_init(&b, ctx->conn);
	sqlbuf_append(&b, "SELECT (SELECT count(*) FROM ");
	sqlbuf_ident(&b, schema);
	sqlbuf_append(&b, ".products), (SELECT count(*) FROM ");
	sqlbuf_ident(&b, schema);
	sqlbuf_append(&b, ".users), (SELECT count(*) FROM ");
	sqlbuf_ident(&b, schema);
	sqlbuf_append(&b, ".pages), (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) "
		      "FROM pg_class c WHERE c.relkind IN ('r', 'm') AND c.relnamespace = ");
	sqlbuf_literal(&b, schema);
	sqlbuf_append(&b, "::regnamespace)");
	if (!sqlbuf_failed(&b))
		res = apex_db_query(ctx->conn, err, "could not count the tenant's rows", b.data, 0, NULL);
	else
		apex_fail(err, APEX_FAILED, "could not build the SQL text");
	sqlbuf_free(&b);
	if (!res)
		return APEX_FAILED;
	out->products = atoll(PQgetvalue(res, 0, 0));
	out->users = atoll(PQgetvalue(res, 0, 1));
	out->pages = atoll(PQgetvalue(res, 0, 2));
	out->storage_bytes = atoll(PQgetvalue(res, 0, 3));
	PQclear(res);
	return APEX_OK;
}

apex_status
inspect_usage_load(const apex_ctx *ctx, const tenant *t, inspect_usage *out, apex_error *err)
{
	memset(out, 0, sizeof(*out));
	set_limits(ctx, t, out);
	if (schema_present(ctx, t->schema_name, &out->schema_exists, err))
		return APEX_FAILED;
	if (!out->schema_exists)
		return APEX_OK;
	return count_rows(ctx, t->schema_name, out, err);
}

/* ---- features ---- */

apex_status
inspect_features(const apex_ctx *ctx, const char *subdomain, char *buf, size_t size,
		 apex_error *err)
{
	const char *params[1] = { subdomain };
	PGresult *res;

	res = apex_db_query(ctx->conn, err, "could not read the tenant's features",
			    "SELECT coalesce(string_agg(f, ', ' ORDER BY f), '') FROM ("
			    "SELECT unnest(coalesce(p.features, '{}')) AS f "
			    "FROM apex.tenants t LEFT JOIN apex.plans p ON p.name = t.plan "
			    "WHERE t.subdomain = $1 "
			    "UNION SELECT unnest(features_enabled) FROM apex.tenants WHERE subdomain = $1 "
			    "EXCEPT SELECT unnest(features_disabled) FROM apex.tenants WHERE subdomain = $1"
			    ") features", 1, params);
	if (!res)
		return APEX_FAILED;
	snprintf(buf, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return APEX_OK;
}

/* ---- provisioning runs ---- */

apex_status
inspect_last_run(const apex_ctx *ctx, const char *subdomain, inspect_run *out, apex_error *err)
{
	const char *params[1] = { subdomain };
	PGresult *res;

	memset(out, 0, sizeof(*out));
	res = apex_db_query(ctx->conn, err, "could not read the provisioning runs",
			    "SELECT " ISO_UTC("started_at") ", coalesce(validate_ms, 0), "
			    "coalesce(schema_ms, 0), coalesce(seed_ms, 0), coalesce(route_ms, 0), "
			    "coalesce(register_ms, 0), total_ms, round_trips, rows_seeded, actor "
			    "FROM apex.provisioning_runs "
			    "WHERE subdomain = $1 ORDER BY id DESC LIMIT 1", 1, params);
	if (!res)
		return APEX_FAILED;
	out->found = PQntuples(res) > 0;
	if (out->found) {
		snprintf(out->started_at, sizeof(out->started_at), "%s", PQgetvalue(res, 0, 0));
		for (int phase = PHASE_VALIDATE; phase < PHASE_COUNT; phase++)
			out->phase_ms[phase] = atof(PQgetvalue(res, 0, 1 + phase));
		out->total_ms = atof(PQgetvalue(res, 0, 6));
		out->round_trips = atoi(PQgetvalue(res, 0, 7));
		out->rows_seeded = atoi(PQgetvalue(res, 0, 8));
		snprintf(out->actor, sizeof(out->actor), "%s", PQgetvalue(res, 0, 9));
	}
	PQclear(res);
	return APEX_OK;
}

/* ---- backups ---- */

apex_status
inspect_backups_load(const apex_ctx *ctx, const char *subdomain, inspect_backup_list *out,
		     apex_error *err)
{
	const char *params[1] = { subdomain };
	PGresult *res;
	int n;

	memset(out, 0, sizeof(*out));
	res = apex_db_query(ctx->conn, err, "could not read the backups",
			    "SELECT id, " ISO_UTC("created_at") ", file, size_bytes, sha256, actor "
			    "FROM apex.backups WHERE tenant = $1 ORDER BY id DESC", 1, params);
	if (!res)
		return APEX_FAILED;
	n = PQntuples(res);
	out->items = calloc(n ? (size_t)n : 1, sizeof(*out->items));
	if (!out->items)
		abort();
	for (int i = 0; i < n; i++) {
		inspect_backup *b = &out->items[i];

		b->id = atoll(PQgetvalue(res, i, 0));
		snprintf(b->created_at, sizeof(b->created_at), "%s", PQgetvalue(res, i, 1));
		b->file = xstrdup(PQgetvalue(res, i, 2));
		b->size_bytes = atoll(PQgetvalue(res, i, 3));
		snprintf(b->sha256, sizeof(b->sha256), "%s", PQgetvalue(res, i, 4));
		b->actor = xstrdup(PQgetvalue(res, i, 5));
	}
	out->count = (size_t)n;
	PQclear(res);
	return APEX_OK;
}

void
inspect_backup_list_free(inspect_backup_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].file);
		free(list->items[i].actor);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- providers ---- */

static void
provider_from_row(const PGresult *res, int row, inspect_provider *p)
{
	snprintf(p->instance, sizeof(p->instance), "%s", PQgetvalue(res, row, 0));
	p->version_served = PQgetisnull(res, row, 1) ? -1 : atoll(PQgetvalue(res, row, 1));
	p->poll_age_s = PQgetisnull(res, row, 2) ? -1 : atof(PQgetvalue(res, row, 2));
	snprintf(p->last_poll_at, sizeof(p->last_poll_at), "%s", PQgetvalue(res, row, 3));
	p->polls_served = atoll(PQgetvalue(res, row, 4));
	snprintf(p->started_at, sizeof(p->started_at), "%s", PQgetvalue(res, row, 5));
	p->heartbeat_age_s = atof(PQgetvalue(res, row, 8));
	snprintf(p->stopped_at, sizeof(p->stopped_at), "%s", PQgetvalue(res, row, 9));
}

apex_status
inspect_fleet_load(const apex_ctx *ctx, inspect_fleet *out, apex_error *err)
{
	PGresult *res;
	int n;

	memset(out, 0, sizeof(*out));
	res = apex_db_query(ctx->conn, err, "could not read the provider status",
			    "SELECT s.instance, s.version_served, "
			    "extract(epoch FROM now() - s.last_poll_at), " ISO_UTC("s.last_poll_at") ", "
			    "s.polls_served, " ISO_UTC("s.started_at") ", p.config_version, "
			    "p.maintenance, extract(epoch FROM now() - s.updated_at), "
			    ISO_UTC("s.stopped_at") " "
			    "FROM apex.platform p LEFT JOIN apex.provider_status s ON true "
			    "ORDER BY s.instance", 0, NULL);
	if (!res)
		return APEX_FAILED;
	n = PQntuples(res);
	out->items = calloc(n ? (size_t)n : 1, sizeof(*out->items));
	if (!out->items)
		abort();
	for (int i = 0; i < n; i++) {
		out->config_version = atoll(PQgetvalue(res, i, 6));
		out->maintenance = PQgetvalue(res, i, 7)[0] == 't';
		if (!PQgetisnull(res, i, 0))
			provider_from_row(res, i, &out->items[out->count++]);
	}
	PQclear(res);
	return APEX_OK;
}

void
inspect_fleet_free(inspect_fleet *fleet)
{
	free(fleet->items);
	memset(fleet, 0, sizeof(*fleet));
}

int
inspect_fleet_serving(const inspect_fleet *fleet, long long version, double max_age_s)
{
	for (size_t i = 0; i < fleet->count; i++) {
		const inspect_provider *p = &fleet->items[i];

		if (p->version_served < version || p->stopped_at[0])
			continue;
		if (max_age_s >= 0 && (p->poll_age_s < 0 || p->poll_age_s > max_age_s))
			continue;
		return (int)i;
	}
	return -1;
}
