/*
 * test_routes.c - the Traefik document rendered from the database.
 *
 * Tenants are inserted straight into apex.tenants, because the renderer
 * reads only that row, and each test looks only at its own routers.  Other
 * tests render at the same time, so state that every tenant shares
 * (maintenance mode) changes only inside a transaction that is rolled back.
 */
#include <yaml.h>

#include "helpers.h"
#include "routes.h"
#include "tenant.h"
#include "validate.h"

static apex_config *cfg;
static PGconn *conn;

static void
setup(void)
{
	cfg = test_config();
	conn = test_connect(cfg);
}

static void
teardown(void)
{
	PQfinish(conn);
	apex_config_free(cfg);
}

TestSuite(routes, .init = setup, .fini = teardown, .timeout = 60);

static void
exec_ok(const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);

	cr_assert(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
		  PQresultErrorMessage(res));
	PQclear(res);
}

/* Inserts a tenant row with STATUS and PLAN and returns its subdomain in SUB. */
static const char *
add_tenant(char *sub, size_t size, const char *prefix, const char *plan, const char *status)
{
	char sql[1024];

	test_subdomain(sub, size, prefix);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO apex.tenants (subdomain, schema_name, display_name, owner_email, plan, "
		 "blueprint, status) VALUES ('%s', 'tenant_' || replace('%s', '-', '_'), '%s', "
		 "'owner@example.com', '%s', 'standard', '%s')", sub, sub, sub, plan, status);
	exec_ok(sql);
	return sub;
}

static void
set_column(const char *sub, const char *assignment)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), "UPDATE apex.tenants SET %s WHERE subdomain = '%s'", assignment, sub);
	exec_ok(sql);
}

static json_t *
build(routes_stats *stats)
{
	apex_error err = { 0 };
	json_t *doc = NULL;

	cr_assert_eq(routes_build(conn, cfg, &doc, stats, &err), APEX_OK, "%s", err.message);
	cr_assert_not_null(doc);
	return doc;
}

static json_t *
router_of(json_t *doc, const char *sub)
{
	char name[128];

	snprintf(name, sizeof(name), "tenant-%s", sub);
	return json_object_get(json_object_get(json_object_get(doc, "http"), "routers"), name);
}

static json_t *
middleware(json_t *doc, const char *name)
{
	return json_object_get(json_object_get(json_object_get(doc, "http"), "middlewares"), name);
}

static const char *
string_at(json_t *object, const char *key)
{
	return json_string_value(json_object_get(object, key));
}

static const char *
request_header(json_t *doc, const char *sub, const char *header)
{
	char name[128];
	json_t *mw;

	snprintf(name, sizeof(name), "tenant-%s-headers", sub);
	mw = middleware(doc, name);
	return string_at(json_object_get(json_object_get(mw, "headers"), "customRequestHeaders"), header);
}

Test(routes, active_tenant_router)
{
	char sub[64], rule[160], headers[96];
	json_t *doc, *router, *middlewares;

	add_tenant(sub, sizeof(sub), "rt-active", "pro", "active");
	doc = build(NULL);
	router = router_of(doc, sub);
	cr_assert_not_null(router, "no router for active tenant %s", sub);

	snprintf(rule, sizeof(rule), "Host(`%s.apex.localhost`)", sub);
	cr_assert_str_eq(string_at(router, "rule"), rule);
	cr_assert_str_eq(string_at(router, "service"), "storefront");
	cr_assert_eq(json_array_size(json_object_get(router, "entryPoints")), 1);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(router, "entryPoints"), 0)), "web");
	cr_assert_null(json_object_get(router, "tls"), "tls without a configured resolver");

	middlewares = json_object_get(router, "middlewares");
	snprintf(headers, sizeof(headers), "tenant-%s-headers", sub);
	cr_assert_eq(json_array_size(middlewares), 2);
	cr_assert_str_eq(json_string_value(json_array_get(middlewares, 0)), headers);
	cr_assert_str_eq(json_string_value(json_array_get(middlewares, 1)), "plan-pro-ratelimit");
	cr_assert_eq(json_object_size(router), 4, "unexpected router fields");
	json_decref(doc);
}

