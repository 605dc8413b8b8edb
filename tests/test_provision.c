/*
 * test_provision.c - the provisioning pipeline against a real PostgreSQL:
 * both blueprints end to end, idempotency, conflicts, isolation, rollback
 * after a failure in each phase, the concurrent race and the append-only
 * audit table.
 */
#include <fcntl.h>
#include <signal.h>

#include "blueprint.h"
#include "helpers.h"
#include "tenant.h"
#include "validate.h"

static apex_config *cfg;
static PGconn *conn;
static apex_ctx ctx;

static void
setup(void)
{
	cfg = test_config();
	conn = test_connect(cfg);
	apex_ctx_init(&ctx, conn, cfg, "cli");
	unsetenv(APEX_FAIL_PHASE_ENV);
}

static void
teardown(void)
{
	PQfinish(conn);
	apex_config_free(cfg);
}

TestSuite(provision, .init = setup, .fini = teardown, .timeout = 60);

static void
provision_ok(const char *sub, const char *plan, const char *bp, provision_result *r)
{
	tenant_request req = { .subdomain = sub, .plan = plan, .blueprint = bp };
	apex_error err = { 0 };

	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, r, &err), APEX_OK,
		     "provisioning %s failed: %s (%s)", sub, err.message, err.detail);
}

static long long
rows_in(const char *sub, const char *table)
{
	char schema[64];

	apex_schema_name(sub, schema, sizeof(schema));
	return test_count(conn, "SELECT count(*) FROM %s.%s", schema, table);
}

static blueprint *
load_blueprint(const char *name)
{
	blueprint *bp = NULL;
	apex_error err = { 0 };

	cr_assert_eq(blueprint_load_named(cfg->blueprints_dir, name, &bp, &err), APEX_OK, "%s", err.message);
	return bp;
}

Test(provision, standard_end_to_end)
{
	char sub[64];
	provision_result r;
	blueprint *bp = load_blueprint("standard");

	provision_ok(test_subdomain(sub, sizeof(sub), "std"), NULL, NULL, &r);
	cr_assert_eq(r.created, 1);
	cr_assert_eq(rows_in(sub, "products"), (long long)bp->n_products);
	cr_assert_eq(rows_in(sub, "pages"), (long long)bp->n_pages);
	cr_assert_eq(rows_in(sub, "settings"), (long long)bp->n_settings);
	cr_assert_eq(rows_in(sub, "users"), 1);
	cr_assert_eq(rows_in(sub, "orders"), 0);
	cr_assert_leq(r.round_trips, 10);
	cr_assert_eq(r.rows_seeded, (int)(bp->n_products + bp->n_pages + bp->n_settings + 1));
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' "
				"AND status = 'active' AND plan = 'basic' AND blueprint = 'standard'", sub), 1);
	blueprint_free(bp);
}

Test(provision, settings_values_seeded)
{
	char sub[64], schema[64], query[256];
	provision_result r;
	blueprint *bp = load_blueprint("standard");

	provision_ok(test_subdomain(sub, sizeof(sub), "set"), NULL, NULL, &r);
	apex_schema_name(sub, schema, sizeof(schema));
	for (size_t i = 0; i < bp->n_settings; i++) {
		char *value;

		snprintf(query, sizeof(query), "SELECT value FROM %s.settings WHERE key = '%s'",
			 schema, bp->settings[i].key);
		value = test_value(conn, query);
		cr_assert_str_eq(value, bp->settings[i].value, "setting %s", bp->settings[i].key);
		free(value);
	}
	blueprint_free(bp);
}

