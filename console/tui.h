/*
 * tui.h - the parts of apex-console shared between its screens: the
 * application state, the database connection, drawing helpers and dialogs.
 *
 * One screen is active at a time: tenants, tenant detail, audit log, review
 * queue or provider.  At most one dialog (form, confirmation, filter line,
 * help, menu, pop-up, question) is open on top of it.  Keys go to the dialog
 * when there is one, else to the screen, through the key table in
 * tui_keys.c.  Data changes arrive as NOTIFY on the database connection and
 * mark what must be reloaded; the loop redraws only when something changed.
 */
#ifndef APEX_TUI_H
#define APEX_TUI_H

#include <curses.h>
#include <form.h>
#include <libpq-fe.h>
#include <panel.h>
#include <stdio.h>

#include "auditlog.h"
#include "config.h"
#include "context.h"
#include "inspect.h"
#include "review.h"
#include "tenant.h"
#include "tui_keys.h"
#include "tui_model.h"

#define TUI_PROGRAM "apex-console"

/* Smallest terminal the screens are laid out for; smaller ones get a notice. */
#define TUI_MIN_COLS 40
#define TUI_MIN_ROWS 10

/* A provider not polled by Traefik for this long raises an alarm. */
#define TUI_POLL_STALE_S 30.0

/*
 * apex-provider rewrites its status row at least every 30 seconds, so a row
 * older than this belongs to an instance that no longer runs.
 */
#define TUI_HEARTBEAT_STALE_S 300.0

/*
 * Form messages for a non-ASCII key in a non-UTF-8 locale, where the console
 * cannot tell which character the bytes encode: the key itself, and the field
 * it was typed into until that field is emptied.
 */
#define TUI_NON_ASCII_KEY "non-ASCII input needs a UTF-8 locale (LANG=C.UTF-8, for example); " \
	"the key was not typed"
#define TUI_NON_ASCII_LOST "non-ASCII input needs a UTF-8 locale, and a key typed here was " \
	"rejected; clear the field (Ctrl-U) and type ASCII only"

/* How long the provision screen waits for the provider to serve the route. */
#define TUI_SERVE_WAIT_MS 5000

/* What a notification or an action changed: what to reload. */
enum {
	TUI_CHANGED_TENANTS = 1,	/* NOTIFY apex_config */
	TUI_CHANGED_AUDIT = 2,		/* NOTIFY apex_audit */
	TUI_CHANGED_FLEET = 4,		/* provider status, on a timer */
	TUI_CHANGED_ALL = 8		/* reconnected or Ctrl-L: reload everything */
};

typedef enum tui_screen_id {
	SCREEN_TENANTS, SCREEN_DETAIL, SCREEN_AUDIT, SCREEN_REVIEW, SCREEN_PROVIDER, SCREEN_COUNT
} tui_screen_id;

typedef enum tui_dialog_id {
	DIALOG_NONE, DIALOG_FORM, DIALOG_PROGRESS, DIALOG_CONFIRM, DIALOG_PROMPT, DIALOG_HELP,
	DIALOG_MENU, DIALOG_POPUP, DIALOG_QUESTION
} tui_dialog_id;

/* Color pairs; without colors every pair is 0 and attributes stand in. */
enum { PAIR_ACTIVE = 1, PAIR_SUSPENDED, PAIR_ARCHIVED, PAIR_ERROR, PAIR_OK, PAIR_BAR, PAIR_TITLE,
       PAIR_WARN, PAIR_COUNT };

typedef struct tui_app tui_app;

/* ---- database connection (tui_db.c) ---- */

typedef enum tui_db_state { DB_CONNECTED, DB_CONNECTING, DB_WAITING } tui_db_state;

typedef struct tui_db {
	PGconn *conn;			/* NULL unless connected or connecting */
	tui_db_state state;
	PostgresPollingStatusType polling;	/* while connecting */
	double retry_at_ms;		/* while waiting: when to connect again */
	double deadline_ms;		/* while connecting: when to give up */
	int backoff_ms;
	char error[256];		/* why the connection was lost */
	unsigned changed;		/* TUI_CHANGED_* received, not yet handled */
} tui_db;

/* Subscribes, applies --read-only and checks the schema on a new connection. */
apex_status tui_db_setup(tui_app *app, apex_error *err);