Test(routes, tenant_headers_middleware)
{
	char sub[64], schema[80];
	json_t *doc;

	add_tenant(sub, sizeof(sub), "rt-headers", "pro", "active");
	doc = build(NULL);
	snprintf(schema, sizeof(schema), "tenant_%s", sub);
	for (char *p = schema; *p; p++)
		if (*p == '-')
			*p = '_';
	cr_assert_str_eq(request_header(doc, sub, "X-Tenant-Id"), sub);
	cr_assert_str_eq(request_header(doc, sub, "X-Tenant-Schema"), schema);
	cr_assert_str_eq(request_header(doc, sub, "X-Tenant-Plan"), "pro");
	cr_assert_str_eq(request_header(doc, sub, "X-Tenant-Features"), "analytics,discounts,pages,storefront");
	json_decref(doc);
}

Test(routes, plan_rate_limits)
{
	json_t *doc = build(NULL);
	json_t *limit = json_object_get(middleware(doc, "plan-pro-ratelimit"), "rateLimit");

	cr_assert_not_null(limit);
	cr_assert_eq(json_integer_value(json_object_get(limit, "average")), 200);
	cr_assert_eq(json_integer_value(json_object_get(limit, "burst")), 400);
	cr_assert_not_null(middleware(doc, "plan-basic-ratelimit"));
	cr_assert_not_null(middleware(doc, "plan-enterprise-ratelimit"));
	json_decref(doc);
}

Test(routes, feature_overrides)
{
	char sub[64];
	json_t *doc;

	add_tenant(sub, sizeof(sub), "rt-features", "pro", "active");
	set_column(sub, "features_enabled = '{api,api,\"bad name\"}', features_disabled = '{pages}'");
	doc = build(NULL);
	cr_assert_str_eq(request_header(doc, sub, "X-Tenant-Features"), "analytics,api,discounts,storefront");
	json_decref(doc);
}

Test(routes, suspended_without_url)
{
	char sub[64], headers[96];
	routes_stats stats;
	json_t *doc;

	add_tenant(sub, sizeof(sub), "rt-susp", "basic", "suspended");
	doc = build(&stats);
	snprintf(headers, sizeof(headers), "tenant-%s-headers", sub);
	cr_assert_null(router_of(doc, sub), "suspended tenant routed without a suspended_url");
	cr_assert_null(middleware(doc, headers));
	cr_assert_null(json_object_get(json_object_get(json_object_get(doc, "http"), "services"), "suspended"));
	cr_assert_geq(stats.tenants_suspended, 1);
	json_decref(doc);
}

Test(routes, suspended_with_url)
{
	char sub[64];
	json_t *doc, *service;

	apex_config_set(&cfg->suspended_url, "http://127.0.0.1:3001");
	add_tenant(sub, sizeof(sub), "rt-suspurl", "basic", "suspended");
	doc = build(NULL);
	cr_assert_not_null(router_of(doc, sub));
	cr_assert_str_eq(string_at(router_of(doc, sub), "service"), "suspended");
	service = json_object_get(json_object_get(json_object_get(doc, "http"), "services"), "suspended");
	cr_assert_str_eq(string_at(json_array_get(json_object_get(json_object_get(service, "loadBalancer"),
								  "servers"), 0), "url"),
			 "http://127.0.0.1:3001");
	cr_assert_str_eq(request_header(doc, sub, "X-Tenant-Id"), sub);
	json_decref(doc);
}

