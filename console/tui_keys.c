/*
 * tui_keys.c - the key table of apex-console and what is generated from it:
 * lookups, the key bar, the "?" help and the manual's KEYS section.
 *
 * Lookups take the first entry that matches, so the sections of dialogs and
 * single screens come before the sections that apply everywhere.  Only
 * <curses.h> constants are used here; no curses function is called.
 */
#include "tui_keys.h"

#include <curses.h>
#include <string.h>

enum {
	SEC_TENANTS, SEC_DETAIL, SEC_AUDIT, SEC_REVIEW, SEC_FORM, SEC_PROGRESS, SEC_CONFIRM,
	SEC_PROMPT, SEC_EDIT, SEC_MENU, SEC_QUESTION, SEC_CLOSE, SEC_MOVE, SEC_ALL, SEC_COUNT
};

static const struct {
	const char *title;
	unsigned contexts;
} sections[SEC_COUNT] = {
	[SEC_ALL] = { "All screens", TUI_CTX_SCREENS },
	[SEC_MOVE] = { "Moving in lists and text",
		       TUI_CTX_SCREENS | TUI_CTX_HELP | TUI_CTX_POPUP | TUI_CTX_MENU },
	[SEC_TENANTS] = { "Tenants", TUI_CTX_TENANTS },
	[SEC_DETAIL] = { "Tenant detail", TUI_CTX_DETAIL },
	[SEC_AUDIT] = { "Audit log", TUI_CTX_AUDIT },
	[SEC_REVIEW] = { "Review queue", TUI_CTX_REVIEW },
	[SEC_FORM] = { "Provision form", TUI_CTX_FORM },
	[SEC_PROGRESS] = { "Provisioning progress", TUI_CTX_PROGRESS },
	[SEC_CONFIRM] = { "Confirmation dialog", TUI_CTX_CONFIRM },
	[SEC_PROMPT] = { "Filter line", TUI_CTX_PROMPT },
	[SEC_EDIT] = { "Editing text", TUI_CTX_FORM | TUI_CTX_CONFIRM | TUI_CTX_PROMPT },
	[SEC_MENU] = { "Sort menu", TUI_CTX_MENU },
	[SEC_QUESTION] = { "Yes or no questions", TUI_CTX_QUESTION },
	[SEC_CLOSE] = { "Help and pop-up windows", TUI_CTX_HELP | TUI_CTX_POPUP },
};

#define W TUI_KEY_WRITE
#define ENTER_KEYS(sec, act, flags, bar, help) \
	{ '\n', "Enter", sec, act, flags, bar, help }, \
	{ '\r', "Enter", sec, act, flags, NULL, help }, \
	{ TUI_FN(KEY_ENTER), "Enter", sec, act, flags, NULL, help }

