/*
 * apexctl_db.c - "apexctl db start|stop|status" and "apexctl init".
 */
#include <stdio.h>
#include <string.h>

#include "apexctl.h"
#include "cluster.h"
#include "db.h"
#include "migrate.h"
#include "spare.h"

static int
db_status(ctl *c)
{
	int running = apex_cluster_running(c->cfg);

	if (c->json) {
		json_t *out = json_pack("{s:s, s:b, s:s}", "home", c->cfg->apex_home,
					"running", running, "socket_dir", "");
		char dir[4200];

		snprintf(dir, sizeof(dir), "%s/run", c->cfg->apex_home);
		json_object_set_new(out, "socket_dir", json_string(dir));
		ctl_print_json(out);
	} else if (running) {
		printf("private cluster in %s is running (socket in %s/run)\n",
		       c->cfg->apex_home, c->cfg->apex_home);
	} else {
		printf("private cluster in %s is not running\n", c->cfg->apex_home);
	}
	return running ? 0 : 1;
}

int
cmd_db(ctl *c, int argc, char **argv)
{
	apex_error err = { 0 };

	if (argc != 2)
		return ctl_usage_error("db", "expected one of start, stop, status");
	if (strcmp(argv[1], "status") == 0)
		return db_status(c);
	if (strcmp(argv[1], "start") == 0) {
		if (apex_cluster_start(c->cfg, &err))
			return ctl_report(&err);
		if (!c->json)
			printf("private cluster running in %s\n", c->cfg->apex_home);
		return 0;
	}
	if (strcmp(argv[1], "stop") == 0) {
		int was_running = apex_cluster_running(c->cfg);

		if (apex_cluster_stop(c->cfg, &err))
			return ctl_report(&err);
		if (!c->json)
			printf("private cluster in %s %s\n", c->cfg->apex_home,
			       was_running ? "stopped" : "was not running");
		return 0;
	}
	return ctl_usage_error("db", "unknown action \"%s\"", argv[1]);
}

int
cmd_init(ctl *c, int argc, char **argv)
{
	apex_error err = { 0 };
	int applied = 0;
	int spares = 0;
	int version;

	(void)argv;
	if (argc != 1)
		return ctl_usage_error("init", "unexpected argument \"%s\"", argv[1]);
	c->conn = apex_db_connect(c->cfg, "apexctl", &err);
	if (!c->conn || apex_migrate(c->conn, c->cfg, &applied, &err))
		return ctl_report(&err);
	apex_ctx_init(&c->ctx, c->conn, c->cfg, "cli");
	if (spare_fill(&c->ctx, c->cfg->spare_schemas, &spares, &err))
		return ctl_report(&err);
	version = apex_schema_version(c->conn, &err);
	if (c->json)
		ctl_print_json(json_pack("{s:i, s:i, s:i}", "schema_version", version, "applied", applied,
					 "spare_schemas_created", spares));
	else if (applied)
		printf("control schema migrated to version %d (%d migration%s applied)\n",
		       version, applied, applied == 1 ? "" : "s");
	else
		printf("control schema is up to date (version %d)\n", version);
	if (!c->json && spares)
		printf("%d spare schema%s prepared for fast provisioning\n", spares, spares == 1 ? "" : "s");
	return 0;
}
