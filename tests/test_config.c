/*
 * test_config.c - apex.yaml loading: defaults, keys, errors, precedence.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "validate.h"

static char path[64];

static const char *
write_config(const char *text)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/apex-config-test.XXXXXX");
	fd = mkstemp(path);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
clear_env(void)
{
	unsetenv("APEX_CONFIG");
	unsetenv("APEX_DATABASE_URL");
	unsetenv("APEX_BASE_DOMAIN");
}

static void
teardown(void)
{
	if (path[0])
		unlink(path);
	path[0] = '\0';
}

TestSuite(config, .init = clear_env, .fini = teardown);

static void
expect_error(const char *text, const char *fragment)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };
	const char *file = write_config(text);

	cr_assert_eq(apex_config_load(file, &cfg, &err), APEX_INVALID, "accepted: %s", text);
	cr_assert_null(cfg);
	cr_assert(strstr(err.message, file) != NULL, "no file name in: %s", err.message);
	cr_assert(strstr(err.message, fragment) != NULL, "\"%s\" missing in: %s", fragment, err.message);
}

Test(config, full_file_loads)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };
	const char *file = write_config(
		"database: \"postgresql:///apex?host=/run/postgresql\"\n"
		"base_domain: shops.example.com\n"
		"provisioning:\n  target_ms: 2000\n"
		"routing:\n  entry_points: [web, websecure]\n"
		"  service_urls: [\"http://127.0.0.1:3000\", \"http://127.0.0.1:3001\"]\n"
		"  suspended_url: \"http://127.0.0.1:3009\"\n"
		"  cert_resolver: letsencrypt\n"
		"provider:\n  listen: \"127.0.0.1:9100\"\n"
		"alerts:\n  command: \"logger -t apex\"\n"
		"plans:\n  starter: {products: 10, users: 1, pages: 5, storage_mb: 100,\n"
		"            rate_average: 5, rate_burst: 10, features: [storefront]}\n");

	cr_assert_eq(apex_config_load(file, &cfg, &err), APEX_OK, "%s", err.message);
	cr_assert_str_eq(cfg->database, "postgresql:///apex?host=/run/postgresql");
	cr_assert_str_eq(cfg->base_domain, "shops.example.com");
	cr_assert_eq(cfg->target_ms, 2000);
	cr_assert_eq(cfg->n_entry_points, 2);
	cr_assert_str_eq(cfg->entry_points[1], "websecure");
	cr_assert_eq(cfg->n_service_urls, 2);
	cr_assert_str_eq(cfg->suspended_url, "http://127.0.0.1:3009");
	cr_assert_str_eq(cfg->cert_resolver, "letsencrypt");
	cr_assert_str_eq(cfg->provider_listen, "127.0.0.1:9100");
	cr_assert_eq(cfg->n_plans, 1);
	cr_assert_str_eq(cfg->plans[0].name, "starter");
	cr_assert_eq(cfg->plans[0].rate_burst, 10);
	cr_assert(apex_plan_has_feature(&cfg->plans[0], "storefront"));
	cr_assert_null(apex_config_plan(cfg, "pro"));
	apex_config_free(cfg);
}

Test(config, defaults_without_file)
{
	apex_config *cfg = apex_config_defaults();

	cr_assert_str_eq(cfg->base_domain, "apex.localhost");
	cr_assert_str_eq(cfg->provider_listen, "127.0.0.1:9000");
	cr_assert_eq(cfg->target_ms, 55000);
	cr_assert_not_null(apex_config_plan(cfg, "basic"));
	cr_assert_not_null(apex_config_plan(cfg, "pro"));
	apex_config_free(cfg);
}

Test(config, environment_overrides_file)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };
	const char *file = write_config("base_domain: file.example.com\ndatabase: \"dbname=fromfile\"\n");

	setenv("APEX_BASE_DOMAIN", "env.example.com", 1);
	setenv("APEX_DATABASE_URL", "dbname=fromenv", 1);
	cr_assert_eq(apex_config_load(file, &cfg, &err), APEX_OK, "%s", err.message);
	cr_assert_str_eq(cfg->base_domain, "env.example.com");
	cr_assert_str_eq(cfg->database, "dbname=fromenv");
	apex_config_free(cfg);
}

Test(config, apex_config_variable_names_file)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };

	setenv("APEX_CONFIG", write_config("base_domain: via-env.example.com\n"), 1);
	cr_assert_eq(apex_config_load(NULL, &cfg, &err), APEX_OK, "%s", err.message);
	cr_assert_str_eq(cfg->base_domain, "via-env.example.com");
	apex_config_free(cfg);
}

Test(config, unknown_key_has_position)
{
	expect_error("base_domain: a.example.com\nbase_domian: typo.example.com\n",
		     ":2:1: unknown key \"base_domian\"");
}

Test(config, unknown_nested_key)
{
	expect_error("routing:\n  entry_point: [web]\n", ":2:3: unknown key \"entry_point\" in section \"routing\"");
}

Test(config, wrong_types)
{
	expect_error("base_domain: [a, b]\n", "key \"base_domain\" must be a scalar");
	expect_error("routing:\n  entry_points: web\n", "key \"entry_points\" must be a list");
	expect_error("provisioning: 5\n", "key \"provisioning\" must be a mapping");
	expect_error("- a\n- b\n", "must be a mapping");
}

Test(config, integer_bounds)
{
	expect_error("provisioning:\n  target_ms: fast\n", "must be an integer");
	expect_error("provisioning:\n  target_ms: 0\n", "between 1 and 3600000");
	expect_error("provisioning:\n  target_ms: \"100\"\n", "must be an integer");
	expect_error("provisioning:\n  target_ms: 99999999999999999999999\n", "must be an integer");
	expect_error("provisioning:\n  spare_schemas: -1\n", "between 0 and 1000");
}

Test(config, duplicate_key)
{
	expect_error("base_domain: a.example.com\nbase_domain: b.example.com\n",
		     ":2:1: duplicate key \"base_domain\"");
}

Test(config, aliases_and_tags_rejected)
{
	expect_error("a: &x foo\nbase_domain: *x\n", "anchors and aliases are not allowed");
	expect_error("base_domain: !!str a.example.com\n", "explicit tags are not allowed");
}

Test(config, multiple_documents_rejected)
{
	expect_error("base_domain: a.example.com\n---\nbase_domain: b.example.com\n",
		     "only one YAML document");
}

Test(config, syntax_error_has_position)
{
	expect_error("routing:\n  entry_points: [web\n", "invalid YAML");
}

Test(config, bad_values_rejected)
{
	expect_error("base_domain: \"Bad_Domain\"\n", "base_domain: invalid domain \"Bad_Domain\"");
	expect_error("routing:\n  service_urls: [\"ftp://x\"]\n", "invalid URL \"ftp://x\"");
	expect_error("routing:\n  entry_points: []\n", "entry_points must not be empty");
	expect_error("routing:\n  entry_points: [\"web secure\"]\n", "invalid entry point");
	expect_error("plans:\n  Pro: {rate_average: 1, rate_burst: 2}\n", "invalid plan name \"Pro\"");
	expect_error("plans:\n  pro: {products: 1, users: 1, pages: 1, storage_mb: 1, rate_average: 10,\n"
		     "        rate_burst: 2}\n", "rate_burst must be at least");
	expect_error("plans:\n  pro: {widgets: 2}\n", "unknown key \"widgets\" in a plan");
	expect_error("plans:\n  pro: {features: [\"Bad Feature\"]}\n", "invalid feature name");
	expect_error("base_domain: \"a\\u0007b\"\n", "control characters");
	expect_error("routing:\n  entry_points: [web, web]\n", "duplicate entry point \"web\"");
	expect_error("provider:\n  listen: \"not an address\"\n", "invalid listen address");
	expect_error("provider:\n  listen: \"0.0.0.0:99999\"\n", "invalid listen address");
	expect_error("provisioning:\n  target_ms: 010\n", "must be an integer");
}

Test(config, missing_file_fails)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };

	cr_assert_eq(apex_config_load("/nonexistent/apex.yaml", &cfg, &err), APEX_FAILED);
	cr_assert(strstr(err.message, "/nonexistent/apex.yaml") != NULL, "%s", err.message);
}

Test(config, directory_and_device_rejected)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };

	cr_assert_eq(apex_config_load("/tmp", &cfg, &err), APEX_INVALID);
	cr_assert(strstr(err.message, "not a regular file") != NULL, "%s", err.message);
	cr_assert_eq(apex_config_load("/dev/zero", &cfg, &err), APEX_INVALID);
}

Test(config, oversized_file_rejected)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };
	size_t size = 2 * 1024 * 1024;
	char *text = malloc(size + 1);

	memset(text, '#', size);
	text[size] = '\0';
	cr_assert_eq(apex_config_load(write_config(text), &cfg, &err), APEX_INVALID);
	cr_assert(strstr(err.message, "larger than") != NULL, "%s", err.message);
	free(text);
}

Test(config, empty_file_gives_defaults)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };

	cr_assert_eq(apex_config_load(write_config(""), &cfg, &err), APEX_OK, "%s", err.message);
	cr_assert_str_eq(cfg->base_domain, "apex.localhost");
	apex_config_free(cfg);
}

Test(config, private_cluster_conninfo)
{
	apex_config *cfg = apex_config_defaults();
	int is_private = 0;
	char *conninfo;

	unsetenv("PGHOST");
	unsetenv("PGDATABASE");
	unsetenv("PGSERVICE");
	unsetenv("PGPORT");
	unsetenv("PGUSER");
	unsetenv("PGHOSTADDR");
	unsetenv("PGSERVICEFILE");
	conninfo = apex_config_conninfo(cfg, &is_private);
	cr_assert_eq(is_private, 1);
	cr_assert(strstr(conninfo, "/run'") != NULL, "%s", conninfo);
	free(conninfo);
	setenv("PGSERVICE", "apex", 1);
	conninfo = apex_config_conninfo(cfg, &is_private);
	cr_assert_eq(is_private, 0);
	cr_assert_str_eq(conninfo, "");
	free(conninfo);
	unsetenv("PGSERVICE");
	apex_config_free(cfg);
}

Test(config, partial_plan_rejected)
{
	expect_error("plans:\n  basic: {products: 1}\n",
		     "plan \"basic\" is missing users, pages, storage_mb, rate_average, rate_burst");
	expect_error("plans:\n  basic: {products: 1, users: 1, pages: 1, storage_mb: 1, rate_average: 1,\n"
		     "          rate_burst: 1, features: [a, a]}\n", "duplicate feature \"a\"");
}

Test(config, relative_paths_made_absolute)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };
	char cwd[4096], expected[4200];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(apex_config_load(write_config("backup_dir: relative-backups\n"), &cfg, &err), APEX_OK,
		     "%s", err.message);
	snprintf(expected, sizeof(expected), "%s/relative-backups", cwd);
	cr_assert_str_eq(cfg->backup_dir, expected);
	apex_config_free(cfg);
}

Test(config, listen_address_forms)
{
	apex_error err = { 0 };

	cr_assert_eq(apex_validate_listen("127.0.0.1:9000", &err), APEX_OK);
	cr_assert_eq(apex_validate_listen("[::1]:9000", &err), APEX_OK);
	cr_assert_eq(apex_validate_listen("localhost:80", &err), APEX_OK);
	cr_assert_eq(apex_validate_listen("127.0.0.1", &err), APEX_INVALID);
	cr_assert_eq(apex_validate_listen(":9000", &err), APEX_INVALID);
	cr_assert_eq(apex_validate_listen("[::1:9000", &err), APEX_INVALID);
	cr_assert_eq(apex_validate_listen("host:0", &err), APEX_OK);
	cr_assert_eq(apex_validate_listen("host:65536", &err), APEX_INVALID);
	cr_assert_eq(apex_validate_listen("host:-1", &err), APEX_INVALID);
	cr_assert_eq(apex_validate_listen("a b:80", &err), APEX_INVALID);
}

Test(config, backup_dir_follows_apex_home)
{
	apex_config *cfg = NULL;
	apex_error err = { 0 };

	setenv("APEX_HOME", "/srv/apex-home-test", 1);
	unsetenv("APEX_BACKUP_DIR");
	cr_assert_eq(apex_config_load(write_config("base_domain: a.example.com\n"), &cfg, &err), APEX_OK,
		     "%s", err.message);
	cr_assert_str_eq(cfg->backup_dir, "/srv/apex-home-test/backups");
	apex_config_free(cfg);
	cfg = apex_config_defaults();
	cr_assert_str_eq(cfg->backup_dir, "/srv/apex-home-test/backups");
	apex_config_free(cfg);
}

Test(config, value_errors_have_position)
{
	expect_error("base_domain: a.example.com\nrouting:\n  service_urls:\n    - \"http://ok\"\n"
		     "    - \"ftp://bad\"\n", ":5:7: service_urls: invalid URL \"ftp://bad\"");
	expect_error("\nbase_domain: Bad_Domain\n", ":2:14: base_domain: invalid domain \"Bad_Domain\"");
	expect_error("provider:\n  listen: nowhere\n", ":2:11: listen: invalid listen address");
}
