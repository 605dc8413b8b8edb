/*
 * tui_review.c - the review queue screen: failed provisioning attempts with
 * their error, to retry or dismiss.
 */
#include "tui.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

static void
count_open(tui_app *app)
{
	apex_error err = { 0 };
	char *value = apex_db_value(app->ctx.conn, &err, "could not count the review items",
				    "SELECT count(*) FROM apex.review_queue WHERE state = 'open'", 0, NULL);

	if (!value) {
		tui_db_failed(app, &err);
		return;
	}
	app->review.open_count = atoll(value);
	free(value);
}

void
tui_review_load(tui_app *app)
{
	tui_review *r = &app->review;
	review_list list;
	apex_error err = { 0 };

	count_open(app);
	if (app->screen != SCREEN_REVIEW && !r->loaded)
		return;
	if (!tui_db_ready(app))
		return;
	if (review_list_load(&app->ctx, r->show_closed, &list, &err)) {
		tui_db_failed(app, &err);
		return;
	}
	review_list_free(&r->list);
	r->list = list;
	r->loaded = 1;
	if (r->cursor >= r->list.count)
		r->cursor = r->list.count ? r->list.count - 1 : 0;
	app->dirty = 1;
}

void
tui_review_free(tui_app *app)
{
	review_list_free(&app->review.list);
}

/* ---- drawing ---- */

static size_t
page_rows(void)
{
	int rows = tui_body_rows() - 1;

	return rows > 0 ? (size_t)rows : 1;
}

static void
draw_item(tui_app *app, int y, const review_item *it, int selected)
{
	attr_t base = selected ? A_REVERSE : A_NORMAL;
	attr_t state = strcmp(it->state, "open") == 0 ? tui_attr(app, PAIR_WARN, A_BOLD) : A_DIM;
	char created[32];
	int x = 0;

	tui_format_time(it->created_at, created, sizeof(created));
	tui_put(app, app->win, y, 0, COLS, "", base);
	tui_putf(app, app->win, y, x, 6, base, "%5lld", it->id);
	x += 7;
	tui_put(app, app->win, y, x, 19, created, base);
	x += 20;
	tui_put(app, app->win, y, x, 20, it->subdomain, base);
	x += 21;
	tui_put(app, app->win, y, x, 8, it->failed_phase, base);
	x += 9;
	tui_putf(app, app->win, y, x, 3, base, "%3d", it->attempts);
	x += 4;
	tui_put(app, app->win, y, x, 9, it->state, base | state);
	x += 10;
	tui_put(app, app->win, y, x, COLS - x, it->error, base);
}

void
tui_review_draw(tui_app *app)
{
	tui_review *r = &app->review;
	size_t page = page_rows();
	int y = tui_body_top();

	tui_put(app, app->win, y++, 0, COLS,
		"   ID CREATED (UTC)       SUBDOMAIN            PHASE    TRY STATE     ERROR",
		A_BOLD | A_UNDERLINE);
	if (r->cursor < r->top)
		r->top = r->cursor;
	else if (r->cursor >= r->top + page)
		r->top = r->cursor - page + 1;
	for (size_t i = 0; i < page && r->top + i < r->list.count; i++)
		draw_item(app, y + (int)i, &r->list.items[r->top + i], r->top + i == r->cursor);
	if (r->list.count == 0)
		tui_put(app, app->win, y, 0, COLS, r->loaded ? (r->show_closed ? "the review queue is empty"
							       : "no open items: nothing to review")
							: "loading...", A_DIM);
	snprintf(app->info, sizeof(app->info), "%zu %sitem%s", r->list.count,
		 r->show_closed ? "" : "open ", r->list.count == 1 ? "" : "s");
}

/* ---- actions ---- */

