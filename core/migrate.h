/*
 * migrate.h - versioned, idempotent migrations of the "apex" control schema.
 */
#ifndef APEX_MIGRATE_H
#define APEX_MIGRATE_H

#include <libpq-fe.h>

#include "config.h"
#include "error.h"

/*
 * Applies every migration newer than the recorded version, each in its own
 * transaction under an advisory lock, then syncs apex.plans from CFG.
 * Running it again changes nothing.  *applied receives the number of
 * migrations applied now (may be NULL).
 */
apex_status apex_migrate(PGconn *conn, const apex_config *cfg, int *applied, apex_error *err);

/* Returns the newest schema version this build can migrate to. */
int apex_schema_version_latest(void);

/*
 * Returns the schema version in the database (0 when "apex init" never ran)
 * or -1 with ERR filled.
 */
int apex_schema_version(PGconn *conn, apex_error *err);

/* Fails with a hint to run "apexctl init" unless the schema is current. */
apex_status apex_require_schema(PGconn *conn, apex_error *err);

#endif
