/*
 * test_console_data.c - the read-only core queries behind the console:
 * the filtered audit trail (auditlog.h), tenant usage, features, runs,
 * backups and provider status (inspect.h), and the apex_audit notification.
 */
#include <poll.h>

#include "audit.h"
#include "auditlog.h"
#include "helpers.h"
#include "inspect.h"
#include "tenant.h"

static apex_config *cfg;
static PGconn *conn;
static apex_ctx ctx;

static void
setup(void)
{
	cfg = test_config();
	conn = test_connect(cfg);
	apex_ctx_init(&ctx, conn, cfg, "console");
}

static void
teardown(void)
{
	PQfinish(conn);
	apex_config_free(cfg);
}

TestSuite(console_data, .init = setup, .fini = teardown, .timeout = 60);

static void
append(const char *action, const char *subdomain, int success)
{
	apex_error err = { 0 };

	cr_assert_eq(audit_append(&ctx, action, subdomain, success, 1.5, NULL, &err), APEX_OK, "%s",
		     err.message);
}

static void
provision(const char *sub, const char *plan, const char *blueprint)
{
	tenant_request req = { .subdomain = sub, .plan = plan, .blueprint = blueprint };
	provision_result r;
	apex_error err = { 0 };

	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_OK, "%s", err.message);
}

/* ---- audit log ---- */

