/*
 * tui_tenants.c - the tenants screen: every tenant in a table colored by
 * status, with a filter, a sort column and fast paging.
 *
 * The rows' strings point into the PGresults that loaded them, which stay
 * alive until the next full load.  A notification on "apex_config" loads
 * only the rows updated lately; see load_changed().
 */
#include "tui.h"

#include <menu.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define TENANT_ROW_COLUMNS \
	"id, subdomain, display_name, plan, status, " \
	"to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), " \
	"coalesce(provisioning_ms, -1), " \
	"to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

/*
 * Rows written by a transaction that started before the newest change seen
 * carry an older updated_at, so the changed-rows query looks back this far.
 * TODO: a write transaction open longer than this can still be missed
 * until the next full load (Ctrl-L or a reconnection).
 */
#define CHANGE_WINDOW "interval '2 minutes'"

/* Above this many kept results, a full load frees the memory again. */
#define MAX_CHUNKS 64

static void
free_chunks(tui_tenants *tn)
{
	for (size_t i = 0; i < tn->n_chunks; i++)
		PQclear(tn->chunks[i]);
	tn->n_chunks = 0;
}

static void
keep_chunk(tui_tenants *tn, PGresult *res)
{
	if (tn->n_chunks == tn->cap_chunks) {
		tn->cap_chunks = tn->cap_chunks ? tn->cap_chunks * 2 : 8;
		tn->chunks = realloc(tn->chunks, tn->cap_chunks * sizeof(*tn->chunks));
		if (!tn->chunks)
			abort();
	}
	tn->chunks[tn->n_chunks++] = res;
}

static void
upsert_rows(tui_tenants *tn, PGresult *res)
{
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		tui_row row = {
			.id = atoll(PQgetvalue(res, i, 0)),
			.subdomain = PQgetvalue(res, i, 1),
			.name = PQgetvalue(res, i, 2),
			.plan = PQgetvalue(res, i, 3),
			.status = PQgetvalue(res, i, 4),
			.created = PQgetvalue(res, i, 5),
			.provisioning_ms = atof(PQgetvalue(res, i, 6)),
		};
		const char *updated = PQgetvalue(res, i, 7);

		tui_table_upsert(&tn->table, &row);
		if (strcmp(updated, tn->max_updated) > 0)
			snprintf(tn->max_updated, sizeof(tn->max_updated), "%s", updated);
	}
}

static PGresult *
query_rows(tui_app *app, int full)
{
	const char *params[1] = { app->tenants.max_updated };
	apex_error err = { 0 };
	PGresult *res;

	if (full)
		res = apex_db_query(app->ctx.conn, &err, "could not load the tenants",
				    "SELECT " TENANT_ROW_COLUMNS " FROM apex.tenants ORDER BY id", 0, NULL);
	else
		res = apex_db_query(app->ctx.conn, &err, "could not load the changed tenants",
				    "SELECT " TENANT_ROW_COLUMNS " FROM apex.tenants WHERE updated_at > "
				    "$1::timestamptz - " CHANGE_WINDOW " ORDER BY id", 1, params);
	if (!res)
		tui_db_failed(app, &err);
	return res;
}

/* Returns the number of tenants in the database, or -1. */
static long long
count_rows(tui_app *app)
{
	apex_error err = { 0 };
	char *value = apex_db_value(app->ctx.conn, &err, "could not count the tenants",
				    "SELECT count(*) FROM apex.tenants", 0, NULL);
	long long n;

	if (!value) {
		tui_db_failed(app, &err);
		return -1;
	}
	n = atoll(value);
	free(value);
	return n;
}

static void
load_full(tui_app *app)
{
	tui_tenants *tn = &app->tenants;
	PGresult *res = query_rows(app, 1);

	if (!res)
		return;
	tui_table_clear(&tn->table);
	free_chunks(tn);
	tn->max_updated[0] = '\0';
	keep_chunk(tn, res);
	upsert_rows(tn, res);
	tui_table_refresh(&tn->table);
	tn->loaded = 1;
}

/*
 * Loads the rows updated within CHANGE_WINDOW of the newest change seen.
 * When the count of tenants then differs from the database's, an insert
 * was missed, so everything is loaded again.
 */
