/*
 * provision.c - the provisioning pipeline.
 *
 *   validate -> BEGIN + advisory lock -> schema -> seed -> route -> register
 *   -> COMMIT
 *
 * Each phase is one multi-statement request, so a tenant costs six round
 * trips to the server whatever the size of its blueprint.  PostgreSQL DDL is
 * transactional: a failure anywhere rolls everything back, and the failure is
 * then recorded in apex.review_queue and the audit trail in a separate
 * transaction.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "audit.h"
#include "blueprint.h"
#include "db.h"
#include "spare.h"
#include "sqlbuf.h"
#include "tenant.h"
#include "validate.h"

typedef struct pipeline {
	const apex_ctx *ctx;
	tenant_request req;		/* with defaults filled in */
	char email[APEX_EMAIL_MAX + 1];
	char schema[APEX_IDENT_MAX + 1];
	char host[APEX_DOMAIN_MAX + 2];
	const apex_plan *plan;
	blueprint *bp;
	provision_result *result;
	provision_progress_fn progress;
	void *progress_data;
	const char *fail_phase;		/* APEX_FAIL_PHASE test hook */
	int from_spare;			/* the schema was a spare with its tables */
	double started_ms;
	sqlbuf sql;
} pipeline;

static const char *const phase_names[PHASE_COUNT] = {
	"validate", "schema", "seed", "route", "register"
};

const char *
provision_phase_name(provision_phase phase)
{
	return phase < PHASE_COUNT ? phase_names[phase] : "unknown";
}

/* ---- validation ---- */

static apex_status
fill_defaults(pipeline *p, const tenant_request *req, apex_error *err)
{
	const apex_config *cfg = p->ctx->cfg;

	p->req = *req;
	if (!req->subdomain)
		return apex_fail(err, APEX_INVALID, "missing subdomain");
	if (apex_validate_subdomain(req->subdomain, err))
		return APEX_INVALID;
	if (!p->req.display_name)
		p->req.display_name = req->subdomain;
	if (!p->req.plan)
		p->req.plan = "basic";
	if (!p->req.blueprint)
		p->req.blueprint = "standard";
	if (req->email)
		snprintf(p->email, sizeof(p->email), "%s", req->email);
	else
		snprintf(p->email, sizeof(p->email), "owner@%s.%s", req->subdomain, cfg->base_domain);
	p->req.email = p->email;
	apex_schema_name(req->subdomain, p->schema, sizeof(p->schema));
	snprintf(p->host, sizeof(p->host), "%s.%s", req->subdomain, cfg->base_domain);
	return APEX_OK;
}

