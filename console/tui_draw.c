/*
 * tui_draw.c - drawing helpers: text cut to a width, lines and boxes that
 * work without UTF-8, the title bar, the status line and the key bar.
 *
 * Text from the database is UTF-8 whatever the locale, so it is decoded
 * here rather than with the locale's mbrtowc().  In a non-UTF-8 locale every
 * non-ASCII character is shown as "?", which keeps the columns aligned.
 */
#include "tui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Decodes one UTF-8 character of S into *CP; returns its length (1 for invalid bytes). */
static int
utf8_decode(const char *s, unsigned *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	int n;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	n = (p[0] & 0xe0) == 0xc0 ? 2 : (p[0] & 0xf0) == 0xe0 ? 3 : (p[0] & 0xf8) == 0xf0 ? 4 : 0;
	if (n == 0) {
		*cp = '?';
		return 1;
	}
	*cp = p[0] & (0x7f >> n);
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = '?';
			return 1;
		}
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return n;
}

/* Returns the columns CP takes, or 0 when it must be shown as "?". */
static int
char_width(const tui_app *app, unsigned cp)
{
	int w;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return 0;
	if (cp < 0x80)
		return 1;
	if (!app->utf8)
		return 0;
	w = wcwidth((wchar_t)cp);
	return w > 0 ? w : 0;
}

int
tui_text_width(const tui_app *app, const char *s)
{
	int width = 0;

	while (*s) {
		unsigned cp;
		int w;

		s += utf8_decode(s, &cp);
		w = char_width(app, cp);
		width += w ? w : 1;
	}
	return width;
}

int
tui_put(const tui_app *app, WINDOW *win, int y, int x, int width, const char *s, attr_t attr)
{
	int used = 0;

	if (width <= 0)
		return 0;
	wattrset(win, attr);
	wmove(win, y, x);
	while (s && *s) {
		unsigned cp;
		int len = utf8_decode(s, &cp);
		int w = char_width(app, cp);

		if (used + (w ? w : 1) > width)
			break;
		if (w == 0) {
			waddch(win, '?');
			w = 1;
		} else if (cp < 0x80) {
			waddch(win, (chtype)cp);
		} else {
			wchar_t wc = (wchar_t)cp;

			waddnwstr(win, &wc, 1);
		}
		used += w;
		s += len;
	}
	for (int i = used; i < width; i++)
		waddch(win, ' ');
	wattrset(win, A_NORMAL);
	return used;
}

int
tui_putf(const tui_app *app, WINDOW *win, int y, int x, int width, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(app, win, y, x, width, buf, attr);
}

void
tui_hline(const tui_app *app, WINDOW *win, int y, int x, int width)
{
	if (width <= 0)
		return;
	if (app->utf8)
		mvwhline_set(win, y, x, WACS_HLINE, width);
	else
		mvwhline(win, y, x, '-', width);
}

void
tui_title(const tui_app *app, WINDOW *win, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	int width;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	width = tui_text_width(app, text);
	if (width > getmaxx(win) - 4)
		width = getmaxx(win) - 4;
	tui_put(app, win, 0, 2, width, text, A_BOLD);
}

void
tui_box(const tui_app *app, WINDOW *win)
{
	/* Unicode line drawing in UTF-8 locales; plain ASCII otherwise */
	if (app->utf8)
		box_set(win, WACS_VLINE, WACS_HLINE);
	else
		wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
}

size_t
tui_wrap(const char *text, int width)
{
	size_t len = strlen(text);
	size_t n;

	if (width <= 0 || len <= (size_t)width)
		return len;
	n = (size_t)width;
	while (n > 0 && text[n] != ' ')
		n--;
	return n > 0 ? n : (size_t)width;
}

void
tui_format_time(const char *iso, char *buf, size_t size)
{
	snprintf(buf, size, "%.19s", iso);
	if (strlen(buf) > 10 && buf[10] == 'T')
		buf[10] = ' ';
}

void
tui_format_bytes(long long bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double value = (double)bytes;
	int unit = 0;

	while (value >= 1024 && unit < 4) {
		value /= 1024;
		unit++;
	}
	if (unit == 0)
		snprintf(buf, size, "%lld B", bytes);
	else
		snprintf(buf, size, "%.1f %s", value, units[unit]);
}

int
tui_body_top(void)
{
	return 1;
}

