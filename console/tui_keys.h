/*
 * tui_keys.h - the console's key table: every key, where it applies, what
 * it does.  The key bar, the "?" help and the KEYS section of
 * apex-console(1) are all generated from this one table.
 *
 * Nothing here calls curses, so the Criterion suites can link it.
 */
#ifndef APEX_TUI_KEYS_H
#define APEX_TUI_KEYS_H

#include <stddef.h>
#include <stdio.h>

/* A curses function key (KEY_DOWN...) as a key code, apart from characters. */
#define TUI_FN(k) ((k) | 0x40000000)
#define TUI_CTRL(c) ((c) & 0x1f)
#define TUI_ESC 27

/* Where the console is: one bit per screen or dialog. */
enum {
	TUI_CTX_TENANTS = 1 << 0,
	TUI_CTX_DETAIL = 1 << 1,
	TUI_CTX_AUDIT = 1 << 2,
	TUI_CTX_REVIEW = 1 << 3,
	TUI_CTX_PROVIDER = 1 << 4,
	TUI_CTX_FORM = 1 << 5,		/* the provision form */
	TUI_CTX_PROGRESS = 1 << 6,	/* provisioning phases and their outcome */
	TUI_CTX_CONFIRM = 1 << 7,	/* typed confirmation of suspend, resume, archive, dismiss */
	TUI_CTX_PROMPT = 1 << 8,	/* the filter line */
	TUI_CTX_HELP = 1 << 9,
	TUI_CTX_MENU = 1 << 10,		/* the sort menu */
	TUI_CTX_POPUP = 1 << 11,	/* one audit entry or review item in full */
	TUI_CTX_QUESTION = 1 << 12	/* a yes/no question on the status line */
};

#define TUI_CTX_SCREENS \
	(TUI_CTX_TENANTS | TUI_CTX_DETAIL | TUI_CTX_AUDIT | TUI_CTX_REVIEW | TUI_CTX_PROVIDER)

typedef enum tui_action {
	ACT_NONE,
	/* everywhere */
	ACT_HELP, ACT_BACK, ACT_QUIT, ACT_REDRAW,
	ACT_SCREEN_TENANTS, ACT_SCREEN_AUDIT, ACT_SCREEN_REVIEW, ACT_SCREEN_PROVIDER,
	/* moving */
	ACT_UP, ACT_DOWN, ACT_PAGE_UP, ACT_PAGE_DOWN, ACT_HALF_UP, ACT_HALF_DOWN, ACT_TOP, ACT_BOTTOM,
	/* lists */
	ACT_OPEN, ACT_FILTER, ACT_CLEAR_FILTER, ACT_SORT_MENU, ACT_SORT_NEXT, ACT_SORT_PREV,
	ACT_SORT_INVERT, ACT_TENANT_AUDIT, ACT_TOGGLE_CLOSED,
	/* actions that change something */
	ACT_NEW, ACT_SUSPEND, ACT_RESUME, ACT_ARCHIVE, ACT_RETRY, ACT_DISMISS,
	/* dialogs */
	ACT_NEXT_FIELD, ACT_PREV_FIELD, ACT_ACCEPT, ACT_SUBMIT, ACT_CANCEL, ACT_CLEAR_FIELD,
	ACT_LEFT, ACT_RIGHT, ACT_HOME, ACT_END, ACT_BACKSPACE, ACT_DELETE, ACT_YES, ACT_NO,
	ACT_COUNT
} tui_action;

/* Key flags. */
#define TUI_KEY_WRITE 1		/* changes something: hidden and ignored with --read-only */

typedef struct tui_key {
	int code;		/* a character, TUI_CTRL(c) or TUI_FN(KEY_...) */
	const char *label;	/* how help and the manual name the key */
	unsigned section;	/* index into the section table */
	tui_action action;
	unsigned flags;
	const char *bar;	/* key bar text, or NULL to leave it off the bar */
	const char *help;	/* what the key does, for "?" and the manual */
} tui_key;

/* Returns the action of CODE in context CTX, or ACT_NONE. */
tui_action tui_keys_lookup(unsigned ctx, int code, int read_only);

/*
 * Writes the key bar of context CTX into BUF, fitting WIDTH columns: items
 * "KEY Text" separated by two spaces, the last item (back or quit) always
 * kept.  Returns the length written.
 */
size_t tui_keys_bar(unsigned ctx, int read_only, size_t width, char *buf, size_t size);

/* One line of generated help: a section title or a key with its text. */
typedef struct tui_help_line {
	int is_title;
	char keys[48];		/* "j, Down" */
	const char *text;
} tui_help_line;

/*
 * Fills LINES (at most MAX) with the help of context CTX: the titles and
 * keys of every section that applies there, or of every section when CTX
 * is 0.  Returns the number of lines; keys of one action in one section
 * share a line.
 */
size_t tui_keys_help(unsigned ctx, int read_only, tui_help_line *lines, size_t max);

/* Writes the KEYS section of apex-console(1) in roff to OUT. */
void tui_keys_print_man(FILE *out);

/* The table itself, for tests. */
const tui_key *tui_keys_table(size_t *count);

/* Returns the title of SECTION and the contexts it applies in. */
const char *tui_keys_section_title(unsigned section, unsigned *contexts);

#endif
