/*
 * sha256.h - SHA-256 (FIPS 180-4) for backup checksums.
 */
#ifndef APEX_SHA256_H
#define APEX_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
	uint32_t state[8];
	uint64_t length;	/* bytes hashed so far */
	unsigned char block[64];
	size_t used;		/* bytes waiting in block */
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);

/* Writes the digest as 64 lowercase hex digits and a NUL into HEX. */
void sha256_final_hex(sha256_ctx *ctx, char hex[65]);

#endif
