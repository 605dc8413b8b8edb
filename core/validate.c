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
	"admin", "api", "app", "apex", "assets", "auth", "autoconfig", "autodiscover",
	"billing", "blog", "cdn", "dashboard", "dev", "docs", "ftp", "help", "imap",
	"internal", "localhost", "login", "mail", "metrics", "mx", "ns1", "ns2", "pop",
	"pop3", "postgres", "root", "smtp", "staging", "static", "status", "support",
	"system", "test", "traefik", "webmail", "wpad", "www",
};

int apex_utf8_valid(const char *s, size_t len);

/*
 * Copies VALUE for a message: at most 80 bytes, cut on a character
 * boundary, with control characters and invalid bytes shown as "?".
 */
static const char *
shown(const char *value, char *buf, size_t size)
{
	size_t len = strlen(value), out = 0, i = 0;

	while (i < len && out + 8 < size && i < 80) {
		unsigned char c = (unsigned char)value[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
			   (c & 0xf8) == 0xf0 ? 4 : 0;

		if (n == 0 || i + n > len || !apex_utf8_valid(value + i, n) ||
		    c < 0x20 || c == 0x7f || (c == 0xc2 && (unsigned char)value[i + 1] < 0xa0)) {
			buf[out++] = '?';
			i += n ? n : 1;
			continue;
		}
		memcpy(buf + out, value + i, n);
		out += n;
		i += n;
	}
	snprintf(buf + out, size - out, "%s", i < len ? "..." : "");
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
		/*
		 * Bidirectional overrides and isolates (U+202A..U+202E,
		 * U+2066..U+2069) can make a name display as something else.
		 */
		if (c == 0xe2 && i + 2 < len &&
		    (((unsigned char)s[i + 1] == 0x80 && (unsigned char)s[i + 2] >= 0xaa &&
		      (unsigned char)s[i + 2] <= 0xae) ||
		     ((unsigned char)s[i + 1] == 0x81 && (unsigned char)s[i + 2] >= 0xa6 &&
		      (unsigned char)s[i + 2] <= 0xa9)))
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
	if (problem) {
		apex_fail(err, APEX_INVALID, "invalid display name \"%s\": %s",
			  shown(value, buf, sizeof(buf)), problem);
		apex_error_hint(err, "Use 1 to 200 bytes of UTF-8 text without control characters.");
		return APEX_INVALID;
	}
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
	if (problem) {
		apex_fail(err, APEX_INVALID, "invalid reason \"%s\": %s", shown(value, buf, sizeof(buf)),
			  problem);
		apex_error_hint(err, "Say in one line of up to 500 bytes why, for example "
				"\"unpaid invoice 1042\".");
		return APEX_INVALID;
	}
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

		if (problem && n == 0)
			return "labels between dots must not be empty";
		if (problem && n > 63)
			return "labels between dots must be at most 63 characters";
		if (problem && strncmp(problem, "must not start", 14) == 0)
			return "labels must not start or end with \"-\"";
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

	if (problem) {
		apex_fail(err, APEX_INVALID, "invalid domain \"%s\": %s", shown(value, buf, sizeof(buf)),
			  problem);
		apex_error_hint(err, "Use dot-separated labels of 1 to 63 lowercase letters, digits "
				"and inner hyphens, at most 253 characters in all, such as \"shop.example.com\".");
		return APEX_INVALID;
	}
	return APEX_OK;
}

apex_status
apex_validate_email(const char *value, apex_error *err)
{
	char buf[100];
	const char *at = strrchr(value, '@');
	size_t len = strlen(value);
	const char *problem = NULL;

	if (len > APEX_EMAIL_MAX || (at && (size_t)(at - value) > 64))
		problem = "must be at most 254 characters with at most 64 before \"@\"";
	else if (!at || at == value)
		problem = "must have the form local@domain";
	else if (strcspn(value, " \t\"'<>()[]\\,;:") != len || !apex_text_is_printable(value))
		problem = "must not contain spaces, quotes, brackets or control characters";
	else if (strchr(value, '@') != at)
		problem = "must contain exactly one \"@\"";
	else if (!strchr(at + 1, '.') || domain_problem(at + 1))
		problem = "the domain after \"@\" must be a valid lowercase DNS name with a dot";
	else if (value[0] == '.' || at[-1] == '.' || strstr(value, ".."))
		problem = "dots must not start or end the local part or follow each other";
	if (problem) {
		apex_fail(err, APEX_INVALID, "invalid email \"%s\": %s", shown(value, buf, sizeof(buf)),
			  problem);
		apex_error_hint(err, "Use an address such as \"owner@example.com\" with a lowercase domain.");
		return APEX_INVALID;
	}
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

/* The same rule as the blueprint loader's "name" key and file names. */
apex_status
apex_validate_blueprint_name(const char *value, apex_error *err)
{
	char buf[100];
	size_t len = strlen(value);
	int ok = len >= 1 && len <= 63;

	for (size_t i = 0; ok && i < len; i++) {
		char c = value[i];

		ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
	}
	if (ok)
		return APEX_OK;
	return apex_fail(err, APEX_INVALID, "invalid blueprint name \"%s\": use 1 to 63 of a-z, "
			 "0-9, \"_\" and \"-\"", shown(value, buf, sizeof(buf)));
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

apex_status
apex_validate_listen(const char *value, apex_error *err)
{
	char buf[100];
	const char *colon = strrchr(value, ':');
	long long port = 0;
	size_t host_len = colon ? (size_t)(colon - value) : 0;
	int ok = colon && host_len > 0 && host_len < 256 && apex_parse_integer(colon + 1, &port) == 0 &&
		 port >= 0 && port <= 65535;

	for (size_t i = 0; ok && i < host_len; i++)
		ok = isalnum((unsigned char)value[i]) || strchr(".-:[]", value[i]) != NULL;
	if (ok && value[0] == '[')
		ok = value[host_len - 1] == ']';
	if (ok)
		return APEX_OK;
	apex_fail(err, APEX_INVALID, "invalid listen address \"%s\": use HOST:PORT with a port "
		  "from 0 to 65535 (0 picks a free port)", shown(value, buf, sizeof(buf)));
	apex_error_hint(err, "For example \"127.0.0.1:9000\" or \"[::1]:9000\".");
	return APEX_INVALID;
}
