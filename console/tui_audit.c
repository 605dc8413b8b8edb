/*
 * tui_audit.c - the audit log screen: newest first, live, filterable by
 * tenant and action.
 *
 * New entries (NOTIFY apex_audit) are loaded by id and put on top.  When
 * the operator has scrolled away from the top, the view keeps showing the
 * same entries instead of jumping.  Older entries load a page at a time
 * when the cursor reaches the bottom.
 */
#include "tui.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_ENTRIES 500
#define MAX_ENTRIES 20000

static void
free_entries(tui_audit *a)
{
	for (size_t i = 0; i < a->count; i++)
		auditlog_entry_clear(&a->items[i]);
	a->count = 0;
}

static void
reserve(tui_audit *a, size_t n)
{
	if (n <= a->cap)
		return;
	a->cap = n + PAGE_ENTRIES;
	a->items = realloc(a->items, a->cap * sizeof(*a->items));
	if (!a->items)
		abort();
}

/* Moves the entries of LIST (newest first) in front of or behind the held ones. */
static void
take_entries(tui_audit *a, auditlog_list *list, int in_front)
{
	reserve(a, a->count + list->count);
	if (in_front) {
		memmove(&a->items[list->count], a->items, a->count * sizeof(*a->items));
		memcpy(a->items, list->items, list->count * sizeof(*a->items));
		/* keep the view on the same entries unless it follows the newest */
		if (a->cursor > 0 || a->top > 0) {
			a->cursor += list->count;
			a->top += list->count;
		}
	} else {
		memcpy(&a->items[a->count], list->items, list->count * sizeof(*a->items));
	}
	a->count += list->count;
	free(list->items);
	list->items = NULL;
	list->count = 0;
	while (a->count > MAX_ENTRIES)
		auditlog_entry_clear(&a->items[--a->count]);
	if (a->cursor >= a->count)
		a->cursor = a->count ? a->count - 1 : 0;
}

static void
fill_filter(const tui_audit *a, tui_audit_query *q, auditlog_filter *f)
{
	tui_audit_query_parse(a->filter, q);
	memset(f, 0, sizeof(*f));
	f->tenant = q->tenant;
	f->action = q->action;
	f->text = q->text;
	f->limit = PAGE_ENTRIES;
}

static int
load_page(tui_app *app, long long after_id, long long before_id, int in_front)
{
	tui_audit *a = &app->audit;
	tui_audit_query q;
	auditlog_filter f;
	auditlog_list list;
	apex_error err = { 0 };

	fill_filter(a, &q, &f);
	f.after_id = after_id;
	f.before_id = before_id;
	/* new entries: take them all, however many arrived */
	if (after_id > 0)
		f.limit = AUDITLOG_MAX_LIMIT;
	if (auditlog_load(&app->ctx, &f, &list, &err)) {
		tui_db_failed(app, &err);
		return -1;
	}
	if (!in_front && list.count < (size_t)f.limit)
		a->complete = 1;
	take_entries(a, &list, in_front);
	return 0;
}

void
tui_audit_load(tui_app *app, int full)
{
	tui_audit *a = &app->audit;

	if (full || !a->loaded || a->count == 0) {
		free_entries(a);
		a->cursor = a->top = 0;
		a->complete = 0;
		if (load_page(app, 0, 0, 0) == 0)
			a->loaded = 1;
	} else {
		load_page(app, a->items[0].id, 0, 1);
	}
	app->dirty = 1;
}

static void
load_older(tui_app *app)
{
	tui_audit *a = &app->audit;

	if (!a->complete && a->count > 0 && a->count < MAX_ENTRIES && tui_db_ready(app))
		load_page(app, 0, a->items[a->count - 1].id, 0);
}

void
tui_audit_set_filter(tui_app *app, const char *filter)
{
	snprintf(app->audit.filter, sizeof(app->audit.filter), "%s", filter);
	app->audit.loaded = 0;
	if (tui_db_ready(app))
		tui_audit_load(app, 1);
}

void
tui_audit_free(tui_app *app)
{
	free_entries(&app->audit);
	free(app->audit.items);
	app->audit.items = NULL;
	app->audit.cap = 0;
}

/* ---- drawing ---- */

/* Column widths; each column is followed by one space. */
enum { W_TIME = 20, W_ACTION = 20, W_TENANT = 18, W_STATUS = 8, W_MS = 7, W_SOURCE = 8 };

/*
 * Returns 1 when MS and SOURCE fit, leaving the actor at least 13 columns.
 * The header and the rows both ask here, so they always use one layout.
 */
static int
shows_ms_and_source(void)
{
	return COLS >= 100;
}

static void
draw_header(tui_app *app, int y)
{
	char line[256];

	if (shows_ms_and_source())
		snprintf(line, sizeof(line), "%-*s %-*s %-*s %-*s %*s %-*s ACTOR", W_TIME, "TIME (UTC)",
			 W_ACTION, "ACTION", W_TENANT, "TENANT", W_STATUS, "STATUS", W_MS, "MS",
			 W_SOURCE, "SOURCE");
	else
		snprintf(line, sizeof(line), "%-*s %-*s %-*s %-*s ACTOR", W_TIME, "TIME (UTC)",
			 W_ACTION, "ACTION", W_TENANT, "TENANT", W_STATUS, "STATUS");
	tui_put(app, app->win, y, 0, COLS, line, A_BOLD | A_UNDERLINE);
}

