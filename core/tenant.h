/*
 * tenant.h - tenants: provisioning, lookup and the lifecycle.
 *
 * Every function acts on exactly one tenant, runs in its own transaction,
 * audits the outcome with the context's actor, and bumps
 * apex.platform.config_version with a NOTIFY on channel "apex_config" when
 * the routes change, so apex-provider serves the change at once.
 */
#ifndef APEX_TENANT_H
#define APEX_TENANT_H

#include <stddef.h>

#include "context.h"

/* The NOTIFY channel that announces a new config_version. */
#define APEX_NOTIFY_CHANNEL "apex_config"

typedef struct tenant_request {
	const char *subdomain;
	const char *display_name;	/* NULL: the subdomain */
	const char *email;		/* NULL: "owner@<subdomain>.<base_domain>" */
	const char *plan;		/* NULL: "basic" */
	const char *blueprint;		/* NULL: "standard" */
} tenant_request;

/* The phases of the provisioning pipeline, in order. */
typedef enum provision_phase {
	PHASE_VALIDATE,
	PHASE_SCHEMA,
	PHASE_SEED,
	PHASE_ROUTE,
	PHASE_REGISTER,
	PHASE_COUNT
} provision_phase;

/* Returns "validate", "schema", "seed", "route" or "register". */
const char *provision_phase_name(provision_phase phase);

typedef struct provision_result {
	int created;			/* 0: the tenant already existed as requested */
	double phase_ms[PHASE_COUNT];	/* duration of each phase */
	double commit_ms;		/* the request that writes the run and commits */
	double total_ms;		/* validation to the end of COMMIT */
	int round_trips;		/* requests sent to the server */
	int rows_seeded;
	int from_spare;			/* the schema was a prepared spare (see spare.h) */
	int spares_created;		/* spares prepared after COMMIT to refill the pool */
	double refill_ms;		/* time spent on that, not part of total_ms */
	provision_phase failed_phase;	/* when provisioning failed */
	long long review_id;		/* review_queue row of a failure, or 0 */
} provision_result;

/*
 * Called after each phase completes, for live progress displays.  MS is the
 * phase's duration.  The callback must not use the connection.
 */
typedef void (*provision_progress_fn)(void *data, provision_phase phase, double ms);

/* Test hook: fail deliberately in this phase (APEX_FAIL_PHASE=schema...). */
#define APEX_FAIL_PHASE_ENV "APEX_FAIL_PHASE"

/*
 * Provisions REQ as one transaction: schema and role, seed data from the
 * blueprint, route, registration.  After COMMIT, when
 * provisioning.spare_schemas is set, it prepares spare schemas for the next
 * provisionings (see spare.h); that time is in refill_ms, not total_ms.  A repeated identical request returns
 * APEX_OK with result->created = 0 and changes nothing; a conflicting one
 * returns APEX_INVALID.  On failure nothing of the tenant remains, and a
 * review_queue row and a PROVISIONING_FAILED audit entry are recorded.
 */
apex_status tenant_provision(const apex_ctx *ctx, const tenant_request *req,
			     provision_progress_fn progress, void *progress_data,
			     provision_result *result, apex_error *err);

typedef struct tenant {
	long long id;
	char subdomain[64];
	char schema_name[64];
	char *display_name;
	char *owner_email;
	char plan[64];
	char blueprint[64];
	char status[16];		/* active, suspended, archived */
	char *status_reason;		/* "" when none */
	char **custom_domains;
	size_t n_custom_domains;
	char created_at[40];		/* ISO 8601, UTC */
	char updated_at[40];
	double provisioning_ms;		/* -1 when unknown */
} tenant;

typedef struct tenant_list {
	tenant *items;
	size_t count;
} tenant_list;

/* Loads one tenant; APEX_NOT_FOUND when it does not exist. */
apex_status tenant_get(const apex_ctx *ctx, const char *subdomain, tenant *out, apex_error *err);

/* Loads every tenant ordered by subdomain. */
apex_status tenant_list_load(const apex_ctx *ctx, tenant_list *out, apex_error *err);

void tenant_clear(tenant *t);
void tenant_list_free(tenant_list *list);

/*
 * The kill switch.  Suspending sends the tenant's visitors to the
 * "suspended" service (or removes its router) and revokes the tenant role's
 * USAGE on its schema; resuming restores both.  The reason is recorded in
 * the audit entry; a suspension's reason is also kept as status_reason
 * until the resume clears it.  The reason of a resume may be NULL.  *changed is 0 when the
 * tenant was already in the requested state.  APEX_NOT_FOUND for unknown
 * tenants; archived tenants cannot be suspended or resumed (APEX_INVALID).
 */
apex_status tenant_suspend(const apex_ctx *ctx, const char *subdomain, const char *reason,
			   int *changed, apex_error *err);
apex_status tenant_resume(const apex_ctx *ctx, const char *subdomain, const char *reason,
			  int *changed, apex_error *err);

struct backup_info;

/*
 * Closes a tenant and keeps its data: takes a backup first (see backup.h,
 * filled into *backup), then removes its router and the role's access, and
 * records TENANT_ARCHIVED with the backup.  Active and suspended tenants can
 * be archived; archiving an archived tenant changes nothing.  REASON may be
 * NULL.
 */
apex_status tenant_archive(const apex_ctx *ctx, const char *subdomain, const char *reason,
			   int *changed, struct backup_info *backup, apex_error *err);

/*
 * Bumps apex.platform.config_version and queues a NOTIFY with the new
 * version, inside the caller's transaction.  Returns the SQL to send.
 */
const char *tenant_route_bump_sql(void);

#endif
