/*
 * test_backup.c - backups and archiving.
 */
#include <sys/stat.h>
#include <zlib.h>

#include "backup.h"
#include "helpers.h"
#include "tenant.h"
#include "validate.h"

static apex_config *cfg;
static PGconn *conn;
static apex_ctx ctx;
static char backup_dir[64];

static void
setup(void)
{
	cfg = test_config();
	/* a nested folder that does not exist yet: backups create their parents */
	snprintf(backup_dir, sizeof(backup_dir), "/tmp/apex-backups-%d/nested", (int)getpid());
	apex_config_set(&cfg->backup_dir, backup_dir);
	conn = test_connect(cfg);
	apex_ctx_init(&ctx, conn, cfg, "cli");
}

static void
teardown(void)
{
	char command[128];

	snprintf(command, sizeof(command), "rm -rf /tmp/apex-backups-%d", (int)getpid());
	cr_assert_eq(system(command), 0);
	PQfinish(conn);
	apex_config_free(cfg);
}

TestSuite(backup, .init = setup, .fini = teardown, .timeout = 60);
TestSuite(archive, .init = setup, .fini = teardown, .timeout = 60);

static void
new_tenant(char *sub, size_t size, const char *prefix)
{
	tenant_request req = { .subdomain = test_subdomain(sub, size, prefix), .blueprint = "ecommerce" };
	provision_result r;
	apex_error err = { 0 };

	cr_assert_eq(tenant_provision(&ctx, &req, NULL, NULL, &r, &err), APEX_OK, "%s", err.message);
}

/* Reads the whole decompressed backup into a new string. */
static char *
read_backup(const char *file)
{
	gzFile gz = gzopen(file, "rb");
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap);
	int n;

	cr_assert_not_null(gz, "cannot open %s", file);
	while ((n = gzread(gz, text + len, (unsigned)(cap - len - 1))) > 0)
		len += (size_t)n;
	gzclose(gz);
	text[len] = '\0';
	return text;
}

Test(backup, writes_every_table)
{
	char sub[64];
	backup_info info;
	apex_error err = { 0 };
	struct stat st;
	char *text;

	new_tenant(sub, sizeof(sub), "bk");
	cr_assert_eq(backup_create(&ctx, sub, &info, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(stat(info.file, &st), 0);
	cr_assert_eq(st.st_size, info.size_bytes);
	cr_assert_eq(st.st_mode & 0777, 0600, "backups must be private");
	cr_assert_eq(backup_verify(info.file, info.size_bytes, info.sha256, &err), APEX_OK, "%s", err.message);
	text = read_backup(info.file);
	cr_assert(strstr(text, "\\table products (") != NULL);
	cr_assert(strstr(text, "\\table settings (") != NULL);
	cr_assert(strstr(text, "\\table users (") != NULL);
	free(text);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.backups WHERE id = %lld AND tenant = '%s' "
				"AND sha256 = '%s' AND size_bytes = %lld", info.id, sub, info.sha256,
				info.size_bytes), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' AND "
				"action = 'BACKUP_CREATED' AND detail->>'sha256' = '%s'", sub, info.sha256), 1);
}

