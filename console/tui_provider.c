/*
 * tui_provider.c - the provider screen: each apex-provider instance, the
 * config version it serves against the platform's, and when Traefik last
 * polled it, with an alarm when polling stops.
 *
 * apex.provider_status sends no notifications, so the console reads it on
 * a timer: every second while this screen is shown (the ages change), and
 * every 10 seconds otherwise, for the ALARM in the title bar.
 */
#include "tui.h"

#include <string.h>

#define REFRESH_SHOWN_MS 1000
#define REFRESH_HIDDEN_MS 10000

/* Returns 1 after a clean stop (stopped_at set) or without a recent heartbeat. */
static int
stopped(const inspect_provider *p)
{
	return p->stopped_at[0] || p->heartbeat_age_s > TUI_HEARTBEAT_STALE_S;
}

static int
poll_stale(const inspect_provider *p)
{
	return p->poll_age_s < 0 || p->poll_age_s > TUI_POLL_STALE_S;
}

/*
 * Sets the alarm when no instance runs, or a running one has not been
 * polled lately.  Stopped instances (a clean stop or no heartbeat) alarm
 * only when no other instance runs, so a retired instance's old row does
 * not alarm for ever.
 */
static void
check_alarm(tui_fleet *f)
{
	size_t running = 0;

	f->alarm = 0;
	f->alarm_text[0] = '\0';
	for (size_t i = 0; i < f->fleet.count; i++) {
		const inspect_provider *p = &f->fleet.items[i];

		if (stopped(p))
			continue;
		running++;
		if (!poll_stale(p) || f->alarm)
			continue;
		f->alarm = 1;
		if (p->poll_age_s < 0)
			snprintf(f->alarm_text, sizeof(f->alarm_text),
				 "provider \"%s\" has never been polled by Traefik", p->instance);
		else
			snprintf(f->alarm_text, sizeof(f->alarm_text),
				 "provider \"%s\" was last polled %.0f s ago (alarm after %.0f s)",
				 p->instance, p->poll_age_s, TUI_POLL_STALE_S);
	}
	if (running == 0) {
		f->alarm = 1;
		snprintf(f->alarm_text, sizeof(f->alarm_text), "no apex-provider instance is running: "
			 "Traefik gets no new routes from Apex");
	}
}

void
tui_fleet_load(tui_app *app)
{
	tui_fleet *f = &app->fleet;
	inspect_fleet fleet;
	apex_error err = { 0 };

	f->next_refresh_ms = apex_now_ms() + (app->screen == SCREEN_PROVIDER ? REFRESH_SHOWN_MS
									    : REFRESH_HIDDEN_MS);
	if (!tui_db_ready(app))
		return;
	tui_timing("fleet", 0);
	if (inspect_fleet_load(&app->ctx, &fleet, &err)) {
		tui_db_failed(app, &err);
		return;
	}
	inspect_fleet_free(&f->fleet);
	f->fleet = fleet;
	f->loaded = 1;
	check_alarm(f);
	if (f->cursor >= f->fleet.count)
		f->cursor = f->fleet.count ? f->fleet.count - 1 : 0;
	app->dirty = 1;
}

void
tui_fleet_tick(tui_app *app, double now_ms)
{
	if (tui_db_ready(app) && now_ms >= app->fleet.next_refresh_ms)
		tui_fleet_load(app);
}

int
tui_fleet_timeout(const tui_app *app, double now_ms)
{
	double at = app->fleet.next_refresh_ms;

	if (!tui_db_ready(app))
		return -1;
	return at > now_ms ? (int)(at - now_ms) + 1 : 0;
}

void
tui_fleet_free(tui_app *app)
{
	inspect_fleet_free(&app->fleet.fleet);
}

static void
format_age(double age_s, char *buf, size_t size)
{
	if (age_s < 0)
		snprintf(buf, size, "never");
	else if (age_s < 120)
		snprintf(buf, size, "%.0f s ago", age_s);
	else if (age_s < 7200)
		snprintf(buf, size, "%.0f min ago", age_s / 60);
	else
		snprintf(buf, size, "%.1f h ago", age_s / 3600);
}

/*
 * Columns of the instances table, left to right.  A column that does not fit
 * whole is left out with every column after it, so no value is cut.  Only
 * the instance name is cut, when the terminal is narrower than its column.
 */
enum { COL_INSTANCE, COL_VERSION, COL_POLL, COL_HEARTBEAT, COL_POLLS, COL_STARTED, N_COLS };

