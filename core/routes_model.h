/*
 * routes_model.h - the Traefik document as plain C data, shared by the
 * routes*.c files only.
 *
 * routes.c makes every decision (which tenants get a router, which hosts,
 * service, middlewares and header values) into a route_model.  Two writers
 * turn the model into output: routes_model_json() streams the compact JSON
 * that apex-provider serves, and routes_model_tree() builds the jansson tree
 * behind the YAML output.  Both give the same document, which the tests
 * check byte for byte.
 */
#ifndef APEX_ROUTES_MODEL_H
#define APEX_ROUTES_MODEL_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "config.h"
#include "routes.h"
#include "validate.h"

typedef struct plan_info {
	const char *name;		/* borrowed from the plans result */
	long long average;
	long long burst;
	char **features;		/* valid feature names, sorted, unique */
	size_t n_features;
	char *features_text;		/* the same joined with "," */
	char middleware[APEX_NAME_MAX + 32];	/* "plan-<name>-ratelimit" */
} plan_info;

typedef struct route_entry {
	const char *subdomain;		/* borrowed from the tenants result */
	const char *schema;
	const char *plan;
	const plan_info *plan_info;	/* NULL: no rate limit, the plan is unknown */
	const char *service;		/* "storefront", "suspended" or "maintenance" */
	char router[APEX_SUBDOMAIN_MAX + 8];	/* "tenant-<sub>" */
	char headers[APEX_SUBDOMAIN_MAX + 16];	/* "tenant-<sub>-headers" */
	char *rule;
	char *features;			/* X-Tenant-Features */
} route_entry;

typedef struct route_model {
	const apex_config *cfg;
	PGresult *tenants;
	PGresult *plans;
	plan_info *plan_infos;		/* sorted by middleware name */
	size_t n_plans;
	route_entry *entries;		/* sorted by router name */
	size_t n_entries;
	route_entry **by_headers;	/* the same entries sorted by headers name */
} route_model;

/* Reads one snapshot and decides the document; fills STATS except the timings. */
apex_status routes_model_load(PGconn *conn, const apex_config *cfg, route_model *model,
			      routes_stats *stats, apex_error *err);

void routes_model_free(route_model *model);

/* Writes the compact JSON document with a final newline; returns NULL without memory. */
char *routes_model_json(const route_model *model, size_t *len);

/* Builds the same document as a jansson tree. */
json_t *routes_model_tree(const route_model *model);

#endif
