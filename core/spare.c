/*
 * spare.c - preparing spare tenant schemas.
 */
#include "spare.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"

/*
 * The tables come from apex_template (see the migration), and every id
 * from the schema's one sequence.  %1$s is the schema.
 */
static const char tenant_tables[] =
	"CREATE SEQUENCE %1$s.id_seq;"
	"CREATE TABLE %1$s.settings (LIKE apex_template.settings INCLUDING ALL);"
	"CREATE TABLE %1$s.pages (LIKE apex_template.pages INCLUDING ALL);"
	"CREATE TABLE %1$s.products (LIKE apex_template.products INCLUDING ALL);"
	"CREATE TABLE %1$s.orders (LIKE apex_template.orders INCLUDING ALL);"
	"CREATE TABLE %1$s.users (LIKE apex_template.users INCLUDING ALL);"
	"ALTER TABLE %1$s.pages ALTER id SET DEFAULT nextval('%1$s.id_seq');"
	"ALTER TABLE %1$s.products ALTER id SET DEFAULT nextval('%1$s.id_seq');"
	"ALTER TABLE %1$s.orders ALTER id SET DEFAULT nextval('%1$s.id_seq');"
	"ALTER TABLE %1$s.users ALTER id SET DEFAULT nextval('%1$s.id_seq');";

void
spare_tables_sql(sqlbuf *b, const char *schema)
{
	sqlbuf_appendf(b, tenant_tables, schema);
}

/* Writes "apex_spare_" and 16 random hex digits into NAME. */
static void
spare_name(char *name, size_t size)
{
	unsigned char bytes[8];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t n = 0;

	if (fd >= 0) {
		ssize_t got = read(fd, bytes, sizeof(bytes));

		n = got > 0 ? (size_t)got : 0;
		close(fd);
	}
	for (; n < sizeof(bytes); n++)
		bytes[n] = (unsigned char)(rand() ^ (int)clock());
	snprintf(name, size, "apex_spare_%02x%02x%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1],
		 bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
}

static apex_status
create_one(const apex_ctx *ctx, apex_error *err)
{
	char name[64];
	sqlbuf b;
	apex_status st;

	spare_name(name, sizeof(name));
	sqlbuf_init(&b, ctx->conn);
	sqlbuf_appendf(&b, "BEGIN; CREATE SCHEMA %s; REVOKE ALL ON SCHEMA %s FROM PUBLIC;", name, name);
	spare_tables_sql(&b, name);
	sqlbuf_appendf(&b, "INSERT INTO apex.spare_schemas (name) VALUES ('%s'); COMMIT", name);
	st = sqlbuf_failed(&b) ? apex_fail(err, APEX_FAILED, "could not build the SQL text")
			       : apex_db_command(ctx->conn, err, "could not prepare a spare schema", b.data);
	if (st)
		PQclear(PQexec(ctx->conn, "ROLLBACK"));
	sqlbuf_free(&b);
	return st;
}

long
spare_count(const apex_ctx *ctx, apex_error *err)
{
	char *value = apex_db_value(ctx->conn, err, "could not count the spare schemas",
				    "SELECT count(*) FROM apex.spare_schemas", 0, NULL);
	long n;

	if (!value)
		return -1;
	n = atol(value);
	free(value);
	return n;
}

apex_status
spare_fill(const apex_ctx *ctx, long target, int *created, apex_error *err)
{
	long have = spare_count(ctx, err);
	int made = 0;

	if (created)
		*created = 0;
	if (have < 0)
		return APEX_FAILED;
	for (; have < target; have++) {
		if (create_one(ctx, err))
			return APEX_FAILED;
		made++;
	}
	if (created)
		*created = made;
	return APEX_OK;
}

/* Session advisory lock key of the refiller ("spar" in ASCII). */
#define SPARE_LOCK_KEY "1936744818"

apex_status
spare_replenish(const apex_ctx *ctx, long target, int *created, apex_error *err)
{
	char *locked;
	long have;
	apex_status st = APEX_OK;

	*created = 0;
	locked = apex_db_value(ctx->conn, err, "could not lock the spare schemas",
			       "SELECT pg_try_advisory_lock(" SPARE_LOCK_KEY ")", 0, NULL);
	if (!locked)
		return APEX_FAILED;
	if (strcmp(locked, "t") != 0) {
		free(locked);
		return APEX_OK;		/* another session is refilling */
	}
	free(locked);
	have = spare_count(ctx, err);
	if (have < 0)
		st = APEX_FAILED;
	else if (have < target && !(st = create_one(ctx, err)))
		*created = 1;
	PQclear(PQexec(ctx->conn, "SELECT pg_advisory_unlock(" SPARE_LOCK_KEY ")"));
	return st;
}
