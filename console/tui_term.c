/*
 * tui_term.c - starting and restoring the terminal, and signals.
 *
 * The terminal is restored on every way out: a normal quit, exit() (through
 * atexit), SIGTERM, SIGINT and SIGHUP (the loop reads them from a
 * self-pipe and leaves cleanly), and fatal signals (the handler restores the
 * terminal and re-raises the signal).  SIGWINCH is handled here too, so
 * that a resize also wakes the loop from poll().  The handler only records
 * it, and the loop calls resizeterm(), which queues the KEY_RESIZE that
 * every resize goes through.
 */
#include "tui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Milliseconds ncurses waits after Esc for the rest of an escape sequence. */
#define TUI_ESC_DELAY_MS 25

static volatile sig_atomic_t curses_active;
static volatile sig_atomic_t pending_signal;
static volatile sig_atomic_t pending_resize;
static int signal_pipe[2] = { -1, -1 };

void
tui_term_stop(void)
{
	if (!curses_active)
		return;
	curses_active = 0;
	endwin();
}

static void
wake_loop(void)
{
	int saved = errno;

	if (signal_pipe[1] >= 0 && write(signal_pipe[1], "", 1) < 0) {
		/* the pipe is full: the loop is awake already */
	}
	errno = saved;
}

static void
on_terminate(int sig)
{
	pending_signal = sig;
	wake_loop();
}

static void
on_resize(int sig)
{
	(void)sig;
	pending_resize = 1;
	wake_loop();
}

/* Restores the terminal before the process dies of a fatal signal. */
static void
on_fatal(int sig)
{
	tui_term_stop();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
handle(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
tui_signals_install(void)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

	if (signal_pipe[0] < 0 && pipe(signal_pipe) == 0) {
		for (int i = 0; i < 2; i++)
			fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
	}
	handle(SIGTERM, on_terminate);
	handle(SIGINT, on_terminate);
	handle(SIGHUP, on_terminate);
	handle(SIGWINCH, on_resize);
	signal(SIGPIPE, SIG_IGN);
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		handle(fatal[i], on_fatal);
}

int
tui_signals_fd(void)
{
	return signal_pipe[0];
}

int
tui_signals_take(int *resized)
{
	char buf[64];

	while (signal_pipe[0] >= 0 && read(signal_pipe[0], buf, sizeof(buf)) > 0)
		;
	*resized = pending_resize;
	pending_resize = 0;
	if (*resized) {
		struct winsize ws;

		/* resizeterm() queues KEY_RESIZE when the size really changed */
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
			resizeterm(ws.ws_row, ws.ws_col);
	}
	return pending_signal;
}

/* ---- colors ---- */

static void
start_colors(tui_app *app)
{
	const char *no_color = getenv("NO_COLOR");

	/* https://no-color.org: a NO_COLOR that is present and not empty disables color */
	app->color = has_colors() && !(no_color && *no_color);
	if (!app->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_ACTIVE, COLOR_GREEN, -1);
	init_pair(PAIR_SUSPENDED, COLOR_RED, -1);
	init_pair(PAIR_ARCHIVED, COLOR_BLUE, -1);
	init_pair(PAIR_ERROR, COLOR_RED, -1);
	init_pair(PAIR_OK, COLOR_GREEN, -1);
	init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
}

attr_t
tui_attr(const tui_app *app, int pair, attr_t fallback)
{
	if (!app->color)
		return fallback;
	return COLOR_PAIR(pair) | (fallback & A_BOLD);
}

attr_t
tui_status_attr(const tui_app *app, const char *status)
{
	if (strcmp(status, "active") == 0)
		return tui_attr(app, PAIR_ACTIVE, A_NORMAL);
	if (strcmp(status, "suspended") == 0)
		return tui_attr(app, PAIR_SUSPENDED, A_BOLD) | A_BOLD;
	return tui_attr(app, PAIR_ARCHIVED, A_DIM);
}

/* ---- start ---- */

int
tui_term_start(tui_app *app)
{
	const char *codeset = nl_langinfo(CODESET);
	SCREEN *screen;

	app->utf8 = codeset && strcmp(codeset, "UTF-8") == 0;
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		const char *term = getenv("TERM");

		fprintf(stderr, "%s: error: cannot use the terminal \"%s\"\n"
			"HINT:  Set TERM to a terminal type known to terminfo, such as xterm-256color.\n",
			TUI_PROGRAM, term ? term : "");
		return -1;
	}
	set_term(screen);
	curses_active = 1;
	atexit(tui_term_stop);
	set_escdelay(TUI_ESC_DELAY_MS);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	start_colors(app);
	/* input is read from stdscr; refresh it once so reading never clears the panels */
	refresh();
	app->win = newwin(LINES, COLS, 0, 0);
	app->panel = new_panel(app->win);
	return app->win && app->panel ? 0 : -1;
}

void
tui_layout(tui_app *app)
{
	wresize(app->win, LINES, COLS);
	move_panel(app->panel, 0, 0);
	/* dialogs recreate their windows at the next draw */
	if (app->dialog_win)
		tui_dialog_close(app);
	if (app->dialog == DIALOG_MENU)
		tui_menu_close(app);
	clearok(curscr, TRUE);
	app->dirty = 1;
}
