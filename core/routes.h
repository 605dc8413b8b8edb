/*
 * routes.h - the Traefik dynamic configuration rendered from the database.
 *
 * One renderer serves apex-provider (GET /traefik) and "apexctl routes", so
 * both print the same bytes for the same database state and configuration.
 * The document contains:
 *
 *   http.routers      "tenant-<sub>": Host rule for <sub>.<base_domain> and
 *                     the tenant's custom domains, entry points, the
 *                     tenant's header and plan rate-limit middlewares, and
 *                     tls.certResolver when one is configured
 *   http.middlewares  "tenant-<sub>-headers" (X-Tenant-* request headers)
 *                     and "plan-<plan>-ratelimit" for every plan
 *   http.services     "storefront", plus "suspended" and "maintenance" when
 *                     their URLs are configured
 *
 * Active tenants route to "storefront", or to "maintenance" while
 * apex.platform.maintenance is on and routing.maintenance_url is set.
 * Suspended tenants route to "suspended" when routing.suspended_url is set
 * and have no router otherwise.  Archived tenants have no router.
 *
 * Output is deterministic: object keys are sorted bytewise, tenants are read
 * in bytewise subdomain order, and every list keeps a fixed order.
 */
#ifndef APEX_ROUTES_H
#define APEX_ROUTES_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "config.h"
#include "error.h"

typedef enum routes_format {
	ROUTES_JSON,		/* compact JSON, what the HTTP provider serves */
	ROUTES_YAML		/* the same document for Traefik's file provider */
} routes_format;

/* What a rendered document was built from, for logs and metrics. */
typedef struct routes_stats {
	long long config_version;	/* apex.platform.config_version read with the rows */
	int maintenance;		/* apex.platform.maintenance */
	size_t tenants_active;
	size_t tenants_suspended;
	size_t tenants_archived;
	size_t routers;
	size_t skipped_hosts;		/* invalid or already claimed host names left out */
	size_t skipped_tenants;		/* no router: schema or plan text unusable in a header */
	size_t unknown_plans;		/* routers without a rate limit: plan not in apex.plans */
	double load_ms;			/* reading the rows and deciding the routers */
	double build_ms;		/* serializing the document */
} routes_stats;

/*
 * Reads the tenants, plans and platform state in one consistent snapshot
 * and renders the document in FORMAT.  When CONN is idle, the reads run in
 * a REPEATABLE READ READ ONLY transaction of their own; inside a caller's
 * transaction they use it (so tests can render uncommitted state).  On
 * success *out is a NUL-terminated string of *len bytes ending in a newline,
 * which the caller frees; STATS may be NULL.  Nothing is returned on error.
 */
apex_status routes_render(PGconn *conn, const apex_config *cfg, routes_format format,
			  char **out, size_t *len, routes_stats *stats, apex_error *err);

/*
 * Builds the document as a JSON tree (the caller json_decref()s it), with
 * the same snapshot rules as routes_render().
 */
apex_status routes_build(PGconn *conn, const apex_config *cfg, json_t **doc,
			 routes_stats *stats, apex_error *err);

/* Serializes DOC as YAML; returns a string the caller frees, or NULL. */
char *routes_yaml_dump(const json_t *doc, size_t *len);

/* Reads apex.platform.config_version into *version. */
apex_status routes_config_version(PGconn *conn, long long *version, apex_error *err);

#endif