Test(backup, row_count_matches_tables)
{
	char sub[64], schema[64];
	backup_info info;
	apex_error err = { 0 };

	new_tenant(sub, sizeof(sub), "bkrows");
	apex_schema_name(sub, schema, sizeof(schema));
	cr_assert_eq(backup_create(&ctx, sub, &info, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(info.rows, test_count(conn, "SELECT (SELECT count(*) FROM %s.products) + "
					   "(SELECT count(*) FROM %s.pages) + (SELECT count(*) FROM %s.settings) + "
					   "(SELECT count(*) FROM %s.users) + (SELECT count(*) FROM %s.orders)",
					   schema, schema, schema, schema, schema));
}

Test(backup, two_in_one_second_both_kept)
{
	char sub[64];
	backup_info a, b;
	apex_error err = { 0 };

	new_tenant(sub, sizeof(sub), "bk2");
	cr_assert_eq(backup_create(&ctx, sub, &a, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(backup_create(&ctx, sub, &b, &err), APEX_OK, "%s", err.message);
	cr_assert_str_neq(a.file, b.file);
	cr_assert_eq(access(a.file, F_OK), 0);
	cr_assert_eq(access(b.file, F_OK), 0);
}

Test(backup, verify_detects_change)
{
	char sub[64];
	backup_info info;
	apex_error err = { 0 };
	FILE *f;

	new_tenant(sub, sizeof(sub), "bkv");
	cr_assert_eq(backup_create(&ctx, sub, &info, &err), APEX_OK, "%s", err.message);
	f = fopen(info.file, "ab");
	fputc('x', f);
	fclose(f);
	cr_assert_eq(backup_verify(info.file, info.size_bytes, info.sha256, &err), APEX_FAILED);
	cr_assert(strstr(err.message, "does not match") != NULL, "%s", err.message);
}

Test(backup, unknown_tenant_and_bad_dir)
{
	char sub[64];
	backup_info info;
	apex_error err = { 0 };

	cr_assert_eq(backup_create(&ctx, "no-such-tenant", &info, &err), APEX_NOT_FOUND);
	new_tenant(sub, sizeof(sub), "bkdir");
	apex_config_set(&cfg->backup_dir, "/dev/null");
	cr_assert_eq(backup_create(&ctx, sub, &info, &err), APEX_FAILED);
	cr_assert(strstr(err.message, "/dev/null") != NULL, "%s", err.message);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.backups WHERE tenant = '%s'", sub), 0);
}

Test(archive, backs_up_then_closes)
{
	char sub[64], schema[64], sql[256];
	backup_info info;
	apex_error err = { 0 };
	int changed = -1;
	PGresult *res;

	new_tenant(sub, sizeof(sub), "arc");
	apex_schema_name(sub, schema, sizeof(schema));
	cr_assert_eq(tenant_archive(&ctx, sub, "store closed", &changed, &info, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(changed, 1);
	cr_assert_gt(info.id, 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = '%s' AND "
				"status = 'archived' AND archived_at IS NOT NULL", sub), 1);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.audit_logs WHERE tenant = '%s' AND "
				"action = 'TENANT_ARCHIVED' AND (detail->'backup'->>'id')::bigint = %lld",
				sub, info.id), 1);
	snprintf(sql, sizeof(sql), "BEGIN; SET LOCAL ROLE %s; SELECT 1 FROM %s.products", schema, schema);
	res = PQexec(conn, sql);
	cr_assert_neq(PQresultStatus(res), PGRES_TUPLES_OK, "an archived tenant's role still reads its data");
	PQclear(res);
	PQclear(PQexec(conn, "ROLLBACK"));
	cr_assert_gt(test_count(conn, "SELECT count(*) FROM %s.products", schema), 0, "data must be kept");
}

Test(archive, repeat_and_transitions)
{
	char sub[64];
	backup_info info;
	apex_error err = { 0 };
	int changed = -1;

	new_tenant(sub, sizeof(sub), "arc2");
	cr_assert_eq(tenant_suspend(&ctx, sub, "fraud", &changed, &err), APEX_OK);
	cr_assert_eq(tenant_archive(&ctx, sub, NULL, &changed, &info, &err), APEX_OK, "%s", err.message);
	cr_assert_eq(tenant_archive(&ctx, sub, NULL, &changed, &info, &err), APEX_OK);
	cr_assert_eq(changed, 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.backups WHERE tenant = '%s'", sub), 1);
	cr_assert_eq(tenant_resume(&ctx, sub, NULL, &changed, &err), APEX_INVALID);
	cr_assert(strstr(err.message, "from archived to active") != NULL, "%s", err.message);
	cr_assert_eq(tenant_archive(&ctx, "no-such-tenant", NULL, &changed, &info, &err), APEX_NOT_FOUND);
	cr_assert_eq(tenant_archive(&ctx, sub, "bad\x01reason", &changed, &info, &err), APEX_INVALID);
}
