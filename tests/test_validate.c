/*
 * test_validate.c - every input rule, with hostile values.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "validate.h"

static void
expect_invalid(apex_status (*check)(const char *, apex_error *), const char *value,
	       const char *fragment)
{
	apex_error err = { 0 };

	cr_expect_eq(check(value, &err), APEX_INVALID, "\"%s\" was accepted", value);
	cr_expect(strstr(err.message, fragment) != NULL,
		  "message for \"%s\" lacks \"%s\": %s", value, fragment, err.message);
}

static void
expect_valid(apex_status (*check)(const char *, apex_error *), const char *value)
{
	apex_error err = { 0 };

	cr_expect_eq(check(value, &err), APEX_OK, "\"%s\" was rejected: %s", value, err.message);
}

Test(subdomain, accepts_dns_labels)
{
	expect_valid(apex_validate_subdomain, "shop1");
	expect_valid(apex_validate_subdomain, "a");
	expect_valid(apex_validate_subdomain, "acme-store");
	expect_valid(apex_validate_subdomain, "9lives");
	expect_valid(apex_validate_subdomain, "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdef");
}

Test(subdomain, rejects_bad_characters)
{
	expect_invalid(apex_validate_subdomain, "Shop_1", "lowercase");
	expect_invalid(apex_validate_subdomain, "shop_1", "only a-z, 0-9");
	expect_invalid(apex_validate_subdomain, "shop.1", "only a-z, 0-9");
	expect_invalid(apex_validate_subdomain, "shop 1", "only a-z, 0-9");
	expect_invalid(apex_validate_subdomain, "shop1;drop", "only a-z, 0-9");
	expect_invalid(apex_validate_subdomain, "x'); DROP TABLE apex.tenants;--", "only a-z, 0-9");
	expect_invalid(apex_validate_subdomain, "caf\xc3\xa9", "only a-z, 0-9");
	expect_invalid(apex_validate_subdomain, "tab\there", "only a-z, 0-9");
}

Test(subdomain, rejects_bad_shapes)
{
	expect_invalid(apex_validate_subdomain, "", "must not be empty");
	expect_invalid(apex_validate_subdomain, "-shop", "must not start or end");
	expect_invalid(apex_validate_subdomain, "shop-", "must not start or end");
	expect_invalid(apex_validate_subdomain, "xn--bcher-kva", "reserved for internationalized");
	expect_invalid(apex_validate_subdomain, "ab--cd", "reserved for internationalized");
}

Test(subdomain, rejects_long_names)
{
	char name[80];

	memset(name, 'a', 57);
	name[57] = '\0';
	expect_invalid(apex_validate_subdomain, name, "at most 56");
	memset(name, 'a', 64);
	name[64] = '\0';
	expect_invalid(apex_validate_subdomain, name, "at most 63");
}

Test(subdomain, rejects_reserved_names)
{
	static const char *const names[] = { "www", "api", "admin", "traefik", "mail" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		expect_invalid(apex_validate_subdomain, names[i], "reserved");
}

Test(subdomain, message_quotes_value_and_hint)
{
	apex_error err = { 0 };

	apex_validate_subdomain("Shop_1", &err);
	cr_assert(strstr(err.message, "\"Shop_1\"") != NULL, "%s", err.message);
	cr_assert(err.hint[0] != '\0');
}

Test(subdomain, message_hides_control_characters)
{
	apex_error err = { 0 };

	apex_validate_subdomain("a\x1b[2Jb", &err);
	cr_assert(strchr(err.message, '\x1b') == NULL, "escape reached the message");
}

Test(schema_name, maps_hyphens)
{
	char buf[64];

	apex_schema_name("acme-store-2", buf, sizeof(buf));
	cr_assert_str_eq(buf, "tenant_acme_store_2");
}

Test(schema_name, longest_fits_identifier)
{
	char sub[APEX_SUBDOMAIN_MAX + 1];
	char buf[128];

	memset(sub, 'z', APEX_SUBDOMAIN_MAX);
	sub[APEX_SUBDOMAIN_MAX] = '\0';
	apex_schema_name(sub, buf, sizeof(buf));
	cr_assert_eq(strlen(buf), APEX_IDENT_MAX);
}

Test(display_name, accepts_unicode)
{
	expect_valid(apex_validate_display_name, "Caf\xc3\xa9 M\xc3\xbcller & Sons");
	expect_valid(apex_validate_display_name, "\xe6\x9d\xb1\xe4\xba\xac Store");
}

Test(display_name, rejects_hostile_values)
{
	char longname[300];

	memset(longname, 'n', 201);
	longname[201] = '\0';
	expect_invalid(apex_validate_display_name, "", "must not be empty");
	expect_invalid(apex_validate_display_name, "   ", "must not be empty");
	expect_invalid(apex_validate_display_name, longname, "at most 200");
	expect_invalid(apex_validate_display_name, "bad\xff\xfe", "valid UTF-8");
	expect_invalid(apex_validate_display_name, "overlong \xc0\xaf", "valid UTF-8");
	expect_invalid(apex_validate_display_name, "line\nbreak", "control characters");
	expect_invalid(apex_validate_display_name, "esc\x1b[31m", "control characters");
	expect_invalid(apex_validate_display_name, "c1 \xc2\x9b", "control characters");
}

Test(email, accepts_common_forms)
{
	expect_valid(apex_validate_email, "owner@example.com");
	expect_valid(apex_validate_email, "first.last+tag@shop.example.co.uk");
}

Test(email, rejects_hostile_values)
{
	expect_invalid(apex_validate_email, "", "local@domain");
	expect_invalid(apex_validate_email, "no-at-sign", "local@domain");
	expect_invalid(apex_validate_email, "@example.com", "local@domain");
	expect_invalid(apex_validate_email, "a@b@example.com", "exactly one");
	expect_invalid(apex_validate_email, "a b@example.com", "spaces");
	expect_invalid(apex_validate_email, "a'--@example.com", "quotes");
	expect_invalid(apex_validate_email, "a@localhost", "with a dot");
	expect_invalid(apex_validate_email, "a@Example.com", "lowercase DNS name");
	expect_invalid(apex_validate_email, "a..b@example.com", "dots");
	expect_invalid(apex_validate_email, ".a@example.com", "dots");
	expect_invalid(apex_validate_email, "a\n@example.com", "control");
}

Test(email, rejects_long_local_part)
{
	char email[400];

	memset(email, 'a', 65);
	strcpy(email + 65, "@example.com");
	expect_invalid(apex_validate_email, email, "at most 64");
}

Test(names, plan_blueprint_feature)
{
	expect_valid(apex_validate_plan_name, "pro");
	expect_valid(apex_validate_blueprint_name, "ecommerce");
	expect_valid(apex_validate_feature, "custom_domains");
	expect_invalid(apex_validate_plan_name, "Pro", "invalid plan name");
	expect_invalid(apex_validate_plan_name, "", "invalid plan name");
	expect_invalid(apex_validate_blueprint_name, "../etc/passwd", "invalid blueprint name");
	expect_invalid(apex_validate_blueprint_name, "a/b", "invalid blueprint name");
	expect_invalid(apex_validate_feature, "1st", "starting with a letter");
	expect_invalid(apex_validate_feature, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "1 to 40");
}

Test(domain, rules)
{
	char longname[300];

	memset(longname, 'a', 254);
	longname[254] = '\0';
	for (int i = 60; i < 254; i += 61)
		longname[i] = '.';
	expect_valid(apex_validate_domain, "apex.localhost");
	expect_valid(apex_validate_domain, "shop.example.com");
	expect_invalid(apex_validate_domain, "", "must not be empty");
	expect_invalid(apex_validate_domain, "a..b", "labels between dots must not be empty");
	expect_invalid(apex_validate_domain, "-a.com", "labels must not start or end");
	expect_invalid(apex_validate_domain, "a_b.com", "only a-z");
	expect_invalid(apex_validate_domain, longname, "at most 253");
}

Test(url, rules)
{
	expect_valid(apex_validate_url, "http://127.0.0.1:3000");
	expect_valid(apex_validate_url, "https://shop.example.com/path");
	expect_invalid(apex_validate_url, "ftp://x", "invalid URL");
	expect_invalid(apex_validate_url, "http://", "invalid URL");
	expect_invalid(apex_validate_url, "http://a b", "invalid URL");
	expect_invalid(apex_validate_url, "http://a\"b", "invalid URL");
}

Test(reason, rules)
{
	char longreason[600];

	memset(longreason, 'r', 501);
	longreason[501] = '\0';
	expect_valid(apex_validate_reason, "unpaid invoice #42");
	expect_invalid(apex_validate_reason, "", "must not be empty");
	expect_invalid(apex_validate_reason, longreason, "at most 500");
	expect_invalid(apex_validate_reason, "a\rb", "control characters");
}

Test(integer, parses_only_decimal)
{
	long long v = 0;

	cr_assert_eq(apex_parse_integer("42", &v), 0);
	cr_assert_eq(v, 42);
	cr_assert_eq(apex_parse_integer("-7", &v), 0);
	cr_assert_eq(v, -7);
	cr_assert_eq(apex_parse_integer("", &v), -1);
	cr_assert_eq(apex_parse_integer("-", &v), -1);
	cr_assert_eq(apex_parse_integer("1e3", &v), -1);
	cr_assert_eq(apex_parse_integer("0x10", &v), -1);
	cr_assert_eq(apex_parse_integer(" 1", &v), -1);
	cr_assert_eq(apex_parse_integer("12.5", &v), -1);
	cr_assert_eq(apex_parse_integer("99999999999999999999", &v), -1);
}

Test(display_name, rejects_bidi_overrides)
{
	expect_invalid(apex_validate_display_name, "shop \xe2\x80\xae" "gnp.exe", "control characters");
	expect_invalid(apex_validate_display_name, "iso \xe2\x81\xa6x", "control characters");
}

Test(messages, cut_on_character_boundary)
{
	char value[200];
	apex_error err = { 0 };

	/* 100 two-byte characters: any cut must not split one */
	for (int i = 0; i < 100; i++)
		memcpy(value + 2 * i, "\xc3\xa9", 2);
	value[200 - 1] = '\0';
	value[198] = '\0';
	apex_validate_subdomain(value, &err);
	cr_assert(apex_utf8_valid(err.message, strlen(err.message)), "message is not UTF-8: %s", err.message);
	cr_assert(strstr(err.message, "...") != NULL, "%s", err.message);
}

Test(messages, invalid_bytes_shown_as_question_marks)
{
	apex_error err = { 0 };

	apex_validate_display_name("bad\xff\xfe name\xc2\x85", &err);
	cr_assert(apex_utf8_valid(err.message, strlen(err.message)), "message is not UTF-8");
	cr_assert(strstr(err.message, "bad?? name?") != NULL, "%s", err.message);
}

Test(email, long_address_names_length_rule)
{
	char email[400];

	memset(email, 'a', 300);
	email[300] = '\0';
	expect_invalid(apex_validate_email, email, "at most 254");
}

Test(subdomain, more_reserved_names)
{
	expect_invalid(apex_validate_subdomain, "wpad", "reserved");
	expect_invalid(apex_validate_subdomain, "autodiscover", "reserved");
	expect_invalid(apex_validate_subdomain, "mx", "reserved");
}