static const tui_key keys[] = {
	/* tenants */
	ENTER_KEYS(SEC_TENANTS, ACT_OPEN, 0, "Detail", "open the selected tenant's detail"),
	{ 'l', "l", SEC_TENANTS, ACT_OPEN, 0, NULL, "open the selected tenant's detail" },
	{ TUI_FN(KEY_RIGHT), "Right", SEC_TENANTS, ACT_OPEN, 0, NULL, "open the selected tenant's detail" },
	{ '/', "/", SEC_TENANTS, ACT_FILTER, 0, "Filter",
	  "filter: words that must all occur in subdomain, name, plan or status; "
	  "\"status:WORD\", \"plan:WORD\", \"name:WORD\" or \"sub:WORD\" match one column" },
	{ TUI_ESC, "Esc", SEC_TENANTS, ACT_CLEAR_FILTER, 0, NULL, "clear the filter" },
	{ 'o', "o", SEC_TENANTS, ACT_SORT_MENU, 0, "Sort", "choose the sort column from a menu" },
	{ '>', ">", SEC_TENANTS, ACT_SORT_NEXT, 0, NULL, "sort by the next column" },
	{ '<', "<", SEC_TENANTS, ACT_SORT_PREV, 0, NULL, "sort by the previous column" },
	{ 'I', "I", SEC_TENANTS, ACT_SORT_INVERT, 0, NULL, "invert the sort order" },
	{ 'n', "n", SEC_TENANTS, ACT_NEW, W, "New", "provision a new tenant" },
	{ 's', "s", SEC_TENANTS, ACT_SUSPEND, W, "Suspend",
	  "suspend the selected tenant (kill switch), after typing its subdomain and a reason" },
	{ 'r', "r", SEC_TENANTS, ACT_RESUME, W, "Resume",
	  "resume the selected tenant, after typing its subdomain and a reason" },
	{ 'a', "a", SEC_TENANTS, ACT_ARCHIVE, W, "Archive",
	  "archive the selected tenant (backup, then no route and no access), after typing its "
	  "subdomain and a reason" },
	{ 'L', "L", SEC_TENANTS, ACT_TENANT_AUDIT, 0, NULL, "show the selected tenant's audit log" },
	{ 'q', "q", SEC_TENANTS, ACT_QUIT, 0, "Quit", "quit" },

	/* tenant detail */
	{ 'h', "h", SEC_DETAIL, ACT_BACK, 0, NULL, "go back to the tenants" },
	{ TUI_FN(KEY_LEFT), "Left", SEC_DETAIL, ACT_BACK, 0, NULL, "go back to the tenants" },
	{ 's', "s", SEC_DETAIL, ACT_SUSPEND, W, "Suspend",
	  "suspend this tenant, after typing its subdomain and a reason" },
	{ 'r', "r", SEC_DETAIL, ACT_RESUME, W, "Resume",
	  "resume this tenant, after typing its subdomain and a reason" },
	{ 'a', "a", SEC_DETAIL, ACT_ARCHIVE, W, "Archive",
	  "archive this tenant, after typing its subdomain and a reason" },
	{ 'L', "L", SEC_DETAIL, ACT_TENANT_AUDIT, 0, "Audit", "show this tenant's audit log" },

	/* audit log */
	ENTER_KEYS(SEC_AUDIT, ACT_OPEN, 0, "Show", "show the selected entry in full"),
	{ '/', "/", SEC_AUDIT, ACT_FILTER, 0, "Filter",
	  "filter: \"tenant:SUBDOMAIN\" (exact), \"action:WORD\", and other text that must occur in "
	  "tenant, action or actor" },
	{ TUI_ESC, "Esc", SEC_AUDIT, ACT_CLEAR_FILTER, 0, NULL, "clear the filter" },

	/* review queue */
	ENTER_KEYS(SEC_REVIEW, ACT_OPEN, 0, "Show", "show the selected item with its error and request"),
	{ 'r', "r", SEC_REVIEW, ACT_RETRY, W, "Retry", "retry the selected item's provisioning" },
	{ 'd', "d", SEC_REVIEW, ACT_DISMISS, W, "Dismiss",
	  "dismiss the selected item, after typing its subdomain and a reason" },
	{ 'c', "c", SEC_REVIEW, ACT_TOGGLE_CLOSED, 0, "Closed", "show or hide retried and dismissed items" },

	/* provision form */
	{ '\t', "Tab", SEC_FORM, ACT_NEXT_FIELD, 0, "Next", "next field" },
	{ TUI_FN(KEY_DOWN), "Down", SEC_FORM, ACT_NEXT_FIELD, 0, NULL, "next field" },
	{ TUI_FN(KEY_BTAB), "Shift-Tab", SEC_FORM, ACT_PREV_FIELD, 0, NULL, "previous field" },
	{ TUI_FN(KEY_UP), "Up", SEC_FORM, ACT_PREV_FIELD, 0, NULL, "previous field" },
	ENTER_KEYS(SEC_FORM, ACT_ACCEPT, 0, NULL, "next field; on the last field, provision"),
	{ TUI_FN(KEY_F(10)), "F10", SEC_FORM, ACT_SUBMIT, 0, "Provision",
	  "provision the tenant when every field is valid" },
	{ TUI_ESC, "Esc", SEC_FORM, ACT_CANCEL, 0, "Cancel", "close the form without provisioning" },

	/* provisioning progress */
	ENTER_KEYS(SEC_PROGRESS, ACT_OPEN, 0, "Open", "open the new tenant's detail"),
	{ 'n', "n", SEC_PROGRESS, ACT_NEW, W, "New", "provision another tenant" },
	{ 'q', "q", SEC_PROGRESS, ACT_BACK, 0, "Back", "go back to the tenants" },
	{ TUI_ESC, "Esc", SEC_PROGRESS, ACT_BACK, 0, NULL, "go back to the tenants" },

	/* confirmation dialog */
	{ '\t', "Tab", SEC_CONFIRM, ACT_NEXT_FIELD, 0, "Next", "next field" },
	{ TUI_FN(KEY_DOWN), "Down", SEC_CONFIRM, ACT_NEXT_FIELD, 0, NULL, "next field" },
	{ TUI_FN(KEY_BTAB), "Shift-Tab", SEC_CONFIRM, ACT_PREV_FIELD, 0, NULL, "previous field" },
	{ TUI_FN(KEY_UP), "Up", SEC_CONFIRM, ACT_PREV_FIELD, 0, NULL, "previous field" },
	ENTER_KEYS(SEC_CONFIRM, ACT_ACCEPT, 0, "Confirm",
		   "next field; on the last field, carry out the action once the typed "
		   "subdomain matches"),
	{ TUI_ESC, "Esc", SEC_CONFIRM, ACT_CANCEL, 0, "Cancel", "cancel; nothing changes" },

	/* filter line */
	ENTER_KEYS(SEC_PROMPT, ACT_ACCEPT, 0, "Apply", "keep the filter and return to the list"),
	{ TUI_ESC, "Esc", SEC_PROMPT, ACT_CANCEL, 0, "Cancel", "restore the previous filter" },

	/* editing text in the form, the dialog and the filter line */
	{ TUI_FN(KEY_LEFT), "Left", SEC_EDIT, ACT_LEFT, 0, NULL, "move the cursor left" },
	{ TUI_FN(KEY_RIGHT), "Right", SEC_EDIT, ACT_RIGHT, 0, NULL, "move the cursor right" },
	{ TUI_FN(KEY_HOME), "Home", SEC_EDIT, ACT_HOME, 0, NULL, "move to the start of the field" },
	{ TUI_CTRL('A'), "Ctrl-A", SEC_EDIT, ACT_HOME, 0, NULL, "move to the start of the field" },
	{ TUI_FN(KEY_END), "End", SEC_EDIT, ACT_END, 0, NULL, "move to the end of the field" },
	{ TUI_CTRL('E'), "Ctrl-E", SEC_EDIT, ACT_END, 0, NULL, "move to the end of the field" },
	{ TUI_FN(KEY_BACKSPACE), "Backspace", SEC_EDIT, ACT_BACKSPACE, 0, NULL,
	  "delete the character before the cursor" },
	{ 127, "Backspace", SEC_EDIT, ACT_BACKSPACE, 0, NULL, "delete the character before the cursor" },
	{ TUI_CTRL('H'), "Backspace", SEC_EDIT, ACT_BACKSPACE, 0, NULL,
	  "delete the character before the cursor" },
	{ TUI_FN(KEY_DC), "Delete", SEC_EDIT, ACT_DELETE, 0, NULL, "delete the character under the cursor" },
	{ TUI_CTRL('U'), "Ctrl-U", SEC_EDIT, ACT_CLEAR_FIELD, 0, NULL, "clear the field" },

	/* sort menu */
	ENTER_KEYS(SEC_MENU, ACT_ACCEPT, 0, "Choose", "sort by the highlighted column"),
	{ TUI_ESC, "Esc", SEC_MENU, ACT_CANCEL, 0, "Cancel", "keep the current sort order" },
	{ 'q', "q", SEC_MENU, ACT_CANCEL, 0, NULL, "keep the current sort order" },

	/* yes or no */
	{ 'y', "y", SEC_QUESTION, ACT_YES, 0, "Yes", "yes, go ahead" },
	{ 'n', "n", SEC_QUESTION, ACT_NO, 0, "No", "no, change nothing" },
	{ TUI_ESC, "Esc", SEC_QUESTION, ACT_NO, 0, NULL, "no, change nothing" },

	/* help and pop-ups */
	{ 'q', "q", SEC_CLOSE, ACT_BACK, 0, "Close", "close the window" },
	{ TUI_ESC, "Esc", SEC_CLOSE, ACT_BACK, 0, NULL, "close the window" },
	{ '?', "?", SEC_CLOSE, ACT_BACK, 0, NULL, "close the window" },

	/* moving */
	{ 'j', "j", SEC_MOVE, ACT_DOWN, 0, NULL, "move down one line" },
	{ TUI_FN(KEY_DOWN), "Down", SEC_MOVE, ACT_DOWN, 0, NULL, "move down one line" },
	{ 'k', "k", SEC_MOVE, ACT_UP, 0, NULL, "move up one line" },
	{ TUI_FN(KEY_UP), "Up", SEC_MOVE, ACT_UP, 0, NULL, "move up one line" },
	{ TUI_FN(KEY_NPAGE), "PgDn", SEC_MOVE, ACT_PAGE_DOWN, 0, NULL, "move down one page" },
	{ TUI_CTRL('F'), "Ctrl-F", SEC_MOVE, ACT_PAGE_DOWN, 0, NULL, "move down one page" },
	{ ' ', "Space", SEC_MOVE, ACT_PAGE_DOWN, 0, NULL, "move down one page" },
	{ TUI_FN(KEY_PPAGE), "PgUp", SEC_MOVE, ACT_PAGE_UP, 0, NULL, "move up one page" },
	{ TUI_CTRL('B'), "Ctrl-B", SEC_MOVE, ACT_PAGE_UP, 0, NULL, "move up one page" },
	{ TUI_CTRL('D'), "Ctrl-D", SEC_MOVE, ACT_HALF_DOWN, 0, NULL, "move down half a page" },
	{ TUI_CTRL('U'), "Ctrl-U", SEC_MOVE, ACT_HALF_UP, 0, NULL, "move up half a page" },
	{ 'g', "g", SEC_MOVE, ACT_TOP, 0, NULL, "go to the first line" },
	{ TUI_FN(KEY_HOME), "Home", SEC_MOVE, ACT_TOP, 0, NULL, "go to the first line" },
	{ 'G', "G", SEC_MOVE, ACT_BOTTOM, 0, NULL, "go to the last line" },
	{ TUI_FN(KEY_END), "End", SEC_MOVE, ACT_BOTTOM, 0, NULL, "go to the last line" },

	/* everywhere */
	{ '?', "?", SEC_ALL, ACT_HELP, 0, "Help", "show the keys of the current screen" },
	{ TUI_FN(KEY_F(1)), "F1", SEC_ALL, ACT_HELP, 0, NULL, "show the keys of the current screen" },
	{ '1', "1", SEC_ALL, ACT_SCREEN_TENANTS, 0, NULL, "show the tenants" },
	{ '2', "2", SEC_ALL, ACT_SCREEN_AUDIT, 0, NULL, "show the audit log" },
	{ '3', "3", SEC_ALL, ACT_SCREEN_REVIEW, 0, NULL, "show the review queue" },
	{ '4', "4", SEC_ALL, ACT_SCREEN_PROVIDER, 0, NULL, "show the provider instances" },
	{ TUI_CTRL('L'), "Ctrl-L", SEC_ALL, ACT_REDRAW, 0, NULL,
	  "reload every list from the database and redraw the screen" },
	{ 'q', "q", SEC_ALL, ACT_BACK, 0, "Back",
	  "go back to the previous screen; on the tenants screen, quit" },
	{ TUI_ESC, "Esc", SEC_ALL, ACT_BACK, 0, NULL, "go back to the previous screen" },
	{ 'Q', "Q", SEC_ALL, ACT_QUIT, 0, NULL, "quit from any screen" },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

const tui_key *
tui_keys_table(size_t *count)
{
	*count = N_KEYS;
	return keys;
}

const char *
tui_keys_section_title(unsigned section, unsigned *contexts)
{
	if (section >= SEC_COUNT) {
		*contexts = 0;
		return "";
	}
	*contexts = sections[section].contexts;
	return sections[section].title;
}

static int
applies(const tui_key *k, unsigned ctx, int read_only)
{
	if (read_only && (k->flags & TUI_KEY_WRITE))
		return 0;
	return (sections[k->section].contexts & ctx) != 0;
}

tui_action
tui_keys_lookup(unsigned ctx, int code, int read_only)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (keys[i].code == code && applies(&keys[i], ctx, read_only))
			return keys[i].action;
	return ACT_NONE;
}

