/*
 * validate.c - input rules for subdomains, names, emails, domains and URLs.
 */
#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Subdomains that would shadow platform services or confuse customers.
 * Kept sorted for the message in apex-blueprint(5) and apexctl(1).
 */
static const char *const reserved_subdomains[] = {
	"admin", "api", "app", "apex", "assets", "auth", "billing", "blog", "cdn",
	"dashboard", "dev", "docs", "ftp", "help", "imap", "internal", "localhost",
	"login", "mail", "metrics", "ns1", "ns2", "pop", "pop3", "postgres",
	"root", "smtp", "staging", "static", "status", "support", "system", "test",
	"traefik", "webmail", "www",
};

/* Copies at most 80 bytes of VALUE for a message, marking the cut. */
static const char *
shown(const char *value, char *buf, size_t size)
{
	size_t len = strlen(value);

	snprintf(buf, size, "%.80s%s", value, len > 80 ? "..." : "");
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return buf;
}

int
apex_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;
		unsigned int cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n >= len)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* overlong forms, surrogates and values past U+10FFFF */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		i += n + 1;
	}
	return 1;
}

int
apex_text_is_printable(const char *s)
{
	size_t len = strlen(s);

	if (!apex_utf8_valid(s, len))
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return 0;
		/* C1 controls U+0080..U+009F are encoded as C2 80..C2 9F */
		if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
			return 0;
	}
	return 1;
}

