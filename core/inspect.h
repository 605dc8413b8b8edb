/*
 * inspect.h - read-only views for operators' front ends: what a tenant
 * uses, how its provisioning went, its backups, and which version of the
 * routes each apex-provider instance serves.
 *
 * Nothing here writes to the database.
 */
#ifndef APEX_INSPECT_H
#define APEX_INSPECT_H

#include <stddef.h>

#include "context.h"
#include "tenant.h"

/* Rows and storage of a tenant's schema next to its plan's limits. */
typedef struct inspect_usage {
	int schema_exists;		/* 0 after a purge: the counts are 0 */
	long long products, users, pages;
	long long storage_bytes;	/* tables, indexes and TOAST of the schema */
	long products_limit, users_limit, pages_limit, storage_mb_limit;	/* -1: unlimited */
} inspect_usage;

/* Counts the tenant's rows and storage and takes the limits from its plan. */
apex_status inspect_usage_load(const apex_ctx *ctx, const tenant *t, inspect_usage *out,
			       apex_error *err);

/*
 * Writes the tenant's effective features, comma-separated and sorted, into
 * BUF: the plan's features plus the ones enabled for the tenant, minus the
 * ones disabled for it.
 */
apex_status inspect_features(const apex_ctx *ctx, const char *subdomain, char *buf, size_t size,
			     apex_error *err);

/* The newest provisioning run of a tenant, with each phase's duration. */
typedef struct inspect_run {
	int found;			/* 0: no run recorded */
	char started_at[40];		/* ISO 8601, UTC */
	double phase_ms[PHASE_COUNT];	/* 0 for a phase the run did not record */
	double total_ms;
	int round_trips;
	int rows_seeded;
	char actor[APEX_ACTOR_MAX];
} inspect_run;

apex_status inspect_last_run(const apex_ctx *ctx, const char *subdomain, inspect_run *out,
			     apex_error *err);

typedef struct inspect_backup {
	long long id;
	char created_at[40];		/* ISO 8601, UTC */
	char *file;
	long long size_bytes;
	char sha256[65];
	char *actor;
} inspect_backup;

typedef struct inspect_backup_list {
	inspect_backup *items;		/* newest first */
	size_t count;
} inspect_backup_list;

apex_status inspect_backups_load(const apex_ctx *ctx, const char *subdomain,
				 inspect_backup_list *out, apex_error *err);
void inspect_backup_list_free(inspect_backup_list *list);

/* One apex-provider instance as recorded in apex.provider_status. */
typedef struct inspect_provider {
	char instance[128];
	long long version_served;	/* -1 when it has served nothing yet */
	double poll_age_s;		/* seconds since Traefik last polled it; -1: never */
	char last_poll_at[40];		/* ISO 8601, UTC; "" when never */
	double heartbeat_age_s;		/* seconds since the instance last wrote its row */
	long long polls_served;
	char started_at[40];
	char stopped_at[40];		/* ISO 8601, UTC, of a clean stop; "" while running */
} inspect_provider;

typedef struct inspect_fleet {
	long long config_version;	/* apex.platform.config_version */
	int maintenance;		/* apex.platform.maintenance */
	inspect_provider *items;	/* ordered by instance */
	size_t count;
} inspect_fleet;

/*
 * Loads the platform's config_version and every provider instance.  Ages
 * are computed by the server, so the client's clock does not matter.
 */
apex_status inspect_fleet_load(const apex_ctx *ctx, inspect_fleet *out, apex_error *err);
void inspect_fleet_free(inspect_fleet *fleet);

/*
 * Returns the index of the first instance that serves VERSION or newer,
 * was polled within MAX_AGE_S seconds and has not stopped cleanly, or -1
 * when none does.
 */
int inspect_fleet_serving(const inspect_fleet *fleet, long long version, double max_age_s);

#endif
