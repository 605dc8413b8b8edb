/*
 * routes.c - reading the routing state and building the Traefik document.
 *
 * The rows come from one snapshot (routes_load), then the document is built
 * as a jansson tree (routes_build) and serialized with sorted keys, so equal
 * state gives equal bytes.  Values that would break Traefik's rule parser
 * or claim a host twice are left out and counted, never passed through.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "db.h"
#include "validate.h"

/* Column numbers of TENANTS_SQL. */
enum { T_SUBDOMAIN, T_SCHEMA, T_PLAN, T_STATUS, T_DOMAINS, T_ENABLED, T_DISABLED };

/* Empty arrays come back as "" so that most rows need no JSON parsing. */
#define JSON_ARRAY_OR_EMPTY(col) \
	"CASE WHEN cardinality(" col ") = 0 THEN '' ELSE array_to_json(" col ")::text END"

static const char TENANTS_SQL[] =
	"SELECT subdomain, schema_name, plan, status, "
	JSON_ARRAY_OR_EMPTY("custom_domains") ", "
	JSON_ARRAY_OR_EMPTY("features_enabled") ", "
	JSON_ARRAY_OR_EMPTY("features_disabled")
	" FROM apex.tenants ORDER BY subdomain COLLATE \"C\"";

static const char PLANS_SQL[] =
	"SELECT name, rate_average, rate_burst, array_to_json(features)::text "
	"FROM apex.plans ORDER BY name COLLATE \"C\"";

static const char PLATFORM_SQL[] =
	"SELECT config_version, maintenance FROM apex.platform";

typedef struct plan_info {
	const char *name;		/* points into the plans result */
	long long average;
	long long burst;
	char **features;		/* valid feature names, sorted, unique */
	size_t n_features;
	char *features_text;		/* the same joined with "," */
} plan_info;

typedef struct snapshot {
	PGresult *tenants;
	PGresult *plans;
	long long version;
	int maintenance;
	plan_info *plan_infos;
	size_t n_plans;
} snapshot;

typedef struct builder {
	const apex_config *cfg;
	const snapshot *snap;
	routes_stats *stats;
	json_t *routers;
	json_t *middlewares;
	json_t *entry_points;		/* one array shared by every router */
	json_t *tls;			/* one object shared by every router, or NULL */
	json_t *claimed;		/* host names already routed, used as a set */
} builder;

/* ---- string lists ---- */

static int
compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts V bytewise, removes duplicates and returns the new count. */
static size_t
sort_unique(char **v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), compare_strings);
	for (size_t i = 0; i < n; i++)
		if (out == 0 || strcmp(v[out - 1], v[i]) != 0)
			v[out++] = v[i];
	return out;
}

/* Returns V joined with ",", to be freed. */
static char *
join_strings(char *const *v, size_t n)
{
	size_t size = 1;
	char *text;
	char *p;

	for (size_t i = 0; i < n; i++)
		size += strlen(v[i]) + 1;
	text = malloc(size);
	if (!text)
		abort();
	p = text;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i]);

		if (i > 0)
			*p++ = ',';
		memcpy(p, v[i], len);
		p += len;
	}
	*p = '\0';
	return text;
}

/*
 * Appends the valid feature names of the JSON array TEXT to *V (borrowed
 * pointers into *ARRAY, which the caller json_decref()s).  Invalid names
 * never reach a header value.
 */
static void
append_features(const char *text, json_t **array, char ***v, size_t *n)
{
	size_t i;
	json_t *item;

	*array = text[0] ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_array(*array))
		return;
	*v = realloc(*v, (*n + json_array_size(*array) + 1) * sizeof(**v));
	if (!*v)
		abort();
	json_array_foreach(*array, i, item) {
		const char *name = json_string_value(item);

		if (name && apex_validate_feature(name, NULL) == APEX_OK)
			(*v)[(*n)++] = (char *)name;
	}
}

/* ---- loading one snapshot ---- */

static void
plan_info_load(plan_info *p, const PGresult *res, int row)
{
	json_t *array = NULL;
	char **names = NULL;
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	p->name = PQgetvalue(res, row, 0);
	p->average = atoll(PQgetvalue(res, row, 1));
	p->burst = atoll(PQgetvalue(res, row, 2));
	append_features(PQgetvalue(res, row, 3), &array, &names, &n);
	n = sort_unique(names, n);
	p->features = calloc(n + 1, sizeof(*p->features));
	if (!p->features)
		abort();
	for (size_t i = 0; i < n; i++)
		p->features[i] = strdup(names[i]);
	p->n_features = n;
	p->features_text = join_strings(p->features, n);
	free(names);
	json_decref(array);
}