static apex_status
validate_request(pipeline *p, const tenant_request *req, apex_error *err)
{
	const apex_config *cfg = p->ctx->cfg;

	if (fill_defaults(p, req, err) ||
	    apex_validate_display_name(p->req.display_name, err) ||
	    apex_validate_email(p->req.email, err) ||
	    apex_validate_plan_name(p->req.plan, err) ||
	    apex_validate_blueprint_name(p->req.blueprint, err))
		return APEX_INVALID;
	if (strlen(p->host) > APEX_DOMAIN_MAX)
		return apex_fail(err, APEX_INVALID, "invalid subdomain \"%s\": the host name \"%s\" "
				 "would be longer than 253 characters", req->subdomain, p->host);
	p->plan = apex_config_plan(cfg, p->req.plan);
	if (!p->plan) {
		char names[512] = "";

		for (size_t i = 0; i < cfg->n_plans; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", cfg->plans[i].name);
		apex_fail(err, APEX_INVALID, "unknown plan \"%s\"", p->req.plan);
		apex_error_hint(err, "Available plans: %s. Plans are defined under \"plans\" in "
				"the configuration.", names);
		return APEX_INVALID;
	}
	return blueprint_load_named(cfg->blueprints_dir, p->req.blueprint, &p->bp, err);
}

/* ---- sending phases ---- */

static void
append_injected_failure(pipeline *p, provision_phase phase)
{
	if (p->fail_phase && strcmp(p->fail_phase, phase_names[phase]) == 0)
		sqlbuf_appendf(&p->sql, "DO $$BEGIN RAISE EXCEPTION 'injected failure in phase %s' "
			       "USING HINT = 'Unset APEX_FAIL_PHASE.'; END$$;", phase_names[phase]);
}

/* Sends the buffered SQL as one request; returns its last result or NULL. */
static PGresult *
send_sql(pipeline *p, const char *what, apex_error *err)
{
	PGresult *res;

	if (sqlbuf_failed(&p->sql)) {
		apex_fail(err, APEX_FAILED, "%s: could not build the SQL text (out of memory or "
			  "text invalid in the connection's encoding)", what);
		return NULL;
	}
	p->result->round_trips++;
	res = apex_db_query(p->ctx->conn, err, what, p->sql.data, 0, NULL);
	sqlbuf_reset(&p->sql);
	return res;
}

static apex_status
run_phase(pipeline *p, provision_phase phase, const char *what, apex_error *err)
{
	double start = apex_now_ms();
	PGresult *res;

	append_injected_failure(p, phase);
	res = send_sql(p, what, err);
	if (!res) {
		p->result->failed_phase = phase;
		return APEX_FAILED;
	}
	if (phase == PHASE_SCHEMA && PQntuples(res) == 1)
		p->from_spare = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	p->result->phase_ms[phase] = apex_now_ms() - start;
	if (p->progress)
		p->progress(p->progress_data, phase, p->result->phase_ms[phase]);
	return APEX_OK;
}

/* ---- begin: lock and look for an existing tenant ---- */

static apex_status
compare_existing(pipeline *p, PGresult *res, apex_error *err)
{
	static const char *const fields[] = { "display_name", "owner_email", "plan", "blueprint" };
	const char *wanted[] = { p->req.display_name, p->req.email, p->req.plan, p->req.blueprint };
	char diff[APEX_MSG_MAX] = "";

	for (int i = 0; i < 4; i++) {
		const char *have = PQgetvalue(res, 0, i);

		if (strcmp(have, wanted[i]) != 0)
			snprintf(diff + strlen(diff), sizeof(diff) - strlen(diff),
				 "%s%s is \"%.60s\", requested \"%.60s\"", diff[0] ? "; " : "",
				 fields[i], have, wanted[i]);
	}
	if (!diff[0] && strcmp(PQgetvalue(res, 0, 4), "active") == 0)
		return APEX_OK;
	apex_fail(err, APEX_INVALID, "tenant \"%s\" already exists%s", p->req.subdomain,
		  diff[0] ? " with different settings" : "");
	if (diff[0]) {
		apex_error_detail(err, "%s.", diff);
		apex_error_hint(err, "Choose another subdomain, or repeat the request with the "
				"existing tenant's settings (\"apexctl show %s\").", p->req.subdomain);
	} else if (strcmp(PQgetvalue(res, 0, 4), "suspended") == 0) {
		apex_error_detail(err, "It is suspended.");
		apex_error_hint(err, "Run \"apexctl resume %s\" to serve it again.", p->req.subdomain);
	} else {
		apex_error_detail(err, "It is %s.", PQgetvalue(res, 0, 4));
		apex_error_hint(err, "Choose another subdomain.");
	}
	return APEX_INVALID;
}

/*
 * Starts the transaction, serializes on the subdomain and returns 1 in
 * *exists when the tenant is already registered.
 */
static apex_status
begin_locked(pipeline *p, int *exists, apex_error *err)
{
	PGresult *res;
	apex_status st = APEX_OK;

	sqlbuf_append(&p->sql, "BEGIN; SELECT pg_advisory_xact_lock(hashtext('apex.tenant'), hashtext(");
	sqlbuf_literal(&p->sql, p->req.subdomain);
	sqlbuf_append(&p->sql, ")); SELECT display_name, owner_email, plan, blueprint, status "
		      "FROM apex.tenants WHERE subdomain = ");
	sqlbuf_literal(&p->sql, p->req.subdomain);
	res = send_sql(p, "could not start provisioning", err);
	if (!res)
		return APEX_FAILED;
	*exists = PQntuples(res) > 0;
	if (*exists)
		st = compare_existing(p, res, err);
	PQclear(res);
	return st;
}

/* ---- phase 1: schema, role, privileges, isolation check ---- */

static void
build_schema_phase(pipeline *p)
{
	sqlbuf *b = &p->sql;
	const char *s = p->schema;

	sqlbuf_appendf(b, "CREATE ROLE %s NOLOGIN NOINHERIT;", s);
	/* take a spare schema when one is ready (see spare.h), else a new one */
	sqlbuf_appendf(b, "DO $$DECLARE spare text; BEGIN "
		       "DELETE FROM apex.spare_schemas WHERE name = (SELECT name FROM apex.spare_schemas "
		       "ORDER BY created_at, name LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING name INTO spare; "
		       "IF spare IS NULL THEN CREATE SCHEMA %s; "
		       "ELSE EXECUTE format('ALTER SCHEMA %%I RENAME TO %s', spare); END IF; END$$;", s, s);
	sqlbuf_appendf(b, "REVOKE ALL ON SCHEMA %s FROM PUBLIC;", s);
	sqlbuf_appendf(b, "GRANT USAGE ON SCHEMA %s TO %s;", s, s);
	sqlbuf_appendf(b, "ALTER DEFAULT PRIVILEGES IN SCHEMA %s "
		       "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %s;", s, s);
	sqlbuf_appendf(b, "ALTER DEFAULT PRIVILEGES IN SCHEMA %s "
		       "GRANT USAGE, SELECT ON SEQUENCES TO %s;", s, s);
	sqlbuf_appendf(b, "DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'apex_app') "
		       "THEN GRANT %s TO apex_app; END IF; END$$;", s);
	/*
	 * Isolation check: the new role may use its own schema and nothing
	 * else that Apex owns (no other tenant schema, not "apex" or "apex_template").
	 */
	sqlbuf_appendf(b, "DO $$BEGIN IF EXISTS (SELECT 1 FROM pg_namespace n "
		       "WHERE n.nspname <> '%s' AND (n.nspname LIKE 'apex%%' OR n.nspname LIKE 'tenant\\_%%') "
		       "AND has_schema_privilege('%s', n.oid, 'USAGE')) "
		       "OR (SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls "
		       "FROM pg_roles WHERE rolname = '%s') "
		       "THEN RAISE EXCEPTION 'isolation check failed: role %s can reach another schema' "
		       "USING ERRCODE = 'insufficient_privilege'; END IF; END$$;", s, s, s, s);
	/* the last result shows whether the schema came with its tables */
	sqlbuf_appendf(b, "SELECT to_regclass('%s.products') IS NOT NULL;", s);
}

/* ---- phase 2: tables and blueprint data ---- */

static void
build_settings(pipeline *p)
{
	sqlbuf *b = &p->sql;

	if (p->bp->n_settings == 0)
		return;
	sqlbuf_appendf(b, "INSERT INTO %s.settings (key, value) VALUES ", p->schema);
	for (size_t i = 0; i < p->bp->n_settings; i++) {
		sqlbuf_append(b, i ? ",(" : "(");
		sqlbuf_literal(b, p->bp->settings[i].key);
		sqlbuf_append(b, ",");
		sqlbuf_literal(b, p->bp->settings[i].value);
		sqlbuf_append(b, ")");
	}
	sqlbuf_append(b, ";");
}

static void
build_pages(pipeline *p)
{
	sqlbuf *b = &p->sql;

	if (p->bp->n_pages == 0)
		return;
	sqlbuf_appendf(b, "INSERT INTO %s.pages (slug, title, body, published) VALUES ", p->schema);
	for (size_t i = 0; i < p->bp->n_pages; i++) {
		const blueprint_page *page = &p->bp->pages[i];

		sqlbuf_append(b, i ? ",(" : "(");
		sqlbuf_literal(b, page->slug);
		sqlbuf_append(b, ",");
		sqlbuf_literal(b, page->title);
		sqlbuf_append(b, ",");
		sqlbuf_literal(b, page->body);
		sqlbuf_append(b, page->published ? ",true)" : ",false)");
	}
	sqlbuf_append(b, ";");
}

static void
build_products(pipeline *p)
{
	sqlbuf *b = &p->sql;

	if (p->bp->n_products == 0)
		return;
	sqlbuf_appendf(b, "INSERT INTO %s.products (sku, name, category, description, "
		       "price_cents, stock) VALUES ", p->schema);
	for (size_t i = 0; i < p->bp->n_products; i++) {
		const blueprint_product *prod = &p->bp->products[i];

		sqlbuf_append(b, i ? ",(" : "(");
		sqlbuf_literal(b, prod->sku);
		sqlbuf_append(b, ",");
		sqlbuf_literal(b, prod->name);
		sqlbuf_append(b, ",");
		sqlbuf_literal(b, prod->category);
		sqlbuf_append(b, ",");
		sqlbuf_literal(b, prod->description);
		sqlbuf_appendf(b, ",%lld,%lld)", prod->price_cents, prod->stock);
	}
	sqlbuf_append(b, ";");
}

static void
build_seed_phase(pipeline *p)
{
	const char *s = p->schema;

	if (!p->from_spare)
		spare_tables_sql(&p->sql, s);
	/* default privileges do not reach the tables a spare schema came with */
	sqlbuf_appendf(&p->sql, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %s TO %s;"
		       "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %s TO %s;", s, s, s, s);
	build_settings(p);
	build_pages(p);
	build_products(p);
	sqlbuf_appendf(&p->sql, "INSERT INTO %s.users (email, display_name, role) VALUES (", p->schema);
	sqlbuf_literal(&p->sql, p->req.email);
	sqlbuf_append(&p->sql, ",");
	sqlbuf_literal(&p->sql, p->req.display_name);
	sqlbuf_append(&p->sql, ",'owner');");
	p->result->rows_seeded = (int)(p->bp->n_settings + p->bp->n_pages + p->bp->n_products + 1);
}

/* ---- phase 3: route ---- */

static void
build_route_phase(pipeline *p)
{
	sqlbuf *b = &p->sql;

	/* the tenant's host name must not already be another tenant's custom domain */
	sqlbuf_append(b, "DO $$BEGIN IF EXISTS (SELECT 1 FROM apex.tenants WHERE ");
	sqlbuf_literal(b, p->host);
	sqlbuf_append(b, " = ANY (custom_domains)) THEN RAISE EXCEPTION 'host name ");
	sqlbuf_append(b, p->host);
	sqlbuf_append(b, " is already a custom domain of another tenant' "
		      "USING ERRCODE = 'unique_violation'; END IF; END$$;");
	sqlbuf_append(b, tenant_route_bump_sql());
}

/* ---- phase 4: register ---- */

static void
build_register_phase(pipeline *p)
{
	sqlbuf *b = &p->sql;

	sqlbuf_append(b, "INSERT INTO apex.tenants (subdomain, schema_name, display_name, "
		      "owner_email, plan, blueprint, status) VALUES (");
	sqlbuf_literal(b, p->req.subdomain);
	sqlbuf_append(b, ",");
	sqlbuf_literal(b, p->schema);
	sqlbuf_append(b, ",");
	sqlbuf_literal(b, p->req.display_name);
	sqlbuf_append(b, ",");
	sqlbuf_literal(b, p->req.email);
	sqlbuf_append(b, ",");
	sqlbuf_literal(b, p->req.plan);
	sqlbuf_append(b, ",");
	sqlbuf_literal(b, p->req.blueprint);
	sqlbuf_append(b, ",'active');");
}

static json_t *
timings_json(const provision_result *r)
{
	json_t *phases = json_object();

	for (int i = PHASE_SCHEMA; i < PHASE_COUNT; i++)
		json_object_set_new(phases, phase_names[i], json_real(r->phase_ms[i]));
	return phases;
}

/* The provisioning_runs row, the audit entry and COMMIT, in one request. */
static apex_status
commit_run(pipeline *p, apex_error *err)
{
	provision_result *r = p->result;
	json_t *detail;
	char *audit;
	PGresult *res;

	r->total_ms = apex_now_ms() - p->started_ms;
	detail = json_pack("{s:s, s:s, s:o, s:f, s:i, s:i}", "plan", p->req.plan,
			   "blueprint", p->req.blueprint, "phases_ms", timings_json(r),
			   "total_ms", r->total_ms, "round_trips", r->round_trips + 1,
			   "rows_seeded", r->rows_seeded);
	audit = audit_insert_sql(p->ctx, "TENANT_PROVISIONED", p->req.subdomain, 1, r->total_ms, detail);
	json_decref(detail);
	sqlbuf_appendf(&p->sql, "UPDATE apex.tenants SET provisioning_ms = %.3f WHERE subdomain = ",
		       r->total_ms);
	sqlbuf_literal(&p->sql, p->req.subdomain);
	sqlbuf_append(&p->sql, "; INSERT INTO apex.provisioning_runs (subdomain, blueprint, started_at, "
		      "validate_ms, schema_ms, seed_ms, route_ms, register_ms, total_ms, round_trips, "
		      "rows_seeded, actor) VALUES (");
	sqlbuf_literal(&p->sql, p->req.subdomain);
	sqlbuf_append(&p->sql, ",");
	sqlbuf_literal(&p->sql, p->req.blueprint);
	sqlbuf_appendf(&p->sql, ", now(), %.3f, %.3f, %.3f, %.3f, %.3f, %.3f, %d, %d, ",
		       r->phase_ms[PHASE_VALIDATE], r->phase_ms[PHASE_SCHEMA], r->phase_ms[PHASE_SEED],
		       r->phase_ms[PHASE_ROUTE], r->phase_ms[PHASE_REGISTER], r->total_ms,
		       r->round_trips + 1, r->rows_seeded);
	sqlbuf_literal(&p->sql, p->ctx->actor);
	sqlbuf_append(&p->sql, ");");
	sqlbuf_append(&p->sql, audit ? audit : "SELECT 1/0");
	sqlbuf_append(&p->sql, "; COMMIT");
	free(audit);
	res = send_sql(p, "could not commit the new tenant", err);
	if (!res)
		return APEX_FAILED;
	PQclear(res);
	return APEX_OK;
}

/* ---- failure path ---- */

static apex_status
record_failure(pipeline *p, const apex_error *cause, apex_error *err)
{
	const char *phase = phase_names[p->result->failed_phase];
	json_t *request = json_pack("{s:s, s:s, s:s, s:s, s:s}", "subdomain", p->req.subdomain,
				    "display_name", p->req.display_name, "email", p->req.email,
				    "plan", p->req.plan, "blueprint", p->req.blueprint);
	json_t *detail = json_pack("{s:s, s:s, s:s}", "phase", phase, "error", cause->message,
				   "sqlstate", cause->sqlstate);
	char *request_text = json_dumps(request, JSON_COMPACT | JSON_SORT_KEYS);
	char *audit = audit_insert_sql(p->ctx, "PROVISIONING_FAILED", p->req.subdomain, 0,
				       apex_now_ms() - p->started_ms, detail);
	PGresult *res;

	/* one implicit transaction: both rows or neither */
	sqlbuf_append(&p->sql, "INSERT INTO apex.review_queue (subdomain, request, failed_phase, "
		      "error, sqlstate, actor) VALUES (");
	sqlbuf_literal(&p->sql, p->req.subdomain);
	sqlbuf_append(&p->sql, ",");
	sqlbuf_literal(&p->sql, request_text);
	sqlbuf_append(&p->sql, "::jsonb,");
	sqlbuf_literal(&p->sql, phase);
	sqlbuf_append(&p->sql, ",");
	sqlbuf_literal(&p->sql, cause->message);
	sqlbuf_append(&p->sql, ",");
	sqlbuf_literal(&p->sql, cause->sqlstate[0] ? cause->sqlstate : NULL);
	sqlbuf_append(&p->sql, ",");
	sqlbuf_literal(&p->sql, p->ctx->actor);
	sqlbuf_append(&p->sql, ");");
	sqlbuf_append(&p->sql, audit ? audit : "SELECT 1/0");
	sqlbuf_append(&p->sql, "; SELECT currval('apex.review_queue_id_seq'); ");
	free(audit);
	free(request_text);
	json_decref(request);
	json_decref(detail);
	res = send_sql(p, "could not record the failed provisioning", err);
	if (!res)
		return APEX_FAILED;
	p->result->review_id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return APEX_OK;
}

static void
fail_pipeline(pipeline *p, apex_error *err)
{
	apex_error cause = *err;
	apex_error record_err = { 0 };
	char message[APEX_MSG_MAX + 64];

	PQclear(PQexec(p->ctx->conn, "ROLLBACK"));
	sqlbuf_reset(&p->sql);
	record_failure(p, &cause, &record_err);
	if (record_err.status) {
		apex_error_detail(err, "The failure could not be recorded in the review queue "
				  "either: %s", record_err.message);
	} else if (p->result->review_id) {
		apex_error_detail(err, "Nothing of tenant \"%s\" was kept. The attempt is "
				  "review item %lld.", p->req.subdomain, p->result->review_id);
	}
	snprintf(message, sizeof(message), "provisioning of \"%s\" failed in phase %s: %s",
		 p->req.subdomain, phase_names[p->result->failed_phase], cause.message);
	alert_send(p->ctx->cfg, "PROVISIONING_FAILED", p->req.subdomain, message);
	snprintf(err->message, sizeof(err->message), "%s", message);
}

/* ---- the pipeline ---- */

static apex_status
run_pipeline(pipeline *p, apex_error *err)
{
	int exists = 0;
	double commit_start;
	apex_status st;

	p->result->failed_phase = PHASE_SCHEMA;
	st = begin_locked(p, &exists, err);
	if (st || exists) {
		PQclear(PQexec(p->ctx->conn, st ? "ROLLBACK" : "COMMIT"));
		return st == APEX_INVALID ? APEX_INVALID : st;
	}
	build_schema_phase(p);
	if (run_phase(p, PHASE_SCHEMA, "phase schema failed", err))
		return APEX_FAILED;
	build_seed_phase(p);
	if (run_phase(p, PHASE_SEED, "phase seed failed", err))
		return APEX_FAILED;
	build_route_phase(p);
	if (run_phase(p, PHASE_ROUTE, "phase route failed", err))
		return APEX_FAILED;
	build_register_phase(p);
	if (run_phase(p, PHASE_REGISTER, "phase register failed", err))
		return APEX_FAILED;
	commit_start = apex_now_ms();
	if (commit_run(p, err)) {
		p->result->failed_phase = PHASE_REGISTER;
		return APEX_FAILED;
	}
	/*
	 * The stored run and the audit entry carry the time up to COMMIT,
	 * since they are written by it; the caller also gets the COMMIT.
	 */
	p->result->commit_ms = apex_now_ms() - commit_start;
	p->result->total_ms = apex_now_ms() - p->started_ms;
	p->result->created = 1;
	p->result->from_spare = p->from_spare;
	return APEX_OK;
}

/*
 * Prepares one spare schema when the pool is below its size, after the
 * tenant is live.  A failure here is not a provisioning failure: the next
 * provisioning creates its tables itself.
 */
static void
refill_spares(pipeline *p)
{
	apex_error err = { 0 };
	double start = apex_now_ms();

	if (p->ctx->cfg->spare_schemas <= 0)
		return;
	if (spare_replenish(p->ctx, p->ctx->cfg->spare_schemas, &p->result->spares_created, &err))
		fprintf(stderr, "apex: warning: %s\n", err.message);
	p->result->refill_ms = apex_now_ms() - start;
}

static void
check_target(pipeline *p)
{
	char message[256];

	if (p->result->total_ms <= (double)p->ctx->cfg->target_ms)
		return;
	snprintf(message, sizeof(message), "provisioning of \"%s\" took %.0f ms, over the target of %ld ms",
		 p->req.subdomain, p->result->total_ms, p->ctx->cfg->target_ms);
	fprintf(stderr, "apex: warning: %s\n", message);
	alert_send(p->ctx->cfg, "PROVISIONING_SLOW", p->req.subdomain, message);
}

/* The phases the APEX_FAIL_PHASE test hook can fail. */
static int
is_failable_phase(const char *name)
{
	for (int phase = PHASE_SCHEMA; phase < PHASE_COUNT; phase++)
		if (strcmp(name, phase_names[phase]) == 0)
			return 1;
	return 0;
}

apex_status
tenant_provision(const apex_ctx *ctx, const tenant_request *req,
		 provision_progress_fn progress, void *progress_data,
		 provision_result *result, apex_error *err)
{
	pipeline p = { .ctx = ctx, .result = result, .progress = progress,
		       .progress_data = progress_data };
	double start;
	apex_status st;

	memset(result, 0, sizeof(*result));
	p.started_ms = start = apex_now_ms();
	p.fail_phase = getenv(APEX_FAIL_PHASE_ENV);
	result->failed_phase = PHASE_VALIDATE;
	if (p.fail_phase && *p.fail_phase && !is_failable_phase(p.fail_phase))
		return apex_fail(err, APEX_INVALID, "invalid %s \"%.40s\": use schema, seed, route or "
				 "register, or unset it", APEX_FAIL_PHASE_ENV, p.fail_phase);
	st = validate_request(&p, req, err);
	result->phase_ms[PHASE_VALIDATE] = apex_now_ms() - start;
	if (st) {
		blueprint_free(p.bp);
		return st;
	}
	if (progress)
		progress(progress_data, PHASE_VALIDATE, result->phase_ms[PHASE_VALIDATE]);

	sqlbuf_init(&p.sql, ctx->conn);
	st = run_pipeline(&p, err);
	if (st == APEX_FAILED)
		fail_pipeline(&p, err);
	else if (st == APEX_OK && result->created) {
		check_target(&p);
		refill_spares(&p);
	}
	if (!result->created)
		result->total_ms = apex_now_ms() - start;
	sqlbuf_free(&p.sql);
	blueprint_free(p.bp);
	return st;
}
