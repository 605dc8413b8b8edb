/*
 * sqlbuf.h - a growing buffer for SQL text with quoted literals.
 *
 * Appends never fail individually: the first failure (out of memory, or a
 * string libpq cannot escape in the connection's encoding) is recorded and
 * checked once with sqlbuf_failed() before the text is sent.
 */
#ifndef APEX_SQLBUF_H
#define APEX_SQLBUF_H

#include <libpq-fe.h>
#include <stddef.h>

typedef struct sqlbuf {
	char *data;
	size_t len;
	size_t cap;
	int failed;
	PGconn *conn;		/* borrowed, for escaping */
} sqlbuf;

void sqlbuf_init(sqlbuf *b, PGconn *conn);
void sqlbuf_free(sqlbuf *b);
void sqlbuf_reset(sqlbuf *b);
void sqlbuf_append(sqlbuf *b, const char *text);
void sqlbuf_appendf(sqlbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends S as a quoted literal ('...' or E'...'), or NULL when S is NULL. */
void sqlbuf_literal(sqlbuf *b, const char *s);

/* Appends S as a quoted identifier. */
void sqlbuf_ident(sqlbuf *b, const char *s);

int sqlbuf_failed(const sqlbuf *b);

#endif