static const struct {
	const char *title;
	int width;
} columns[N_COLS] = {
	{ "INSTANCE", 24 }, { "VERSION SERVED", 14 }, { "LAST POLL", 11 }, { "HEARTBEAT", 19 },
	{ "POLLS", 8 }, { "STARTED (UTC)", 19 },
};

/* Returns how many columns fit whole in the terminal's width (at least one). */
static int
visible_columns(void)
{
	int x = 0, n = 0;

	while (n < N_COLS && x + columns[n].width <= COLS) {
		x += columns[n].width + 1;
		n++;
	}
	return n ? n : 1;
}

static void
draw_instance(tui_app *app, int y, const inspect_provider *p, long long config_version, int selected)
{
	int is_stopped = stopped(p);
	int behind = !is_stopped && p->version_served < config_version;
	attr_t base = (selected ? A_REVERSE : A_NORMAL) | (is_stopped ? A_DIM : 0);
	attr_t bad = is_stopped ? 0 : tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD;
	char text[N_COLS][64];
	attr_t attrs[N_COLS] = { 0 };
	int n = visible_columns(), x = 0;

	snprintf(text[COL_INSTANCE], sizeof(text[0]), "%s", p->instance);
	if (p->version_served < 0)
		snprintf(text[COL_VERSION], sizeof(text[0]), "-");
	else
		snprintf(text[COL_VERSION], sizeof(text[0]), "%lld%s", p->version_served,
			 behind ? " behind" : "");
	attrs[COL_VERSION] = behind ? bad : 0;
	format_age(p->poll_age_s, text[COL_POLL], sizeof(text[0]));
	attrs[COL_POLL] = poll_stale(p) ? bad : 0;
	format_age(p->heartbeat_age_s, text[COL_HEARTBEAT], sizeof(text[0]));
	if (is_stopped)
		snprintf(text[COL_HEARTBEAT] + strlen(text[COL_HEARTBEAT]),
			 sizeof(text[0]) - strlen(text[COL_HEARTBEAT]), " stopped");
	attrs[COL_HEARTBEAT] = is_stopped ? A_BOLD : 0;
	snprintf(text[COL_POLLS], sizeof(text[0]), "%lld", p->polls_served);
	tui_format_time(p->started_at, text[COL_STARTED], sizeof(text[0]));

	tui_put(app, app->win, y, 0, COLS, "", base);
	for (int i = 0; i < n; i++) {
		tui_put(app, app->win, y, x, columns[i].width, text[i], base | attrs[i]);
		x += columns[i].width + 1;
	}
}

static void
draw_header(tui_app *app, int y)
{
	char line[256] = "";
	int n = visible_columns();

	for (int i = 0; i < n; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%-*s ", columns[i].width,
			 columns[i].title);
	tui_put(app, app->win, y, 0, COLS, line, A_BOLD | A_UNDERLINE);
}

void
tui_fleet_draw(tui_app *app)
{
	tui_fleet *f = &app->fleet;
	int y = tui_body_top();

	tui_putf(app, app->win, y++, 0, COLS, A_BOLD, "platform config version %lld%s",
		 f->fleet.config_version, f->fleet.maintenance ? "   MAINTENANCE MODE ON" : "");
	if (f->alarm)
		tui_putf(app, app->win, y, 0, COLS, tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD,
			 "ALARM: %s", f->alarm_text);
	y++;
	draw_header(app, y++);
	for (size_t i = 0; i < f->fleet.count && y < LINES - 2; i++)
		draw_instance(app, y++, &f->fleet.items[i], f->fleet.config_version, i == f->cursor);
	if (!f->loaded)
		tui_put(app, app->win, y, 0, COLS, "loading...", A_DIM);
	snprintf(app->info, sizeof(app->info), "%zu instance%s", f->fleet.count,
		 f->fleet.count == 1 ? "" : "s");
}

int
tui_fleet_handle(tui_app *app, tui_action action)
{
	tui_fleet *f = &app->fleet;

	switch (action) {
	case ACT_UP:
		if (f->cursor > 0)
			f->cursor--;
		return 1;
	case ACT_DOWN:
		if (f->cursor + 1 < f->fleet.count)
			f->cursor++;
		return 1;
	case ACT_TOP:
	case ACT_PAGE_UP:
		f->cursor = 0;
		return 1;
	case ACT_BOTTOM:
	case ACT_PAGE_DOWN:
		f->cursor = f->fleet.count ? f->fleet.count - 1 : 0;
		return 1;
	default:
		return 0;
	}
}
