/*
 * tui_loop.c - the main loop.  It waits with poll() on the keyboard, the
 * database socket and the signal pipe, dispatches keys, reloads what
 * notifications changed, and redraws once per batch of events.
 *
 * The poll() timeout is the nearest timer (a reconnection attempt, the
 * provider refresh, the wait for a new route to be served), so an idle
 * console sleeps and uses no CPU time between them.
 */
#include "tui.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

/* ---- timing log for benchmarks ---- */

static FILE *timing_log;

void
tui_timing_open(void)
{
	const char *path = getenv("APEX_CONSOLE_TIMING_LOG");

	if (!path || !*path)
		return;
	timing_log = fopen(path, "a");
	if (timing_log)
		setvbuf(timing_log, NULL, _IOLBF, 0);
}

void
tui_timing(const char *event, long value)
{
	if (timing_log)
		fprintf(timing_log, "%.3f %s %ld\n", apex_now_ms(), event, value);
}

/* ---- screens ---- */

unsigned
tui_context(const tui_app *app)
{
	static const unsigned screen_ctx[SCREEN_COUNT] = {
		TUI_CTX_TENANTS, TUI_CTX_DETAIL, TUI_CTX_AUDIT, TUI_CTX_REVIEW, TUI_CTX_PROVIDER
	};

	switch (app->dialog) {
	case DIALOG_FORM: return TUI_CTX_FORM;
	case DIALOG_PROGRESS: return TUI_CTX_PROGRESS;
	case DIALOG_CONFIRM: return TUI_CTX_CONFIRM;
	case DIALOG_PROMPT: return TUI_CTX_PROMPT;
	case DIALOG_HELP: return TUI_CTX_HELP;
	case DIALOG_MENU: return TUI_CTX_MENU;
	case DIALOG_POPUP: return TUI_CTX_POPUP;
	case DIALOG_QUESTION: return TUI_CTX_QUESTION;
	default: return screen_ctx[app->screen];
	}
}

void
tui_show(tui_app *app, tui_screen_id screen)
{
	/* a message belongs to the screen it was shown on */
	if (app->screen != screen)
		app->message[0] = '\0';
	app->screen = screen;
	app->dirty = 1;
	if (!tui_db_ready(app))
		return;
	if (screen == SCREEN_AUDIT && !app->audit.loaded)
		tui_audit_load(app, 1);
	else if (screen == SCREEN_REVIEW)
		tui_review_load(app);
	else if (screen == SCREEN_PROVIDER)
		tui_fleet_load(app);
}

void
tui_reload(tui_app *app, unsigned changed)
{
	if (!tui_db_ready(app) || !changed)
		return;
	tui_timing("reload", (long)changed);
	if (changed & (TUI_CHANGED_TENANTS | TUI_CHANGED_ALL))
		tui_tenants_load(app, (changed & TUI_CHANGED_ALL) != 0);
	if ((changed & (TUI_CHANGED_AUDIT | TUI_CHANGED_ALL)) && app->audit.loaded)
		tui_audit_load(app, (changed & TUI_CHANGED_ALL) != 0);
	if (changed & (TUI_CHANGED_AUDIT | TUI_CHANGED_ALL))
		tui_review_load(app);
	if (changed & (TUI_CHANGED_TENANTS | TUI_CHANGED_FLEET | TUI_CHANGED_ALL))
		tui_fleet_load(app);
	if (app->screen == SCREEN_DETAIL && tui_db_ready(app))
		tui_detail_load(app, (changed & TUI_CHANGED_ALL) != 0);
	app->dirty = 1;
}

/* ---- keys ---- */

static void
screen_action(tui_app *app, tui_action action)
{
	int handled = 0;

	switch (app->screen) {
	case SCREEN_TENANTS: handled = tui_tenants_handle(app, action); break;
	case SCREEN_DETAIL: handled = tui_detail_handle(app, action); break;
	case SCREEN_AUDIT: handled = tui_audit_handle(app, action); break;
	case SCREEN_REVIEW: handled = tui_review_handle(app, action); break;
	case SCREEN_PROVIDER: handled = tui_fleet_handle(app, action); break;
	default: break;
	}
	if (handled)
		return;
	switch (action) {
	case ACT_HELP: tui_help_open(app); break;
	case ACT_QUIT: app->quit = 1; break;
	case ACT_BACK: tui_show(app, SCREEN_TENANTS); break;
	case ACT_SCREEN_TENANTS: tui_show(app, SCREEN_TENANTS); break;
	case ACT_SCREEN_AUDIT: tui_show(app, SCREEN_AUDIT); break;
	case ACT_SCREEN_REVIEW: tui_show(app, SCREEN_REVIEW); break;
	case ACT_SCREEN_PROVIDER: tui_show(app, SCREEN_PROVIDER); break;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		tui_reload(app, TUI_CHANGED_ALL);
		break;
	default: break;
	}
}

