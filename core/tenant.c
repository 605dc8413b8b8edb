/*
 * tenant.c - looking tenants up, and the kill switch (suspend, resume).
 */
#include "tenant.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "backup.h"
#include "db.h"
#include "sqlbuf.h"
#include "validate.h"

#define TENANT_COLUMNS \
	"id, subdomain, schema_name, display_name, owner_email, plan, blueprint, status, " \
	"coalesce(status_reason, ''), array_to_json(custom_domains)::text, " \
	"to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), " \
	"coalesce(provisioning_ms, -1)"

const char *
tenant_route_bump_sql(void)
{
	return "UPDATE apex.platform SET config_version = config_version + 1, updated_at = now();"
	       "SELECT pg_notify('" APEX_NOTIFY_CHANNEL "', config_version::text) FROM apex.platform;";
}

static char *
xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		abort();
	return copy;
}

static void
parse_domains(const char *text, tenant *t)
{
	json_t *array = json_loads(text, 0, NULL);
	size_t i;
	json_t *item;

	t->custom_domains = NULL;
	t->n_custom_domains = 0;
	if (!json_is_array(array) || json_array_size(array) == 0) {
		json_decref(array);
		return;
	}
	t->custom_domains = calloc(json_array_size(array), sizeof(char *));
	json_array_foreach(array, i, item)
		t->custom_domains[t->n_custom_domains++] = xstrdup(json_string_value(item) ?
								   json_string_value(item) : "");
	json_decref(array);
}

static void
tenant_from_row(const PGresult *res, int row, tenant *t)
{
	memset(t, 0, sizeof(*t));
	t->id = atoll(PQgetvalue(res, row, 0));
	snprintf(t->subdomain, sizeof(t->subdomain), "%s", PQgetvalue(res, row, 1));
	snprintf(t->schema_name, sizeof(t->schema_name), "%s", PQgetvalue(res, row, 2));
	t->display_name = xstrdup(PQgetvalue(res, row, 3));
	t->owner_email = xstrdup(PQgetvalue(res, row, 4));
	snprintf(t->plan, sizeof(t->plan), "%s", PQgetvalue(res, row, 5));
	snprintf(t->blueprint, sizeof(t->blueprint), "%s", PQgetvalue(res, row, 6));
	snprintf(t->status, sizeof(t->status), "%s", PQgetvalue(res, row, 7));
	t->status_reason = xstrdup(PQgetvalue(res, row, 8));
	parse_domains(PQgetvalue(res, row, 9), t);
	snprintf(t->created_at, sizeof(t->created_at), "%s", PQgetvalue(res, row, 10));
	snprintf(t->updated_at, sizeof(t->updated_at), "%s", PQgetvalue(res, row, 11));
	t->provisioning_ms = atof(PQgetvalue(res, row, 12));
}

static apex_status
not_found(const char *subdomain, apex_error *err)
{
	apex_fail(err, APEX_NOT_FOUND, "tenant \"%s\" does not exist", subdomain);
	apex_error_hint(err, "Run \"apexctl list\" to see the tenants.");
	return APEX_NOT_FOUND;
}

apex_status
tenant_get(const apex_ctx *ctx, const char *subdomain, tenant *out, apex_error *err)
{
	const char *params[1] = { subdomain };
	PGresult *res;

	memset(out, 0, sizeof(*out));
	if (apex_validate_subdomain(subdomain, err))
		return APEX_INVALID;
	res = apex_db_query(ctx->conn, err, "could not look up the tenant",
			    "SELECT " TENANT_COLUMNS " FROM apex.tenants WHERE subdomain = $1",
			    1, params);
	if (!res)
		return APEX_FAILED;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return not_found(subdomain, err);
	}
	tenant_from_row(res, 0, out);
	PQclear(res);
	return APEX_OK;
}

