/*
 * tui_model.h - the tenants table behind the console's first screen: every
 * tenant in memory, a sort order, a filter and a cursor.
 *
 * Only the visible page is ever drawn, and a filter that extends the
 * previous one (another character typed) only narrows the rows already
 * shown, so keystrokes stay fast with 100,000 tenants.  Nothing here calls
 * curses or libpq, so the Criterion suites can link it.
 */
#ifndef APEX_TUI_MODEL_H
#define APEX_TUI_MODEL_H

#include <stddef.h>

#define TUI_FILTER_MAX 128

/* One tenant.  The strings point into memory of the code that loaded the row. */
typedef struct tui_row {
	long long id;
	const char *subdomain;
	const char *name;
	const char *plan;
	const char *status;		/* active, suspended, archived */
	const char *created;		/* "YYYY-MM-DD HH:MM", UTC */
	double provisioning_ms;		/* -1 when unknown */
} tui_row;

typedef enum tui_column {
	COL_SUBDOMAIN, COL_NAME, COL_PLAN, COL_STATUS, COL_CREATED, COL_PROVISIONING, COL_COUNT
} tui_column;

/* Returns the column's heading, such as "SUBDOMAIN". */
const char *tui_column_title(tui_column column);

typedef struct tui_table {
	tui_row *rows;			/* ordered by id */
	size_t n_rows, cap_rows;
	size_t *order;			/* row indexes in sort order */
	size_t *shown;			/* row indexes passing the filter, in sort order */
	size_t n_shown;
	tui_column sort_column;
	int descending;
	char filter[TUI_FILTER_MAX];
	size_t cursor;			/* index into shown */
	size_t top;			/* index into shown of the first row on screen */
	int stale;			/* rows changed since the last refresh */
	long long keep_id;		/* the tenant selected before they changed */
} tui_table;

void tui_table_init(tui_table *t);
void tui_table_free(tui_table *t);

/* Forgets every row (the caller reloads them). */
void tui_table_clear(tui_table *t);

/*
 * Adds ROW, or replaces the row with the same id.  Call tui_table_refresh()
 * after a batch of upserts.
 */
void tui_table_upsert(tui_table *t, const tui_row *row);

/* Sorts and filters again, keeping the cursor on the same tenant. */
void tui_table_refresh(tui_table *t);

void tui_table_set_sort(tui_table *t, tui_column column, int descending);

/*
 * Applies FILTER (see tui_filter_match).  When FILTER only narrows the
 * current filter, just the rows shown now are tested again.
 */
void tui_table_set_filter(tui_table *t, const char *filter);

/*
 * Returns the row under the cursor, or NULL when no row is shown or rows
 * changed since the last refresh.
 */
const tui_row *tui_table_selected(const tui_table *t);

/* Returns the row with SUBDOMAIN, or NULL. */
const tui_row *tui_table_find(const tui_table *t, const char *subdomain);

/* Moves the cursor by DELTA rows and scrolls so it stays in a page of PAGE rows. */
void tui_table_move(tui_table *t, long delta, size_t page);

/* Scrolls so the cursor is visible in a page of PAGE rows. */
void tui_table_scroll(tui_table *t, size_t page);

/*
 * Returns 1 when ROW passes FILTER: every space-separated word must match.
 * "status:W", "plan:W", "name:W" and "sub:W" match the start of that column;
 * any other word must occur in the subdomain, name, plan or status.
 * Letters are compared without regard to ASCII case.
 */
int tui_filter_match(const char *filter, const tui_row *row);

/*
 * Returns 1 when every row passing NEW also passes OLD, so narrowing the
 * rows shown is enough.
 */
int tui_filter_narrows(const char *old_filter, const char *new_filter);

/* An audit log filter typed on the filter line. */
typedef struct tui_audit_query {
	char tenant[64];		/* from "tenant:SUBDOMAIN" */
	char action[64];		/* from "action:WORD" */
	char text[TUI_FILTER_MAX];	/* the other words, joined by one space */
} tui_audit_query;

/* Splits an audit filter line into its parts. */
void tui_audit_query_parse(const char *line, tui_audit_query *out);

#endif
