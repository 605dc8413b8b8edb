/*
 * apexctl_routes.c - "apexctl routes [--yaml]": the Traefik document.
 *
 * The JSON output is byte for byte what apex-provider serves on /traefik
 * for the same database state and configuration; --yaml writes the same
 * document for Traefik's file provider.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "apexctl.h"
#include "routes.h"

int
cmd_routes(ctl *c, int argc, char **argv)
{
	static const struct option options[] = {
		{ "yaml", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 }
	};
	routes_format format = ROUTES_JSON;
	apex_error err = { 0 };
	char *text;
	size_t len;
	int opt;

	while ((opt = getopt_long(argc, argv, "y", options, NULL)) != -1) {
		if (opt != 'y')
			return ctl_usage_error("routes", "invalid option \"%s\"", argv[optind - 1]);
		format = ROUTES_YAML;
	}
	if (optind != argc)
		return ctl_usage_error("routes", "unexpected argument \"%s\"", argv[optind]);
	if (format == ROUTES_YAML && c->json)
		return ctl_usage_error("routes", "--yaml and --json cannot be used together");

	if (ctl_open(c, &err) ||
	    routes_render(c->conn, c->cfg, format, &text, &len, NULL, &err))
		return ctl_report(&err);
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		free(text);
		apex_fail(&err, APEX_FAILED, "could not write the document to standard output");
		return ctl_report(&err);
	}
	free(text);
	return 0;
}
