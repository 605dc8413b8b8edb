/*
 * test_spare.c - spare schemas: claimed by provisioning, put back by a
 * rollback, refilled afterwards, and not needed for correctness.
 *
 * One test with sequential steps, because the pool is shared by the whole
 * database and Criterion runs separate tests in parallel.
 */
#include "helpers.h"
#include "spare.h"
#include "tenant.h"
#include "validate.h"

static apex_config *cfg;
static PGconn *conn;
static apex_ctx ctx;

static void
setup(void)
{
	cfg = test_config();
	cfg->spare_schemas = 0;		/* no refill unless a step asks for it */
	conn = test_connect(cfg);
	apex_ctx_init(&ctx, conn, cfg, "cli");
}

static void
teardown(void)
{
	PQfinish(conn);
	apex_config_free(cfg);
}

TestSuite(spare, .init = setup, .fini = teardown, .timeout = 120);

static void
drop_all_spares(void)
{
	PGresult *res = PQexec(conn, "SELECT name FROM apex.spare_schemas");

	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK);
	for (int i = 0; i < PQntuples(res); i++) {
		char sql[256];

		snprintf(sql, sizeof(sql), "DROP SCHEMA %s CASCADE; DELETE FROM apex.spare_schemas "
			 "WHERE name = '%s'", PQgetvalue(res, i, 0), PQgetvalue(res, i, 0));
		PQclear(PQexec(conn, sql));
	}
	PQclear(res);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.spare_schemas"), 0);
}

static apex_status
provision(const char *sub, provision_result *r, apex_error *err)
{
	tenant_request req = { .subdomain = sub };

	return tenant_provision(&ctx, &req, NULL, NULL, r, err);
}

static void
step_claim(void)
{
	char sub[64], schema[64], *oldest;
	provision_result r;
	apex_error err = { 0 };
	int created = 0;

	drop_all_spares();
	cr_assert_eq(spare_fill(&ctx, 2, &created, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(created, 2);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.spare_schemas"), 2);
	oldest = test_value(conn, "SELECT name FROM apex.spare_schemas ORDER BY created_at, name LIMIT 1");

	test_subdomain(sub, sizeof(sub), "spare");
	cr_assert_eq(provision(sub, &r, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(r.from_spare, 1);
	cr_assert_eq(r.spares_created, 0, "refill ran with spare_schemas = 0");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.spare_schemas WHERE name = '%s'", oldest), 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = '%s'", oldest), 0);
	apex_schema_name(sub, schema, sizeof(schema));
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM %s.products", schema) > 0, 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM information_schema.role_table_grants "
				"WHERE grantee = '%s' AND table_schema = '%s' AND privilege_type = 'INSERT'",
				schema, schema), 5, "the tenant role lacks INSERT on a table of its spare schema");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM information_schema.usage_privileges "
				"WHERE grantee = '%s' AND object_schema = '%s' AND object_name = 'id_seq'",
				schema, schema), 1, "the tenant role lacks USAGE on its id sequence");
	free(oldest);
}

static void
step_rollback_returns_spare(void)
{
	char sub[64], *before, *after;
	provision_result r;
	apex_error err = { 0 };

	before = test_value(conn, "SELECT string_agg(name, ',' ORDER BY name) FROM apex.spare_schemas");
	test_subdomain(sub, sizeof(sub), "sparefail");
	setenv(APEX_FAIL_PHASE_ENV, "seed", 1);
	cr_assert_eq(provision(sub, &r, &err), APEX_FAILED);
	unsetenv(APEX_FAIL_PHASE_ENV);
	after = test_value(conn, "SELECT string_agg(name, ',' ORDER BY name) FROM apex.spare_schemas");
	cr_assert_str_eq(after, before, "a failed provisioning consumed a spare");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s'", sub), 0);
	free(before);
	free(after);
}

static void
step_empty_pool(void)
{
	char sub[64], schema[64];
	provision_result r;
	apex_error err = { 0 };

	drop_all_spares();
	test_subdomain(sub, sizeof(sub), "nospare");
	cr_assert_eq(provision(sub, &r, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(r.from_spare, 0);
	apex_schema_name(sub, schema, sizeof(schema));
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_tables WHERE schemaname = '%s'", schema), 5);
}

static void
step_replenish(void)
{
	char sub[64];
	provision_result r;
	apex_error err = { 0 };
	int created = -1;

	drop_all_spares();
	cr_assert_eq(spare_replenish(&ctx, 1, &created, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(created, 1);
	cr_assert_eq(spare_replenish(&ctx, 1, &created, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(created, 0, "replenish went past its target");

	cfg->spare_schemas = 1;
	test_subdomain(sub, sizeof(sub), "refill");
	cr_assert_eq(provision(sub, &r, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(r.from_spare, 1);
	cr_assert_eq(r.spares_created, 1, "the used spare was not replaced");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.spare_schemas"), 1);
}

static void
step_init_fills_pool(void)
{
	char *out;

	drop_all_spares();
	cr_assert_eq(test_run(&out, "%s init", test_program("apexctl")), 0, "%s", out);
	cr_assert(strstr(out, "spare schemas prepared") != NULL, "%s", out);
	free(out);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.spare_schemas"), 4);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'apex\\_spare\\_%%'"), 4);
}

static void
step_spares_are_private(void)
{
	apex_error err = { 0 };

	cr_assert_eq(spare_fill(&ctx, 1, NULL, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'apex\\_spare\\_%%' "
				"AND has_schema_privilege('public', oid, 'USAGE')"), 0);
}

Test(spare, pool_lifecycle)
{
	step_spares_are_private();
	step_claim();
	step_rollback_returns_spare();
	step_empty_pool();
	step_replenish();
	step_init_fills_pool();
}