/*
 * Handles a failed operation.  When the connection is gone, it starts the
 * reconnection and reports that.  Otherwise it shows ERR on the status line.
 */
void tui_db_failed(tui_app *app, const apex_error *err);

/* Returns 1 when the console can talk to the database. */
int tui_db_ready(const tui_app *app);

/* The descriptor and events the main loop waits for, or -1. */
int tui_db_poll_fd(const tui_app *app, short *events);

/* Handles readiness of the connection's socket. */
void tui_db_on_socket(tui_app *app);

/* Reads notifications that arrived during the last query. */
void tui_db_collect(tui_app *app);

/* Runs timers: the next reconnection attempt, the connect timeout. */
void tui_db_tick(tui_app *app, double now_ms);

/* Milliseconds until the next timer of the connection, or -1. */
int tui_db_timeout(const tui_app *app, double now_ms);

/* Writes "db ok", "db LOST, connecting" or "db LOST, retry in 4 s"; *bad is 1 unless ok. */
void tui_db_describe(const tui_app *app, char *buf, size_t size, int *bad);

void tui_db_close(tui_app *app);

/* ---- per-screen state ---- */

typedef struct tui_tenants {
	tui_table table;
	PGresult **chunks;		/* results the rows' strings point into */
	size_t n_chunks, cap_chunks;
	char max_updated[40];		/* newest updated_at seen, ISO 8601 UTC */
	int loaded;
} tui_tenants;

typedef struct tui_detail {
	char subdomain[64];
	int loaded;
	tenant t;
	inspect_usage usage;
	char features[1024];
	inspect_run run;
	inspect_backup_list backups;
	auditlog_list audit;
	char *router;			/* the Traefik router and middlewares as text */
	long long router_version;	/* config_version the router was rendered from */
	char router_key[160];		/* the tenant's updated_at, status and plan then */
	int top;			/* first line on screen */
	int n_lines;			/* lines of the last draw */
	tui_screen_id return_to;
} tui_detail;

typedef struct tui_audit {
	auditlog_entry *items;		/* newest first */
	size_t count, cap;
	size_t cursor, top;
	char filter[TUI_FILTER_MAX];
	int loaded;
	int complete;			/* the oldest matching entry is loaded */
	tui_screen_id return_to;
} tui_audit;

typedef struct tui_review {
	review_list list;
	size_t cursor, top;
	int show_closed;
	int loaded;
	long long open_count;
} tui_review;

typedef struct tui_fleet {
	inspect_fleet fleet;
	int loaded;
	double next_refresh_ms;
	int alarm;			/* a provider is stale, or none reported */
	char alarm_text[256];
	size_t cursor, top;
} tui_fleet;

/* ---- dialogs ---- */

typedef struct tui_form tui_form;		/* tui_form.c */
typedef struct tui_confirm tui_confirm;		/* tui_confirm.c */

typedef enum tui_confirm_kind {
	CONFIRM_SUSPEND, CONFIRM_RESUME, CONFIRM_ARCHIVE, CONFIRM_DISMISS
} tui_confirm_kind;

/* A one-line text editor for the filter line. */
typedef struct tui_line {
	char text[TUI_FILTER_MAX];
	size_t len, pos;		/* bytes */
} tui_line;

typedef struct tui_prompt {
	tui_line line;
	char saved[TUI_FILTER_MAX];	/* the filter before editing, for Esc */
	tui_screen_id screen;		/* which list it filters */
	int rejected;			/* a key this locale cannot decode was dropped */
} tui_prompt;

typedef struct tui_popup {
	char title[128];
	char *text;			/* lines separated by '\n' */
	int top;
	int n_lines;
} tui_popup;

typedef struct tui_question {
	char text[256];
	void (*yes)(tui_app *app);
} tui_question;

typedef struct tui_menu_state {
	void *menu;			/* MENU *, opaque here */
	void *items;			/* ITEM ** */
	WINDOW *win;
	PANEL *panel;
} tui_menu_state;

struct tui_app {
	apex_config *cfg;
	int read_only;
	tui_db db;
	apex_ctx ctx;			/* ctx.conn follows db.conn */