Test(provision, ecommerce_end_to_end)
{
	char sub[64], schema[64];
	provision_result r;
	blueprint *bp = load_blueprint("ecommerce");

	provision_ok(test_subdomain(sub, sizeof(sub), "ecom"), "pro", "ecommerce", &r);
	apex_schema_name(sub, schema, sizeof(schema));
	cr_assert_geq(bp->n_products, 50);
	cr_assert_eq(rows_in(sub, "products"), (long long)bp->n_products);
	cr_assert_geq(test_count(conn, "SELECT count(DISTINCT category) FROM %s.products", schema), 5);
	{
		long long sum = 0;

		for (size_t i = 0; i < bp->n_products; i++)
			sum += bp->products[i].price_cents;
		cr_assert_eq(test_count(conn, "SELECT sum(price_cents) FROM %s.products", schema), sum);
	}
	cr_assert_leq(r.round_trips, 10, "round trips must not grow with the blueprint");
	blueprint_free(bp);
}

Test(provision, run_and_audit_recorded)
{
	char sub[64];
	provision_result r;

	provision_ok(test_subdomain(sub, sizeof(sub), "aud"), NULL, NULL, &r);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.provisioning_runs WHERE subdomain = '%s' "
				"AND schema_ms > 0 AND seed_ms > 0 AND route_ms > 0 AND register_ms > 0 "
				"AND total_ms >= schema_ms + seed_ms AND round_trips = %d", sub, r.round_trips), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' "
				"AND action = 'TENANT_PROVISIONED' AND status = 'success' AND source = 'cli' "
				"AND actor = '%s' AND (detail->'phases_ms'->>'seed')::numeric > 0 "
				"AND (detail->'phases_ms'->>'register')::numeric > 0", sub, ctx.actor), 1);
}

Test(provision, route_change_bumps_version)
{
	char sub[64];
	provision_result r;
	long long before = test_count(conn, "SELECT config_version FROM apex.platform");

	provision_ok(test_subdomain(sub, sizeof(sub), "ver"), NULL, NULL, &r);
	cr_assert_gt(test_count(conn, "SELECT config_version FROM apex.platform"), before);
}

Test(provision, repeat_changes_nothing)
{
	char sub[64];
	provision_result r;
	long long version, audits;

	provision_ok(test_subdomain(sub, sizeof(sub), "rep"), "pro", NULL, &r);
	version = test_count(conn, "SELECT config_version FROM apex.platform");
	audits = test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s'", sub);
	provision_ok(sub, "pro", NULL, &r);
	cr_assert_eq(r.created, 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.provisioning_runs WHERE subdomain = '%s'", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s'", sub), audits);
	cr_assert_eq(test_count(conn, "SELECT config_version FROM apex.platform"), version);
}

Test(provision, conflicting_request_rejected)
{
	char sub[64];
	provision_result r;
	tenant_request req = { 0 };
	apex_error err = { 0 };

	provision_ok(test_subdomain(sub, sizeof(sub), "con"), "pro", NULL, &r);
	req.subdomain = sub;
	req.plan = "basic";
	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_INVALID);
	cr_assert(strstr(err.message, "already exists with different settings") != NULL, "%s", err.message);
	cr_assert(strstr(err.detail, "plan is \"pro\", requested \"basic\"") != NULL, "%s", err.detail);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' AND plan = 'pro'", sub), 1);
}

static void
expect_rejected(tenant_request *req, const char *fragment)
{
	provision_result r;
	apex_error err = { 0 };
	const char *params[1] = { req->subdomain };
	PGresult *res;

	cr_assert_eq(tenant_provision(&ctx, req, NULL, NULL, &r, &err), APEX_INVALID,
		     "accepted %s", req->subdomain);
	cr_assert(strstr(err.message, fragment) != NULL, "\"%s\" missing in: %s", fragment, err.message);
	res = PQexecParams(conn, "SELECT (SELECT count(*) FROM apex.tenants WHERE subdomain = $1) + "
			   "(SELECT count(*) FROM apex.review_queue WHERE subdomain = $1)",
			   1, NULL, params, NULL, NULL, 0);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	cr_assert_str_eq(PQgetvalue(res, 0, 0), "0", "rows were written for %s", req->subdomain);
	PQclear(res);
}

