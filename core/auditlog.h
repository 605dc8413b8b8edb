/*
 * auditlog.h - reading the audit trail in apex.audit_logs, newest first,
 * with filters, for "apexctl audit" and the console's audit screen.
 *
 * Writing entries is audit.h's job.  New entries are announced on the
 * NOTIFY channel APEX_AUDIT_CHANNEL with an empty payload.  A reader then
 * loads the entries with an id above the newest one it holds.
 */
#ifndef APEX_AUDITLOG_H
#define APEX_AUDITLOG_H

#include <stddef.h>

#include "context.h"

#define APEX_AUDIT_CHANNEL "apex_audit"

/* The default and the maximum number of entries one load returns. */
#define AUDITLOG_DEFAULT_LIMIT 200
#define AUDITLOG_MAX_LIMIT 10000

typedef struct auditlog_entry {
	long long id;
	char at[40];			/* ISO 8601 UTC with milliseconds */
	char *actor;
	char source[16];		/* cli, console, provider, system */
	char *action;
	char *tenant;			/* "" when the entry concerns no tenant */
	int success;
	double duration_ms;		/* -1 when not recorded */
	char *detail;			/* compact JSON text */
} auditlog_entry;

typedef struct auditlog_list {
	auditlog_entry *items;		/* newest first */
	size_t count;
} auditlog_list;

/*
 * Conditions of a load; NULL or "" strings and 0 ids mean "any".  Every
 * given condition must hold.
 */
typedef struct auditlog_filter {
	const char *tenant;		/* exact subdomain */
	const char *action;		/* case-insensitive substring of the action */
	const char *text;		/* case-insensitive substring of tenant, action or actor */
	long long after_id;		/* only entries with a larger id */
	long long before_id;		/* only entries with a smaller id */
	int limit;			/* 0: AUDITLOG_DEFAULT_LIMIT; capped at AUDITLOG_MAX_LIMIT */
} auditlog_filter;

/*
 * Loads the newest entries matching FILTER (NULL: no conditions).  The
 * caller frees OUT with auditlog_list_free().
 */
apex_status auditlog_load(const apex_ctx *ctx, const auditlog_filter *filter, auditlog_list *out,
			  apex_error *err);

void auditlog_entry_clear(auditlog_entry *entry);
void auditlog_list_free(auditlog_list *list);

#endif