int
tui_body_rows(void)
{
	return LINES - 3 > 0 ? LINES - 3 : 0;
}

/* ---- messages ---- */

void
tui_message(tui_app *app, int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->message, sizeof(app->message), fmt, ap);
	va_end(ap);
	app->message_error = error;
	app->dirty = 1;
}

void
tui_message_error(tui_app *app, const apex_error *err)
{
	const char *extra = err->hint[0] ? err->hint : err->detail;

	tui_message(app, 1, "error: %s%s%s", err->message[0] ? err->message : "unknown error",
		    extra[0] ? " - " : "", extra);
}

/* ---- dialogs ---- */

WINDOW *
tui_dialog_open(tui_app *app, tui_dialog_id dialog, int rows, int cols)
{
	int y, x;

	if (rows > LINES)
		rows = LINES;
	if (cols > COLS)
		cols = COLS;
	y = (LINES - rows) / 2;
	x = (COLS - cols) / 2;
	if (app->dialog_win) {
		int cur_rows, cur_cols, cur_y, cur_x;

		getmaxyx(app->dialog_win, cur_rows, cur_cols);
		getbegyx(app->dialog_win, cur_y, cur_x);
		if (cur_rows == rows && cur_cols == cols && cur_y == y && cur_x == x)
			return app->dialog_win;
		tui_dialog_close(app);
	}
	app->dialog = dialog;
	app->dialog_win = newwin(rows, cols, y, x);
	if (!app->dialog_win)
		return NULL;
	keypad(app->dialog_win, TRUE);
	app->dialog_panel = new_panel(app->dialog_win);
	return app->dialog_win;
}

void
tui_dialog_close(tui_app *app)
{
	if (app->dialog == DIALOG_FORM)
		tui_form_detach(app);
	if (app->dialog == DIALOG_CONFIRM)
		tui_confirm_detach(app);
	if (app->dialog_panel)
		del_panel(app->dialog_panel);
	if (app->dialog_win)
		delwin(app->dialog_win);
	app->dialog_panel = NULL;
	app->dialog_win = NULL;
	app->dirty = 1;
}

/* ---- frame: title bar, status line, key bar ---- */

static const char *const screen_titles[SCREEN_COUNT] = {
	"Tenants", "Detail", "Audit", "Review", "Provider"
};

static int
draw_tab(tui_app *app, int x, int limit, int key, tui_screen_id screen, const char *extra)
{
	char text[64];
	int active = app->screen == screen;
	attr_t bar = tui_attr(app, PAIR_TITLE, A_REVERSE);

	if (x >= limit)
		return x;
	snprintf(text, sizeof(text), active ? "[%d %s%s]" : " %d %s%s ", key, screen_titles[screen],
		 extra);
	return x + tui_put(app, app->win, 0, x, limit - x, text, bar | (active ? A_BOLD : 0));
}

/*
 * The title bar: the screens on the left, the connection state on the
 * right.  On narrow terminals the tabs are cut, never the connection state.
 */
static void
draw_title(tui_app *app)
{
	attr_t bar = tui_attr(app, PAIR_TITLE, A_REVERSE);
	attr_t alarm = app->color ? COLOR_PAIR(PAIR_TITLE) | A_BOLD : A_REVERSE | A_BOLD;
	char review[32] = "";
	char right[128];
	char db[96];
	int bad, x = 0, limit, width;

	tui_db_describe(app, db, sizeof(db), &bad);
	snprintf(right, sizeof(right), " %s%s%s ", app->fleet.alarm ? "ALARM  " : "",
		 app->read_only ? "READ-ONLY  " : "", db);
	width = (int)strlen(right);
	if (width > COLS)
		width = COLS;
	limit = COLS - width;
	tui_put(app, app->win, 0, 0, COLS, "", bar);
	if (COLS >= 72)
		x = tui_put(app, app->win, 0, 0, limit, " Apex ", bar | A_BOLD);
	if (app->review.open_count > 0)
		snprintf(review, sizeof(review), " (%lld)", app->review.open_count);
	x = draw_tab(app, x, limit, 1, SCREEN_TENANTS, "");
	x = draw_tab(app, x, limit, 2, SCREEN_AUDIT, "");
	x = draw_tab(app, x, limit, 3, SCREEN_REVIEW, review);
	draw_tab(app, x, limit, 4, SCREEN_PROVIDER, "");
	tui_put(app, app->win, 0, limit, width, right, bad || app->fleet.alarm ? alarm : bar);
}