Test(provision, invalid_input_changes_nothing)
{
	char sub[64];
	tenant_request req = { .subdomain = "Bad_Name" };

	expect_rejected(&req, "invalid subdomain \"Bad_Name\"");
	req.subdomain = "www";
	expect_rejected(&req, "reserved");
	req.subdomain = test_subdomain(sub, sizeof(sub), "inv");
	req.plan = "platinum";
	expect_rejected(&req, "unknown plan \"platinum\"");
	req.plan = NULL;
	req.blueprint = "missing";
	expect_rejected(&req, "unknown blueprint \"missing\"");
	req.blueprint = "../../etc/passwd";
	expect_rejected(&req, "invalid blueprint name");
	req.blueprint = NULL;
	req.email = "not-an-email";
	expect_rejected(&req, "invalid email");
	req.email = NULL;
	req.display_name = "evil\x1b[2J";
	expect_rejected(&req, "invalid display name");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant_inv_%d_%%'",
				(int)getpid()), 0);
}

Test(provision, hostile_text_stored_verbatim)
{
	char sub[64], schema[64];
	provision_result r;
	tenant_request req = { .display_name = "O'Brien\"s $$ Shop; DROP TABLE apex.tenants; --",
			       .email = "o.brien+test@example.com" };
	char *name;

	req.subdomain = test_subdomain(sub, sizeof(sub), "quo");
	{
		apex_error err = { 0 };

		cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_OK, "%s", err.message);
	}
	apex_schema_name(sub, schema, sizeof(schema));
	name = test_value(conn, "SELECT display_name FROM apex.tenants ORDER BY id DESC LIMIT 1");
	cr_assert_str_eq(name, req.display_name);
	free(name);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM %s.users WHERE display_name = "
				"'O''Brien\"s $$ Shop; DROP TABLE apex.tenants; --'", schema), 1);
}

/* ---- isolation ---- */

static int
query_as(const char *role, const char *query)
{
	char sql[1024];
	PGresult *res;
	int ok;

	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL ROLE %s; %s", role, query);
	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	PQclear(PQexec(conn, "ROLLBACK"));
	return ok;
}

Test(provision, tenant_roles_are_isolated)
{
	char a[64], b[64], sa[64], sb[64], query[256];
	provision_result r;

	provision_ok(test_subdomain(a, sizeof(a), "isoa"), NULL, NULL, &r);
	provision_ok(test_subdomain(b, sizeof(b), "isob"), NULL, NULL, &r);
	apex_schema_name(a, sa, sizeof(sa));
	apex_schema_name(b, sb, sizeof(sb));

	snprintf(query, sizeof(query), "SELECT count(*) FROM %s.products", sa);
	cr_assert(query_as(sa, query), "a tenant must read its own products");
	snprintf(query, sizeof(query), "SELECT count(*) FROM %s.products", sb);
	cr_assert_not(query_as(sa, query), "tenant a read tenant b's products");
	cr_assert_not(query_as(sb, "SELECT count(*) FROM apex.tenants"), "a tenant read apex.tenants");
	cr_assert_not(query_as(sb, "SELECT count(*) FROM apex.audit_logs"), "a tenant read the audit log");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_roles WHERE rolname = '%s' "
				"AND NOT rolcanlogin AND NOT rolsuper", sa), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = '%s' "
				"AND has_schema_privilege('public', oid, 'USAGE')", sa), 0);
}

Test(provision, tenant_role_can_write_own_tables)
{
	char a[64], sa[64], query[256];
	provision_result r;

	provision_ok(test_subdomain(a, sizeof(a), "wr"), NULL, NULL, &r);
	apex_schema_name(a, sa, sizeof(sa));
	snprintf(query, sizeof(query), "INSERT INTO %s.orders (customer_email, total_cents) "
		 "VALUES ('c@example.com', 1200) RETURNING id", sa);
	cr_assert(query_as(sa, query), "a tenant must write its own orders");
}