int
apex_parse_integer(const char *s, long long *out)
{
	const char *p = s;
	char *end;
	long long value;

	if (*p == '-')
		p++;
	if (!*p)
		return -1;
	for (; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	errno = 0;
	value = strtoll(s, &end, 10);
	if (errno == ERANGE || *end)
		return -1;
	*out = value;
	return 0;
}

static int
is_reserved(const char *value)
{
	for (size_t i = 0; i < sizeof(reserved_subdomains) / sizeof(reserved_subdomains[0]); i++)
		if (strcmp(reserved_subdomains[i], value) == 0)
			return 1;
	return 0;
}

/* Checks one DNS label: 1..63 of a-z, 0-9, "-", no "-" at either end. */
static const char *
label_problem(const char *label, size_t len)
{
	if (len == 0)
		return "must not be empty";
	if (len > 63)
		return "must be at most 63 characters";
	for (size_t i = 0; i < len; i++) {
		char c = label[i];

		if (c >= 'A' && c <= 'Z')
			return "must be lowercase";
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return "only a-z, 0-9 and \"-\" are allowed";
	}
	if (label[0] == '-' || label[len - 1] == '-')
		return "must not start or end with \"-\"";
	return NULL;
}

apex_status
apex_validate_subdomain(const char *value, apex_error *err)
{
	char buf[100];
	size_t len = strlen(value);
	const char *problem = label_problem(value, len);

	if (!problem && len > APEX_SUBDOMAIN_MAX)
		problem = "must be at most 56 characters, so that \"tenant_\" plus the "
			  "subdomain fits PostgreSQL's 63-byte identifiers";
	if (!problem && len >= 4 && value[2] == '-' && value[3] == '-')
		problem = "\"--\" in the third and fourth characters is reserved for "
			  "internationalized names (xn--)";
	if (problem) {
		apex_fail(err, APEX_INVALID, "invalid subdomain \"%s\": %s",
			  shown(value, buf, sizeof(buf)), problem);
		apex_error_hint(err, "Use 1 to 56 lowercase letters, digits and inner hyphens, "
			       "for example \"shop1\" or \"acme-store\".");
		return APEX_INVALID;
	}
	if (is_reserved(value)) {
		apex_fail(err, APEX_INVALID, "invalid subdomain \"%s\": the name is reserved", value);
		apex_error_hint(err, "Reserved names include www, api, admin, traefik and mail; "
			       "choose another subdomain.");
		return APEX_INVALID;
	}
	return APEX_OK;
}

apex_status
apex_validate_display_name(const char *value, apex_error *err)
{
	char buf[100];
	size_t len = strlen(value);
	const char *problem = NULL;

	if (len == 0 || strspn(value, " ") == len)
		problem = "must not be empty";
	else if (!apex_utf8_valid(value, len))
		problem = "must be valid UTF-8";
	else if (!apex_text_is_printable(value))
		problem = "must not contain control characters";
	else if (len > APEX_DISPLAY_NAME_MAX)
		problem = "must be at most 200 bytes";
	if (problem)
		return apex_fail(err, APEX_INVALID, "invalid display name \"%s\": %s",
				 shown(value, buf, sizeof(buf)), problem);
	return APEX_OK;
}

apex_status
apex_validate_reason(const char *value, apex_error *err)
{
	char buf[100];
	size_t len = strlen(value);
	const char *problem = NULL;

	if (len == 0 || strspn(value, " ") == len)
		problem = "must not be empty";
	else if (!apex_text_is_printable(value))
		problem = "must be UTF-8 text without control characters";
	else if (len > APEX_REASON_MAX)
		problem = "must be at most 500 bytes";
	if (problem)
		return apex_fail(err, APEX_INVALID, "invalid reason \"%s\": %s",
				 shown(value, buf, sizeof(buf)), problem);
	return APEX_OK;
}

static const char *
domain_problem(const char *value)
{
	size_t len = strlen(value);
	const char *label = value;

	if (len == 0)
		return "must not be empty";
	if (len > APEX_DOMAIN_MAX)
		return "must be at most 253 characters";
	for (;;) {
		const char *dot = strchr(label, '.');
		size_t n = dot ? (size_t)(dot - label) : strlen(label);
		const char *problem = label_problem(label, n);

		if (problem)
			return problem;
		if (!dot)
			return NULL;
		label = dot + 1;
	}
}

apex_status
apex_validate_domain(const char *value, apex_error *err)
{
	char buf[100];
	const char *problem = domain_problem(value);

	if (problem)
		return apex_fail(err, APEX_INVALID, "invalid domain \"%s\": every label %s",
				 shown(value, buf, sizeof(buf)), problem);
	return APEX_OK;
}

apex_status
apex_validate_email(const char *value, apex_error *err)
{
	char buf[100];
	const char *at = strrchr(value, '@');
	size_t len = strlen(value);
	const char *problem = NULL;

	if (!at || at == value)
		problem = "must have the form local@domain";
	else if (len > APEX_EMAIL_MAX || (size_t)(at - value) > 64)
		problem = "must be at most 254 characters with at most 64 before \"@\"";
	else if (strcspn(value, " \t\"'<>()[]\\,;:") != len || !apex_text_is_printable(value))
		problem = "must not contain spaces, quotes, brackets or control characters";
	else if (strchr(value, '@') != at)
		problem = "must contain exactly one \"@\"";
	else if (!strchr(at + 1, '.') || domain_problem(at + 1))
		problem = "the domain after \"@\" must be a valid lowercase DNS name with a dot";
	else if (value[0] == '.' || at[-1] == '.' || strstr(value, ".."))
		problem = "dots must not start or end the local part or follow each other";
	if (problem)
		return apex_fail(err, APEX_INVALID, "invalid email \"%s\": %s",
				 shown(value, buf, sizeof(buf)), problem);
	return APEX_OK;
}

/* Names of plans, blueprints and features: [a-z][a-z0-9_-]{0,39}. */
static apex_status
validate_word(const char *value, const char *what, apex_error *err)
{
	char buf[100];
	size_t len = strlen(value);
	int ok = len >= 1 && len <= 40 && value[0] >= 'a' && value[0] <= 'z';

	for (size_t i = 0; ok && i < len; i++) {
		char c = value[i];

		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
	}
	if (ok)
		return APEX_OK;
	return apex_fail(err, APEX_INVALID,
			 "invalid %s name \"%s\": use 1 to 40 of a-z, 0-9, \"_\" and \"-\", "
			 "starting with a letter", what, shown(value, buf, sizeof(buf)));
}

apex_status
apex_validate_plan_name(const char *value, apex_error *err)
{
	return validate_word(value, "plan", err);
}

apex_status
apex_validate_blueprint_name(const char *value, apex_error *err)
{
	return validate_word(value, "blueprint", err);
}

apex_status
apex_validate_feature(const char *value, apex_error *err)
{
	return validate_word(value, "feature", err);
}

apex_status
apex_validate_traefik_name(const char *value, const char *what, apex_error *err)
{
	char buf[100];
	size_t len = strlen(value);
	int ok = len >= 1 && len <= 63;

	for (size_t i = 0; ok && i < len; i++)
		ok = isalnum((unsigned char)value[i]) || value[i] == '-' || value[i] == '_';
	if (ok)
		return APEX_OK;
	return apex_fail(err, APEX_INVALID,
			 "invalid %s \"%s\": use 1 to 63 of A-Z, a-z, 0-9, \"-\" and \"_\"",
			 what, shown(value, buf, sizeof(buf)));
}

apex_status
apex_validate_url(const char *value, apex_error *err)
{
	char buf[100];
	size_t len = strlen(value);
	const char *rest = NULL;

	if (strncmp(value, "http://", 7) == 0)
		rest = value + 7;
	else if (strncmp(value, "https://", 8) == 0)
		rest = value + 8;
	if (!rest || !*rest || *rest == '/' || *rest == ':' || len > 2048 ||
	    strcspn(value, " \t\"'<>\\`{}|^") != len || !apex_text_is_printable(value))
		return apex_fail(err, APEX_INVALID,
				 "invalid URL \"%s\": use http://HOST[:PORT][/PATH] or https://... "
				 "without spaces or quotes", shown(value, buf, sizeof(buf)));
	return APEX_OK;
}

void
apex_schema_name(const char *subdomain, char *buf, size_t size)
{
	size_t n = snprintf(buf, size, "%s%s", APEX_SCHEMA_PREFIX, subdomain);

	for (size_t i = strlen(APEX_SCHEMA_PREFIX); i < n && i < size; i++)
		if (buf[i] == '-')
			buf[i] = '_';
}
