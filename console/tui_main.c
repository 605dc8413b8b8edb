/*
 * tui_main.c - apex-console: the operators' live terminal console for
 * provisioning, suspending and watching tenants.
 *
 * Options and configuration are handled before the terminal is touched, so
 * configuration and connection errors print like apexctl's.  Every change
 * goes through core/ with the source "console" and the operator as actor.
 */
#include "tui.h"

#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"

static void
print_help(FILE *out)
{
	fprintf(out, "Usage: %s [--config FILE] [--read-only]\n\n"
		"Shows the tenants, the audit log, the review queue and the provider\n"
		"instances of an Apex platform live, and provisions, suspends, resumes and\n"
		"archives tenants.  Press ? inside for the keys.\n\n"
		"Options:\n"
		"  -c, --config FILE  configuration file (default: $APEX_CONFIG, else\n"
		"                     /etc/apex/apex.yaml when it exists)\n"
		"  -r, --read-only    hide every action that changes something, and open\n"
		"                     the database session read-only\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n\n"
		"Environment: NO_COLOR turns colors off; APEX_CONFIG, APEX_DATABASE_URL and\n"
		"the PG* variables choose the database as for apexctl.\n"
		"See apex-console(1).\n", TUI_PROGRAM);
}

typedef struct options {
	const char *config_path;
	int read_only;
	int exit_status;	/* >= 0: exit now with this status */
} options;

/*
 * Prints why the command line is wrong, naming the option or argument, and
 * the hint every usage error gets.
 */
static void
usage_error(const char *fmt, const char *value)
{
	fprintf(stderr, "%s: error: ", TUI_PROGRAM);
	fprintf(stderr, fmt, value);
	fprintf(stderr, "\nHINT:  Run \"%s --help\" for the options.\n", TUI_PROGRAM);
}

/*
 * Reports the option getopt_long() rejected.  OPT is ':' when its argument is
 * missing.  A long option is named as typed, because optopt then contains
 * its short letter or 0.
 */
static void
option_error(int opt, char **argv)
{
	char short_option[3] = { '-', (char)optopt, '\0' };
	const char *last = argv[optind - 1];
	const char *name = optopt && strncmp(last, "--", 2) != 0 ? short_option : last;

	if (opt == ':')
		usage_error("option \"%s\" requires an argument", name);
	else
		usage_error("invalid option \"%s\"", name);
}

static void
parse_options(int argc, char **argv, options *o)
{
	static const struct option long_options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		/* for the manual and its test: the KEYS section from the key table */
		{ "print-man-keys", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	o->exit_status = -1;
	opterr = 0;	/* option_error() prints the message */
	while ((opt = getopt_long(argc, argv, ":c:rhV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'c': o->config_path = optarg; break;
		case 'r': o->read_only = 1; break;
		case 'h': print_help(stdout); o->exit_status = 0; return;
		case 'V': printf("%s %s\n", TUI_PROGRAM, APEX_VERSION); o->exit_status = 0; return;
		case 'K': tui_keys_print_man(stdout); o->exit_status = 0; return;
		default:
			option_error(opt, argv);
			o->exit_status = 2;
			return;
		}
	}
	if (optind < argc) {
		usage_error("unexpected argument \"%s\"", argv[optind]);
		o->exit_status = 2;
	}
}

/* Loads the configuration and connects; prints the error and returns the exit status on failure. */
static int
open_database(tui_app *app, const char *config_path)
{
	apex_error err = { 0 };

	if (apex_config_load(config_path, &app->cfg, &err))
		goto fail;
	app->db.conn = apex_db_connect(app->cfg, TUI_PROGRAM, &err);
	if (!app->db.conn)
		goto fail;
	apex_ctx_init(&app->ctx, app->db.conn, app->cfg, "console");
	if (tui_db_setup(app, &err))
		goto fail;
	return 0;

fail:
	apex_error_print(&err, TUI_PROGRAM);
	return err.status ? (int)err.status : 1;
}

static void
load_first_screen(tui_app *app)
{
	tui_tenants_load(app, 1);
	tui_review_load(app);
	tui_fleet_load(app);
	app->message[0] = '\0';
	app->dirty = 1;
}

static void
free_app(tui_app *app)
{
	if (app->dialog == DIALOG_MENU)
		tui_menu_close(app);
	tui_tenants_free(app);
	tui_detail_free(app);
	tui_audit_free(app);
	tui_review_free(app);
	tui_fleet_free(app);
	free(app->form);
	free(app->confirm);
	free(app->popup.text);
	tui_db_close(app);
	apex_config_free(app->cfg);
}

int
main(int argc, char **argv)
{
	tui_app app;
	options opts = { 0 };
	int status, sig;

	memset(&app, 0, sizeof(app));
	setlocale(LC_ALL, "");
	tui_timing_open();
	tui_timing("start", 0);
	parse_options(argc, argv, &opts);
	if (opts.exit_status >= 0)
		return opts.exit_status;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: error: standard input and output must be a terminal\n"
			"HINT:  Use apexctl for scripts.\n", TUI_PROGRAM);
		return 2;
	}
	app.read_only = opts.read_only;
	status = open_database(&app, opts.config_path);
	if (status) {
		free_app(&app);
		return status;
	}

	tui_signals_install();
	if (tui_term_start(&app)) {
		free_app(&app);
		return 1;
	}
	load_first_screen(&app);
	sig = tui_loop_run(&app);
	tui_term_stop();
	free_app(&app);
	if (sig) {
		/* die of the signal, as shells and supervisors expect */
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return 0;
}
