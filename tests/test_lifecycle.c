/*
 * test_lifecycle.c - the kill switch: suspend and resume.
 */
#include <jansson.h>

#include "helpers.h"
#include "routes.h"
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
}

static void
teardown(void)
{
	PQfinish(conn);
	apex_config_free(cfg);
}

TestSuite(lifecycle, .init = setup, .fini = teardown, .timeout = 60);

static const char *
new_tenant(char *sub, size_t size, const char *prefix)
{
	tenant_request req = { .subdomain = test_subdomain(sub, size, prefix) };
	provision_result r;
	apex_error err = { 0 };

	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_OK, "%s", err.message);
	return sub;
}

/* Returns 1 when the tenant's role can read its own products. */
static int
role_can_read(const char *sub)
{
	char schema[64], sql[256];
	PGresult *res;
	int ok;

	apex_schema_name(sub, schema, sizeof(schema));
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL ROLE %s; SELECT count(*) FROM %s.products",
		 schema, schema);
	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	PQclear(PQexec(conn, "ROLLBACK"));
	return ok;
}

static long long
version(void)
{
	return test_count(conn, "SELECT config_version FROM apex.platform");
}

Test(lifecycle, suspend_revokes_access)
{
	char sub[64];
	int changed = -1;
	apex_error err = { 0 };
	long long before;

	new_tenant(sub, sizeof(sub), "susp");
	cr_assert(role_can_read(sub));
	before = version();
	cr_assert_eq(tenant_suspend(&ctx, sub, "unpaid invoice 42", &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(changed, 1);
	cr_assert_not(role_can_read(sub), "a suspended tenant's role still reads its schema");
	cr_assert_gt(version(), before);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' AND "
				"status = 'suspended' AND status_reason = 'unpaid invoice 42' "
				"AND suspended_at IS NOT NULL", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' AND "
				"action = 'TENANT_SUSPENDED' AND actor = '%s' AND "
				"detail->>'reason' = 'unpaid invoice 42'", sub, ctx.actor), 1);
}

Test(lifecycle, suspend_twice_changes_nothing)
{
	char sub[64];
	int changed = -1;
	apex_error err = { 0 };
	long long before;

	new_tenant(sub, sizeof(sub), "twice");
	cr_assert_eq(tenant_suspend(&ctx, sub, "abuse report", &changed, &err), APEX_OK);
	before = version();
	cr_assert_eq(tenant_suspend(&ctx, sub, "abuse report", &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(changed, 0);
	cr_assert_eq(version(), before);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' AND "
				"action = 'TENANT_SUSPENDED'", sub), 1);
}

Test(lifecycle, resume_restores_access)
{
	char sub[64];
	int changed = -1;
	apex_error err = { 0 };

	new_tenant(sub, sizeof(sub), "res");
	cr_assert_eq(tenant_suspend(&ctx, sub, "chargeback", &changed, &err), APEX_OK);
	cr_assert_eq(tenant_resume(&ctx, sub, NULL, &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(changed, 1);
	cr_assert(role_can_read(sub), "a resumed tenant's role cannot read its schema");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' AND "
				"status = 'active' AND status_reason IS NULL", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' AND "
				"action = 'TENANT_RESUMED'", sub), 1);
	cr_assert_eq(tenant_resume(&ctx, sub, NULL, &changed, &err), APEX_OK);
	cr_assert_eq(changed, 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' AND "
				"action = 'TENANT_RESUMED'", sub), 1);
}

Test(lifecycle, suspend_affects_one_tenant)
{
	char a[64], b[64];
	int changed;
	apex_error err = { 0 };

	new_tenant(a, sizeof(a), "onea");
	new_tenant(b, sizeof(b), "oneb");
	cr_assert_eq(tenant_suspend(&ctx, a, "test", &changed, &err), APEX_OK);
	cr_assert(role_can_read(b), "suspending one tenant affected another");
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' "
				"AND status = 'active'", b), 1);
}

