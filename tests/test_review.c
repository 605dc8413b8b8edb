/*
 * test_review.c - the review queue: listing, retrying and dismissing failed
 * provisioning attempts, in core and through "apexctl review".
 *
 * Failures are produced with the APEX_FAIL_PHASE hook; each test runs in
 * its own process, so setting the variable affects that test only.
 */
#include <jansson.h>

#include "helpers.h"
#include "review.h"
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

TestSuite(review, .init = setup, .fini = teardown, .timeout = 60);

/* Provisions SUB with a failure injected in PHASE; returns the new review item. */
static long long
fail_once(const char *sub, const char *phase)
{
	tenant_request req = { .subdomain = sub, .plan = "basic", .blueprint = "standard" };
	provision_result r;
	apex_error err = { 0 };

	setenv(APEX_FAIL_PHASE_ENV, phase, 1);
	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_FAILED);
	unsetenv(APEX_FAIL_PHASE_ENV);
	cr_assert_gt(r.review_id, 0, "no review item recorded: %s", err.message);
	return r.review_id;
}

static char *
item_state(long long id)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT state FROM apex.review_queue WHERE id = %lld", id);
	return test_value(conn, sql);
}

static long long
item_attempts(long long id)
{
	return test_count(conn, "SELECT attempts FROM apex.review_queue WHERE id = %lld", id);
}

static long long
audit_count(const char *action, const char *sub, const char *status)
{
	return test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE action = '%s' AND "
			  "tenant = '%s' AND status = '%s' AND source = 'console'", action, sub, status);
}

Test(review, list_shows_open_failure)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvlist"), "seed");
	review_list list;
	apex_error err = { 0 };
	int found = 0;

	cr_assert_eq(review_list_load(&ctx, 0, &list, &err), APEX_OK, "%s", err.message);
	for (size_t i = 0; i < list.count; i++) {
		const review_item *it = &list.items[i];

		if (it->id != id)
			continue;
		found = 1;
		cr_expect_str_eq(it->subdomain, sub);
		cr_expect_str_eq(it->failed_phase, "seed");
		cr_expect_str_eq(it->state, "open");
		cr_expect_eq(it->attempts, 1);
		cr_expect(strstr(it->error, "injected failure") != NULL, "error: %s", it->error);
		cr_expect(strstr(it->request, sub) != NULL, "request: %s", it->request);
	}
	review_list_free(&list);
	cr_assert(found, "item %lld is not listed as open", id);
}

Test(review, retry_provisions_and_closes)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvok"), "route");
	provision_result r;
	apex_error err = { 0 };
	char *state;

	cr_assert_eq(review_retry(&ctx, id, NULL, NULL, &r, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(r.created, 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' "
				"AND status = 'active'", sub), 1);
	state = item_state(id);
	cr_assert_str_eq(state, "retried");
	free(state);
	cr_assert_eq(item_attempts(id), 2);
	cr_assert_eq(audit_count("REVIEW_RETRIED", sub, "success"), 1);
}

Test(review, retry_failing_again_hands_on)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvagain"), "schema");
	provision_result r;
	apex_error err = { 0 };
	char *state;

	setenv(APEX_FAIL_PHASE_ENV, "register", 1);
	cr_assert_eq(review_retry(&ctx, id, NULL, NULL, &r, &err), APEX_FAILED);
	unsetenv(APEX_FAIL_PHASE_ENV);
	cr_assert_gt(r.review_id, id, "the repeated failure recorded no new item");
	state = item_state(id);
	cr_assert_str_eq(state, "retried");
	free(state);
	state = item_state(r.review_id);
	cr_assert_str_eq(state, "open");
	free(state);
	cr_assert_eq(item_attempts(r.review_id), 2);
	cr_assert_eq(audit_count("REVIEW_RETRIED", sub, "failure"), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE action = "
				"'REVIEW_RETRIED' AND tenant = '%s' AND (detail->>'new_review_id')::bigint = %lld",
				sub, r.review_id), 1);
}

