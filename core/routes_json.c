/*
 * routes_json.c - the two writers of a route_model.
 *
 * routes_model_json() streams compact JSON straight into one buffer: at
 * 100,000 tenants it takes a fraction of the time and memory of building
 * and dumping a jansson tree, which is mostly spent allocating and freeing
 * small objects.  Its bytes equal json_dumps(routes_model_tree(),
 * JSON_COMPACT | JSON_SORT_KEYS) plus a newline, because it writes every
 * key in bytewise order and escapes strings the way jansson does: '"', '\'
 * and characters below 0x20 only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routes_model.h"

/* A growing output buffer; the first allocation failure is kept and checked at the end. */
typedef struct out_buf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
} out_buf;

static void
reserve(out_buf *b, size_t extra)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *grown;

	if (b->failed || b->len + extra <= b->cap)
		return;
	while (cap < b->len + extra)
		cap *= 2;
	grown = realloc(b->data, cap);
	if (!grown) {
		b->failed = 1;
		return;
	}
	b->data = grown;
	b->cap = cap;
}

static void
put(out_buf *b, const char *text, size_t len)
{
	reserve(b, len);
	if (b->failed)
		return;
	memcpy(b->data + b->len, text, len);
	b->len += len;
}

static void
put_text(out_buf *b, const char *text)
{
	put(b, text, strlen(text));
}

/* Writes S as a quoted JSON string. */
static void
put_string(out_buf *b, const char *s)
{
	const char *run = s;

	put(b, "\"", 1);
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char escape[8];

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		put(b, run, (size_t)(p - run));
		run = p + 1;
		switch (c) {
		case '"': put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\b': put(b, "\\b", 2); break;
		case '\f': put(b, "\\f", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\r': put(b, "\\r", 2); break;
		case '\t': put(b, "\\t", 2); break;
		default:
			snprintf(escape, sizeof(escape), "\\u%04X", c);
			put_text(b, escape);
		}
	}
	put_text(b, run);
	put(b, "\"", 1);
}

/* Writes "KEY": with a leading comma unless FIRST. */
static void
put_key(out_buf *b, const char *key, int first)
{
	if (!first)
		put(b, ",", 1);
	put_string(b, key);
	put(b, ":", 1);
}

static void
put_integer(out_buf *b, long long value)
{
	char number[32];

	snprintf(number, sizeof(number), "%lld", value);
	put_text(b, number);
}

/* ---- the document ---- */

static void
write_plan(out_buf *b, const plan_info *p, int first)
{
	put_key(b, p->middleware, first);
	put_text(b, "{\"rateLimit\":{\"average\":");
	put_integer(b, p->average);
	put_text(b, ",\"burst\":");
	put_integer(b, p->burst);
	put_text(b, "}}");
}

static void
write_headers(out_buf *b, const route_entry *e, int first)
{
	put_key(b, e->headers, first);
	put_text(b, "{\"headers\":{\"customRequestHeaders\":{\"X-Tenant-Features\":");
	put_string(b, e->features);
	put_text(b, ",\"X-Tenant-Id\":");
	put_string(b, e->subdomain);
	put_text(b, ",\"X-Tenant-Plan\":");
	put_string(b, e->plan);
	put_text(b, ",\"X-Tenant-Schema\":");
	put_string(b, e->schema);
	put_text(b, "}}}");
}

/* Every "plan-" name sorts before every "tenant-" name, so plans come first. */
static void
write_middlewares(out_buf *b, const route_model *m)
{
	int first = 1;

	put(b, "{", 1);
	for (size_t i = 0; i < m->n_plans; i++, first = 0)
		write_plan(b, &m->plan_infos[i], first);
	for (size_t i = 0; i < m->n_entries; i++, first = 0)
		write_headers(b, m->by_headers[i], first);
	put(b, "}", 1);
}

static void
write_string_array(out_buf *b, char *const *items, size_t n)
{
	put(b, "[", 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			put(b, ",", 1);
		put_string(b, items[i]);
	}
	put(b, "]", 1);
}

static void
write_router(out_buf *b, const route_model *m, const route_entry *e, int first)
{
	put_key(b, e->router, first);
	put_text(b, "{\"entryPoints\":");
	write_string_array(b, m->cfg->entry_points, m->cfg->n_entry_points);
	put_text(b, ",\"middlewares\":[");
	put_string(b, e->headers);
	if (e->plan_info) {
		put(b, ",", 1);
		put_string(b, e->plan_info->middleware);
	}
	put_text(b, "],\"rule\":");
	put_string(b, e->rule);
	put_text(b, ",\"service\":");
	put_string(b, e->service);
	if (m->cfg->cert_resolver[0]) {
		put_text(b, ",\"tls\":{\"certResolver\":");
		put_string(b, m->cfg->cert_resolver);
		put(b, "}", 1);
	}
	put(b, "}", 1);
}

