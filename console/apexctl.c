/*
 * apexctl.c - the command line for operators and scripts: global options and
 * the verb table.  The verbs live in apexctl_*.c and call into core/.
 */
#include "apexctl.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "migrate.h"

typedef struct verb {
	const char *name;
	int (*run)(ctl *c, int argc, char **argv);
	const char *usage;
	const char *summary;
} verb;

static const verb verbs[] = {
	{ "db", cmd_db, "db start|stop|status", "manage the private PostgreSQL cluster" },
	{ "init", cmd_init, "init", "create or migrate the control schema" },
	{ "provision", cmd_provision,
	  "provision SUBDOMAIN [--name N] [--email E] [--plan P] [--blueprint B]",
	  "create a tenant: schema, role, seed data, route" },
	{ "list", cmd_list, "list", "list every tenant" },
	{ "show", cmd_show, "show SUBDOMAIN", "show one tenant with its provisioning runs" },
	{ "suspend", cmd_suspend, "suspend SUBDOMAIN --reason TEXT", "kill switch: stop serving a tenant" },
	{ "resume", cmd_resume, "resume SUBDOMAIN [--reason TEXT]", "serve a suspended tenant again" },
	{ "archive", cmd_archive, "archive SUBDOMAIN [--reason TEXT]",
	  "close a tenant after a backup; its data is kept" },
	{ "backup", cmd_backup, "backup SUBDOMAIN", "write a compressed backup of a tenant's tables" },
	{ "backups", cmd_backups, "backups [SUBDOMAIN]", "list the backup catalog" },
	{ "review", cmd_review, "review list [--all] | show|retry|dismiss ID [--reason TEXT]",
	  "failed provisioning attempts: list, retry or dismiss them" },
	{ "blueprint", cmd_blueprint, "blueprint check FILE", "check a blueprint file" },
	{ "routes", cmd_routes, "routes [--yaml]", "print the Traefik document apex-provider serves" },
	{ NULL, NULL, NULL, NULL }
};

static void
print_help(FILE *out)
{
	fprintf(out, "Usage: %s [--config FILE] [--json] VERB [ARGUMENTS]\n\n", PROGRAM);
	fprintf(out, "Runs a multi-tenant platform from the command line.\n\nVerbs:\n");
	for (const verb *v = verbs; v->name; v++)
		fprintf(out, "  %s\n      %s\n", v->usage, v->summary);
	fprintf(out, "\nOptions:\n"
		"  -c, --config FILE  configuration file (default: $APEX_CONFIG, else\n"
		"                     /etc/apex/apex.yaml when it exists)\n"
		"  -j, --json         print machine-readable JSON on standard output\n"
		"  -h, --help         show this help and exit\n"
		"  -V, --version      show the version and exit\n\n"
		"Exit status: 0 success (also when nothing needed to change), 1 failure,\n"
		"2 invalid usage or input, 3 tenant not found.\n"
		"See apexctl(1), apex.yaml(5) and apex-blueprint(5).\n");
}

const char *
ctl_verb_usage(const char *name)
{
	for (const verb *v = verbs; v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v->usage;
	return "";
}

int
ctl_usage_error(const char *name, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", PROGRAM);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (name && *ctl_verb_usage(name))
		fprintf(stderr, "usage: %s %s\n", PROGRAM, ctl_verb_usage(name));
	else
		fprintf(stderr, "HINT:  Run \"%s --help\" for the list of verbs.\n", PROGRAM);
	return APEX_INVALID;
}

int
ctl_bad_option(const char *name, char **argv, int opt)
{
	const char *arg = argv[optind - 1];
	char option[64];
	int status;

	/* a long option is named by its argument; a short one by optopt */
	if (strncmp(arg, "--", 2) == 0 || !optopt)
		snprintf(option, sizeof(option), "%.*s", (int)strcspn(arg, "="), arg);
	else
		snprintf(option, sizeof(option), "-%c", optopt);
	if (opt == ':')
		return ctl_usage_error(name, "option \"%s\" needs a value", option);
	status = ctl_usage_error(name, "invalid option \"%s\"", option);
	if (option[1] != '-')
		fprintf(stderr, "HINT:  Put \"--\" before an argument that starts with \"-\".\n");
	return status;
}

int
ctl_parse_reason_verb(const char *name, int argc, char **argv, const char **subdomain,
		      const char **reason)
{
	static const struct option options[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	*subdomain = NULL;
	*reason = NULL;
	while ((opt = getopt_long(argc, argv, ":r:", options, NULL)) != -1) {
		if (opt != 'r')
			return ctl_bad_option(name, argv, opt);
		*reason = optarg;
	}
	if (argc - optind != 1)
		return ctl_usage_error(name, argc - optind < 1 ? "missing subdomain" : "too many arguments");
	*subdomain = argv[optind];
	return 0;
}

int
ctl_report(const apex_error *err)
{
	apex_error_print(err, PROGRAM);
	return err->status ? (int)err->status : APEX_FAILED;
}

void
ctl_print_json(json_t *value)
{
	json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	fputc('\n', stdout);
	json_decref(value);
}

apex_status
ctl_open(ctl *c, apex_error *err)
{
	c->conn = apex_db_connect(c->cfg, "apexctl", err);
	if (!c->conn)
		return APEX_FAILED;
	if (apex_require_schema(c->conn, err))
		return APEX_FAILED;
	apex_ctx_init(&c->ctx, c->conn, c->cfg, "cli");
	return APEX_OK;
}

/* Removes every "--json" and "-j" from ARGV (they are allowed after the verb). */
static int
take_json_flags(int argc, char **argv, int *json)
{
	int out = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			*json = 1;
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	return out;
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	ctl c = { 0 };
	const char *config_path = NULL;
	apex_error err = { 0 };
	int opt, status;

	opterr = 0;	/* the verbs report bad options themselves */
	argc = take_json_flags(argc, argv, &c.json);
	while ((opt = getopt_long(argc, argv, "+:c:hV", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			print_help(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", PROGRAM, APEX_VERSION);
			return 0;
		default:
			return ctl_bad_option(NULL, argv, opt);
		}
	}
	if (optind >= argc)
		return ctl_usage_error(NULL, "missing verb");
	if (apex_config_load(config_path, &c.cfg, &err)) {
		/* "db" and "blueprint" never read the file: a broken one must not block them */
		if (strcmp(argv[optind], "db") != 0 && strcmp(argv[optind], "blueprint") != 0)
			return ctl_report(&err);
		fprintf(stderr, "%s: warning: ignoring the configuration: %s\n", PROGRAM, err.message);
		c.cfg = apex_config_defaults();
	}

	status = -1;
	for (const verb *v = verbs; v->name; v++) {
		if (strcmp(v->name, argv[optind]) == 0) {
			int verb_argc = argc - optind;
			char **verb_argv = argv + optind;

			optind = 0;	/* glibc: restart getopt for the verb */
			status = v->run(&c, verb_argc, verb_argv);
			break;
		}
	}
	if (status < 0)
		status = ctl_usage_error(NULL, "unknown verb \"%s\"", argv[optind]);
	if (c.conn)
		PQfinish(c.conn);
	apex_config_free(c.cfg);
	return status;
}
