/*
 * tui_dialogs.c - the small dialogs: the filter line, the "?" help
 * generated from the key table, scrollable pop-ups and yes/no questions.
 */
#include "tui.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- one-line editor ---- */

/* Encodes CP as UTF-8 into OUT; returns the length. */
static size_t
utf8_encode(unsigned cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int
is_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

static int
insert(tui_line *line, int code, int utf8)
{
	char bytes[4];
	size_t n;

	if (code < 0x20 || code == 0x7f || (code & TUI_FN(0)) || code > 0x10ffff ||
	    (code >= 0x80 && (!utf8 || code < 0xa0)))
		return 0;
	n = utf8_encode((unsigned)code, bytes);
	if (line->len + n >= sizeof(line->text))
		return 0;
	memmove(&line->text[line->pos + n], &line->text[line->pos], line->len - line->pos + 1);
	memcpy(&line->text[line->pos], bytes, n);
	line->pos += n;
	line->len += n;
	return 1;
}

static void
delete_at(tui_line *line, size_t at)
{
	size_t end = at + 1;

	while (end < line->len && is_continuation(line->text[end]))
		end++;
	memmove(&line->text[at], &line->text[end], line->len - end + 1);
	line->len -= end - at;
}

static size_t
previous_char(const tui_line *line, size_t pos)
{
	while (pos > 0 && is_continuation(line->text[--pos]))
		;
	return pos;
}

int
tui_line_edit(tui_line *line, int code, tui_action action, int utf8)
{
	switch (action) {
	case ACT_LEFT:
		line->pos = previous_char(line, line->pos);
		return 0;
	case ACT_RIGHT:
		while (line->pos < line->len && is_continuation(line->text[++line->pos]))
			;
		return 0;
	case ACT_HOME:
		line->pos = 0;
		return 0;
	case ACT_END:
		line->pos = line->len;
		return 0;
	case ACT_BACKSPACE:
		if (line->pos == 0)
			return 0;
		line->pos = previous_char(line, line->pos);
		delete_at(line, line->pos);
		return 1;
	case ACT_DELETE:
		if (line->pos >= line->len)
			return 0;
		delete_at(line, line->pos);
		return 1;
	case ACT_CLEAR_FIELD:
		line->text[0] = '\0';
		line->len = line->pos = 0;
		return 1;
	default:
		return insert(line, code, utf8);
	}
}

/* ---- filter line ---- */

void
tui_prompt_open(tui_app *app, tui_screen_id screen, const char *current)
{
	tui_prompt *p = &app->prompt;

	memset(p, 0, sizeof(*p));
	p->screen = screen;
	snprintf(p->saved, sizeof(p->saved), "%s", current);
	snprintf(p->line.text, sizeof(p->line.text), "%s", current);
	p->line.len = p->line.pos = strlen(p->line.text);
	app->dialog = DIALOG_PROMPT;
	app->dirty = 1;
}

static void
apply_filter(tui_app *app, const char *text)
{
	if (app->prompt.screen == SCREEN_TENANTS)
		tui_table_set_filter(&app->tenants.table, text);
	else
		tui_audit_set_filter(app, text);
}

void
tui_prompt_key(tui_app *app, int code, tui_action action)
{
	tui_prompt *p = &app->prompt;

	switch (action) {
	case ACT_ACCEPT:
		app->dialog = DIALOG_NONE;
		/* the audit log is filtered in the database, once the line is complete */
		if (p->screen == SCREEN_AUDIT)
			apply_filter(app, p->line.text);
		return;
	case ACT_CANCEL:
		app->dialog = DIALOG_NONE;
		if (p->screen == SCREEN_TENANTS)
			apply_filter(app, p->saved);
		return;
	default:
		break;
	}
	/* the terminal sent bytes this locale cannot decode (see tui_loop.c) */
	if (code == 0xfffd && action == ACT_NONE) {
		p->rejected = 1;
		app->dirty = 1;
		return;
	}
	p->rejected = 0;
	if (tui_line_edit(&p->line, code, action, app->utf8) && p->screen == SCREEN_TENANTS)
		apply_filter(app, p->line.text);
}

void
tui_prompt_draw(tui_app *app)
{
	tui_prompt *p = &app->prompt;
	char before[TUI_FILTER_MAX];
	const char *shown = p->line.text;
	int cursor;

	snprintf(before, sizeof(before), "%.*s", (int)p->line.pos, p->line.text);
	cursor = 1 + tui_text_width(app, before);
	/* long filters scroll so the cursor stays visible */
	while (cursor >= COLS - 1 && *shown) {
		unsigned skip = 1;

		while (is_continuation(shown[skip]))
			skip++;
		cursor -= 1;
		shown += skip;
	}
	tui_put(app, app->win, LINES - 2, 0, 1, "/", A_BOLD);
	tui_put(app, app->win, LINES - 2, 1, COLS - 1, shown, A_NORMAL);
	if (p->rejected) {
		static const char warning[] = "[non-ASCII input needs a UTF-8 locale]";
		int width = (int)sizeof(warning) - 1;

		if (COLS - width - 1 > cursor + 1)
			tui_put(app, app->win, LINES - 2, COLS - width - 1, width, warning,
				tui_attr(app, PAIR_ERROR, A_BOLD) | A_BOLD);
	}
	app->cursor_y = LINES - 2;
	app->cursor_x = cursor;
}

/* ---- help ---- */

#define HELP_MAX_LINES 256

static unsigned help_context;

void
tui_help_open(tui_app *app)
{
	help_context = tui_context(app);
	app->help_top = 0;
	app->dialog = DIALOG_HELP;
	app->dirty = 1;
}

/* Draws (when DRAW) and counts the rows of LINES wrapped to the window's width. */
static int
help_rows(tui_app *app, WINDOW *win, const tui_help_line *lines, size_t n, int draw)
{
	int cols = getmaxx(win), body = getmaxy(win) - 3, key_cols = 20, row = 0;
	int text_cols = cols - 6 - key_cols;

	for (size_t i = 0; i < n; i++) {
		const char *text = lines[i].text;
		int y;

		if (lines[i].is_title) {
			y = row++ - app->help_top;
			if (draw && y >= 0 && y < body)
				tui_put(app, win, 1 + y, 2, cols - 4, text, A_BOLD | A_UNDERLINE);
			continue;
		}
		for (int first = 1; first || *text; first = 0) {
			size_t len = tui_wrap(text, text_cols);
			char part[512];

			y = row++ - app->help_top;
			snprintf(part, sizeof(part), "%.*s", (int)len, text);
			if (draw && y >= 0 && y < body) {
				tui_put(app, win, 1 + y, 3, key_cols, first ? lines[i].keys : "", A_BOLD);
				tui_put(app, win, 1 + y, 4 + key_cols, text_cols, part, A_NORMAL);
			}
			text += len;
			while (*text == ' ')
				text++;
		}
	}
	return row;
}

void
tui_help_draw(tui_app *app)
{
	tui_help_line lines[HELP_MAX_LINES];
	size_t n = tui_keys_help(help_context, app->read_only, lines, HELP_MAX_LINES);
	int rows = LINES - 2, cols = COLS < 100 ? COLS : 100;
	WINDOW *win = tui_dialog_open(app, DIALOG_HELP, rows, cols);
	int total, body = rows - 3;

	if (!win)
		return;
	werase(win);
	tui_box(app, win);
	tui_title(app, win, " Keys (q closes) ");
	total = help_rows(app, win, lines, n, 0);
	if (app->help_top > total - body)
		app->help_top = total - body > 0 ? total - body : 0;
	help_rows(app, win, lines, n, 1);
	tui_putf(app, win, rows - 2, 2, cols - 4, A_DIM, "apex-console %s%s; see apex-console(1)",
		 APEX_VERSION, app->read_only ? ", read-only: actions are hidden" : "");
}

static int
scroll_value(int *top, tui_action action, int page)
{
	switch (action) {
	case ACT_UP: (*top)--; break;
	case ACT_DOWN: (*top)++; break;
	case ACT_PAGE_UP: *top -= page; break;
	case ACT_PAGE_DOWN: *top += page; break;
	case ACT_HALF_UP: *top -= page / 2; break;
	case ACT_HALF_DOWN: *top += page / 2; break;
	case ACT_TOP: *top = 0; break;
	case ACT_BOTTOM: *top = 1 << 20; break;
	default: return 0;
	}
	if (*top < 0)
		*top = 0;
	return 1;
}

void
tui_help_key(tui_app *app, tui_action action)
{
	if (scroll_value(&app->help_top, action, LINES - 5))
		return;
	if (action == ACT_BACK) {
		tui_dialog_close(app);
		app->dialog = DIALOG_NONE;
	}
}

/* ---- pop-up ---- */

void
tui_popup_open(tui_app *app, const char *title, char *text)
{
	tui_popup *p = &app->popup;

	free(p->text);
	snprintf(p->title, sizeof(p->title), "%s", title);
	p->text = text;
	p->top = 0;
	p->n_lines = 0;
	for (const char *s = text; *s; s++)
		p->n_lines += *s == '\n';
	app->dialog = DIALOG_POPUP;
	app->dirty = 1;
}

void
tui_popup_draw(tui_app *app)
{
	tui_popup *p = &app->popup;
	int rows = LINES - 2, cols = COLS < 100 ? COLS : 100;
	WINDOW *win = tui_dialog_open(app, DIALOG_POPUP, rows, cols);
	const char *s = p->text;
	int body = rows - 2;

	if (!win)
		return;
	werase(win);
	tui_box(app, win);
	tui_title(app, win, " %s (q closes) ", p->title);
	if (p->top > p->n_lines - body)
		p->top = p->n_lines - body > 0 ? p->n_lines - body : 0;
	for (int i = 0; s && *s; i++) {
		size_t len = strcspn(s, "\n");
		char line[1024];

		if (i >= p->top && i - p->top < body) {
			snprintf(line, sizeof(line), "%.*s", (int)len, s);
			tui_put(app, win, 1 + i - p->top, 2, cols - 4, line, A_NORMAL);
		}
		s += len + (s[len] == '\n');
	}
}

void
tui_popup_key(tui_app *app, tui_action action)
{
	if (scroll_value(&app->popup.top, action, LINES - 4))
		return;
	if (action == ACT_BACK) {
		tui_dialog_close(app);
		app->dialog = DIALOG_NONE;
		free(app->popup.text);
		app->popup.text = NULL;
	}
}

/* ---- questions ---- */

void
tui_question_open(tui_app *app, void (*yes)(tui_app *app), const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(app->question.text, sizeof(app->question.text), fmt, ap);
	va_end(ap);
	app->question.yes = yes;
	app->dialog = DIALOG_QUESTION;
	app->dirty = 1;
}

void
tui_question_key(tui_app *app, tui_action action)
{
	void (*yes)(tui_app *app) = app->question.yes;

	if (action != ACT_YES && action != ACT_NO)
		return;
	app->dialog = DIALOG_NONE;
	app->question.yes = NULL;
	if (action == ACT_YES && yes)
		yes(app);
	else
		tui_message(app, 0, "nothing changed");
}
