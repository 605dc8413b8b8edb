/*
 * tui_detail.c - one tenant in full: identity, schema and role, domains,
 * plan and features, quota usage, the phase durations of its provisioning,
 * its backups, its recent audit entries and the Traefik router that
 * apex-provider serves for it.
 */
#include "tui.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "routes.h"

#define DETAIL_AUDIT_ENTRIES 8

/* ---- loading ---- */

static void
clear_router(tui_detail *d)
{
	free(d->router);
	d->router = NULL;
	d->router_version = 0;
	d->router_key[0] = '\0';
}

static void
clear_data(tui_detail *d)
{
	tenant_clear(&d->t);
	inspect_backup_list_free(&d->backups);
	auditlog_list_free(&d->audit);
	d->loaded = 0;
}

/* Appends a formatted line to the growing text *OUT. */
static void
add_line(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add_line(char **out, const char *fmt, ...)
{
	char line[512];
	size_t old = *out ? strlen(*out) : 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	*out = realloc(*out, old + strlen(line) + 2);
	if (!*out)
		abort();
	snprintf(*out + old, strlen(line) + 2, "%s\n", line);
}

static void
describe_middleware(char **out, json_t *middlewares, const char *name)
{
	json_t *mw = json_object_get(middlewares, name);
	json_t *rate = json_object_get(mw, "rateLimit");
	json_t *headers = json_object_get(json_object_get(mw, "headers"), "customRequestHeaders");
	const char *key;
	json_t *value;

	if (rate) {
		add_line(out, "middleware %s: rate limit average %lld/s, burst %lld", name,
			 (long long)json_integer_value(json_object_get(rate, "average")),
			 (long long)json_integer_value(json_object_get(rate, "burst")));
		return;
	}
	add_line(out, "middleware %s: request headers", name);
	json_object_foreach(headers, key, value)
		add_line(out, "  %s: %s", key, json_string_value(value) ? json_string_value(value) : "");
}

/* Describes router "tenant-SUBDOMAIN" of the rendered document, or its absence. */
static char *
describe_router(json_t *doc, const char *subdomain)
{
	json_t *http = json_object_get(doc, "http");
	char name[96];
	json_t *router, *item;
	char *out = NULL;
	size_t i;

	snprintf(name, sizeof(name), "tenant-%s", subdomain);
	router = json_object_get(json_object_get(http, "routers"), name);
	if (!router) {
		add_line(&out, "no router: the provider sends no traffic for this tenant to any service");
		return out;
	}
	add_line(&out, "router %s -> service %s", name,
		 json_string_value(json_object_get(router, "service")));
	add_line(&out, "rule %s", json_string_value(json_object_get(router, "rule")));
	json_array_foreach(json_object_get(router, "entryPoints"), i, item)
		add_line(&out, "entry point %s", json_string_value(item));
	if (json_object_get(router, "tls"))
		add_line(&out, "tls certResolver %s",
			 json_string_value(json_object_get(json_object_get(router, "tls"), "certResolver")));
	json_array_foreach(json_object_get(router, "middlewares"), i, item)
		describe_middleware(&out, json_object_get(http, "middlewares"), json_string_value(item));
	return out;
}

/*
 * Renders the document with the provider's own renderer and keeps this
 * tenant's part.  NOTE: this builds the whole document, as costly as one
 * provider reload (about 1 s with 100,000 tenants in bench/console_bench.c),
 * so it runs when the detail opens, on Ctrl-L, and when the tenant's own
 * row changed; changes to other tenants leave the router text as it was,
 * labelled with the config version it was rendered from.
 */
static apex_status
load_router(tui_app *app, tui_detail *d, int force, apex_error *err)
{
	routes_stats stats = { 0 };
	char key[sizeof(d->router_key)];
	json_t *doc;

	/* updated_at has whole seconds, so two changes in one second need the status too */
	snprintf(key, sizeof(key), "%s %s %s", d->t.updated_at, d->t.status, d->t.plan);
	if (!force && d->router && strcmp(d->router_key, key) == 0)
		return APEX_OK;
	if (routes_build(app->ctx.conn, app->cfg, &doc, &stats, err))
		return APEX_FAILED;
	clear_router(d);
	d->router = describe_router(doc, d->subdomain);
	d->router_version = stats.config_version;
	snprintf(d->router_key, sizeof(d->router_key), "%s", key);
	json_decref(doc);
	return APEX_OK;
}

static apex_status
load_all(tui_app *app, tui_detail *d, int force, apex_error *err)
{
	const apex_ctx *ctx = &app->ctx;
	auditlog_filter filter = { .tenant = d->subdomain, .limit = DETAIL_AUDIT_ENTRIES };
	apex_status st;

	st = tenant_get(ctx, d->subdomain, &d->t, err);
	if (!st)
		st = inspect_usage_load(ctx, &d->t, &d->usage, err);
	if (!st)
		st = inspect_features(ctx, d->subdomain, d->features, sizeof(d->features), err);
	if (!st)
		st = inspect_last_run(ctx, d->subdomain, &d->run, err);
	if (!st)
		st = inspect_backups_load(ctx, d->subdomain, &d->backups, err);
	if (!st)
		st = auditlog_load(ctx, &filter, &d->audit, err);
	if (!st)
		st = load_router(app, d, force, err);
	return st;
}

void
tui_detail_load(tui_app *app, int force)
{
	tui_detail *d = &app->detail;
	apex_error err = { 0 };

	clear_data(d);
	if (load_all(app, d, force, &err)) {
		tui_db_failed(app, &err);
		return;
	}
	d->loaded = 1;
	app->dirty = 1;
}

void
tui_detail_open(tui_app *app, const char *subdomain)
{
	tui_detail *d = &app->detail;

	if (app->screen != SCREEN_DETAIL) {
		d->return_to = app->screen;
		app->message[0] = '\0';
	}
	clear_data(d);
	clear_router(d);
	snprintf(d->subdomain, sizeof(d->subdomain), "%s", subdomain);
	d->top = 0;
	app->screen = SCREEN_DETAIL;
	if (tui_db_ready(app))
		tui_detail_load(app, 1);
	app->dirty = 1;
}

void
tui_detail_free(tui_app *app)
{
	clear_data(&app->detail);
	clear_router(&app->detail);
}

/* ---- drawing ---- */

typedef struct cursor {
	tui_app *app;
	int y;			/* next line, counted from the first line of the text */
	int top;		/* first line shown */
	int rows;		/* lines that fit */
} cursor;

static void
line(cursor *c, int indent, attr_t attr, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
line(cursor *c, int indent, attr_t attr, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int row = c->y++ - c->top;

	if (row < 0 || row >= c->rows)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	tui_put(c->app, c->app->win, tui_body_top() + row, indent, COLS - indent, text, attr);
}

static void
heading(cursor *c, const char *title)
{
	line(c, 0, A_BOLD | A_UNDERLINE, "%s", title);
}

static void
draw_identity(cursor *c, const tenant *t, const char *features)
{
	tui_app *app = c->app;

	line(c, 0, A_BOLD, "%s - %s", t->subdomain, t->display_name);
	line(c, 1, tui_status_attr(app, t->status), "status     %s%s%s", t->status,
	     t->status_reason[0] ? ": " : "", t->status_reason);
	line(c, 1, A_NORMAL, "plan       %s    blueprint %s", t->plan, t->blueprint);
	line(c, 1, A_NORMAL, "schema     %s    role %s", t->schema_name, t->schema_name);
	line(c, 1, A_NORMAL, "owner      %s", t->owner_email);
	line(c, 1, A_NORMAL, "host       %s.%s", t->subdomain, app->cfg->base_domain);
	for (size_t i = 0; i < t->n_custom_domains; i++)
		line(c, 1, A_NORMAL, "domain     %s", t->custom_domains[i]);
	line(c, 1, A_NORMAL, "features   %s", features[0] ? features : "(none)");
	line(c, 1, A_NORMAL, "created    %s    updated %s", t->created_at, t->updated_at);
}

static void
quota_line(cursor *c, const char *what, long long used, long limit)
{
	if (limit < 0)
		line(c, 1, A_NORMAL, "%-10s %lld (unlimited)", what, used);
	else
		line(c, 1, used > limit ? tui_attr(c->app, PAIR_ERROR, A_BOLD) : A_NORMAL,
		     "%-10s %lld of %ld%s", what, used, limit, used > limit ? "  OVER QUOTA" : "");
}

static void
draw_usage(cursor *c, const inspect_usage *u)
{
	char size[32];

	heading(c, "Quota usage");
	if (!u->schema_exists) {
		line(c, 1, A_DIM, "the schema no longer exists");
		return;
	}
	quota_line(c, "products", u->products, u->products_limit);
	quota_line(c, "users", u->users, u->users_limit);
	quota_line(c, "pages", u->pages, u->pages_limit);
	tui_format_bytes(u->storage_bytes, size, sizeof(size));
	if (u->storage_mb_limit < 0)
		line(c, 1, A_NORMAL, "%-10s %s (unlimited)", "storage", size);
	else
		line(c, 1, A_NORMAL, "%-10s %s of %ld MB", "storage", size, u->storage_mb_limit);
}

static void
draw_run(cursor *c, const inspect_run *r)
{
	heading(c, "Provisioning (last run)");
	if (!r->found) {
		line(c, 1, A_DIM, "no provisioning run recorded");
		return;
	}
	line(c, 1, A_NORMAL, "started %s by %s, %d round trips, %d rows seeded", r->started_at,
	     r->actor, r->round_trips, r->rows_seeded);
	for (int phase = PHASE_VALIDATE; phase < PHASE_COUNT; phase++)
		line(c, 1, A_NORMAL, "%-10s %10.2f ms", provision_phase_name((provision_phase)phase),
		     r->phase_ms[phase]);
	/*
	 * The COMMIT writes the run's row, so the stored total ends when COMMIT is
	 * sent and no column has the time the commit took.  The phases therefore
	 * need not add up to the total apexctl prints, which includes the commit.
	 */
	line(c, 1, A_BOLD, "%-10s %10.2f ms up to COMMIT (the commit itself is not recorded)", "total",
	     r->total_ms);
}

static void
draw_text_block(cursor *c, const char *text)
{
	while (text && *text) {
		size_t len = strcspn(text, "\n");

		line(c, 1, A_NORMAL, "%.*s", (int)len, text);
		text += len + (text[len] == '\n');
	}
}

static void
draw_backups(cursor *c, const inspect_backup_list *list)
{
	heading(c, "Backups");
	if (list->count == 0)
		line(c, 1, A_DIM, "no backups");
	for (size_t i = 0; i < list->count; i++) {
		const inspect_backup *b = &list->items[i];
		char size[32];

		tui_format_bytes(b->size_bytes, size, sizeof(size));
		line(c, 1, A_NORMAL, "%s  %s  %s  sha256 %.12s  by %s", b->created_at, size, b->file,
		     b->sha256, b->actor);
	}
}

static void
draw_audit(cursor *c, const auditlog_list *list)
{
	heading(c, "Recent audit entries");
	if (list->count == 0)
		line(c, 1, A_DIM, "no audit entries");
	for (size_t i = 0; i < list->count; i++) {
		const auditlog_entry *e = &list->items[i];
		char at[32];

		tui_format_time(e->at, at, sizeof(at));
		line(c, 1, e->success ? A_NORMAL : tui_attr(c->app, PAIR_ERROR, A_BOLD),
		     "%s  %-20s %-8s %-7s %s", at, e->action, e->source, e->success ? "success" : "failure",
		     e->actor);
	}
}

void
tui_detail_draw(tui_app *app)
{
	tui_detail *d = &app->detail;
	cursor c = { .app = app, .y = 0, .top = d->top, .rows = tui_body_rows() };

	if (!d->loaded) {
		line(&c, 0, A_DIM, "tenant %s: %s", d->subdomain,
		     tui_db_ready(app) ? "not loaded" : "waiting for the database");
		return;
	}
	draw_identity(&c, &d->t, d->features);
	draw_usage(&c, &d->usage);
	draw_run(&c, &d->run);
	line(&c, 0, A_BOLD | A_UNDERLINE, "Traefik router served by apex-provider (config version %lld)",
	     d->router_version);
	draw_text_block(&c, d->router);
	draw_backups(&c, &d->backups);
	draw_audit(&c, &d->audit);
	d->n_lines = c.y;
	snprintf(app->info, sizeof(app->info), "line %d of %d", d->top + 1, d->n_lines);
}

/* ---- keys ---- */

static int
scroll_lines(tui_detail *d, tui_action action)
{
	int page = tui_body_rows();
	int max_top = d->n_lines - page > 0 ? d->n_lines - page : 0;

	switch (action) {
	case ACT_UP: d->top--; break;
	case ACT_DOWN: d->top++; break;
	case ACT_PAGE_UP: d->top -= page; break;
	case ACT_PAGE_DOWN: d->top += page; break;
	case ACT_HALF_UP: d->top -= page / 2; break;
	case ACT_HALF_DOWN: d->top += page / 2; break;
	case ACT_TOP: d->top = 0; break;
	case ACT_BOTTOM: d->top = max_top; break;
	default: return 0;
	}
	if (d->top > max_top)
		d->top = max_top;
	if (d->top < 0)
		d->top = 0;
	return 1;
}

int
tui_detail_handle(tui_app *app, tui_action action)
{
	tui_detail *d = &app->detail;

	if (scroll_lines(d, action))
		return 1;
	switch (action) {
	case ACT_BACK:
		tui_show(app, d->return_to == SCREEN_DETAIL ? SCREEN_TENANTS : d->return_to);
		return 1;
	case ACT_SUSPEND:
		tui_confirm_open(app, CONFIRM_SUSPEND, d->subdomain, 0);
		return 1;
	case ACT_RESUME:
		tui_confirm_open(app, CONFIRM_RESUME, d->subdomain, 0);
		return 1;
	case ACT_ARCHIVE:
		tui_confirm_open(app, CONFIRM_ARCHIVE, d->subdomain, 0);
		return 1;
	case ACT_TENANT_AUDIT: {
		char filter[96];

		snprintf(filter, sizeof(filter), "tenant:%s", d->subdomain);
		app->audit.return_to = SCREEN_DETAIL;
		tui_audit_set_filter(app, filter);
		tui_show(app, SCREEN_AUDIT);
		return 1;
	}
	default:
		return 0;
	}
}