apex_status
tenant_list_load(const apex_ctx *ctx, tenant_list *out, apex_error *err)
{
	PGresult *res = apex_db_query(ctx->conn, err, "could not list the tenants",
				      "SELECT " TENANT_COLUMNS " FROM apex.tenants ORDER BY subdomain COLLATE \"C\"",
				      0, NULL);
	int n;

	memset(out, 0, sizeof(*out));
	if (!res)
		return APEX_FAILED;
	n = PQntuples(res);
	out->items = calloc(n ? (size_t)n : 1, sizeof(*out->items));
	for (int i = 0; i < n; i++)
		tenant_from_row(res, i, &out->items[i]);
	out->count = (size_t)n;
	PQclear(res);
	return APEX_OK;
}

void
tenant_clear(tenant *t)
{
	free(t->display_name);
	free(t->owner_email);
	free(t->status_reason);
	for (size_t i = 0; i < t->n_custom_domains; i++)
		free(t->custom_domains[i]);
	free(t->custom_domains);
	memset(t, 0, sizeof(*t));
}

void
tenant_list_free(tenant_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		tenant_clear(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- the kill switch ---- */

typedef struct transition {
	const char *subdomain;
	const char *from;		/* required current status */
	const char *also_from;		/* another allowed status, or NULL */
	const char *to;
	const char *reason;		/* recorded in the audit entry; may be NULL */
	int keep_reason;		/* also stored as status_reason (else cleared) */
	const char *privilege_sql;	/* GRANT or REVOKE, with %s for the schema */
	const char *action;		/* audit action */
	const backup_info *backup;	/* the backup taken first, or NULL */
	char current[32];		/* filled in: the status before */
} transition;

/* Locks the tenant row and returns its status in STATUS; 0 rows: not found. */
static apex_status
lock_tenant(const apex_ctx *ctx, const char *subdomain, char *status, size_t size,
	    char *schema, apex_error *err)
{
	const char *params[1] = { subdomain };
	PGresult *res;

	if (apex_db_command(ctx->conn, err, "could not start the transaction", "BEGIN"))
		return APEX_FAILED;
	res = apex_db_query(ctx->conn, err, "could not lock the tenant",
			    "SELECT status, schema_name FROM apex.tenants WHERE subdomain = $1 FOR UPDATE",
			    1, params);
	if (!res)
		return APEX_FAILED;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return not_found(subdomain, err);
	}
	snprintf(status, size, "%s", PQgetvalue(res, 0, 0));
	snprintf(schema, APEX_IDENT_MAX + 1, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return APEX_OK;
}

static apex_status
apply_transition(const apex_ctx *ctx, const transition *tr, const char *schema, apex_error *err)
{
	json_t *detail = json_pack("{s:s, s:s}", "from", tr->current, "to", tr->to);
	char *audit;
	sqlbuf b;
	apex_status st;

	if (tr->reason)
		json_object_set_new(detail, "reason", json_string(tr->reason));
	if (tr->backup)
		json_object_set_new(detail, "backup", json_pack("{s:I, s:s, s:s}", "id",
					(json_int_t)tr->backup->id, "file", tr->backup->file,
					"sha256", tr->backup->sha256));
	audit = audit_insert_sql(ctx, tr->action, tr->subdomain, 1, -1, detail);
	json_decref(detail);
	sqlbuf_init(&b, ctx->conn);
	sqlbuf_appendf(&b, "UPDATE apex.tenants SET status = '%s', status_reason = ", tr->to);
	sqlbuf_literal(&b, tr->keep_reason ? tr->reason : NULL);
	if (strcmp(tr->to, "archived") == 0)
		sqlbuf_append(&b, ", archived_at = now(), updated_at = now() WHERE subdomain = ");
	else
		sqlbuf_appendf(&b, ", suspended_at = %s, updated_at = now() WHERE subdomain = ",
			       strcmp(tr->to, "suspended") == 0 ? "now()" : "NULL");
	sqlbuf_literal(&b, tr->subdomain);
	sqlbuf_append(&b, ";");
	sqlbuf_appendf(&b, tr->privilege_sql, schema, schema);
	sqlbuf_append(&b, tenant_route_bump_sql());
	sqlbuf_append(&b, audit ? audit : "SELECT 1/0");
	sqlbuf_append(&b, "; COMMIT");
	free(audit);
	if (sqlbuf_failed(&b))
		st = apex_fail(err, APEX_FAILED, "could not build the SQL text");
	else
		st = apex_db_command(ctx->conn, err, "could not change the tenant's status", b.data);
	sqlbuf_free(&b);
	return st;
}

static apex_status
run_transition(const apex_ctx *ctx, transition *tr, int *changed, apex_error *err)
{
	char status[32] = "";
	char schema[APEX_IDENT_MAX + 1] = "";
	apex_status st;

	*changed = 0;
	if (apex_validate_subdomain(tr->subdomain, err))
		return APEX_INVALID;
	st = lock_tenant(ctx, tr->subdomain, status, sizeof(status), schema, err);
	if (!st && strcmp(status, tr->to) == 0) {
		PQclear(PQexec(ctx->conn, "COMMIT"));
		return APEX_OK;
	}
	if (!st && strcmp(status, tr->from) != 0 && !(tr->also_from && strcmp(status, tr->also_from) == 0)) {
		st = apex_fail(err, APEX_INVALID, "cannot change tenant \"%s\" from %s to %s",
			       tr->subdomain, status, tr->to);
		apex_error_detail(err, "Only %s%s%s tenants can become %s.", tr->from,
				  tr->also_from ? " or " : "", tr->also_from ? tr->also_from : "", tr->to);
	}
	snprintf(tr->current, sizeof(tr->current), "%s", status);
	if (!st)
		st = apply_transition(ctx, tr, schema, err);
	if (st) {
		PQclear(PQexec(ctx->conn, "ROLLBACK"));
		return st;
	}
	*changed = 1;
	return APEX_OK;
}

apex_status
tenant_suspend(const apex_ctx *ctx, const char *subdomain, const char *reason,
	       int *changed, apex_error *err)
{
	transition tr = {
		.subdomain = subdomain, .from = "active", .to = "suspended", .reason = reason,
		.keep_reason = 1, .privilege_sql = "REVOKE USAGE ON SCHEMA %s FROM %s;",
		.action = "TENANT_SUSPENDED",
	};

	*changed = 0;
	if (!reason)
		return apex_fail(err, APEX_INVALID, "missing reason for suspending \"%s\"", subdomain);
	if (apex_validate_reason(reason, err))
		return APEX_INVALID;
	return run_transition(ctx, &tr, changed, err);
}

apex_status
tenant_resume(const apex_ctx *ctx, const char *subdomain, const char *reason, int *changed,
	      apex_error *err)
{
	transition tr = {
		.subdomain = subdomain, .from = "suspended", .to = "active", .reason = reason,
		.privilege_sql = "GRANT USAGE ON SCHEMA %s TO %s;",
		.action = "TENANT_RESUMED",
	};

	*changed = 0;
	if (reason && apex_validate_reason(reason, err))
		return APEX_INVALID;
	return run_transition(ctx, &tr, changed, err);
}

apex_status
tenant_archive(const apex_ctx *ctx, const char *subdomain, const char *reason, int *changed,
	       backup_info *backup, apex_error *err)
{
	transition tr = {
		.subdomain = subdomain, .from = "active", .also_from = "suspended", .to = "archived",
		.reason = reason, .keep_reason = 1, .privilege_sql = "REVOKE USAGE ON SCHEMA %s FROM %s;",
		.action = "TENANT_ARCHIVED", .backup = backup,
	};
	tenant t;
	apex_status st;

	*changed = 0;
	memset(backup, 0, sizeof(*backup));
	if (reason && apex_validate_reason(reason, err))
		return APEX_INVALID;
	st = tenant_get(ctx, subdomain, &t, err);
	if (st)
		return st;
	st = strcmp(t.status, "archived") == 0 ? APEX_OK : backup_create(ctx, subdomain, backup, err);
	if (!st && strcmp(t.status, "archived") != 0)
		st = run_transition(ctx, &tr, changed, err);
	tenant_clear(&t);
	return st;
}