static void
snapshot_free(snapshot *s)
{
	for (size_t i = 0; i < s->n_plans; i++) {
		for (size_t f = 0; f < s->plan_infos[i].n_features; f++)
			free(s->plan_infos[i].features[f]);
		free(s->plan_infos[i].features);
		free(s->plan_infos[i].features_text);
	}
	free(s->plan_infos);
	PQclear(s->tenants);
	PQclear(s->plans);
	memset(s, 0, sizeof(*s));
}

static apex_status
read_platform(PGconn *conn, snapshot *s, apex_error *err)
{
	PGresult *res = apex_db_query(conn, err, "could not read apex.platform", PLATFORM_SQL, 0, NULL);

	if (!res)
		return APEX_FAILED;
	if (PQntuples(res) != 1) {
		PQclear(res);
		apex_fail(err, APEX_FAILED, "apex.platform has no row");
		apex_error_hint(err, "Run \"apexctl init\" to create the control schema.");
		return APEX_FAILED;
	}
	s->version = atoll(PQgetvalue(res, 0, 0));
	s->maintenance = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	return APEX_OK;
}

static apex_status
read_rows(PGconn *conn, snapshot *s, apex_error *err)
{
	int n;

	if (read_platform(conn, s, err))
		return APEX_FAILED;
	s->plans = apex_db_query(conn, err, "could not read apex.plans", PLANS_SQL, 0, NULL);
	if (!s->plans)
		return APEX_FAILED;
	s->tenants = apex_db_query(conn, err, "could not read apex.tenants", TENANTS_SQL, 0, NULL);
	if (!s->tenants)
		return APEX_FAILED;

	n = PQntuples(s->plans);
	s->plan_infos = calloc((size_t)n + 1, sizeof(*s->plan_infos));
	if (!s->plan_infos)
		abort();
	for (int i = 0; i < n; i++)
		plan_info_load(&s->plan_infos[i], s->plans, i);
	s->n_plans = (size_t)n;
	return APEX_OK;
}

