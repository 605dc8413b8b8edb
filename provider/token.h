/*
 * token.h - the optional bearer token that guards /traefik and /metrics.
 */
#ifndef PROVIDER_TOKEN_H
#define PROVIDER_TOKEN_H

#include "error.h"

#define TOKEN_MAX 4096

/*
 * Reads the token from the first line of PATH, without surrounding
 * whitespace.  It must be 16 to TOKEN_MAX visible ASCII characters.  On
 * success *token is a new string the caller frees; the token itself never
 * appears in ERR.
 */
apex_status token_load(const char *path, char **token, apex_error *err);

/*
 * Returns 1 when AUTHORIZATION (may be NULL) is "Bearer TOKEN".  The time
 * taken depends only on the lengths, never on where the strings differ.
 */
int token_matches(const char *authorization, const char *token);

#endif