static char *
item_text(const review_item *it)
{
	json_t *request = json_loads(it->request, 0, NULL);
	char *pretty = request ? json_dumps(request, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	size_t size = strlen(it->error) + strlen(it->actor) + (pretty ? strlen(pretty) : strlen(it->request)) + 512;
	char *text = malloc(size);

	if (!text)
		abort();
	snprintf(text, size, "review item %lld (%s)\nsubdomain:    %s\nfailed phase: %s\nerror:        %s\n"
		 "sqlstate:     %s\nattempts:     %d\ncreated:      %s by %s\nupdated:      %s\nrequest:\n%s\n",
		 it->id, it->state, it->subdomain, it->failed_phase, it->error,
		 it->sqlstate[0] ? it->sqlstate : "-", it->attempts, it->created_at, it->actor,
		 it->updated_at, pretty ? pretty : it->request);
	free(pretty);
	json_decref(request);
	return text;
}

static void
retry_progress(void *data, provision_phase phase, double ms)
{
	tui_app *app = data;

	tui_message(app, 0, "retrying: phase %s done in %.1f ms", provision_phase_name(phase), ms);
	tui_render(app);
}

/* Runs after "y" to the retry question. */
static void
retry_selected(tui_app *app)
{
	tui_review *r = &app->review;
	const review_item *it;
	long long id;
	provision_result result;
	apex_error err = { 0 };

	if (r->cursor >= r->list.count || !tui_db_ready(app))
		return;
	it = &r->list.items[r->cursor];
	id = it->id;
	if (review_retry(&app->ctx, id, retry_progress, app, &result, &err)) {
		tui_db_failed(app, &err);
		if (result.review_id)
			tui_message(app, 1, "retry of review item %lld failed again: %s (new item %lld)", id,
				    err.message, result.review_id);
		return;
	}
	tui_message(app, 0, result.created ? "review item %lld retried: tenant provisioned in %.1f ms"
					   : "review item %lld retried: the tenant already existed (%.1f ms)",
		    id, result.total_ms);
}

static int
move_selection(tui_review *r, tui_action action)
{
	long page = (long)page_rows();
	long target = (long)r->cursor;

	switch (action) {
	case ACT_UP: target--; break;
	case ACT_DOWN: target++; break;
	case ACT_PAGE_UP: target -= page; break;
	case ACT_PAGE_DOWN: target += page; break;
	case ACT_HALF_UP: target -= page / 2; break;
	case ACT_HALF_DOWN: target += page / 2; break;
	case ACT_TOP: target = 0; break;
	case ACT_BOTTOM: target = (long)r->list.count; break;
	default: return 0;
	}
	if (target >= (long)r->list.count)
		target = (long)r->list.count - 1;
	r->cursor = target > 0 ? (size_t)target : 0;
	return 1;
}

int
tui_review_handle(tui_app *app, tui_action action)
{
	tui_review *r = &app->review;
	const review_item *it = r->cursor < r->list.count ? &r->list.items[r->cursor] : NULL;

	if (move_selection(r, action))
		return 1;
	switch (action) {
	case ACT_TOGGLE_CLOSED:
		r->show_closed = !r->show_closed;
		tui_review_load(app);
		return 1;
	case ACT_OPEN:
		if (it)
			tui_popup_open(app, "Review item", item_text(it));
		return 1;
	case ACT_RETRY:
		if (it && strcmp(it->state, "open") == 0)
			tui_question_open(app, retry_selected, "retry provisioning of \"%s\" (review item %lld)? "
					  "y/n", it->subdomain, it->id);
		else if (it)
			tui_message(app, 1, "review item %lld is %s; only open items can be retried",
				    it->id, it->state);
		return 1;
	case ACT_DISMISS:
		if (it && strcmp(it->state, "open") == 0)
			tui_confirm_open(app, CONFIRM_DISMISS, it->subdomain, it->id);
		else if (it)
			tui_message(app, 1, "review item %lld is %s; only open items can be dismissed",
				    it->id, it->state);
		return 1;
	default:
		return 0;
	}
}