/* ---- key bar ---- */

static int
is_leave_action(tui_action action)
{
	return action == ACT_QUIT || action == ACT_BACK || action == ACT_CANCEL || action == ACT_NO;
}

/* Collects the bar entries of CTX: help first, then the rest, leaving last. */
static size_t
bar_entries(unsigned ctx, int read_only, const tui_key **out, size_t max)
{
	size_t n = 0;

	for (int pass = 0; pass < 3; pass++) {
		for (size_t i = 0; i < N_KEYS && n < max; i++) {
			const tui_key *k = &keys[i];
			int wanted_pass = k->action == ACT_HELP ? 0 : is_leave_action(k->action) ? 2 : 1;

			if (k->bar && applies(k, ctx, read_only) && wanted_pass == pass &&
			    tui_keys_lookup(ctx, k->code, read_only) == k->action)
				out[n++] = k;
		}
	}
	return n;
}

static size_t
item_width(const tui_key *k)
{
	return strlen(k->label) + 1 + strlen(k->bar);
}

size_t
tui_keys_bar(unsigned ctx, int read_only, size_t width, char *buf, size_t size)
{
	const tui_key *items[32];
	size_t n = bar_entries(ctx, read_only, items, 32);
	size_t last = n ? item_width(items[n - 1]) : 0;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t w = item_width(items[i]) + (len ? 2 : 0);
		int is_last = i + 1 == n;

		/* keep room for the last item, which leaves the screen */
		if (len + w + (is_last ? 0 : last + 2) > width && !is_last)
			continue;
		if (len + w > width || len + w >= size)
			break;
		len += (size_t)snprintf(buf + len, size - len, "%s%s %s", len ? "  " : "",
					items[i]->label, items[i]->bar);
	}
	return len;
}

