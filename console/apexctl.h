/*
 * apexctl.h - shared pieces of the apexctl verbs.
 *
 * Each verb is a function "int cmd_VERB(ctl *c, int argc, char **argv)"
 * where argv[0] is the verb itself; it returns the exit status (0 success,
 * 1 failure, 2 invalid usage or input, 3 tenant not found).
 */
#ifndef APEXCTL_H
#define APEXCTL_H

#include <jansson.h>

#include "config.h"
#include "context.h"
#include "error.h"

#define PROGRAM "apexctl"

typedef struct ctl {
	apex_config *cfg;
	int json;		/* --json: machine-readable output on stdout */
	PGconn *conn;		/* opened by ctl_open() */
	apex_ctx ctx;
} ctl;

/* Connects, checks that the control schema is current and fills c->ctx. */
apex_status ctl_open(ctl *c, apex_error *err);

/* Prints ERR once to standard error and returns its status as exit code. */
int ctl_report(const apex_error *err);

/* Prints a usage error naming the problem and the verb's usage; returns 2. */
int ctl_usage_error(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Reports the option getopt_long() just rejected: OPT is its return value,
 * ':' for a missing value (optstrings start with ':') or '?' for an unknown
 * option.
 */
int ctl_bad_option(const char *verb, char **argv, int opt);

/*
 * Parses "VERB SUBDOMAIN [--reason TEXT]" (suspend, resume, archive).
 * Returns 0, or the exit status of a usage error it already reported.
 * *reason is NULL when --reason is absent.
 */
int ctl_parse_reason_verb(const char *verb, int argc, char **argv, const char **subdomain,
			  const char **reason);

/* Prints a JSON value on stdout followed by a newline and frees it. */
void ctl_print_json(json_t *value);

/* Returns the usage line of VERB ("" when unknown). */
const char *ctl_verb_usage(const char *verb);

int cmd_db(ctl *c, int argc, char **argv);
int cmd_init(ctl *c, int argc, char **argv);
int cmd_provision(ctl *c, int argc, char **argv);
int cmd_list(ctl *c, int argc, char **argv);
int cmd_show(ctl *c, int argc, char **argv);
int cmd_suspend(ctl *c, int argc, char **argv);
int cmd_resume(ctl *c, int argc, char **argv);
int cmd_archive(ctl *c, int argc, char **argv);
int cmd_backup(ctl *c, int argc, char **argv);
int cmd_backups(ctl *c, int argc, char **argv);
int cmd_review(ctl *c, int argc, char **argv);
int cmd_blueprint(ctl *c, int argc, char **argv);
int cmd_routes(ctl *c, int argc, char **argv);

#endif
