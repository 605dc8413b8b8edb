/*
 * token.c - loading the bearer token and checking Authorization headers.
 */
#include "token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "log.h"

#define TOKEN_MIN 16

static size_t
trimmed_length(const char *line, const char **start)
{
	size_t len;

	while (*line == ' ' || *line == '\t')
		line++;
	len = strcspn(line, "\r\n");
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	*start = line;
	return len;
}

static int
visible_ascii(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return 0;
	return 1;
}

/* Warns when other users may read the token file. */
static void
check_mode(FILE *f, const char *path)
{
	struct stat st;

	if (fstat(fileno(f), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)))
		provider_log(LEVEL_WARNING, "token file \"%s\" is readable by other users; "
			     "restrict it with \"chmod 600\"", path);
}

apex_status
token_load(const char *path, char **token, apex_error *err)
{
	char line[TOKEN_MAX + 2];
	const char *start;
	size_t len;
	FILE *f = fopen(path, "r");

	*token = NULL;
	if (!f)
		return apex_fail(err, APEX_FAILED, "could not open token file \"%s\": %s", path,
				 strerror(errno));
	check_mode(f, path);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);

	len = trimmed_length(line, &start);
	if (len < TOKEN_MIN || len > TOKEN_MAX || !visible_ascii(start, len)) {
		apex_fail(err, APEX_INVALID, "invalid token in \"%s\": the first line must hold "
			  "%d to %d visible ASCII characters", path, TOKEN_MIN, TOKEN_MAX);
		apex_error_hint(err, "Create one with \"openssl rand -hex 32 > %s\".", path);
		return APEX_INVALID;
	}
	*token = strndup(start, len);
	if (!*token)
		return apex_fail(err, APEX_FAILED, "could not load token file \"%s\": out of memory", path);
	return APEX_OK;
}

int
token_matches(const char *authorization, const char *token)
{
	size_t token_len = strlen(token);
	size_t given_len;
	unsigned int diff;

	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return 0;
	authorization += 7;
	while (*authorization == ' ')
		authorization++;
	given_len = strlen(authorization);

	/* every byte of the token is compared whatever the input, so timing shows no prefix */
	diff = given_len != token_len;
	for (size_t i = 0; i < token_len; i++)
		diff |= (unsigned char)token[i] ^ (unsigned char)authorization[i < given_len ? i : given_len];
	return diff == 0;
}