/* ---- failures and rollback ---- */

static void
expect_no_trace(const char *sub)
{
	char schema[64];

	apex_schema_name(sub, schema, sizeof(schema));
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = '%s'", schema), 0,
		     "schema %s left behind", schema);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_roles WHERE rolname = '%s'", schema), 0,
		     "role %s left behind", schema);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s'", sub), 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.provisioning_runs WHERE subdomain = '%s'", sub), 0);
}

static void
expect_failure_recorded(const char *sub, const char *phase)
{
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.review_queue WHERE subdomain = '%s' "
				"AND failed_phase = '%s' AND state = 'open' AND attempts = 1 "
				"AND request->>'subdomain' = '%s'", sub, phase, sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' "
				"AND action = 'PROVISIONING_FAILED' AND status = 'failure' "
				"AND detail->>'phase' = '%s'", sub, phase), 1);
}

static void
inject_failure(const char *phase)
{
	char sub[64], prefix[16];
	provision_result r;
	tenant_request req = { 0 };
	apex_error err = { 0 };
	long long version = test_count(conn, "SELECT config_version FROM apex.platform");

	snprintf(prefix, sizeof(prefix), "f%s", phase);
	req.subdomain = test_subdomain(sub, sizeof(sub), prefix);
	req.blueprint = "ecommerce";
	setenv(APEX_FAIL_PHASE_ENV, phase, 1);
	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_FAILED);
	unsetenv(APEX_FAIL_PHASE_ENV);
	cr_assert(strstr(err.message, phase) != NULL, "%s", err.message);
	cr_assert(strstr(err.message, "injected failure") != NULL, "%s", err.message);
	cr_assert_gt(r.review_id, 0);
	expect_no_trace(sub);
	expect_failure_recorded(sub, phase);
	cr_assert_eq(test_count(conn, "SELECT config_version FROM apex.platform"), version);
}

Test(provision, rollback_after_schema_failure)
{
	inject_failure("schema");
}

Test(provision, rollback_after_seed_failure)
{
	inject_failure("seed");
}

Test(provision, rollback_after_route_failure)
{
	inject_failure("route");
}

Test(provision, rollback_after_register_failure)
{
	inject_failure("register");
}

Test(provision, existing_role_fails_schema_phase)
{
	char sub[64], schema[64], sql[256];
	provision_result r;
	tenant_request req = { 0 };
	apex_error err = { 0 };

	req.subdomain = test_subdomain(sub, sizeof(sub), "role");
	apex_schema_name(sub, schema, sizeof(schema));
	snprintf(sql, sizeof(sql), "CREATE ROLE %s NOLOGIN", schema);
	PQclear(PQexec(conn, sql));
	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_FAILED);
	cr_assert_str_eq(err.sqlstate, "42710");
	cr_assert_eq(r.failed_phase, PHASE_SCHEMA);
	expect_failure_recorded(sub, "schema");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = '%s'", schema), 0);
	snprintf(sql, sizeof(sql), "DROP ROLE %s", schema);
	PQclear(PQexec(conn, sql));
}

Test(provision, custom_domain_clash_fails_route_phase)
{
	char owner[64], sub[64], sql[512];
	provision_result r;
	tenant_request req = { 0 };
	apex_error err = { 0 };

	provision_ok(test_subdomain(owner, sizeof(owner), "own"), NULL, NULL, &r);
	req.subdomain = test_subdomain(sub, sizeof(sub), "clash");
	snprintf(sql, sizeof(sql), "UPDATE apex.tenants SET custom_domains = ARRAY['%s.%s'] "
		 "WHERE subdomain = '%s'", sub, cfg->base_domain, owner);
	PQclear(PQexec(conn, sql));
	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_FAILED);
	cr_assert_eq(r.failed_phase, PHASE_ROUTE);
	expect_no_trace(sub);
	expect_failure_recorded(sub, "route");
}

