/*
 * backup.c - writing tenant backups with COPY and zlib.
 */
#include "backup.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "audit.h"
#include "db.h"
#include "sha256.h"
#include "sqlbuf.h"
#include "tenant.h"
#include "validate.h"

typedef struct backup_job {
	const apex_ctx *ctx;
	tenant t;
	char tmp[4200];
	gzFile gz;
	backup_info *info;
} backup_job;

/* Creates DIR and any missing parents (mode 0700), like mkdir -p. */
static apex_status
make_backup_dir(const char *dir, apex_error *err)
{
	char path[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s", dir);
	for (char *slash = path + 1; (slash = strchr(slash, '/')); slash++) {
		*slash = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return apex_fail(err, APEX_FAILED, "could not create backup directory \"%s\": %s",
					 path, strerror(errno));
		*slash = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return apex_fail(err, APEX_FAILED, "could not create backup directory \"%s\": %s",
				 dir, strerror(errno));
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return apex_fail(err, APEX_FAILED, "backup directory \"%s\" is not a directory", dir);
	return APEX_OK;
}

static apex_status
open_output(backup_job *job, apex_error *err)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd = -1;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	/* a second backup within the same second gets a suffix: -1, -2, ... */
	for (int attempt = 0; attempt < 100; attempt++) {
		char suffix[8] = "";

		if (attempt)
			snprintf(suffix, sizeof(suffix), "-%d", attempt);
		snprintf(job->info->file, sizeof(job->info->file), "%s/%s-%s%s.apexbak.gz",
			 job->ctx->cfg->backup_dir, job->t.subdomain, stamp, suffix);
		snprintf(job->tmp, sizeof(job->tmp), "%s.tmp", job->info->file);
		if (access(job->info->file, F_OK) == 0)
			continue;
		fd = open(job->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0)
		return apex_fail(err, APEX_FAILED, "could not create \"%s\": %s", job->tmp, strerror(errno));
	job->gz = gzdopen(fd, "wb6");
	if (!job->gz) {
		close(fd);
		return apex_fail(err, APEX_FAILED, "could not start compressing \"%s\"", job->tmp);
	}
	return APEX_OK;
}

static apex_status
write_text(backup_job *job, const char *text, size_t len, apex_error *err)
{
	if (len > 0 && gzwrite(job->gz, text, (unsigned)len) != (int)len)
		return apex_fail(err, APEX_FAILED, "could not write \"%s\"", job->tmp);
	return APEX_OK;
}

/* Streams one table through COPY ... TO STDOUT into the file. */
static apex_status
copy_table(backup_job *job, const char *table, const char *columns, apex_error *err)
{
	PGconn *conn = job->ctx->conn;
	char header[1024], sql[512];
	PGresult *res;
	char *row;
	int n;

	snprintf(header, sizeof(header), "\\table %s (%s)\n", table, columns);
	if (write_text(job, header, strlen(header), err))
		return APEX_FAILED;
	snprintf(sql, sizeof(sql), "COPY %s.%s (%s) TO STDOUT", job->t.schema_name, table, columns);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		apex_db_error(err, conn, res, "could not read the tenant's tables");
		PQclear(res);
		return APEX_FAILED;
	}
	PQclear(res);
	while ((n = PQgetCopyData(conn, &row, 0)) > 0) {
		apex_status st = write_text(job, row, (size_t)n, err);

		PQfreemem(row);
		if (st)
			return st;
		job->info->rows++;
	}
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		apex_db_error(err, conn, res, "could not read the tenant's tables");
		PQclear(res);
		return APEX_FAILED;
	}
	PQclear(res);
	return write_text(job, "\\.\n", 3, err);
}

/* Lists the tables of the schema with their columns in order. */
static PGresult *
list_tables(backup_job *job, apex_error *err)
{
	const char *params[1] = { job->t.schema_name };

	return apex_db_query(job->ctx->conn, err, "could not list the tenant's tables",
			     "SELECT quote_ident(c.relname), string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) "
			     "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			     "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
			     "WHERE n.nspname = $1 AND c.relkind = 'r' GROUP BY c.relname ORDER BY c.relname",
			     1, params);
}

static apex_status
write_tables(backup_job *job, apex_error *err)
{
	char header[512];
	PGresult *tables;
	apex_status st = APEX_OK;

	snprintf(header, sizeof(header), "-- apex tenant backup, format 1\n-- tenant: %s\n-- schema: %s\n",
		 job->t.subdomain, job->t.schema_name);
	if (write_text(job, header, strlen(header), err))
		return APEX_FAILED;
	tables = list_tables(job, err);
	if (!tables)
		return APEX_FAILED;
	for (int i = 0; !st && i < PQntuples(tables); i++)
		st = copy_table(job, PQgetvalue(tables, i, 0), PQgetvalue(tables, i, 1), err);
	PQclear(tables);
	return st;
}

