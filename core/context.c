/*
 * context.c - the acting operator and the monotonic clock.
 */
#include "context.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "validate.h"

/* Keeps at most LIMIT bytes of printable characters of S. */
static void
copy_clean(char *dst, size_t size, const char *s, size_t limit)
{
	size_t n = 0;

	for (; *s && n + 1 < size && n < limit; s++)
		if ((unsigned char)*s > 0x20 && *s != 0x7f)
			dst[n++] = *s;
	dst[n] = '\0';
}

void
apex_actor_detect(char *buf, size_t size)
{
	const char *user = getenv("SUDO_USER");
	const char *ssh = getenv("SSH_CLIENT");
	char name[128];
	char addr[64];

	if (!user || !*user) {
		struct passwd *pw = getpwuid(getuid());

		user = pw ? pw->pw_name : NULL;
	}
	if (!user || !*user)
		user = getenv("USER");
	copy_clean(name, sizeof(name), user && *user ? user : "unknown", 64);
	if (!name[0])
		snprintf(name, sizeof(name), "uid%u", (unsigned)getuid());
	addr[0] = '\0';
	if (ssh && *ssh) {
		/* SSH_CLIENT is "ADDRESS PORT PORT"; keep the address only */
		copy_clean(addr, sizeof(addr), ssh, strcspn(ssh, " "));
	}
	if (addr[0])
		snprintf(buf, size, "%s@%s", name, addr);
	else
		snprintf(buf, size, "%s", name);
}

void
apex_ctx_init(apex_ctx *ctx, PGconn *conn, const apex_config *cfg, const char *source)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->conn = conn;
	ctx->cfg = cfg;
	ctx->source = source;
	apex_actor_detect(ctx->actor, sizeof(ctx->actor));
}

double
apex_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}