static void
dialog_key(tui_app *app, int code, tui_action action)
{
	switch (app->dialog) {
	case DIALOG_FORM: tui_form_key(app, code, action); break;
	case DIALOG_PROGRESS: tui_progress_key(app, action); break;
	case DIALOG_CONFIRM: tui_confirm_key(app, code, action); break;
	case DIALOG_PROMPT: tui_prompt_key(app, code, action); break;
	case DIALOG_HELP: tui_help_key(app, action); break;
	case DIALOG_MENU: tui_menu_handle(app, action); break;
	case DIALOG_POPUP: tui_popup_key(app, action); break;
	case DIALOG_QUESTION: tui_question_key(app, action); break;
	default: break;
	}
}

static void
handle_key(tui_app *app, int code)
{
	tui_action action;

	if (code == TUI_FN(KEY_RESIZE)) {
		tui_layout(app);
		return;
	}
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		/* nothing is usable on a tiny terminal except quitting */
		if (code == 'q' || code == 'Q')
			app->quit = 1;
		return;
	}
	action = tui_keys_lookup(tui_context(app), code, app->read_only);
	if (app->dialog != DIALOG_NONE)
		dialog_key(app, code, action);
	else if (action != ACT_NONE)
		screen_action(app, action);
	app->dirty = 1;
}

/* Reads every key waiting; returns how many. */
static int
read_keys(tui_app *app)
{
	wint_t wch;
	int n = 0, kind;

	for (;;) {
		int code;

		errno = 0;
		kind = get_wch(&wch);
		if (kind == ERR && errno != EILSEQ)
			break;
		/*
		 * Bytes that do not decode in the locale (non-ASCII under LANG=C)
		 * arrive as ERR with EILSEQ; they go on as U+FFFD, so the form can
		 * report them instead of losing them unseen.
		 */
		if (kind == ERR)
			code = 0xfffd;
		else
			code = kind == KEY_CODE_YES ? TUI_FN((int)wch) : (int)wch;

		tui_timing("key", code);
		handle_key(app, code);
		n++;
		if (app->quit)
			break;
	}
	return n;
}

/* ---- the loop ---- */

static int
min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

static int
next_timeout(const tui_app *app)
{
	double now = apex_now_ms();
	int timeout = tui_db_timeout(app, now);

	/* the title bar counts down to the next reconnection attempt */
	if (app->db.state != DB_CONNECTED)
		timeout = min_timeout(timeout, 1000);
	timeout = min_timeout(timeout, tui_fleet_timeout(app, now));
	timeout = min_timeout(timeout, tui_progress_timeout(app, now));
	return timeout;
}

static void
run_timers(tui_app *app)
{
	double now = apex_now_ms();
	tui_db_state before = app->db.state;

	tui_db_tick(app, now);
	tui_fleet_tick(app, now);
	tui_progress_tick(app, now);
	if (app->db.state != DB_CONNECTED || before != app->db.state)
		app->dirty = 1;
}

static int
wait_events(tui_app *app, int *keys, int *db_ready)
{
	struct pollfd fds[3];
	short db_events = 0;
	int db_fd = tui_db_poll_fd(app, &db_events);
	int n = 0;

	fds[n++] = (struct pollfd){ .fd = 0, .events = POLLIN };
	fds[n++] = (struct pollfd){ .fd = tui_signals_fd(), .events = POLLIN };
	if (db_fd >= 0)
		fds[n++] = (struct pollfd){ .fd = db_fd, .events = db_events };
	if (poll(fds, (nfds_t)n, next_timeout(app)) < 0 && errno != EINTR)
		return -1;
	*keys = fds[0].revents != 0;
	*db_ready = db_fd >= 0 && fds[2].revents != 0;
	return 0;
}

int
tui_loop_run(tui_app *app)
{
	int first = 1;

	while (!app->quit) {
		int keys = 0, db_ready = 0, resized = 0, sig;

		tui_db_collect(app);
		tui_reload(app, app->db.changed);
		app->db.changed = 0;
		if (app->dirty) {
			tui_render(app);
			tui_timing(first ? "ready" : "frame", app->frames);
			first = 0;
		}
		if (wait_events(app, &keys, &db_ready) < 0)
			return 0;
		sig = tui_signals_take(&resized);
		if (sig)
			return sig;
		if (db_ready)
			tui_db_on_socket(app);
		/* after resizeterm() the KEY_RESIZE waits in curses' queue */
		if (keys || resized)
			read_keys(app);
		run_timers(app);
	}
	return 0;
}