	/* terminal */
	WINDOW *win;			/* the whole screen, under every dialog */
	PANEL *panel;
	WINDOW *dialog_win;		/* the current dialog's window, if any */
	PANEL *dialog_panel;
	int utf8;			/* the locale's character set is UTF-8 */
	int color;			/* colors in use (terminal has them, NO_COLOR unset) */
	int dirty;
	int quit;
	int frames;
	int cursor_y, cursor_x;		/* where to show the cursor; -1: hidden */
	char info[160];			/* the screen's summary, right of the status line */

	/* screens */
	tui_screen_id screen;
	tui_tenants tenants;
	tui_detail detail;
	tui_audit audit;
	tui_review review;
	tui_fleet fleet;

	/* the dialog on top, if any */
	tui_dialog_id dialog;
	tui_form *form;
	tui_confirm *confirm;
	tui_prompt prompt;
	tui_popup popup;
	tui_question question;
	tui_menu_state menu;
	int help_top;

	/* status line */
	char message[512];
	int message_error;
};

/* ---- terminal and drawing (tui_term.c, tui_draw.c) ---- */

/* Starts curses with the settings the console needs; returns 0 or -1. */
int tui_term_start(tui_app *app);

/* Restores the terminal; safe to call more than once and from atexit(). */
void tui_term_stop(void);

/* Installs the handlers of SIGTERM, SIGINT, SIGHUP, SIGWINCH and fatal signals. */
void tui_signals_install(void);

/* The read end of the pipe the signal handlers write to, for poll(). */
int tui_signals_fd(void);

/*
 * Reads what the signal handlers recorded: returns the terminating signal
 * (0: none) and sets *resized when the window size changed.
 */
int tui_signals_take(int *resized);

/* Recomputes every window from LINES and COLS; the single resize path. */
void tui_layout(tui_app *app);

/* Returns the attribute of a color pair, or FALLBACK without colors. */
attr_t tui_attr(const tui_app *app, int pair, attr_t fallback);

/* Returns the attribute of a tenant status ("active", "suspended"...). */
attr_t tui_status_attr(const tui_app *app, const char *status);

/*
 * Writes the UTF-8 text S at Y, X in exactly WIDTH columns (cut or padded
 * with spaces).  Characters the locale cannot show, and control characters,
 * become "?".  Returns the columns used by the text itself.
 */
int tui_put(const tui_app *app, WINDOW *win, int y, int x, int width, const char *s, attr_t attr);

