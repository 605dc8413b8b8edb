/*
 * spare.h - spare schemas: tenant schemas prepared ahead of provisioning.
 *
 * Creating a tenant's five tables is most of the cost of provisioning
 * (each relation file costs about 0.4 ms on a small VM).  A spare schema
 * "apex_spare_<16 hex digits>" already contains the apex_template tables and
 * the id sequence; provisioning claims one with FOR UPDATE SKIP LOCKED and
 * renames it, inside its own transaction, so a failed provisioning puts the
 * spare back.  apex.spare_schemas lists the spares.
 */
#ifndef APEX_SPARE_H
#define APEX_SPARE_H

#include "context.h"
#include "sqlbuf.h"

/* Appends the DDL of the tenant tables and their id sequence in SCHEMA. */
void spare_tables_sql(sqlbuf *b, const char *schema);

/*
 * Creates spare schemas, one transaction each, until TARGET exist.
 * *created (may be NULL) receives how many were made.
 */
apex_status spare_fill(const apex_ctx *ctx, long target, int *created, apex_error *err);

/*
 * Prepares at most one spare when fewer than TARGET exist and no other
 * session is doing the same (a try-lock), so concurrent provisionings do
 * not pile up DDL.  *created is 0 or 1.
 */
apex_status spare_replenish(const apex_ctx *ctx, long target, int *created, apex_error *err);

/* Returns the number of spare schemas, or -1 with ERR filled. */
long spare_count(const apex_ctx *ctx, apex_error *err);

#endif