static apex_status
file_checksum(const char *path, long long *size, char hex[65], apex_error *err)
{
	FILE *f = fopen(path, "rb");
	sha256_ctx sha;
	char buf[65536];
	size_t n;

	if (!f)
		return apex_fail(err, APEX_FAILED, "could not read \"%s\": %s", path, strerror(errno));
	sha256_init(&sha);
	*size = 0;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sha256_update(&sha, buf, n);
		*size += (long long)n;
	}
	fclose(f);
	sha256_final_hex(&sha, hex);
	return APEX_OK;
}

static apex_status
catalogue(backup_job *job, apex_error *err)
{
	const apex_ctx *ctx = job->ctx;
	backup_info *info = job->info;
	json_t *detail = json_pack("{s:s, s:I, s:s, s:I}", "file", info->file, "size_bytes",
				   (json_int_t)info->size_bytes, "sha256", info->sha256,
				   "rows", (json_int_t)info->rows);
	char *audit = audit_insert_sql(ctx, "BACKUP_CREATED", job->t.subdomain, 1, -1, detail);
	char size[32];
	sqlbuf b;
	PGresult *res;

	json_decref(detail);
	snprintf(size, sizeof(size), "%lld", info->size_bytes);
	sqlbuf_init(&b, ctx->conn);
	sqlbuf_append(&b, "INSERT INTO apex.backups (tenant, file, size_bytes, sha256, actor) VALUES (");
	sqlbuf_literal(&b, job->t.subdomain);
	sqlbuf_append(&b, ",");
	sqlbuf_literal(&b, info->file);
	sqlbuf_appendf(&b, ",%s,'%s',", size, info->sha256);
	sqlbuf_literal(&b, ctx->actor);
	sqlbuf_append(&b, ");");
	sqlbuf_append(&b, audit ? audit : "SELECT 1/0");
	sqlbuf_append(&b, "; SELECT currval('apex.backups_id_seq')");
	free(audit);
	res = sqlbuf_failed(&b) ? NULL : apex_db_query(ctx->conn, err, "could not catalogue the backup",
							 b.data, 0, NULL);
	sqlbuf_free(&b);
	if (!res)
		return APEX_FAILED;
	info->id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return APEX_OK;
}

static apex_status
run_backup(backup_job *job, apex_error *err)
{
	apex_status st;

	if (make_backup_dir(job->ctx->cfg->backup_dir, err) || open_output(job, err))
		return APEX_FAILED;
	st = apex_db_command(job->ctx->conn, err, "could not start the backup",
			     "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
	if (!st)
		st = write_tables(job, err);
	PQclear(PQexec(job->ctx->conn, "COMMIT"));
	if (gzclose(job->gz) != Z_OK && !st)
		st = apex_fail(err, APEX_FAILED, "could not finish \"%s\"", job->tmp);
	job->gz = NULL;
	if (!st && rename(job->tmp, job->info->file) < 0)
		st = apex_fail(err, APEX_FAILED, "could not rename \"%s\": %s", job->tmp, strerror(errno));
	if (st) {
		unlink(job->tmp);
		return st;
	}
	if (file_checksum(job->info->file, &job->info->size_bytes, job->info->sha256, err) ||
	    catalogue(job, err)) {
		unlink(job->info->file);
		return APEX_FAILED;
	}
	return APEX_OK;
}

apex_status
backup_create(const apex_ctx *ctx, const char *subdomain, backup_info *out, apex_error *err)
{
	backup_job job = { .ctx = ctx, .info = out };
	apex_status st;

	memset(out, 0, sizeof(*out));
	st = tenant_get(ctx, subdomain, &job.t, err);
	if (st)
		return st;
	st = run_backup(&job, err);
	tenant_clear(&job.t);
	return st;
}

apex_status
backup_verify(const char *file, long long size, const char *sha256, apex_error *err)
{
	long long actual_size;
	char actual[65];

	if (file_checksum(file, &actual_size, actual, err))
		return APEX_FAILED;
	if (actual_size != size || strcmp(actual, sha256) != 0)
		return apex_fail(err, APEX_FAILED, "backup \"%s\" does not match its catalogue entry "
				 "(size %lld, expected %lld)", file, actual_size, size);
	return APEX_OK;
}
