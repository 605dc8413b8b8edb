/*
 * routes.c - reading the routing state and deciding the Traefik document.
 *
 * The rows come from one snapshot, then each tenant's router is decided
 * into a route_model (see routes_model.h), which the writers serialize with
 * sorted keys, so equal state gives equal bytes.  Values that would break
 * Traefik's rule parser, claim a host twice or put control characters into
 * a header are left out and counted, never passed through.
 */
#include "routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "db.h"
#include "routes_model.h"
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

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

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
	text = xcalloc(size, 1);
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

/* ---- plans ---- */

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
	snprintf(p->middleware, sizeof(p->middleware), "plan-%s-ratelimit", p->name);
	append_features(PQgetvalue(res, row, 3), &array, &names, &n);
	n = sort_unique(names, n);
	p->features = xcalloc(n + 1, sizeof(*p->features));
	for (size_t i = 0; i < n; i++)
		p->features[i] = strdup(names[i]);
	p->n_features = n;
	p->features_text = join_strings(p->features, n);
	free(names);
	json_decref(array);
}

static int
compare_plans(const void *a, const void *b)
{
	return strcmp(((const plan_info *)a)->middleware, ((const plan_info *)b)->middleware);
}

/* Loads the plans whose names are valid, sorted by middleware name. */
static void
load_plans(route_model *m)
{
	int n = PQntuples(m->plans);

	m->plan_infos = xcalloc((size_t)n + 1, sizeof(*m->plan_infos));
	for (int row = 0; row < n; row++) {
		if (apex_validate_plan_name(PQgetvalue(m->plans, row, 0), NULL) == APEX_OK)
			plan_info_load(&m->plan_infos[m->n_plans++], m->plans, row);
	}
	qsort(m->plan_infos, m->n_plans, sizeof(*m->plan_infos), compare_plans);
}

static const plan_info *
find_plan(const route_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_plans; i++)
		if (strcmp(m->plan_infos[i].name, name) == 0)
			return &m->plan_infos[i];
	return NULL;
}

/* ---- loading one snapshot ---- */

static apex_status
read_platform(PGconn *conn, routes_stats *stats, apex_error *err)
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
	stats->config_version = atoll(PQgetvalue(res, 0, 0));
	stats->maintenance = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	return APEX_OK;
}

static apex_status
read_rows(PGconn *conn, route_model *m, routes_stats *stats, apex_error *err)
{
	if (read_platform(conn, stats, err))
		return APEX_FAILED;
	m->plans = apex_db_query(conn, err, "could not read apex.plans", PLANS_SQL, 0, NULL);
	if (!m->plans)
		return APEX_FAILED;
	m->tenants = apex_db_query(conn, err, "could not read apex.tenants", TENANTS_SQL, 0, NULL);
	if (!m->tenants)
		return APEX_FAILED;
	return APEX_OK;
}

/*
 * Reads every row the document needs from one snapshot: a REPEATABLE READ
 * READ ONLY transaction of its own, or the caller's open transaction.
 */