/* ---- help ---- */

static void
add_label(char *keys_text, size_t size, const char *label)
{
	size_t len = strlen(keys_text);
	const char *p = keys_text;

	/* skip labels already listed ("Enter" has three codes) */
	while ((p = strstr(p, label)) != NULL) {
		size_t n = strlen(label);

		int starts = p == keys_text || (p - keys_text >= 2 && p[-2] == ',' && p[-1] == ' ');

		if (starts && (p[n] == '\0' || p[n] == ','))
			return;
		p += n;
	}
	snprintf(keys_text + len, size - len, "%s%s", len ? ", " : "", label);
}

/* Adds the keys of SECTION to LINES; keys of one action share a line. */
static size_t
help_section(unsigned section, int read_only, tui_help_line *lines, size_t n, size_t max)
{
	size_t first = n;

	for (size_t i = 0; i < N_KEYS; i++) {
		const tui_key *k = &keys[i];
		size_t j;

		if (k->section != section || (read_only && (k->flags & TUI_KEY_WRITE)))
			continue;
		for (j = first; j < n; j++)
			if (lines[j].text == k->help || strcmp(lines[j].text, k->help) == 0)
				break;
		if (j == n) {
			if (n == max)
				return n;
			memset(&lines[n], 0, sizeof(lines[n]));
			lines[n++].text = k->help;
		}
		add_label(lines[j].keys, sizeof(lines[j].keys), k->label);
	}
	return n;
}