Test(console_data, audit_tenant_filter_newest_first)
{
	char sub[64];
	auditlog_filter f = { .tenant = test_subdomain(sub, sizeof(sub), "alog") };
	auditlog_list list;
	apex_error err = { 0 };

	append("PLAN_CHANGED", sub, 1);
	append("FEATURE_CHANGED", sub, 0);
	append("PLAN_CHANGED", "someone-else", 1);
	cr_assert_eq(auditlog_load(&ctx, &f, &list, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(list.count, 2);
	cr_assert_str_eq(list.items[0].action, "FEATURE_CHANGED");
	cr_assert_eq(list.items[0].success, 0);
	cr_assert_str_eq(list.items[1].action, "PLAN_CHANGED");
	cr_assert_gt(list.items[0].id, list.items[1].id);
	cr_assert_str_eq(list.items[0].source, "console");
	cr_assert_str_eq(list.items[0].actor, ctx.actor);
	cr_assert_float_eq(list.items[0].duration_ms, 1.5, 0.001);
	cr_assert_str_eq(list.items[0].detail, "{}");
	auditlog_list_free(&list);
}

Test(console_data, audit_action_and_text_filters)
{
	char sub[64];
	auditlog_filter by_action = { .tenant = test_subdomain(sub, sizeof(sub), "aact"),
				      .action = "feature" };
	auditlog_filter by_text = { .text = sub };
	auditlog_list list;
	apex_error err = { 0 };

	append("PLAN_CHANGED", sub, 1);
	append("FEATURE_CHANGED", sub, 1);
	cr_assert_eq(auditlog_load(&ctx, &by_action, &list, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(list.count, 1, "action substrings match without regard to case");
	cr_assert_str_eq(list.items[0].action, "FEATURE_CHANGED");
	auditlog_list_free(&list);

	cr_assert_eq(auditlog_load(&ctx, &by_text, &list, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(list.count, 2);
	auditlog_list_free(&list);
}

Test(console_data, audit_id_bounds_and_limit)
{
	char sub[64];
	auditlog_filter f = { .tenant = test_subdomain(sub, sizeof(sub), "abound") };
	auditlog_list all, newer, older, limited;
	apex_error err = { 0 };

	for (int i = 0; i < 5; i++)
		append("QUOTA_EXCEEDED", sub, 1);
	cr_assert_eq(auditlog_load(&ctx, &f, &all, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(all.count, 5);

	f.after_id = all.items[2].id;
	cr_assert_eq(auditlog_load(&ctx, &f, &newer, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(newer.count, 2);
	cr_assert_eq(newer.items[0].id, all.items[0].id);

	f.after_id = 0;
	f.before_id = all.items[2].id;
	cr_assert_eq(auditlog_load(&ctx, &f, &older, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(older.count, 2);
	cr_assert_eq(older.items[0].id, all.items[3].id);

	f.before_id = 0;
	f.limit = 3;
	cr_assert_eq(auditlog_load(&ctx, &f, &limited, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(limited.count, 3);
	cr_assert_eq(limited.items[0].id, all.items[0].id);
	auditlog_list_free(&all);
	auditlog_list_free(&newer);
	auditlog_list_free(&older);
	auditlog_list_free(&limited);
}

Test(console_data, audit_filter_values_are_parameters)
{
	auditlog_filter f = { .tenant = "x' OR '1'='1", .action = "%' --", .text = "';DROP" };
	auditlog_list list;
	apex_error err = { 0 };

	cr_assert_eq(auditlog_load(&ctx, &f, &list, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(list.count, 0);
	auditlog_list_free(&list);
}

/* Waits up to five seconds for a notification on CHANNEL. */
static int
wait_notification(PGconn *listener, const char *channel)
{
	double deadline = apex_now_ms() + 5000;

	while (apex_now_ms() < deadline) {
		struct pollfd pfd = { .fd = PQsocket(listener), .events = POLLIN };
		PGnotify *note;

		poll(&pfd, 1, 200);
		PQconsumeInput(listener);
		while ((note = PQnotifies(listener)) != NULL) {
			int match = strcmp(note->relname, channel) == 0;

			PQfreemem(note);
			if (match)
				return 1;
		}
	}
	return 0;
}

Test(console_data, audit_insert_notifies)
{
	PGconn *listener = test_connect(cfg);
	char sub[64];

	PQclear(PQexec(listener, "LISTEN " APEX_AUDIT_CHANNEL));
	append("DOMAIN_ADDED", test_subdomain(sub, sizeof(sub), "anotify"), 1);
	cr_assert(wait_notification(listener, APEX_AUDIT_CHANNEL),
		  "no notification on " APEX_AUDIT_CHANNEL " within 5 s of an audit entry");
	PQfinish(listener);
}

/* ---- inspect ---- */

Test(console_data, usage_counts_rows)
{
	char sub[64];
	tenant t;
	inspect_usage u;
	apex_error err = { 0 };
	char schema[64];

	provision(test_subdomain(sub, sizeof(sub), "iuse"), "pro", "ecommerce");
	cr_assert_eq(tenant_get(&ctx, sub, &t, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(inspect_usage_load(&ctx, &t, &u, &err), APEX_OK, "%s", err.message);
	snprintf(schema, sizeof(schema), "%s", t.schema_name);
	cr_assert_eq(u.schema_exists, 1);
	cr_assert_eq(u.products, test_count(conn, "SELECT count(*) FROM %s.products", schema));
	cr_assert_gt(u.products, 0);
	cr_assert_eq(u.users, 1);
	cr_assert_eq(u.pages, test_count(conn, "SELECT count(*) FROM %s.pages", schema));
	cr_assert_gt(u.storage_bytes, 0);
	cr_assert_eq(u.products_limit, apex_config_plan(cfg, "pro")->products);
	cr_assert_eq(u.storage_mb_limit, apex_config_plan(cfg, "pro")->storage_mb);
	tenant_clear(&t);
}

Test(console_data, usage_without_schema)
{
	tenant t = { .plan = "basic" };
	inspect_usage u;
	apex_error err = { 0 };

	snprintf(t.schema_name, sizeof(t.schema_name), "tenant_never_created_here");
	cr_assert_eq(inspect_usage_load(&ctx, &t, &u, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(u.schema_exists, 0);
	cr_assert_eq(u.products, 0);
}

Test(console_data, features_follow_plan_and_overrides)
{
	char sub[64], buf[512];
	apex_error err = { 0 };
	char sql[256];

	provision(test_subdomain(sub, sizeof(sub), "ifeat"), "basic", "standard");
	cr_assert_eq(inspect_features(&ctx, sub, buf, sizeof(buf), &err), APEX_OK, "%s", err.message);
	cr_assert_str_eq(buf, "pages, storefront");
	snprintf(sql, sizeof(sql), "UPDATE apex.tenants SET features_enabled = '{api}', "
		 "features_disabled = '{pages}' WHERE subdomain = '%s'", sub);
	PQclear(PQexec(conn, sql));
	cr_assert_eq(inspect_features(&ctx, sub, buf, sizeof(buf), &err), APEX_OK, "%s", err.message);
	cr_assert_str_eq(buf, "api, storefront");
}

Test(console_data, last_run_has_phases)
{
	char sub[64];
	inspect_run run;
	apex_error err = { 0 };

	provision(test_subdomain(sub, sizeof(sub), "irun"), "basic", "standard");
	cr_assert_eq(inspect_last_run(&ctx, sub, &run, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(run.found, 1);
	cr_assert_gt(run.total_ms, 0);
	cr_assert_gt(run.phase_ms[PHASE_VALIDATE], 0);
	cr_assert_gt(run.phase_ms[PHASE_SEED], 0);
	cr_assert_geq(run.total_ms, run.phase_ms[PHASE_SCHEMA] + run.phase_ms[PHASE_SEED]);
	cr_assert_gt(run.round_trips, 0);
	cr_assert_str_eq(run.actor, ctx.actor);

	cr_assert_eq(inspect_last_run(&ctx, "no-such-tenant-here", &run, &err), APEX_OK, "%s",
		     err.message);
	cr_assert_eq(run.found, 0);
}

Test(console_data, backups_newest_first)
{
	char sub[64], sql[512];
	inspect_backup_list list;
	apex_error err = { 0 };

	test_subdomain(sub, sizeof(sub), "ibak");
	for (int i = 1; i <= 2; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO apex.backups (tenant, file, size_bytes, sha256, "
			 "actor) VALUES ('%s', '/tmp/%s-%d.apexbak.gz', %d, repeat('a', 64), 'tester')",
			 sub, sub, i, i * 1000);
		PQclear(PQexec(conn, sql));
	}
	cr_assert_eq(inspect_backups_load(&ctx, sub, &list, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(list.count, 2);
	cr_assert_eq(list.items[0].size_bytes, 2000);
	cr_assert(strstr(list.items[0].file, "-2.apexbak.gz") != NULL);
	cr_assert_str_eq(list.items[1].actor, "tester");
	inspect_backup_list_free(&list);
}

Test(console_data, fleet_serving_and_ages)
{
	char instance[64], sql[512];
	inspect_fleet fleet;
	apex_error err = { 0 };
	long long version;
	int found = -1;

	test_subdomain(instance, sizeof(instance), "fleet");
	version = test_count(conn, "SELECT config_version FROM apex.platform");
	snprintf(sql, sizeof(sql), "INSERT INTO apex.provider_status (instance, version_served, "
		 "last_poll_at, polls_served) VALUES ('%s', %lld, now() - interval '90 seconds', 7)",
		 instance, version);
	PQclear(PQexec(conn, sql));
	cr_assert_eq(inspect_fleet_load(&ctx, &fleet, &err), APEX_OK, "%s", err.message);
	cr_assert_geq(fleet.config_version, version);
	for (size_t i = 0; i < fleet.count; i++)
		if (strcmp(fleet.items[i].instance, instance) == 0)
			found = (int)i;
	cr_assert_geq(found, 0, "instance %s not loaded", instance);
	cr_assert_eq(fleet.items[found].polls_served, 7);
	cr_assert_float_eq(fleet.items[found].poll_age_s, 90.0, 5.0);
	cr_assert_float_eq(fleet.items[found].heartbeat_age_s, 0.0, 5.0, "updated_at defaults to now()");
	cr_assert_geq(inspect_fleet_serving(&fleet, version, -1), 0);
	cr_assert_eq(inspect_fleet_serving(&fleet, version + 1000000, -1), -1);

	/* with an age limit, a provider polled 90 s ago does not count */
	snprintf(sql, sizeof(sql), "DELETE FROM apex.provider_status WHERE instance = '%s'", instance);
	inspect_fleet_free(&fleet);
	fleet = (inspect_fleet){ .config_version = version };
	fleet.items = calloc(1, sizeof(*fleet.items));
	fleet.count = 1;
	fleet.items[0] = (inspect_provider){ .version_served = version, .poll_age_s = 90 };
	cr_assert_eq(inspect_fleet_serving(&fleet, version, 30), -1);
	cr_assert_eq(inspect_fleet_serving(&fleet, version, 120), 0);
	inspect_fleet_free(&fleet);
	PQclear(PQexec(conn, sql));
}
