/*
 * apexctl_backup.c - archive, backup and backups.
 */
#include <stdio.h>
#include <string.h>

#include "apexctl.h"
#include "backup.h"
#include "db.h"
#include "tenant.h"
#include "validate.h"

static json_t *
backup_json(const backup_info *b)
{
	return json_pack("{s:I, s:s, s:I, s:s, s:I}", "id", (json_int_t)b->id, "file", b->file,
			 "size_bytes", (json_int_t)b->size_bytes, "sha256", b->sha256,
			 "rows", (json_int_t)b->rows);
}

int
cmd_backup(ctl *c, int argc, char **argv)
{
	backup_info info;
	apex_error err = { 0 };

	if (argc != 2 || argv[1][0] == '-')
		return ctl_usage_error("backup", argc < 2 ? "missing subdomain" : "expected exactly one subdomain");
	if (ctl_open(c, &err) || backup_create(&c->ctx, argv[1], &info, &err))
		return ctl_report(&err);
	if (c->json)
		ctl_print_json(backup_json(&info));
	else
		printf("backup %lld of %s: %s (%lld bytes, %lld rows, sha256 %s)\n", info.id, argv[1],
		       info.file, info.size_bytes, info.rows, info.sha256);
	return 0;
}

int
cmd_archive(ctl *c, int argc, char **argv)
{
	const char *subdomain, *reason;
	backup_info info;
	apex_error err = { 0 };
	int changed;
	int st = ctl_parse_reason_verb("archive", argc, argv, &subdomain, &reason);

	if (st)
		return st;
	if (ctl_open(c, &err) || tenant_archive(&c->ctx, subdomain, reason, &changed, &info, &err))
		return ctl_report(&err);
	if (c->json) {
		json_t *out = json_pack("{s:s, s:s, s:b}", "subdomain", subdomain, "status", "archived",
					"changed", changed);

		if (changed)
			json_object_set_new(out, "backup", backup_json(&info));
		ctl_print_json(out);
	} else if (changed) {
		printf("tenant %s is now archived; backup %lld: %s\n", subdomain, info.id, info.file);
	} else {
		printf("tenant %s is already archived; nothing changed\n", subdomain);
	}
	return 0;
}

int
cmd_backups(ctl *c, int argc, char **argv)
{
	const char *params[1] = { argc > 1 ? argv[1] : NULL };
	apex_error err = { 0 };
	PGresult *res;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return ctl_usage_error("backups", "expected at most one subdomain");
	if (ctl_open(c, &err))
		return ctl_report(&err);
	if (argc == 2) {
		tenant t;

		if (tenant_get(&c->ctx, argv[1], &t, &err))
			return ctl_report(&err);
		tenant_clear(&t);
	}
	res = apex_db_query(c->conn, &err, "could not read the backup catalog",
			    "SELECT coalesce(json_agg(b ORDER BY b.id), '[]')::text FROM (SELECT id, tenant, "
			    "file, size_bytes, sha256, to_char(created_at AT TIME ZONE 'UTC', "
			    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') AS created_at, actor FROM apex.backups "
			    "WHERE $1::text IS NULL OR tenant = $1) b", 1, params);
	if (!res)
		return ctl_report(&err);
	if (c->json) {
		printf("%s\n", PQgetvalue(res, 0, 0));
	} else {
		json_t *list = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
		size_t i;
		json_t *b;

		printf("%-6s %-24s %-20s %12s  %s\n", "ID", "TENANT", "CREATED", "BYTES", "FILE");
		json_array_foreach(list, i, b)
			printf("%-6lld %-24s %-20s %12lld  %s\n",
			       (long long)json_integer_value(json_object_get(b, "id")),
			       json_string_value(json_object_get(b, "tenant")),
			       json_string_value(json_object_get(b, "created_at")),
			       (long long)json_integer_value(json_object_get(b, "size_bytes")),
			       json_string_value(json_object_get(b, "file")));
		json_decref(list);
	}
	PQclear(res);
	return 0;
}