static void
load_changed(tui_app *app)
{
	tui_tenants *tn = &app->tenants;
	PGresult *res;
	long long total;

	if (!tn->loaded || !tn->max_updated[0] || tn->n_chunks >= MAX_CHUNKS) {
		load_full(app);
		return;
	}
	res = query_rows(app, 0);
	if (!res)
		return;
	keep_chunk(tn, res);
	upsert_rows(tn, res);
	tui_table_refresh(&tn->table);
	total = count_rows(app);
	if (total >= 0 && (size_t)total != tn->table.n_rows)
		load_full(app);
}

void
tui_tenants_load(tui_app *app, int full)
{
	if (full)
		load_full(app);
	else
		load_changed(app);
	app->dirty = 1;
}

void
tui_tenants_free(tui_app *app)
{
	tui_table_free(&app->tenants.table);
	free_chunks(&app->tenants);
	free(app->tenants.chunks);
	app->tenants.chunks = NULL;
}

/* ---- drawing ---- */

typedef struct layout {
	int width[COL_COUNT];		/* 0: the column is left out */
	int x[COL_COUNT];
} layout;

/* Fits the columns into COLS: the name takes what is left, narrow terminals drop columns. */
static void
compute_layout(layout *l, int cols)
{
	static const int fixed[COL_COUNT] = { 24, 0, 10, 9, 16, 8 };
	/* the order in which columns are left out when the terminal is narrow */
	static const tui_column drop[] = { COL_CREATED, COL_PROVISIONING, COL_PLAN, COL_NAME };
	int need, x = 0;

	memcpy(l->width, fixed, sizeof(l->width));
	l->width[COL_NAME] = 12;
	for (size_t d = 0;; d++) {
		need = 0;
		for (int c = 0; c < COL_COUNT; c++)
			need += l->width[c] ? l->width[c] + 1 : 0;
		if (need <= cols || d == sizeof(drop) / sizeof(drop[0]))
			break;
		l->width[drop[d]] = 0;
	}
	if (l->width[COL_NAME])
		l->width[COL_NAME] += cols - need;
	else
		l->width[COL_SUBDOMAIN] += cols - need;
	if (l->width[COL_SUBDOMAIN] > cols)
		l->width[COL_SUBDOMAIN] = cols;
	for (int c = 0; c < COL_COUNT; c++) {
		l->x[c] = x;
		x += l->width[c] ? l->width[c] + 1 : 0;
	}
}

static void
draw_header(tui_app *app, const layout *l, int y)
{
	const tui_table *t = &app->tenants.table;
	attr_t attr = A_BOLD | A_UNDERLINE;

	for (int c = 0; c < COL_COUNT; c++) {
		char title[48];
		const char *arrow = "";

		if (!l->width[c])
			continue;
		if ((int)t->sort_column == c && t->descending)
			arrow = app->utf8 ? " \u25bc" : " v";
		else if ((int)t->sort_column == c)
			arrow = app->utf8 ? " \u25b2" : " ^";
		snprintf(title, sizeof(title), "%s%s", tui_column_title((tui_column)c), arrow);
		tui_put(app, app->win, y, l->x[c], l->width[c] + 1, title, attr);
	}
}

static void
draw_row(tui_app *app, const layout *l, int y, const tui_row *row, int selected)
{
	attr_t status = tui_status_attr(app, row->status);
	attr_t base = selected ? A_REVERSE : A_NORMAL;
	char ms[24];

	if (row->provisioning_ms >= 0)
		snprintf(ms, sizeof(ms), "%8.1f", row->provisioning_ms);
	else
		snprintf(ms, sizeof(ms), "%8s", "-");
	tui_put(app, app->win, y, 0, COLS, "", base);
	tui_put(app, app->win, y, l->x[COL_SUBDOMAIN], l->width[COL_SUBDOMAIN], row->subdomain,
		base | status);
	tui_put(app, app->win, y, l->x[COL_NAME], l->width[COL_NAME], row->name, base);
	tui_put(app, app->win, y, l->x[COL_PLAN], l->width[COL_PLAN], row->plan, base);
	tui_put(app, app->win, y, l->x[COL_STATUS], l->width[COL_STATUS], row->status, base | status);
	tui_put(app, app->win, y, l->x[COL_CREATED], l->width[COL_CREATED], row->created, base);
	tui_put(app, app->win, y, l->x[COL_PROVISIONING], l->width[COL_PROVISIONING], ms, base);
}