/* Reads every row the document needs from one snapshot of the database. */
static apex_status
routes_load(PGconn *conn, snapshot *s, apex_error *err)
{
	int own_transaction = PQtransactionStatus(conn) == PQTRANS_IDLE;
	apex_status st;

	memset(s, 0, sizeof(*s));
	if (own_transaction &&
	    apex_db_command(conn, err, "could not start a read-only transaction",
			    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return APEX_FAILED;

	st = read_rows(conn, s, err);

	if (own_transaction) {
		if (st == APEX_OK)
			st = apex_db_command(conn, err, "could not end the read-only transaction", "COMMIT");
		else
			PQclear(PQexec(conn, "ROLLBACK"));
	}
	if (st)
		snapshot_free(s);
	return st;
}

/* ---- building the document ---- */

static const plan_info *
find_plan(const snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->n_plans; i++)
		if (strcmp(s->plan_infos[i].name, name) == 0)
			return &s->plan_infos[i];
	return NULL;
}

/* The service a tenant's router points to, or NULL for no router. */
static const char *
router_service(const builder *b, const char *status)
{
	if (strcmp(status, "active") == 0)
		return b->snap->maintenance && b->cfg->maintenance_url[0] ? "maintenance" : "storefront";
	if (strcmp(status, "suspended") == 0 && b->cfg->suspended_url[0])
		return "suspended";
	return NULL;
}

static void
count_status(routes_stats *stats, const char *status)
{
	if (strcmp(status, "active") == 0)
		stats->tenants_active++;
	else if (strcmp(status, "suspended") == 0)
		stats->tenants_suspended++;
	else
		stats->tenants_archived++;
}

/* Writes "<sub>.<base_domain>" into HOST and returns 0 when that is no valid DNS name. */
static int
primary_host(const builder *b, const char *subdomain, char *host, size_t size)
{
	int n = snprintf(host, size, "%s.%s", subdomain, b->cfg->base_domain);

	return n > 0 && (size_t)n < size && apex_validate_domain(host, NULL) == APEX_OK;
}

/*
 * Claims the primary host of every tenant that gets a router, before any
 * custom domain is looked at, so a custom domain can never take over
 * another tenant's own host name.
 */
static void
claim_primary_hosts(builder *b)
{
	const PGresult *res = b->snap->tenants;
	char host[APEX_DOMAIN_MAX + 2];

	for (int row = 0; row < PQntuples(res); row++) {
		if (!router_service(b, PQgetvalue(res, row, T_STATUS)))
			continue;
		if (primary_host(b, PQgetvalue(res, row, T_SUBDOMAIN), host, sizeof(host)))
			json_object_set_new(b->claimed, host, json_true());
	}
}

/* A growing string for one router rule. */
typedef struct rule_text {
	char *data;
	size_t len;
	size_t cap;
	int hosts;
} rule_text;

static void
rule_add_host(rule_text *r, const char *host)
{
	size_t need = r->len + strlen(host) + 16;

	if (need > r->cap) {
		r->cap = need * 2;
		r->data = realloc(r->data, r->cap);
		if (!r->data)
			abort();
	}
	r->len += (size_t)sprintf(r->data + r->len, "%sHost(`%s`)", r->hosts ? " || " : "", host);
	r->hosts++;
}

/*
 * Builds the rule: the primary host, then each custom domain that is a
 * valid DNS name and not yet claimed by an earlier router, in stored order.
 */
static void
build_rule(builder *b, int row, rule_text *rule)
{
	const char *domains = PQgetvalue(b->snap->tenants, row, T_DOMAINS);
	char host[APEX_DOMAIN_MAX + 2];
	json_t *array;
	json_t *item;
	size_t i;

	if (primary_host(b, PQgetvalue(b->snap->tenants, row, T_SUBDOMAIN), host, sizeof(host)))
		rule_add_host(rule, host);
	else
		b->stats->skipped_hosts++;
	array = domains[0] ? json_loads(domains, 0, NULL) : NULL;
	json_array_foreach(array, i, item) {
		const char *domain = json_string_value(item);

		if (!domain || apex_validate_domain(domain, NULL) || json_object_get(b->claimed, domain)) {
			b->stats->skipped_hosts++;
			continue;
		}
		json_object_set_new(b->claimed, domain, json_true());
		rule_add_host(rule, domain);
	}
	json_decref(array);
}

/* Returns the tenant's features (plan, plus enabled, minus disabled) joined with ",". */
static char *
tenant_features(const plan_info *plan, const char *enabled, const char *disabled)
{
	json_t *enabled_array = NULL;
	json_t *disabled_array = NULL;
	char **names = NULL;
	char **removed = NULL;
	size_t n = 0, n_removed = 0, kept = 0;
	char *text;

	if (!enabled[0] && !disabled[0])
		return strdup(plan ? plan->features_text : "");
	names = calloc((plan ? plan->n_features : 0) + 1, sizeof(*names));
	for (size_t i = 0; plan && i < plan->n_features; i++)
		names[n++] = plan->features[i];
	append_features(enabled, &enabled_array, &names, &n);
	append_features(disabled, &disabled_array, &removed, &n_removed);
	n = sort_unique(names, n);
	for (size_t i = 0; i < n; i++) {
		int drop = 0;

		for (size_t r = 0; r < n_removed && !drop; r++)
			drop = strcmp(names[i], removed[r]) == 0;
		if (!drop)
			names[kept++] = names[i];
	}
	text = join_strings(names, kept);
	free(names);
	free(removed);
	json_decref(enabled_array);
	json_decref(disabled_array);
	return text;
}

static void
add_headers_middleware(builder *b, int row, const char *name, const plan_info *plan)
{
	const PGresult *res = b->snap->tenants;
	char *features = tenant_features(plan, PQgetvalue(res, row, T_ENABLED),
					 PQgetvalue(res, row, T_DISABLED));
	json_t *headers = json_object();

	json_object_set_new(headers, "X-Tenant-Id", json_string(PQgetvalue(res, row, T_SUBDOMAIN)));
	json_object_set_new(headers, "X-Tenant-Schema", json_string(PQgetvalue(res, row, T_SCHEMA)));
	json_object_set_new(headers, "X-Tenant-Plan", json_string(PQgetvalue(res, row, T_PLAN)));
	json_object_set_new(headers, "X-Tenant-Features", json_string(features));
	json_object_set_new(b->middlewares, name,
			    json_pack("{s:{s:o}}", "headers", "customRequestHeaders", headers));
	free(features);
}

static void
add_router(builder *b, int row, const char *service)
{
	const PGresult *res = b->snap->tenants;
	const char *subdomain = PQgetvalue(res, row, T_SUBDOMAIN);
	const plan_info *plan = find_plan(b->snap, PQgetvalue(res, row, T_PLAN));
	rule_text rule = { 0 };
	char router_name[APEX_SUBDOMAIN_MAX + 16];
	char headers_name[APEX_SUBDOMAIN_MAX + 32];
	char plan_name[APEX_NAME_MAX + 32];
	json_t *middlewares = json_array();
	json_t *router;

	build_rule(b, row, &rule);
	if (rule.hosts == 0) {
		json_decref(middlewares);
		return;
	}
	snprintf(router_name, sizeof(router_name), "tenant-%s", subdomain);
	snprintf(headers_name, sizeof(headers_name), "tenant-%s-headers", subdomain);
	add_headers_middleware(b, row, headers_name, plan);
	json_array_append_new(middlewares, json_string(headers_name));
	if (plan) {
		snprintf(plan_name, sizeof(plan_name), "plan-%s-ratelimit", plan->name);
		json_array_append_new(middlewares, json_string(plan_name));
	} else {
		b->stats->unknown_plans++;
	}

	router = json_pack("{s:O, s:o, s:s, s:s}", "entryPoints", b->entry_points,
			   "middlewares", middlewares, "rule", rule.data, "service", service);
	if (b->tls)
		json_object_set(router, "tls", b->tls);
	json_object_set_new(b->routers, router_name, router);
	b->stats->routers++;
	free(rule.data);
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
build_services(const apex_config *cfg)
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

/* Adds "plan-<name>-ratelimit" for every plan, used or not, so names stay stable. */
static void
add_plan_middlewares(builder *b)
{
	char name[APEX_NAME_MAX + 32];

	for (size_t i = 0; i < b->snap->n_plans; i++) {
		const plan_info *p = &b->snap->plan_infos[i];

		if (apex_validate_plan_name(p->name, NULL))
			continue;
		snprintf(name, sizeof(name), "plan-%s-ratelimit", p->name);
		json_object_set_new(b->middlewares, name,
				    json_pack("{s:{s:I, s:I}}", "rateLimit", "average",
					      (json_int_t)p->average, "burst", (json_int_t)p->burst));
	}
}

static void
builder_init(builder *b, const apex_config *cfg, const snapshot *snap, routes_stats *stats)
{
	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->snap = snap;
	b->stats = stats;
	b->routers = json_object();
	b->middlewares = json_object();
	b->claimed = json_object();
	b->entry_points = json_array();
	for (size_t i = 0; i < cfg->n_entry_points; i++)
		json_array_append_new(b->entry_points, json_string(cfg->entry_points[i]));
	if (cfg->cert_resolver[0])
		b->tls = json_pack("{s:s}", "certResolver", cfg->cert_resolver);
}

static json_t *
builder_finish(builder *b)
{
	json_t *doc = json_pack("{s:{s:o, s:o, s:o}}", "http", "routers", b->routers,
				"middlewares", b->middlewares, "services", build_services(b->cfg));

	json_decref(b->entry_points);
	json_decref(b->tls);
	json_decref(b->claimed);
	return doc;
}

static json_t *
build_document(const apex_config *cfg, const snapshot *snap, routes_stats *stats)
{
	const PGresult *res = snap->tenants;
	builder b;

	builder_init(&b, cfg, snap, stats);
	add_plan_middlewares(&b);
	claim_primary_hosts(&b);
	for (int row = 0; row < PQntuples(res); row++) {
		const char *status = PQgetvalue(res, row, T_STATUS);
		const char *service = router_service(&b, status);

		count_status(stats, status);
		if (service)
			add_router(&b, row, service);
	}
	return builder_finish(&b);
}

apex_status
routes_build(PGconn *conn, const apex_config *cfg, json_t **doc, routes_stats *stats,
	     apex_error *err)
{
	routes_stats local;
	snapshot snap;
	double started = apex_now_ms();

	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	*doc = NULL;
	if (routes_load(conn, &snap, err))
		return APEX_FAILED;
	stats->load_ms = apex_now_ms() - started;
	stats->config_version = snap.version;
	stats->maintenance = snap.maintenance;

	started = apex_now_ms();
	*doc = build_document(cfg, &snap, stats);
	stats->build_ms = apex_now_ms() - started;
	snapshot_free(&snap);
	if (!*doc)
		return apex_fail(err, APEX_FAILED, "could not build the Traefik document: out of memory");
	return APEX_OK;
}

/* Serializes DOC as compact JSON with sorted keys and a final newline. */
static char *
json_text(const json_t *doc, size_t *len)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	size_t n;

	if (!text)
		return NULL;
	n = strlen(text);
	text = realloc(text, n + 2);
	if (!text)
		return NULL;
	text[n] = '\n';
	text[n + 1] = '\0';
	*len = n + 1;
	return text;
}

apex_status
routes_render(PGconn *conn, const apex_config *cfg, routes_format format, char **out,
	      size_t *len, routes_stats *stats, apex_error *err)
{
	routes_stats local;
	json_t *doc;
	double started;

	if (!stats)
		stats = &local;
	*out = NULL;
	*len = 0;
	if (routes_build(conn, cfg, &doc, stats, err))
		return APEX_FAILED;

	started = apex_now_ms();
	if (format == ROUTES_YAML)
		*out = routes_yaml_dump(doc, len);
	else
		*out = json_text(doc, len);
	json_decref(doc);
	stats->build_ms += apex_now_ms() - started;
	if (!*out)
		return apex_fail(err, APEX_FAILED, "could not serialize the Traefik document: out of memory");
	return APEX_OK;
}

apex_status
routes_config_version(PGconn *conn, long long *version, apex_error *err)
{
	char *value = apex_db_value(conn, err, "could not read the configuration version",
				    "SELECT config_version FROM apex.platform", 0, NULL);

	if (!value)
		return APEX_FAILED;
	*version = atoll(value);
	free(value);
	return APEX_OK;
}