/* ---- the race ---- */

static int
run_parallel(int n, const char *const *plans, const char *sub, int *statuses)
{
	pid_t pids[16];

	for (int i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int fd = open("/dev/null", 1);

			dup2(fd, 1);
			dup2(fd, 2);
			execl(test_program("apexctl"), "apexctl", "provision", sub, "--plan", plans[i],
			      "--blueprint", "ecommerce", (char *)NULL);
			_exit(127);
		}
	}
	for (int i = 0; i < n; i++) {
		int status;

		waitpid(pids[i], &status, 0);
		statuses[i] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	}
	return n;
}

Test(provision, concurrent_identical_requests_make_one_tenant)
{
	static const char *const plans[] = { "pro", "pro", "pro", "pro", "pro", "pro", "pro", "pro" };
	char sub[64];
	int statuses[8];

	test_subdomain(sub, sizeof(sub), "race");
	run_parallel(8, plans, sub, statuses);
	for (int i = 0; i < 8; i++)
		cr_assert_eq(statuses[i], 0, "process %d exited with %d", i, statuses[i]);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s'", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.provisioning_runs WHERE subdomain = '%s'", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' "
				"AND action = 'TENANT_PROVISIONED'", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.review_queue WHERE subdomain = '%s'", sub), 0);
}

Test(provision, concurrent_conflicting_requests_one_wins)
{
	static const char *const plans[] = { "basic", "pro", "enterprise", "basic" };
	char sub[64];
	int statuses[4];
	int winners = 0, conflicts = 0;

	test_subdomain(sub, sizeof(sub), "fight");
	run_parallel(4, plans, sub, statuses);
	for (int i = 0; i < 4; i++) {
		winners += statuses[i] == 0;
		conflicts += statuses[i] == 2;
	}
	/* the two "basic" requests may both succeed: the second changes nothing */
	cr_assert_geq(winners, 1);
	cr_assert_eq(winners + conflicts, 4, "unexpected exit statuses");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s'", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.provisioning_runs WHERE subdomain = '%s'", sub), 1);
}

/* ---- the audit table protects itself ---- */

static void
expect_rejected_sql(const char *sql)
{
	PGresult *res = PQexec(conn, sql);

	cr_assert_eq(PQresultStatus(res), PGRES_FATAL_ERROR, "accepted: %s", sql);
	cr_assert(strstr(PQresultErrorMessage(res), "append-only") != NULL, "%s", PQresultErrorMessage(res));
	PQclear(res);
}

Test(provision, audit_log_rejects_update_delete_truncate)
{
	char sub[64];
	provision_result r;
	long long count;

	provision_ok(test_subdomain(sub, sizeof(sub), "app"), NULL, NULL, &r);
	count = test_count(conn, "SELECT count(*) FROM apex.audit_logs");
	expect_rejected_sql("UPDATE apex.audit_logs SET actor = 'mallory'");
	expect_rejected_sql("DELETE FROM apex.audit_logs");
	expect_rejected_sql("TRUNCATE apex.audit_logs");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs"), count);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE actor = 'mallory'"), 0);
}

/* ---- progress callback ---- */

static void
record_phase(void *data, provision_phase phase, double ms)
{
	int *seen = data;

	seen[phase]++;
	cr_assert_geq(ms, 0);
}

Test(provision, progress_reports_every_phase)
{
	char sub[64];
	int seen[PHASE_COUNT] = { 0 };
	tenant_request req = { 0 };
	provision_result r;
	apex_error err = { 0 };

	req.subdomain = test_subdomain(sub, sizeof(sub), "prog");
	cr_assert_eq(tenant_provision(&ctx, &req, record_phase, seen, &r, &err), APEX_OK, "%s", err.message);
	for (int i = 0; i < PHASE_COUNT; i++)
		cr_assert_eq(seen[i], 1, "phase %s reported %d times", provision_phase_name(i), seen[i]);
}