Test(lifecycle, unknown_tenant_not_found)
{
	int changed = -1;
	apex_error err = { 0 };

	cr_assert_eq(tenant_suspend(&ctx, "no-such-shop", "x", &changed, &err), APEX_NOT_FOUND);
	cr_assert(strstr(err.message, "\"no-such-shop\" does not exist") != NULL, "%s", err.message);
	cr_assert_eq(tenant_resume(&ctx, "no-such-shop", NULL, &changed, &err), APEX_NOT_FOUND);
	cr_assert_eq(changed, 0);
}

Test(lifecycle, bad_reason_rejected)
{
	char sub[64];
	int changed = -1;
	apex_error err = { 0 };

	new_tenant(sub, sizeof(sub), "why");
	cr_assert_eq(tenant_suspend(&ctx, sub, "", &changed, &err), APEX_INVALID);
	cr_assert_eq(tenant_suspend(&ctx, sub, NULL, &changed, &err), APEX_INVALID);
	cr_assert_eq(tenant_suspend(&ctx, sub, "bell\a", &changed, &err), APEX_INVALID);
	cr_assert(role_can_read(sub));
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' "
				"AND status = 'active'", sub), 1);
}

Test(lifecycle, invalid_subdomain_rejected)
{
	int changed = -1;
	apex_error err = { 0 };

	cr_assert_eq(tenant_suspend(&ctx, "x'; DROP TABLE apex.tenants; --", "r", &changed, &err), APEX_INVALID);
	cr_assert(strstr(err.message, "invalid subdomain") != NULL, "%s", err.message);
}

Test(lifecycle, apexctl_exit_statuses)
{
	char sub[64];
	char *out = NULL;
	const char *ctl = test_program("apexctl");

	new_tenant(sub, sizeof(sub), "cli");
	cr_assert_eq(test_run(&out, "%s suspend %s --reason 'late payment'", ctl, sub), 0, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s suspend %s --reason 'late payment'", ctl, sub), 0, "%s", out);
	cr_assert(strstr(out, "already suspended") != NULL, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s suspend %s", ctl, sub), 2, "%s", out);
	cr_assert(strstr(out, "--reason") != NULL, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s resume nobody-here", ctl), 3, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s --json resume %s", ctl, sub), 0, "%s", out);
	cr_assert(strstr(out, "\"changed\": true") != NULL, "%s", out);
	free(out);
}

Test(lifecycle, application_role_sets_tenant_role)
{
	char sub[64], schema[64], sql[512];
	int changed;
	apex_error err = { 0 };
	PGresult *res;

	new_tenant(sub, sizeof(sub), "app");
	apex_schema_name(sub, schema, sizeof(schema));
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid "
				"JOIN pg_roles a ON a.oid = m.member WHERE r.rolname = '%s' AND a.rolname = 'apex_app'",
				schema), 1, "apex_app must be a member of the tenant role");

	/* apex_app without SET ROLE has none of the tenant's privileges (NOINHERIT) */
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL ROLE apex_app; SELECT count(*) FROM %s.products", schema);
	res = PQexec(conn, sql);
	cr_assert_neq(PQresultStatus(res), PGRES_TUPLES_OK, "apex_app read a tenant without SET ROLE");
	PQclear(res);
	PQclear(PQexec(conn, "ROLLBACK"));

	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL ROLE apex_app; SET LOCAL ROLE %s; "
		 "SELECT count(*) FROM %s.products", schema, schema);
	res = PQexec(conn, sql);
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s", PQresultErrorMessage(res));
	PQclear(res);
	PQclear(PQexec(conn, "ROLLBACK"));

	cr_assert_eq(tenant_suspend(&ctx, sub, "kill switch", &changed, &err), APEX_OK);
	res = PQexec(conn, sql);
	cr_assert_neq(PQresultStatus(res), PGRES_TUPLES_OK, "the application still reads a suspended tenant");
	PQclear(res);
	PQclear(PQexec(conn, "ROLLBACK"));
}

