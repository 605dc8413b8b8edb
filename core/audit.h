/*
 * audit.h - the append-only audit trail in apex.audit_logs.
 */
#ifndef APEX_AUDIT_H
#define APEX_AUDIT_H

#include <jansson.h>

#include "context.h"

/*
 * Appends one entry for CTX's actor and source.  TENANT may be NULL,
 * DURATION_MS negative for none, DETAIL NULL for "{}" (the function does not
 * take ownership of DETAIL).  Runs in whatever transaction CONN is in.
 */
apex_status audit_append(const apex_ctx *ctx, const char *action, const char *tenant,
			 int success, double duration_ms, json_t *detail, apex_error *err);

/*
 * Returns the SQL text of an INSERT of the same entry, for batching into a
 * multi-statement request, or NULL when escaping fails.  The caller frees it.
 */
char *audit_insert_sql(const apex_ctx *ctx, const char *action, const char *tenant,
		       int success, double duration_ms, json_t *detail);

#endif