static void
draw_status(tui_app *app)
{
	int y = LINES - 2;
	attr_t attr = app->message_error ? tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD : A_NORMAL;

	if (app->dialog == DIALOG_PROMPT) {
		tui_prompt_draw(app);
		return;
	}
	if (app->dialog == DIALOG_QUESTION) {
		tui_put(app, app->win, y, 0, COLS, app->question.text, A_BOLD);
		return;
	}
	tui_put(app, app->win, y, 0, COLS, app->message, attr);
	if (app->info[0]) {
		int w = tui_text_width(app, app->info);
		int msg = tui_text_width(app, app->message);

		if (w + 2 + msg <= COLS)
			tui_put(app, app->win, y, COLS - w, w, app->info, A_NORMAL);
	}
}

static void
draw_keybar(tui_app *app)
{
	char bar[512];
	attr_t base = tui_attr(app, PAIR_BAR, A_REVERSE);
	const char *p = bar;
	int x = 0;

	tui_keys_bar(tui_context(app), app->read_only, (size_t)COLS, bar, sizeof(bar));
	tui_put(app, app->win, LINES - 1, 0, COLS, "", base);
	/* items are "KEY Text" separated by two spaces; the key is drawn bold */
	while (*p && x < COLS) {
		size_t item = strcspn(p, " ");
		char key[32];

		snprintf(key, sizeof(key), "%.*s", (int)(item < 31 ? item : 31), p);
		x += tui_put(app, app->win, LINES - 1, x, COLS - x, key, base | A_BOLD);
		p += item;
		item = strstr(p, "  ") ? (size_t)(strstr(p, "  ") - p) : strlen(p);
		snprintf(key, sizeof(key), "%.*s", (int)(item < 31 ? item : 31), p);
		x += tui_put(app, app->win, LINES - 1, x, COLS - x, key, base);
		p += item;
		while (*p == ' ') {
			p++;
			x++;
		}
	}
}

static void
draw_too_small(tui_app *app)
{
	werase(app->win);
	tui_putf(app, app->win, 0, 0, COLS, A_BOLD, "terminal too small: %dx%d", COLS, LINES);
	if (LINES > 1)
		tui_putf(app, app->win, 1, 0, COLS, A_NORMAL, "needs %dx%d; q quits", TUI_MIN_COLS,
			 TUI_MIN_ROWS);
}

void
tui_draw_frame(tui_app *app)
{
	draw_title(app);
	draw_status(app);
	draw_keybar(app);
}

static void
draw_screen(tui_app *app)
{
	switch (app->screen) {
	case SCREEN_TENANTS: tui_tenants_draw(app); break;
	case SCREEN_DETAIL: tui_detail_draw(app); break;
	case SCREEN_AUDIT: tui_audit_draw(app); break;
	case SCREEN_REVIEW: tui_review_draw(app); break;
	case SCREEN_PROVIDER: tui_fleet_draw(app); break;
	default: break;
	}
}

static void
draw_dialog(tui_app *app)
{
	switch (app->dialog) {
	case DIALOG_FORM: tui_form_draw(app); break;
	case DIALOG_PROGRESS: tui_progress_draw(app); break;
	case DIALOG_CONFIRM: tui_confirm_draw(app); break;
	case DIALOG_HELP: tui_help_draw(app); break;
	case DIALOG_MENU: tui_menu_post(app); break;
	case DIALOG_POPUP: tui_popup_draw(app); break;
	default: break;
	}
}

void
tui_render(tui_app *app)
{
	app->cursor_y = -1;
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		draw_too_small(app);
		if (app->dialog_panel)
			hide_panel(app->dialog_panel);
	} else {
		werase(app->win);
		app->info[0] = '\0';
		draw_screen(app);
		tui_draw_frame(app);
		if (app->dialog_panel)
			show_panel(app->dialog_panel);
		draw_dialog(app);
	}
	update_panels();
	/* the text cursor shows only while a field or the filter line is edited */
	if (app->cursor_y >= 0) {
		setsyx(app->cursor_y, app->cursor_x);
		curs_set(1);
	} else {
		curs_set(0);
	}
	doupdate();
	app->dirty = 0;
	app->frames++;
}