/* Returns the router of SUB in the rendered document, or NULL (new reference). */
static json_t *
served_router(const char *sub)
{
	json_t *doc = NULL, *router;
	apex_error err = { 0 };
	char name[80];

	cr_assert_eq(routes_build(conn, cfg, &doc, NULL, &err), APEX_OK, "%s", err.message);
	snprintf(name, sizeof(name), "tenant-%s", sub);
	router = json_object_get(json_object_get(json_object_get(doc, "http"), "routers"), name);
	json_incref(router);
	json_decref(doc);
	return router;
}

static const char *
router_service(json_t *router)
{
	return json_string_value(json_object_get(router, "service"));
}

Test(lifecycle, suspend_removes_storefront_route)
{
	char sub[64];
	int changed;
	apex_error err = { 0 };
	json_t *router;

	apex_config_set(&cfg->suspended_url, "");
	new_tenant(sub, sizeof(sub), "route");
	router = served_router(sub);
	cr_assert_not_null(router, "an active tenant has no router");
	cr_assert_str_eq(router_service(router), "storefront");
	json_decref(router);

	cr_assert_eq(tenant_suspend(&ctx, sub, "chargeback", &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_null(served_router(sub), "a suspended tenant is still routed without a suspended page");

	cr_assert_eq(tenant_resume(&ctx, sub, NULL, &changed, &err), APEX_OK, "%s", err.message);
	router = served_router(sub);
	cr_assert_not_null(router, "a resumed tenant has no router");
	cr_assert_str_eq(router_service(router), "storefront");
	json_decref(router);
}

Test(lifecycle, suspend_routes_to_suspended_page)
{
	char sub[64];
	int changed;
	apex_error err = { 0 };
	json_t *router;

	apex_config_set(&cfg->suspended_url, "http://127.0.0.1:3001");
	new_tenant(sub, sizeof(sub), "page");
	cr_assert_eq(tenant_suspend(&ctx, sub, "abuse", &changed, &err), APEX_OK, "%s", err.message);
	router = served_router(sub);
	cr_assert_not_null(router);
	cr_assert_str_eq(router_service(router), "suspended");
	json_decref(router);
}

Test(lifecycle, apexctl_routes_follows_kill_switch)
{
	char sub[64], *out;
	char needle[96];
	const char *ctl = test_program("apexctl");

	new_tenant(sub, sizeof(sub), "doc");
	snprintf(needle, sizeof(needle), "\"tenant-%s\"", sub);
	cr_assert_eq(test_run(&out, "%s routes", ctl), 0, "%s", out);
	cr_assert(strstr(out, needle) != NULL, "router missing from apexctl routes");
	free(out);
	cr_assert_eq(test_run(&out, "%s suspend %s --reason test", ctl, sub), 0, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s routes", ctl), 0, "%s", out);
	cr_assert(strstr(out, needle) == NULL, "router of a suspended tenant still served");
	free(out);
}

Test(lifecycle, resume_reason_audited)
{
	char sub[64];
	int changed;
	apex_error err = { 0 };

	new_tenant(sub, sizeof(sub), "why-back");
	cr_assert_eq(tenant_suspend(&ctx, sub, "unpaid", &changed, &err), APEX_OK);
	cr_assert_eq(tenant_resume(&ctx, sub, "bad\x01", &changed, &err), APEX_INVALID);
	cr_assert_eq(changed, 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' "
				"AND status = 'suspended'", sub), 1, "an invalid reason still resumed");
	cr_assert_eq(tenant_resume(&ctx, sub, "invoice paid", &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' AND "
				"action = 'TENANT_RESUMED' AND detail->>'reason' = 'invoice paid'", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' "
				"AND status = 'active' AND status_reason IS NULL", sub), 1);
}