/* Like tui_put with printf formatting. */
int tui_putf(const tui_app *app, WINDOW *win, int y, int x, int width, attr_t attr,
	     const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Returns the display width of S (see tui_put). */
int tui_text_width(const tui_app *app, const char *s);

/* Draws a horizontal line of WIDTH columns: ACS in UTF-8 locales, "-" otherwise. */
void tui_hline(const tui_app *app, WINDOW *win, int y, int x, int width);

/* Writes a title into the top border of WIN, in its own width. */
void tui_title(const tui_app *app, WINDOW *win, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Draws a box around WIN: ACS in UTF-8 locales, "+", "-", "|" otherwise. */
void tui_box(const tui_app *app, WINDOW *win);

/* Draws the title bar, the status line and the key bar around the screen. */
void tui_draw_frame(tui_app *app);

/* Redraws everything into the virtual screen and updates the terminal. */
void tui_render(tui_app *app);

/* Sets the status line message (printf style); ERROR colors it. */
void tui_message(tui_app *app, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Shows an error report (message, detail, hint) on the status line. */
void tui_message_error(tui_app *app, const apex_error *err);

/*
 * Returns how many bytes of TEXT fit in a line of WIDTH columns, broken at
 * a space when it must be broken.  Columns are counted as bytes, which is
 * exact for the ASCII messages it is used on; wider text is cut by tui_put.
 */
size_t tui_wrap(const char *text, int width);

/* Formats "2026-01-02T03:04:05Z" as "2026-01-02 03:04:05" into BUF. */
void tui_format_time(const char *iso, char *buf, size_t size);

/* Formats a byte count as "512 B", "1.5 MB"... */
void tui_format_bytes(long long bytes, char *buf, size_t size);

/* Opens a dialog window of ROWS x COLS centered on the screen. */
WINDOW *tui_dialog_open(tui_app *app, tui_dialog_id dialog, int rows, int cols);

/* Closes the current dialog's window. */
void tui_dialog_close(tui_app *app);

/* The rows between the title bar and the status line. */
int tui_body_top(void);
int tui_body_rows(void);

/* ---- the loop (tui_loop.c) ---- */

/* Runs until the operator quits or a terminating signal arrives; returns the signal or 0. */
int tui_loop_run(tui_app *app);

/* Switches to SCREEN, loading its data when needed. */
void tui_show(tui_app *app, tui_screen_id screen);

/* Reloads the data named by the TUI_CHANGED_* bits in CHANGED. */
void tui_reload(tui_app *app, unsigned changed);

/* Timing log for benchmarks (APEX_CONSOLE_TIMING_LOG). */
void tui_timing_open(void);
void tui_timing(const char *event, long value);

/* ---- screens ---- */

void tui_tenants_load(tui_app *app, int full);
void tui_tenants_draw(tui_app *app);
int tui_tenants_handle(tui_app *app, tui_action action);
void tui_tenants_free(tui_app *app);
void tui_tenants_sort_menu(tui_app *app);
int tui_menu_handle(tui_app *app, tui_action action);
void tui_menu_close(tui_app *app);
void tui_menu_post(tui_app *app);

void tui_detail_open(tui_app *app, const char *subdomain);
/* Reloads the shown tenant; FORCE also renders its router again. */
void tui_detail_load(tui_app *app, int force);
void tui_detail_draw(tui_app *app);
int tui_detail_handle(tui_app *app, tui_action action);
void tui_detail_free(tui_app *app);

void tui_audit_load(tui_app *app, int full);
void tui_audit_draw(tui_app *app);
int tui_audit_handle(tui_app *app, tui_action action);
void tui_audit_set_filter(tui_app *app, const char *filter);
void tui_audit_free(tui_app *app);

void tui_review_load(tui_app *app);
void tui_review_draw(tui_app *app);
int tui_review_handle(tui_app *app, tui_action action);
void tui_review_free(tui_app *app);

void tui_fleet_load(tui_app *app);
void tui_fleet_draw(tui_app *app);
int tui_fleet_handle(tui_app *app, tui_action action);
void tui_fleet_tick(tui_app *app, double now_ms);
int tui_fleet_timeout(const tui_app *app, double now_ms);
void tui_fleet_free(tui_app *app);

/* ---- dialogs ---- */

/*
 * Unposts and frees a formw FORM, its subwindow (unless it is WIN itself)
 * and its N_FIELDS fields, and clears the pointers.
 */
void tui_form_release(FORM **form, FIELD **fields, int n_fields, WINDOW *win);

void tui_form_open(tui_app *app);
void tui_form_draw(tui_app *app);
void tui_form_key(tui_app *app, int code, tui_action action);
void tui_form_close(tui_app *app);
void tui_form_detach(tui_app *app);		/* before its window goes away */
void tui_progress_draw(tui_app *app);
void tui_progress_key(tui_app *app, tui_action action);
void tui_progress_tick(tui_app *app, double now_ms);
int tui_progress_timeout(const tui_app *app, double now_ms);

void tui_confirm_open(tui_app *app, tui_confirm_kind kind, const char *subdomain, long long review_id);
void tui_confirm_draw(tui_app *app);
void tui_confirm_key(tui_app *app, int code, tui_action action);
void tui_confirm_close(tui_app *app);
void tui_confirm_detach(tui_app *app);

void tui_prompt_open(tui_app *app, tui_screen_id screen, const char *current);
void tui_prompt_draw(tui_app *app);
void tui_prompt_key(tui_app *app, int code, tui_action action);

/* Applies an editing action or inserts the character CODE; returns 1 when the text changed. */
int tui_line_edit(tui_line *line, int code, tui_action action, int utf8);

void tui_help_open(tui_app *app);
void tui_help_draw(tui_app *app);
void tui_help_key(tui_app *app, tui_action action);

/* Shows TEXT (takes ownership) in a scrollable pop-up. */
void tui_popup_open(tui_app *app, const char *title, char *text);
void tui_popup_draw(tui_app *app);
void tui_popup_key(tui_app *app, tui_action action);

/* Asks TEXT on the status line; YES runs on "y". */
void tui_question_open(tui_app *app, void (*yes)(tui_app *app), const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_question_key(tui_app *app, tui_action action);

/* Returns the key context of what has the keyboard now. */
unsigned tui_context(const tui_app *app);

#endif