Test(review, retry_rejected_keeps_item_open)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvrej"), "seed");
	tenant_request other = { .subdomain = sub, .plan = "pro", .blueprint = "standard" };
	provision_result r;
	apex_error err = { 0 };
	char *state;

	/* the tenant now exists with other settings, so the stored request conflicts */
	cr_assert_eq(tenant_provision(&ctx, &other, NULL, NULL, &r, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(review_retry(&ctx, id, NULL, NULL, &r, &err), APEX_INVALID);
	state = item_state(id);
	cr_assert_str_eq(state, "open");
	free(state);
	cr_assert_eq(item_attempts(id), 1);
	cr_assert_eq(audit_count("REVIEW_RETRIED", sub, "failure"), 1);
}

Test(review, retry_closed_item_rejected)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvclosed"), "seed");
	provision_result r;
	apex_error err = { 0 };
	int changed;

	cr_assert_eq(review_dismiss(&ctx, id, NULL, &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(review_retry(&ctx, id, NULL, NULL, &r, &err), APEX_INVALID);
	cr_assert(strstr(err.message, "already dismissed") != NULL, "message: %s", err.message);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s'", sub), 0);
}

Test(review, unknown_item_not_found)
{
	provision_result r;
	apex_error err = { 0 };
	review_item item;
	int changed;

	cr_assert_eq(review_get(&ctx, 999999999, &item, &err), APEX_NOT_FOUND);
	cr_assert_eq(review_retry(&ctx, 999999999, NULL, NULL, &r, &err), APEX_NOT_FOUND);
	cr_assert_eq(review_dismiss(&ctx, 999999999, NULL, &changed, &err), APEX_NOT_FOUND);
	cr_assert_eq(changed, 0);
}

Test(review, dismiss_is_audited_and_idempotent)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvdis"), "route");
	apex_error err = { 0 };
	int changed = -1;
	char *state;

	cr_assert_eq(review_dismiss(&ctx, id, "duplicate signup", &changed, &err), APEX_OK, "%s",
		     err.message);
	cr_assert_eq(changed, 1);
	state = item_state(id);
	cr_assert_str_eq(state, "dismissed");
	free(state);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE action = "
				"'REVIEW_DISMISSED' AND tenant = '%s' AND detail->>'reason' = 'duplicate signup'",
				sub), 1);

	cr_assert_eq(review_dismiss(&ctx, id, "again", &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(changed, 0);
	cr_assert_eq(audit_count("REVIEW_DISMISSED", sub, "success"), 1);
}

Test(review, dismiss_retried_item_rejected)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvdisret"), "seed");
	provision_result r;
	apex_error err = { 0 };
	int changed = -1;

	cr_assert_eq(review_retry(&ctx, id, NULL, NULL, &r, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(review_dismiss(&ctx, id, NULL, &changed, &err), APEX_INVALID);
	cr_assert_eq(changed, 0);
}

Test(review, dismiss_rejects_bad_reason)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvreason"), "seed");
	apex_error err = { 0 };
	int changed = -1;
	char *state;

	cr_assert_eq(review_dismiss(&ctx, id, "bad\x01reason", &changed, &err), APEX_INVALID);
	state = item_state(id);
	cr_assert_str_eq(state, "open");
	free(state);
}

Test(review, list_all_includes_closed)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvall"), "seed");
	review_list open_items, all_items;
	apex_error err = { 0 };
	int changed, in_open = 0, in_all = 0;

	cr_assert_eq(review_dismiss(&ctx, id, NULL, &changed, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(review_list_load(&ctx, 0, &open_items, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(review_list_load(&ctx, 1, &all_items, &err), APEX_OK, "%s", err.message);
	for (size_t i = 0; i < open_items.count; i++)
		in_open |= open_items.items[i].id == id;
	for (size_t i = 0; i < all_items.count; i++)
		in_all |= all_items.items[i].id == id;
	review_list_free(&open_items);
	review_list_free(&all_items);
	cr_assert_not(in_open, "a dismissed item is listed as open");
	cr_assert(in_all, "a dismissed item is missing from the full list");
}

/* ---- apexctl review ---- */

Test(review, apexctl_show_and_dismiss)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvctl"), "seed");
	char *out = NULL;
	json_t *doc;

	cr_assert_eq(test_run(&out, "%s --json review show %lld", test_program("apexctl"), id), 0, "%s", out);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %s", out);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "subdomain")), sub);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "state")), "open");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "request"), "plan")),
			 "basic");
	json_decref(doc);
	free(out);

	cr_assert_eq(test_run(&out, "%s review dismiss %lld --reason 'test data'",
			      test_program("apexctl"), id), 0, "%s", out);
	cr_assert(strstr(out, "dismissed") != NULL, "output: %s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s review dismiss %lld", test_program("apexctl"), id), 0, "%s", out);
	cr_assert(strstr(out, "nothing changed") != NULL, "output: %s", out);
	free(out);
}

Test(review, apexctl_retry)
{
	char sub[64];
	long long id = fail_once(test_subdomain(sub, sizeof(sub), "rvctlretry"), "register");
	char *out = NULL;

	cr_assert_eq(test_run(&out, "%s review retry %lld", test_program("apexctl"), id), 0, "%s", out);
	cr_assert(strstr(out, "provisioned") != NULL, "output: %s", out);
	free(out);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE action = "
				"'REVIEW_RETRIED' AND tenant = '%s' AND source = 'cli'", sub), 1);
	cr_assert_eq(test_run(&out, "%s review retry %lld", test_program("apexctl"), id), 2, "%s", out);
	free(out);
}

Test(review, apexctl_exit_statuses)
{
	const char *ctl = test_program("apexctl");
	char *out = NULL;

	cr_expect_eq(test_run(&out, "%s review show 999999999", ctl), 3, "%s", out);
	free(out);
	cr_expect_eq(test_run(&out, "%s review retry abc", ctl), 2, "%s", out);
	free(out);
	cr_expect_eq(test_run(&out, "%s review dismiss 0", ctl), 2, "%s", out);
	free(out);
	cr_expect_eq(test_run(&out, "%s review", ctl), 2, "%s", out);
	free(out);
	cr_expect_eq(test_run(&out, "%s review frobnicate", ctl), 2, "%s", out);
	free(out);
	cr_expect_eq(test_run(&out, "%s review retry 1 --reason x", ctl), 2, "%s", out);
	free(out);
	cr_expect_eq(test_run(&out, "%s review list --all", ctl), 0, "%s", out);
	free(out);
}
