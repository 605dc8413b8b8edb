/*
 * apexctl_blueprint.c - "apexctl blueprint check FILE": the loader alone.
 */
#include <stdio.h>
#include <string.h>

#include "apexctl.h"
#include "blueprint.h"

int
cmd_blueprint(ctl *c, int argc, char **argv)
{
	blueprint *bp = NULL;
	apex_error err = { 0 };

	if (argc < 2 || strcmp(argv[1], "check") != 0)
		return ctl_usage_error("blueprint", argc < 2 ? "missing action" :
				       "unknown action \"%s\"", argc < 2 ? "" : argv[1]);
	if (argc != 3)
		return ctl_usage_error("blueprint", argc < 3 ? "missing FILE" : "too many arguments");
	if (blueprint_load_file(argv[2], &bp, &err))
		return ctl_report(&err);
	if (c->json)
		ctl_print_json(json_pack("{s:s, s:s, s:b, s:i, s:i, s:i}", "file", argv[2],
					 "name", bp->name, "valid", 1, "settings", (int)bp->n_settings,
					 "pages", (int)bp->n_pages, "products", (int)bp->n_products));
	else
		printf("%s: blueprint \"%s\" is valid: %zu settings, %zu pages, %zu products\n",
		       argv[2], bp->name, bp->n_settings, bp->n_pages, bp->n_products);
	blueprint_free(bp);
	return 0;
}