Test(routes, archived_has_no_router)
{
	char sub[64], headers[96];
	routes_stats stats;
	json_t *doc;

	apex_config_set(&cfg->suspended_url, "http://127.0.0.1:3001");
	add_tenant(sub, sizeof(sub), "rt-arch", "basic", "archived");
	doc = build(&stats);
	snprintf(headers, sizeof(headers), "tenant-%s-headers", sub);
	cr_assert_null(router_of(doc, sub));
	cr_assert_null(middleware(doc, headers));
	cr_assert_geq(stats.tenants_archived, 1);
	json_decref(doc);
}

Test(routes, custom_domains_in_rule)
{
	char sub[64], other[64], assignment[512], rule[512];
	json_t *doc;

	add_tenant(other, sizeof(other), "rt-owner", "basic", "active");
	add_tenant(sub, sizeof(sub), "rt-domains", "enterprise", "active");
	snprintf(assignment, sizeof(assignment),
		 "custom_domains = ARRAY['www.%s.example', 'Bad.Example', 'x`) || PathPrefix(`/', "
		 "'%s.apex.localhost', 'shop.%s.example']", sub, other, sub);
	set_column(sub, assignment);
	doc = build(NULL);

	/* upper case, a rule injection and another tenant's host are all left out */
	snprintf(rule, sizeof(rule), "Host(`%s.apex.localhost`) || Host(`www.%s.example`) || "
		 "Host(`shop.%s.example`)", sub, sub, sub);
	cr_assert_str_eq(string_at(router_of(doc, sub), "rule"), rule);
	json_decref(doc);
}

Test(routes, custom_domain_claimed_once)
{
	char first[64], second[64], assignment[256], rule[256];
	json_t *doc;

	add_tenant(first, sizeof(first), "rt-claim-a", "basic", "active");
	add_tenant(second, sizeof(second), "rt-claim-b", "basic", "active");
	snprintf(assignment, sizeof(assignment), "custom_domains = ARRAY['shared.%s.example']", first);
	set_column(first, assignment);
	set_column(second, assignment);
	doc = build(NULL);

	/* subdomains sort "rt-claim-a-..." first, so the first tenant keeps the domain */
	snprintf(rule, sizeof(rule), "Host(`%s.apex.localhost`) || Host(`shared.%s.example`)", first, first);
	cr_assert_str_eq(string_at(router_of(doc, first), "rule"), rule);
	snprintf(rule, sizeof(rule), "Host(`%s.apex.localhost`)", second);
	cr_assert_str_eq(string_at(router_of(doc, second), "rule"), rule);
	json_decref(doc);
}

Test(routes, unknown_plan_has_no_rate_limit)
{
	char sub[64];
	routes_stats stats;
	json_t *doc, *middlewares;

	add_tenant(sub, sizeof(sub), "rt-ghost", "ghostplan", "active");
	doc = build(&stats);
	middlewares = json_object_get(router_of(doc, sub), "middlewares");
	cr_assert_eq(json_array_size(middlewares), 1);
	cr_assert_null(middleware(doc, "plan-ghostplan-ratelimit"));
	cr_assert_str_eq(request_header(doc, sub, "X-Tenant-Features"), "");
	cr_assert_geq(stats.unknown_plans, 1);
	json_decref(doc);
}

Test(routes, cert_resolver_and_entry_points)
{
	char sub[64];
	json_t *doc, *router, *entry_points;

	apex_config_set(&cfg->cert_resolver, "letsencrypt");
	for (size_t i = 0; i < cfg->n_entry_points; i++)
		free(cfg->entry_points[i]);
	free(cfg->entry_points);
	cfg->entry_points = calloc(2, sizeof(char *));
	cfg->entry_points[0] = strdup("websecure");
	cfg->entry_points[1] = strdup("web");
	cfg->n_entry_points = 2;

	add_tenant(sub, sizeof(sub), "rt-tls", "basic", "active");
	doc = build(NULL);
	router = router_of(doc, sub);
	cr_assert_str_eq(string_at(json_object_get(router, "tls"), "certResolver"), "letsencrypt");
	entry_points = json_object_get(router, "entryPoints");
	cr_assert_eq(json_array_size(entry_points), 2);
	cr_assert_str_eq(json_string_value(json_array_get(entry_points, 0)), "websecure");
	cr_assert_str_eq(json_string_value(json_array_get(entry_points, 1)), "web");
	json_decref(doc);
}