static void
draw_entry(tui_app *app, int y, const auditlog_entry *e, int selected)
{
	attr_t base = selected ? A_REVERSE : A_NORMAL;
	attr_t status = e->success ? A_NORMAL : tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD;
	char at[32], ms[16];
	int x = 0;

	tui_format_time(e->at, at, sizeof(at));
	if (e->duration_ms >= 0)
		snprintf(ms, sizeof(ms), "%7.1f", e->duration_ms);
	else
		snprintf(ms, sizeof(ms), "%7s", "");
	tui_put(app, app->win, y, 0, COLS, "", base);
	tui_put(app, app->win, y, x, W_TIME, at, base);
	x += W_TIME + 1;
	tui_put(app, app->win, y, x, W_ACTION, e->action, base | status);
	x += W_ACTION + 1;
	tui_put(app, app->win, y, x, W_TENANT, e->tenant[0] ? e->tenant : "-", base);
	x += W_TENANT + 1;
	tui_put(app, app->win, y, x, W_STATUS, e->success ? "success" : "failure", base | status);
	x += W_STATUS + 1;
	if (shows_ms_and_source()) {
		tui_put(app, app->win, y, x, W_MS, ms, base);
		x += W_MS + 1;
		tui_put(app, app->win, y, x, W_SOURCE, e->source, base);
		x += W_SOURCE + 1;
	}
	tui_put(app, app->win, y, x, COLS - x, e->actor, base);
}

static size_t
page_rows(void)
{
	int rows = tui_body_rows() - 1;

	return rows > 0 ? (size_t)rows : 1;
}

static void
scroll_to_cursor(tui_audit *a, size_t page)
{
	if (a->cursor < a->top)
		a->top = a->cursor;
	else if (a->cursor >= a->top + page)
		a->top = a->cursor - page + 1;
}

void
tui_audit_draw(tui_app *app)
{
	tui_audit *a = &app->audit;
	size_t page = page_rows();
	int y = tui_body_top();

	draw_header(app, y);
	y++;
	scroll_to_cursor(a, page);
	for (size_t i = 0; i < page && a->top + i < a->count; i++)
		draw_entry(app, y + (int)i, &a->items[a->top + i], a->top + i == a->cursor);
	if (a->count == 0)
		tui_put(app, app->win, y, 0, COLS, a->loaded ? "no audit entries match" : "loading...", A_DIM);
	snprintf(app->info, sizeof(app->info), "%zu%s entr%s%s%.60s", a->count, a->complete ? "" : "+",
		 a->count == 1 ? "y" : "ies", a->filter[0] ? "  filter: " : "", a->filter);
}

/* ---- keys ---- */

static char *
entry_text(const auditlog_entry *e)
{
	json_t *detail = json_loads(e->detail, 0, NULL);
	char *pretty = detail ? json_dumps(detail, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	size_t size = strlen(e->actor) + strlen(e->action) + strlen(e->tenant) +
		      (pretty ? strlen(pretty) : strlen(e->detail)) + 512;
	char *text = malloc(size);
	char duration[32] = "-";

	if (!text)
		abort();
	if (e->duration_ms >= 0)
		snprintf(duration, sizeof(duration), "%.3f ms", e->duration_ms);
	snprintf(text, size, "id:       %lld\ntime:     %s\nactor:    %s\nsource:   %s\n"
		 "action:   %s\ntenant:   %s\nstatus:   %s\nduration: %s\ndetail:\n%s\n",
		 e->id, e->at, e->actor, e->source, e->action, e->tenant[0] ? e->tenant : "-",
		 e->success ? "success" : "failure", duration, pretty ? pretty : e->detail);
	free(pretty);
	json_decref(detail);
	return text;
}

static int
move_selection(tui_app *app, tui_action action)
{
	tui_audit *a = &app->audit;
	long page = (long)page_rows();
	long target = (long)a->cursor;

	switch (action) {
	case ACT_UP: target--; break;
	case ACT_DOWN: target++; break;
	case ACT_PAGE_UP: target -= page; break;
	case ACT_PAGE_DOWN: target += page; break;
	case ACT_HALF_UP: target -= page / 2; break;
	case ACT_HALF_DOWN: target += page / 2; break;
	case ACT_TOP: target = 0; break;
	case ACT_BOTTOM: target = (long)a->count; break;
	default: return 0;
	}
	if (target >= (long)a->count - 1)
		load_older(app);
	if (target >= (long)a->count)
		target = (long)a->count - 1;
	a->cursor = target > 0 ? (size_t)target : 0;
	return 1;
}

int
tui_audit_handle(tui_app *app, tui_action action)
{
	tui_audit *a = &app->audit;
	tui_screen_id back;

	if (move_selection(app, action))
		return 1;
	switch (action) {
	case ACT_FILTER:
		tui_prompt_open(app, SCREEN_AUDIT, a->filter);
		return 1;
	case ACT_CLEAR_FILTER:
		if (!a->filter[0])
			return tui_audit_handle(app, ACT_BACK);
		tui_audit_set_filter(app, "");
		return 1;
	case ACT_OPEN:
		if (a->count > 0)
			tui_popup_open(app, "Audit entry", entry_text(&a->items[a->cursor]));
		return 1;
	case ACT_BACK:
		back = a->return_to;
		a->return_to = SCREEN_TENANTS;
		tui_show(app, back == SCREEN_AUDIT ? SCREEN_TENANTS : back);
		return 1;
	default:
		return 0;
	}
}
