/*
 * config.h - the Apex configuration: defaults, apex.yaml, environment.
 *
 * Precedence: command-line options (set by the front ends after loading)
 * override the environment, which overrides the file, which overrides the
 * compiled-in defaults.  The file is found through --config, else
 * APEX_CONFIG, else /etc/apex/apex.yaml when it exists.
 */
#ifndef APEX_CONFIG_H
#define APEX_CONFIG_H

#include <stddef.h>

#include "error.h"

#define APEX_NAME_MAX 63	/* plan, feature, blueprint and key names */

typedef struct apex_plan {
	char name[APEX_NAME_MAX + 1];
	long products;		/* quota limits; -1 means unlimited */
	long users;
	long pages;
	long storage_mb;
	long rate_average;	/* Traefik rateLimit average, requests per second */
	long rate_burst;	/* Traefik rateLimit burst */
	char **features;
	size_t n_features;
} apex_plan;

typedef struct apex_config {
	char *path;		/* the file loaded, or NULL when none was */
	char *database;		/* libpq conninfo or URI; NULL: PG* or private */
	char *base_domain;
	char *blueprints_dir;
	char *backup_dir;
	char *apex_home;	/* private cluster and state: $APEX_HOME */
	long target_ms;		/* provisioning.target_ms */
	long spare_schemas;	/* provisioning.spare_schemas: prepared schemas kept ready */
	char **entry_points;
	size_t n_entry_points;
	char **service_urls;
	size_t n_service_urls;
	char *suspended_url;	/* "" when not configured */
	char *maintenance_url;	/* "" when not configured */
	char *cert_resolver;	/* "" when not configured */
	char *provider_listen;
	char *provider_token_file;	/* "" when not configured */
	char *alerts_command;	/* "" when not configured */
	apex_plan *plans;
	size_t n_plans;
} apex_config;

/*
 * Loads the configuration: defaults, then the file (PATH, else $APEX_CONFIG,
 * else /etc/apex/apex.yaml if present), then the environment.  Returns
 * APEX_INVALID with "FILE:LINE:COLUMN: ..." for a bad file.  On success the
 * caller frees *out with apex_config_free().
 */
apex_status apex_config_load(const char *path, apex_config **out, apex_error *err);

/* Loads only the defaults and the environment (no file); aborts only when out of memory. */
apex_config *apex_config_defaults(void);

void apex_config_free(apex_config *cfg);

/* Replaces a string setting; takes a copy of VALUE. */
void apex_config_set(char **field, const char *value);

/* Returns the plan called NAME, or NULL. */
const apex_plan *apex_config_plan(const apex_config *cfg, const char *name);

/* Returns 1 when PLAN lists FEATURE. */
int apex_plan_has_feature(const apex_plan *plan, const char *feature);

/*
 * Returns the connection string the tools use: the configured database, or
 * "" when libpq's PG* variables or service file decide, or the private
 * cluster's socket in $APEX_HOME, in which case *is_private is set to 1.
 * The caller frees the result.
 */
char *apex_config_conninfo(const apex_config *cfg, int *is_private);

#endif