/* Turns maintenance on in an open transaction, which the caller rolls back. */
static void
begin_maintenance(void)
{
	exec_ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
	exec_ok("UPDATE apex.platform SET maintenance = true");
}

Test(routes, maintenance_with_url)
{
	char active[64], suspended[64];
	routes_stats stats;
	json_t *doc, *services;

	apex_config_set(&cfg->maintenance_url, "http://127.0.0.1:3002");
	apex_config_set(&cfg->suspended_url, "http://127.0.0.1:3001");
	add_tenant(active, sizeof(active), "rt-maint-a", "basic", "active");
	add_tenant(suspended, sizeof(suspended), "rt-maint-s", "basic", "suspended");
	begin_maintenance();
	doc = build(&stats);
	exec_ok("ROLLBACK");

	cr_assert_eq(stats.maintenance, 1);
	cr_assert_str_eq(string_at(router_of(doc, active), "service"), "maintenance");
	cr_assert_str_eq(string_at(router_of(doc, suspended), "service"), "suspended");
	services = json_object_get(json_object_get(doc, "http"), "services");
	cr_assert_not_null(json_object_get(services, "maintenance"));
	cr_assert_not_null(json_object_get(services, "storefront"));
	json_decref(doc);
}

Test(routes, maintenance_without_url)
{
	char sub[64];
	routes_stats stats;
	json_t *doc;

	add_tenant(sub, sizeof(sub), "rt-maint-n", "basic", "active");
	begin_maintenance();
	doc = build(&stats);
	exec_ok("ROLLBACK");

	cr_assert_eq(stats.maintenance, 1);
	cr_assert_str_eq(string_at(router_of(doc, sub), "service"), "storefront");
	cr_assert_null(json_object_get(json_object_get(json_object_get(doc, "http"), "services"), "maintenance"));
	json_decref(doc);
}

/* Renders the JSON text twice from one snapshot. */
static void
render_twice(char **first, size_t *first_len, char **second, size_t *second_len)
{
	apex_error err = { 0 };

	exec_ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
	cr_assert_eq(routes_render(conn, cfg, ROUTES_JSON, first, first_len, NULL, &err), APEX_OK, "%s",
		     err.message);
	cr_assert_eq(routes_render(conn, cfg, ROUTES_JSON, second, second_len, NULL, &err), APEX_OK, "%s",
		     err.message);
	exec_ok("COMMIT");
}

Test(routes, same_state_same_bytes)
{
	char sub[64];
	char *first, *second;
	size_t first_len, second_len;

	add_tenant(sub, sizeof(sub), "rt-stable", "pro", "active");
	set_column(sub, "custom_domains = ARRAY['b.stable.example', 'a.stable.example']");
	render_twice(&first, &first_len, &second, &second_len);
	cr_assert_eq(first_len, second_len);
	cr_assert_eq(memcmp(first, second, first_len), 0, "two renders of one snapshot differ");
	free(first);
	free(second);
}