/* Rows of the table on screen: the body less the header line. */
static size_t
page_rows(void)
{
	int rows = tui_body_rows() - 1;

	return rows > 0 ? (size_t)rows : 1;
}

static const char *
empty_text(const tui_app *app)
{
	if (!app->tenants.loaded)
		return "loading...";
	if (app->tenants.table.n_rows > 0)
		return "no tenant matches the filter";
	return app->read_only ? "no tenants yet" : "no tenants yet; press n to provision one";
}

void
tui_tenants_draw(tui_app *app)
{
	tui_table *t = &app->tenants.table;
	size_t page = page_rows();
	int y = tui_body_top();
	layout l;

	compute_layout(&l, COLS);
	draw_header(app, &l, y++);
	tui_table_scroll(t, page);
	for (size_t i = 0; i < page && t->top + i < t->n_shown; i++) {
		size_t index = t->top + i;

		draw_row(app, &l, y + (int)i, &t->rows[t->shown[index]], index == t->cursor);
	}
	if (t->n_shown == 0)
		tui_put(app, app->win, y, 0, COLS, empty_text(app), A_DIM);
	if (t->filter[0])
		snprintf(app->info, sizeof(app->info), "%zu of %zu  filter: %.60s", t->n_shown, t->n_rows,
			 t->filter);
	else
		snprintf(app->info, sizeof(app->info), "%zu tenant%s", t->n_rows, t->n_rows == 1 ? "" : "s");
}

/* ---- actions ---- */

static int
move_selection(tui_app *app, tui_action action)
{
	tui_table *t = &app->tenants.table;
	long page = (long)page_rows();

	switch (action) {
	case ACT_UP: tui_table_move(t, -1, (size_t)page); return 1;
	case ACT_DOWN: tui_table_move(t, 1, (size_t)page); return 1;
	case ACT_PAGE_UP: tui_table_move(t, -page, (size_t)page); return 1;
	case ACT_PAGE_DOWN: tui_table_move(t, page, (size_t)page); return 1;
	case ACT_HALF_UP: tui_table_move(t, -page / 2, (size_t)page); return 1;
	case ACT_HALF_DOWN: tui_table_move(t, page / 2, (size_t)page); return 1;
	case ACT_TOP: tui_table_move(t, -(long)t->n_shown, (size_t)page); return 1;
	case ACT_BOTTOM: tui_table_move(t, (long)t->n_shown, (size_t)page); return 1;
	default: return 0;
	}
}

static int
sort_action(tui_app *app, tui_action action)
{
	tui_table *t = &app->tenants.table;

	switch (action) {
	case ACT_SORT_NEXT:
		tui_table_set_sort(t, (tui_column)((t->sort_column + 1) % COL_COUNT), t->descending);
		return 1;
	case ACT_SORT_PREV:
		tui_table_set_sort(t, (tui_column)((t->sort_column + COL_COUNT - 1) % COL_COUNT),
				   t->descending);
		return 1;
	case ACT_SORT_INVERT:
		tui_table_set_sort(t, t->sort_column, !t->descending);
		return 1;
	case ACT_SORT_MENU:
		tui_tenants_sort_menu(app);
		return 1;
	default:
		return 0;
	}
}

static int
tenant_action(tui_app *app, tui_action action, const tui_row *row)
{
	switch (action) {
	case ACT_OPEN:
		tui_detail_open(app, row->subdomain);
		return 1;
	case ACT_SUSPEND:
		tui_confirm_open(app, CONFIRM_SUSPEND, row->subdomain, 0);
		return 1;
	case ACT_RESUME:
		tui_confirm_open(app, CONFIRM_RESUME, row->subdomain, 0);
		return 1;
	case ACT_ARCHIVE:
		tui_confirm_open(app, CONFIRM_ARCHIVE, row->subdomain, 0);
		return 1;
	case ACT_TENANT_AUDIT: {
		char filter[96];

		snprintf(filter, sizeof(filter), "tenant:%s", row->subdomain);
		app->audit.return_to = SCREEN_TENANTS;
		tui_audit_set_filter(app, filter);
		tui_show(app, SCREEN_AUDIT);
		return 1;
	}
	default:
		return 0;
	}
}