static void
write_service(out_buf *b, const char *name, char *const *urls, size_t n, int first)
{
	put_key(b, name, first);
	put_text(b, "{\"loadBalancer\":{\"servers\":[");
	for (size_t i = 0; i < n; i++) {
		put_text(b, i > 0 ? ",{\"url\":" : "{\"url\":");
		put_string(b, urls[i]);
		put(b, "}", 1);
	}
	put_text(b, "]}}");
}

/* The services in key order: maintenance, storefront, suspended. */
static void
write_services(out_buf *b, const apex_config *cfg)
{
	char *maintenance[1] = { cfg->maintenance_url };
	char *suspended[1] = { cfg->suspended_url };
	int first = 1;

	put(b, "{", 1);
	if (cfg->maintenance_url[0]) {
		write_service(b, "maintenance", maintenance, 1, first);
		first = 0;
	}
	write_service(b, "storefront", cfg->service_urls, cfg->n_service_urls, first);
	if (cfg->suspended_url[0])
		write_service(b, "suspended", suspended, 1, 0);
	put(b, "}", 1);
}

char *
routes_model_json(const route_model *m, size_t *len)
{
	out_buf b = { 0 };

	/* about 400 bytes per router; a close guess saves most reallocations */
	reserve(&b, 4096 + m->n_entries * 480);
	put_text(&b, "{\"http\":{\"middlewares\":");
	write_middlewares(&b, m);
	put_text(&b, ",\"routers\":{");
	for (size_t i = 0; i < m->n_entries; i++)
		write_router(&b, m, &m->entries[i], i == 0);
	put_text(&b, "},\"services\":");
	write_services(&b, m->cfg);
	put_text(&b, "}}\n");
	put(&b, "", 1);
	if (b.failed) {
		free(b.data);
		return NULL;
	}
	*len = b.len - 1;
	return b.data;
}

/* ---- the jansson tree ---- */

static json_t *
string_array(char *const *items, size_t n)
{
	json_t *array = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(array, json_string(items[i]));
	return array;
}

static json_t *
load_balancer(char *const *urls, size_t n)
{
	json_t *servers = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(servers, json_pack("{s:s}", "url", urls[i]));
	return json_pack("{s:{s:o}}", "loadBalancer", "servers", servers);
}

static json_t *
tree_services(const apex_config *cfg)
{
	json_t *services = json_object();
	char *suspended[1] = { cfg->suspended_url };
	char *maintenance[1] = { cfg->maintenance_url };

	json_object_set_new(services, "storefront", load_balancer(cfg->service_urls, cfg->n_service_urls));
	if (cfg->suspended_url[0])
		json_object_set_new(services, "suspended", load_balancer(suspended, 1));
	if (cfg->maintenance_url[0])
		json_object_set_new(services, "maintenance", load_balancer(maintenance, 1));
	return services;
}

static json_t *
tree_router(const route_model *m, const route_entry *e)
{
	json_t *middlewares = json_array();
	json_t *router;

	json_array_append_new(middlewares, json_string(e->headers));
	if (e->plan_info)
		json_array_append_new(middlewares, json_string(e->plan_info->middleware));
	router = json_pack("{s:o, s:o, s:s, s:s}", "entryPoints",
			   string_array(m->cfg->entry_points, m->cfg->n_entry_points),
			   "middlewares", middlewares, "rule", e->rule, "service", e->service);
	if (router && m->cfg->cert_resolver[0])
		json_object_set_new(router, "tls", json_pack("{s:s}", "certResolver", m->cfg->cert_resolver));
	return router;
}

static json_t *
tree_headers(const route_entry *e)
{
	return json_pack("{s:{s:{s:s, s:s, s:s, s:s}}}", "headers", "customRequestHeaders",
			 "X-Tenant-Features", e->features, "X-Tenant-Id", e->subdomain,
			 "X-Tenant-Plan", e->plan, "X-Tenant-Schema", e->schema);
}

json_t *
routes_model_tree(const route_model *m)
{
	json_t *routers = json_object();
	json_t *middlewares = json_object();

	for (size_t i = 0; i < m->n_plans; i++)
		json_object_set_new(middlewares, m->plan_infos[i].middleware,
				    json_pack("{s:{s:I, s:I}}", "rateLimit",
					      "average", (json_int_t)m->plan_infos[i].average,
					      "burst", (json_int_t)m->plan_infos[i].burst));
	for (size_t i = 0; i < m->n_entries; i++) {
		json_object_set_new(routers, m->entries[i].router, tree_router(m, &m->entries[i]));
		json_object_set_new(middlewares, m->entries[i].headers, tree_headers(&m->entries[i]));
	}
	return json_pack("{s:{s:o, s:o, s:o}}", "http", "routers", routers,
			 "middlewares", middlewares, "services", tree_services(m->cfg));
}