Test(routes, json_is_compact_and_sorted)
{
	apex_error err = { 0 };
	char *text, *canonical;
	size_t len;
	json_t *parsed;

	cr_assert_eq(routes_render(conn, cfg, ROUTES_JSON, &text, &len, NULL, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(strlen(text), len);
	cr_assert_eq(text[len - 1], '\n', "the document does not end with a newline");
	parsed = json_loads(text, 0, NULL);
	cr_assert_not_null(parsed, "the document is not valid JSON");
	canonical = json_dumps(parsed, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_eq(strlen(canonical), len - 1);
	cr_assert_eq(strncmp(canonical, text, len - 1), 0, "keys are not sorted or the text is not compact");
	free(canonical);
	json_decref(parsed);
	free(text);
}

Test(routes, stream_equals_jansson_dump)
{
	char quoted[64], plan[64], assignment[256];
	char *text, *dumped;
	size_t len;
	apex_error err = { 0 };
	json_t *doc;

	add_tenant(quoted, sizeof(quoted), "rt-escape", "pro", "active");
	snprintf(assignment, sizeof(assignment), "schema_name = E'tenant_\\\\q\"%s', "
		 "custom_domains = ARRAY['esc.%s.example']", quoted, quoted);
	set_column(quoted, assignment);
	add_tenant(plan, sizeof(plan), "rt-escape-plan", "Gold \"VIP\" \u00e9", "active");
	apex_config_set(&cfg->cert_resolver, "le");
	apex_config_set(&cfg->suspended_url, "http://127.0.0.1:3001/\"x\"");

	exec_ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
	cr_assert_eq(routes_render(conn, cfg, ROUTES_JSON, &text, &len, NULL, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(routes_build(conn, cfg, &doc, NULL, &err), APEX_OK, "%s", err.message);
	exec_ok("COMMIT");

	dumped = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_eq(len, strlen(dumped) + 1);
	cr_assert_eq(strncmp(text, dumped, len - 1), 0, "the streamed JSON differs from jansson's dump");
	cr_assert_not_null(strstr(text, "\"X-Tenant-Plan\":\"Gold \\\"VIP\\\" \u00e9\""),
			   "quotes in a header value are not escaped");
	cr_assert_not_null(strstr(text, "tenant_\\\\q\\\""), "a backslash is not escaped");
	free(dumped);
	free(text);
	json_decref(doc);
}

Test(routes, unusable_values_leave_tenant_out)
{
	char sub[64], assignment[256];
	routes_stats stats;
	json_t *doc;

	add_tenant(sub, sizeof(sub), "rt-ctrl", "basic", "active");
	snprintf(assignment, sizeof(assignment), "schema_name = E'tenant_\\x01%s'", sub);
	set_column(sub, assignment);
	doc = build(&stats);
	cr_assert_null(router_of(doc, sub), "a control character reached a header value");
	cr_assert_geq(stats.skipped_tenants, 1);
	json_decref(doc);
}

/* ---- YAML ---- */

static json_t *yaml_node_json(yaml_document_t *ydoc, yaml_node_t *node);

static json_t *
yaml_scalar_json(yaml_node_t *node)
{
	const char *text = (const char *)node->data.scalar.value;
	long long number;

	if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && apex_parse_integer(text, &number) == 0)
		return json_integer(number);
	return json_string(text);
}

static json_t *
yaml_node_json(yaml_document_t *ydoc, yaml_node_t *node)
{
	json_t *out;

	switch (node->type) {
	case YAML_SCALAR_NODE:
		return yaml_scalar_json(node);
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (yaml_node_item_t *item = node->data.sequence.items.start;
		     item < node->data.sequence.items.top; item++)
			json_array_append_new(out, yaml_node_json(ydoc, yaml_document_get_node(ydoc, *item)));
		return out;
	case YAML_MAPPING_NODE:
		out = json_object();
		for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
		     pair < node->data.mapping.pairs.top; pair++) {
			yaml_node_t *key = yaml_document_get_node(ydoc, pair->key);

			json_object_set_new(out, (const char *)key->data.scalar.value,
					    yaml_node_json(ydoc, yaml_document_get_node(ydoc, pair->value)));
		}
		return out;
	default:
		return json_null();
	}
}

static json_t *
parse_yaml(const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t ydoc;
	json_t *out;

	cr_assert(yaml_parser_initialize(&parser));
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	cr_assert(yaml_parser_load(&parser, &ydoc), "YAML output does not parse: %s", parser.problem);
	out = yaml_node_json(&ydoc, yaml_document_get_root_node(&ydoc));
	yaml_document_delete(&ydoc);
	yaml_parser_delete(&parser);
	return out;
}

Test(routes, yaml_equals_json)
{
	char sub[64];
	char *json_text, *yaml_text;
	size_t json_len, yaml_len;
	apex_error err = { 0 };
	json_t *from_json, *from_yaml;

	add_tenant(sub, sizeof(sub), "rt-yaml", "pro", "active");
	set_column(sub, "custom_domains = ARRAY['yes.yaml.example']");
	exec_ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
	cr_assert_eq(routes_render(conn, cfg, ROUTES_JSON, &json_text, &json_len, NULL, &err), APEX_OK);
	cr_assert_eq(routes_render(conn, cfg, ROUTES_YAML, &yaml_text, &yaml_len, NULL, &err), APEX_OK);
	exec_ok("COMMIT");

	from_json = json_loads(json_text, 0, NULL);
	from_yaml = parse_yaml(yaml_text, yaml_len);
	cr_assert(json_equal(from_json, from_yaml), "the YAML document differs from the JSON one");
	cr_assert_not_null(strstr(yaml_text, "rule: \"Host(`"), "rules are not double-quoted");
	json_decref(from_json);
	json_decref(from_yaml);
	free(json_text);
	free(yaml_text);
}

/* ---- snapshots and versions ---- */

Test(routes, version_matches_platform)
{
	routes_stats stats;
	long long version;
	apex_error err = { 0 };
	json_t *doc;

	exec_ok("BEGIN ISOLATION LEVEL REPEATABLE READ");
	doc = build(&stats);
	cr_assert_eq(routes_config_version(conn, &version, &err), APEX_OK, "%s", err.message);
	exec_ok("COMMIT");
	cr_assert_eq(stats.config_version, version);
	cr_assert_gt(version, 0);
	json_decref(doc);
}

Test(routes, missing_schema_is_an_error)
{
	apex_error err = { 0 };
	char *text = (char *)"unchanged";
	size_t len = 99;

	exec_ok("BEGIN");
	exec_ok("ALTER TABLE apex.platform RENAME TO platform_hidden");
	cr_assert_eq(routes_render(conn, cfg, ROUTES_JSON, &text, &len, NULL, &err), APEX_FAILED);
	exec_ok("ROLLBACK");
	cr_assert_null(text, "a failed render returned a document");
	cr_assert_eq(len, 0);
	cr_assert_not_null(strstr(err.message, "apex.platform"), "message: %s", err.message);
}

/* ---- apexctl routes ---- */

Test(routes, apexctl_routes_usage)
{
	char *out = NULL;

	cr_assert_eq(test_run(&out, "%s routes --yaml --json", test_program("apexctl")), 2, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s routes extra", test_program("apexctl")), 2, "%s", out);
	cr_assert_not_null(strstr(out, "unexpected argument \"extra\""), "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s routes --bogus", test_program("apexctl")), 2, "%s", out);
	free(out);
}

Test(routes, apexctl_routes_prints_document)
{
	char sub[64], router[96];
	char *out = NULL;
	json_t *doc;

	add_tenant(sub, sizeof(sub), "rt-cli", "basic", "active");
	cr_assert_eq(test_run(&out, "%s routes", test_program("apexctl")), 0, "%s", out);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "apexctl routes printed no JSON: %s", out);
	snprintf(router, sizeof(router), "tenant-%s", sub);
	cr_assert_not_null(router_of(doc, sub), "no %s in apexctl routes", router);
	json_decref(doc);
	free(out);

	cr_assert_eq(test_run(&out, "%s routes --yaml", test_program("apexctl")), 0, "%s", out);
	cr_assert_not_null(strstr(out, router), "no %s in apexctl routes --yaml", router);
	free(out);
}
