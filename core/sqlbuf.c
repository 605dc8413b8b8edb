/*
 * sqlbuf.c - SQL text builder.
 */
#include "sqlbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sqlbuf_init(sqlbuf *b, PGconn *conn)
{
	memset(b, 0, sizeof(*b));
	b->conn = conn;
}

void
sqlbuf_free(sqlbuf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
sqlbuf_reset(sqlbuf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

static int
reserve(sqlbuf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	char *data;

	if (b->failed)
		return -1;
	if (need <= b->cap)
		return 0;
	if (need < b->cap * 2)
		need = b->cap * 2;
	if (need < 4096)
		need = 4096;
	data = realloc(b->data, need);
	if (!data) {
		b->failed = 1;
		return -1;
	}
	b->data = data;
	b->cap = need;
	return 0;
}

void
sqlbuf_append(sqlbuf *b, const char *text)
{
	size_t n = strlen(text);

	if (reserve(b, n))
		return;
	memcpy(b->data + b->len, text, n + 1);
	b->len += n;
}

void
sqlbuf_appendf(sqlbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static void
append_escaped(sqlbuf *b, const char *s, int ident)
{
	char *quoted;

	if (b->failed)
		return;
	quoted = ident ? PQescapeIdentifier(b->conn, s, strlen(s))
		       : PQescapeLiteral(b->conn, s, strlen(s));
	if (!quoted) {
		b->failed = 1;
		return;
	}
	sqlbuf_append(b, quoted);
	PQfreemem(quoted);
}

void
sqlbuf_literal(sqlbuf *b, const char *s)
{
	if (!s)
		sqlbuf_append(b, "NULL");
	else
		append_escaped(b, s, 0);
}

void
sqlbuf_ident(sqlbuf *b, const char *s)
{
	append_escaped(b, s, 1);
}

int
sqlbuf_failed(const sqlbuf *b)
{
	return b->failed;
}