/* The order of sections in help and in the manual. */
static const unsigned help_order[] = {
	SEC_ALL, SEC_MOVE, SEC_TENANTS, SEC_DETAIL, SEC_AUDIT, SEC_REVIEW, SEC_FORM, SEC_PROGRESS,
	SEC_CONFIRM, SEC_PROMPT, SEC_EDIT, SEC_MENU, SEC_QUESTION, SEC_CLOSE,
};

size_t
tui_keys_help(unsigned ctx, int read_only, tui_help_line *lines, size_t max)
{
	size_t n = 0;

	for (size_t s = 0; s < sizeof(help_order) / sizeof(help_order[0]); s++) {
		unsigned section = help_order[s];
		size_t before;

		if (ctx && !(sections[section].contexts & ctx))
			continue;
		if (n == max)
			break;
		before = n;
		memset(&lines[n], 0, sizeof(lines[n]));
		lines[n].is_title = 1;
		lines[n++].text = sections[section].title;
		n = help_section(section, read_only, lines, n, max);
		if (n == before + 1)
			n = before;	/* a section without keys (read-only) */
	}
	return n;
}

/* ---- manual ---- */

/* Writes S with roff's special characters escaped. */
static void
roff_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

void
tui_keys_print_man(FILE *out)
{
	tui_help_line lines[256];
	size_t n = tui_keys_help(0, 0, lines, 256);

	for (size_t i = 0; i < n; i++) {
		if (lines[i].is_title) {
			fputs(".SS ", out);
			roff_text(out, lines[i].text);
			fputc('\n', out);
			continue;
		}
		fputs(".TP\n.B ", out);
		/* a leading "." or "'" would start a roff request */
		if (lines[i].keys[0] == '.' || lines[i].keys[0] == '\'')
			fputs("\\&", out);
		roff_text(out, lines[i].keys);
		fputc('\n', out);
		roff_text(out, lines[i].text);
		fputs("\n", out);
	}
}