int
tui_tenants_handle(tui_app *app, tui_action action)
{
	const tui_row *row = tui_table_selected(&app->tenants.table);

	if (move_selection(app, action) || sort_action(app, action))
		return 1;
	switch (action) {
	case ACT_FILTER:
		tui_prompt_open(app, SCREEN_TENANTS, app->tenants.table.filter);
		return 1;
	case ACT_CLEAR_FILTER:
		tui_table_set_filter(&app->tenants.table, "");
		return 1;
	case ACT_NEW:
		tui_form_open(app);
		return 1;
	default:
		break;
	}
	if (row && tenant_action(app, action, row))
		return 1;
	return action == ACT_OPEN || action == ACT_SUSPEND || action == ACT_RESUME ||
	       action == ACT_ARCHIVE || action == ACT_TENANT_AUDIT;
}

/* ---- sort menu (menu library) ---- */

void
tui_tenants_sort_menu(tui_app *app)
{
	ITEM **items = calloc(COL_COUNT + 1, sizeof(*items));
	MENU *menu;

	if (!items)
		abort();
	for (int c = 0; c < COL_COUNT; c++)
		items[c] = new_item(tui_column_title((tui_column)c), "");
	menu = new_menu(items);
	set_menu_mark(menu, "> ");
	set_current_item(menu, items[app->tenants.table.sort_column]);
	app->menu.menu = menu;
	app->menu.items = items;
	app->dialog = DIALOG_MENU;
}

void
tui_menu_post(tui_app *app)
{
	MENU *menu = app->menu.menu;
	int rows = COL_COUNT + 4, cols = 30;

	if (!menu)
		return;
	if (!app->menu.win) {
		app->menu.win = newwin(rows, cols, (LINES - rows) / 2, (COLS - cols) / 2);
		app->menu.panel = new_panel(app->menu.win);
		set_menu_win(menu, app->menu.win);
		set_menu_sub(menu, derwin(app->menu.win, COL_COUNT, cols - 4, 2, 2));
		set_menu_fore(menu, A_REVERSE);
		post_menu(menu);
	}
	tui_box(app, app->menu.win);
	tui_title(app, app->menu.win, " Sort by ");
	pos_menu_cursor(menu);
}

void
tui_menu_close(tui_app *app)
{
	MENU *menu = app->menu.menu;
	ITEM **items = app->menu.items;

	if (menu) {
		WINDOW *sub = menu_sub(menu);

		unpost_menu(menu);
		free_menu(menu);
		if (sub && sub != app->menu.win)
			delwin(sub);
	}
	for (int c = 0; items && c < COL_COUNT; c++)
		free_item(items[c]);
	free(items);
	if (app->menu.panel)
		del_panel(app->menu.panel);
	if (app->menu.win)
		delwin(app->menu.win);
	memset(&app->menu, 0, sizeof(app->menu));
	app->dialog = DIALOG_NONE;
	app->dirty = 1;
}

int
tui_menu_handle(tui_app *app, tui_action action)
{
	MENU *menu = app->menu.menu;

	switch (action) {
	case ACT_DOWN: menu_driver(menu, REQ_DOWN_ITEM); break;
	case ACT_UP: menu_driver(menu, REQ_UP_ITEM); break;
	case ACT_TOP: case ACT_PAGE_UP: menu_driver(menu, REQ_FIRST_ITEM); break;
	case ACT_BOTTOM: case ACT_PAGE_DOWN: menu_driver(menu, REQ_LAST_ITEM); break;
	case ACT_ACCEPT: {
		int column = item_index(current_item(menu));

		tui_menu_close(app);
		tui_table_set_sort(&app->tenants.table, (tui_column)column, app->tenants.table.descending);
		break;
	}
	case ACT_CANCEL:
	case ACT_BACK:
		tui_menu_close(app);
		break;
	default:
		break;
	}
	return 1;
}
