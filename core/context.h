/*
 * context.h - what every core operation needs: a connection, the
 * configuration and who is acting.
 */
#ifndef APEX_CONTEXT_H
#define APEX_CONTEXT_H

#include <libpq-fe.h>

#include "config.h"
#include "error.h"

#define APEX_ACTOR_MAX 256

typedef struct apex_ctx {
	PGconn *conn;			/* borrowed; the caller closes it */
	const apex_config *cfg;		/* borrowed */
	char actor[APEX_ACTOR_MAX];	/* "alice" or "alice@203.0.113.9" */
	const char *source;		/* "cli", "console", "provider", "system" */
} apex_ctx;

/*
 * Fills CTX for SOURCE with the operator: SUDO_USER or the login user, plus
 * the SSH client address from SSH_CLIENT when present.
 */
void apex_ctx_init(apex_ctx *ctx, PGconn *conn, const apex_config *cfg, const char *source);

/* Writes the operator's name into BUF (see apex_ctx_init). */
void apex_actor_detect(char *buf, size_t size);

/* Milliseconds from a monotonic clock, for phase timings. */
double apex_now_ms(void);

#endif