static apex_status
read_snapshot(PGconn *conn, route_model *m, routes_stats *stats, apex_error *err)
{
	int own_transaction = PQtransactionStatus(conn) == PQTRANS_IDLE;
	apex_status st;

	if (own_transaction &&
	    apex_db_command(conn, err, "could not start a read-only transaction",
			    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
		return APEX_FAILED;

	st = read_rows(conn, m, stats, err);

	if (own_transaction) {
		if (st == APEX_OK)
			st = apex_db_command(conn, err, "could not end the read-only transaction", "COMMIT");
		else
			PQclear(PQexec(conn, "ROLLBACK"));
	}
	return st;
}

/* ---- deciding the routers ---- */

/* Host names already routed, as a set, so that each is claimed once. */
typedef struct decider {
	route_model *model;
	routes_stats *stats;
	json_t *claimed;
} decider;

/* The service a tenant's router points to, or NULL for no router. */
static const char *
router_service(const decider *d, const char *status)
{
	const apex_config *cfg = d->model->cfg;

	if (strcmp(status, "active") == 0)
		return d->stats->maintenance && cfg->maintenance_url[0] ? "maintenance" : "storefront";
	if (strcmp(status, "suspended") == 0 && cfg->suspended_url[0])
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
primary_host(const decider *d, const char *subdomain, char *host, size_t size)
{
	int n = snprintf(host, size, "%s.%s", subdomain, d->model->cfg->base_domain);

	return n > 0 && (size_t)n < size && apex_validate_domain(host, NULL) == APEX_OK;
}

/*
 * Claims the primary host of every tenant that gets a router, before any
 * custom domain is looked at, so a custom domain can never take over
 * another tenant's own host name.
 */
static void
claim_primary_hosts(decider *d)
{
	const PGresult *res = d->model->tenants;
	char host[APEX_DOMAIN_MAX + 2];

	for (int row = 0; row < PQntuples(res); row++) {
		if (!router_service(d, PQgetvalue(res, row, T_STATUS)))
			continue;
		if (primary_host(d, PQgetvalue(res, row, T_SUBDOMAIN), host, sizeof(host)))
			json_object_set_new(d->claimed, host, json_true());
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
build_rule(decider *d, int row, rule_text *rule)
{
	const char *domains = PQgetvalue(d->model->tenants, row, T_DOMAINS);
	char host[APEX_DOMAIN_MAX + 2];
	json_t *array;
	json_t *item;
	size_t i;

	if (primary_host(d, PQgetvalue(d->model->tenants, row, T_SUBDOMAIN), host, sizeof(host)))
		rule_add_host(rule, host);
	else
		d->stats->skipped_hosts++;
	array = domains[0] ? json_loads(domains, 0, NULL) : NULL;
	json_array_foreach(array, i, item) {
		const char *domain = json_string_value(item);

		if (!domain || apex_validate_domain(domain, NULL) || json_object_get(d->claimed, domain)) {
			d->stats->skipped_hosts++;
			continue;
		}
		json_object_set_new(d->claimed, domain, json_true());
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
	char **names;
	char **removed = NULL;
	size_t n = 0, n_removed = 0, kept = 0;
	char *text;

	if (!enabled[0] && !disabled[0])
		return strdup(plan ? plan->features_text : "");
	names = xcalloc((plan ? plan->n_features : 0) + 1, sizeof(*names));
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

/*
 * Returns 1 when the row's values can go into names and header values:
 * a subdomain that fits the name buffers, and printable schema and plan.
 */
static int
row_usable(const PGresult *res, int row)
{
	return strlen(PQgetvalue(res, row, T_SUBDOMAIN)) <= APEX_SUBDOMAIN_MAX &&
	       apex_text_is_printable(PQgetvalue(res, row, T_SCHEMA)) &&
	       apex_text_is_printable(PQgetvalue(res, row, T_PLAN));
}

/* Decides the router of the tenant in ROW into the next entry, unless it has no host. */
static void
add_entry(decider *d, int row, const char *service)
{
	route_model *m = d->model;
	const PGresult *res = m->tenants;
	route_entry *e = &m->entries[m->n_entries];
	rule_text rule = { 0 };

	build_rule(d, row, &rule);
	if (rule.hosts == 0)
		return;
	e->subdomain = PQgetvalue(res, row, T_SUBDOMAIN);
	e->schema = PQgetvalue(res, row, T_SCHEMA);
	e->plan = PQgetvalue(res, row, T_PLAN);
	e->plan_info = find_plan(m, e->plan);
	e->service = service;
	e->rule = rule.data;
	e->features = tenant_features(e->plan_info, PQgetvalue(res, row, T_ENABLED),
				      PQgetvalue(res, row, T_DISABLED));
	snprintf(e->router, sizeof(e->router), "tenant-%s", e->subdomain);
	snprintf(e->headers, sizeof(e->headers), "tenant-%s-headers", e->subdomain);
	if (!e->plan_info)
		d->stats->unknown_plans++;
	m->n_entries++;
}

static int
compare_routers(const void *a, const void *b)
{
	return strcmp(((const route_entry *)a)->router, ((const route_entry *)b)->router);
}

static int
compare_headers(const void *a, const void *b)
{
	return strcmp((*(route_entry *const *)a)->headers, (*(route_entry *const *)b)->headers);
}

/* Sorts the entries by router name and indexes them by headers name, which orders differently. */
static void
sort_entries(route_model *m)
{
	qsort(m->entries, m->n_entries, sizeof(*m->entries), compare_routers);
	m->by_headers = xcalloc(m->n_entries + 1, sizeof(*m->by_headers));
	for (size_t i = 0; i < m->n_entries; i++)
		m->by_headers[i] = &m->entries[i];
	qsort(m->by_headers, m->n_entries, sizeof(*m->by_headers), compare_headers);
}

static void
decide_routers(route_model *m, routes_stats *stats)
{
	const PGresult *res = m->tenants;
	decider d = { .model = m, .stats = stats, .claimed = json_object() };

	m->entries = xcalloc((size_t)PQntuples(res) + 1, sizeof(*m->entries));
	claim_primary_hosts(&d);
	for (int row = 0; row < PQntuples(res); row++) {
		const char *status = PQgetvalue(res, row, T_STATUS);
		const char *service = router_service(&d, status);

		count_status(stats, status);
		if (!service)
			continue;
		if (row_usable(res, row))
			add_entry(&d, row, service);
		else
			stats->skipped_tenants++;
	}
	stats->routers = m->n_entries;
	json_decref(d.claimed);
	sort_entries(m);
}

apex_status
routes_model_load(PGconn *conn, const apex_config *cfg, route_model *model, routes_stats *stats,
		  apex_error *err)
{
	memset(model, 0, sizeof(*model));
	model->cfg = cfg;
	if (read_snapshot(conn, model, stats, err)) {
		routes_model_free(model);
		return APEX_FAILED;
	}
	load_plans(model);
	decide_routers(model, stats);
	return APEX_OK;
}

void
routes_model_free(route_model *m)
{
	for (size_t i = 0; i < m->n_plans; i++) {
		for (size_t f = 0; f < m->plan_infos[i].n_features; f++)
			free(m->plan_infos[i].features[f]);
		free(m->plan_infos[i].features);
		free(m->plan_infos[i].features_text);
	}
	for (size_t i = 0; i < m->n_entries; i++) {
		free(m->entries[i].rule);
		free(m->entries[i].features);
	}
	free(m->plan_infos);
	free(m->entries);
	free(m->by_headers);
	PQclear(m->tenants);
	PQclear(m->plans);
	memset(m, 0, sizeof(*m));
}

/* ---- the public interface ---- */

/* Loads the model and records how long reading and deciding took. */
static apex_status
load_timed(PGconn *conn, const apex_config *cfg, route_model *model, routes_stats *stats,
	   apex_error *err)
{
	double started = apex_now_ms();
	apex_status st;

	memset(stats, 0, sizeof(*stats));
	st = routes_model_load(conn, cfg, model, stats, err);
	stats->load_ms = apex_now_ms() - started;
	return st;
}

apex_status
routes_build(PGconn *conn, const apex_config *cfg, json_t **doc, routes_stats *stats,
	     apex_error *err)
{
	routes_stats local;
	route_model model;
	double started;

	if (!stats)
		stats = &local;
	*doc = NULL;
	if (load_timed(conn, cfg, &model, stats, err))
		return APEX_FAILED;
	started = apex_now_ms();
	*doc = routes_model_tree(&model);
	stats->build_ms = apex_now_ms() - started;
	routes_model_free(&model);
	if (!*doc)
		return apex_fail(err, APEX_FAILED, "could not build the Traefik document: out of memory");
	return APEX_OK;
}

/* Serializes MODEL in FORMAT; returns NULL without memory. */
static char *
serialize(const route_model *model, routes_format format, size_t *len)
{
	json_t *doc;
	char *text;

	if (format == ROUTES_JSON)
		return routes_model_json(model, len);
	doc = routes_model_tree(model);
	text = doc ? routes_yaml_dump(doc, len) : NULL;
	json_decref(doc);
	return text;
}

apex_status
routes_render(PGconn *conn, const apex_config *cfg, routes_format format, char **out,
	      size_t *len, routes_stats *stats, apex_error *err)
{
	routes_stats local;
	route_model model;
	double started;

	if (!stats)
		stats = &local;
	*out = NULL;
	*len = 0;
	if (load_timed(conn, cfg, &model, stats, err))
		return APEX_FAILED;
	started = apex_now_ms();
	*out = serialize(&model, format, len);
	stats->build_ms = apex_now_ms() - started;
	routes_model_free(&model);
	if (!*out) {
		*len = 0;
		return apex_fail(err, APEX_FAILED, "could not serialize the Traefik document: out of memory");
	}
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
