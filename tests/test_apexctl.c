/*
 * test_apexctl.c - the command line as scripts use it: exit statuses,
 * messages on standard error and --json output.
 */
#include <jansson.h>

#include "helpers.h"

static const char *ctl;

static void
setup(void)
{
	ctl = test_program("apexctl");
}

TestSuite(apexctl, .init = setup, .timeout = 60);

static int
run(char **out, const char *args)
{
	return test_run(out, "%s %s", ctl, args);
}

Test(apexctl, help_and_version)
{
	char *out;

	cr_assert_eq(run(&out, "--help"), 0);
	cr_assert(strstr(out, "provision SUBDOMAIN") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "--version"), 0);
	cr_assert(strstr(out, "apexctl ") == out, "%s", out);
	free(out);
}

Test(apexctl, usage_errors_exit_2)
{
	char *out;

	cr_assert_eq(run(&out, ""), 2);
	cr_assert(strstr(out, "missing verb") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "frobnicate"), 2);
	cr_assert(strstr(out, "unknown verb \"frobnicate\"") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "provision"), 2);
	cr_assert(strstr(out, "missing subdomain") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "provision a b"), 2);
	free(out);
	cr_assert_eq(run(&out, "provision shop --colour red"), 2);
	free(out);
	cr_assert_eq(run(&out, "show"), 2);
	free(out);
	cr_assert_eq(run(&out, "db explode"), 2);
	free(out);
}

Test(apexctl, invalid_input_exit_2)
{
	char *out;
	apex_config *cfg = test_config();
	PGconn *conn = test_connect(cfg);

	cr_assert_eq(run(&out, "provision 'Shop_1'"), 2);
	cr_assert(strstr(out, "invalid subdomain \"Shop_1\"") != NULL, "%s", out);
	cr_assert(strstr(out, "HINT:") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "provision okname --plan 'gold plated'"), 2, "%s", out);
	cr_assert(strstr(out, "invalid plan name \"gold plated\"") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "provision okname --email nobody"), 2);
	free(out);
	cr_assert_eq(run(&out, "show 'Bad Name'"), 2);
	free(out);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM apex.tenants WHERE subdomain = 'okname'"), 0);
	cr_assert_eq(test_count(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_okname'"), 0);
	PQfinish(conn);
	apex_config_free(cfg);
}

Test(apexctl, unknown_tenant_exit_3)
{
	char *out;

	cr_assert_eq(run(&out, "show no-such-tenant"), 3);
	cr_assert(strstr(out, "tenant \"no-such-tenant\" does not exist") != NULL, "%s", out);
	free(out);
}

Test(apexctl, provision_list_show_json)
{
	char sub[64], args[256];
	char *out;
	json_t *doc;

	test_subdomain(sub, sizeof(sub), "json");
	snprintf(args, sizeof(args), "--json provision %s --name 'Json Shop' --plan pro --blueprint ecommerce", sub);
	cr_assert_eq(run(&out, args), 0, "%s", out);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %s", out);
	cr_assert(json_is_true(json_object_get(doc, "created")));
	cr_assert_leq(json_integer_value(json_object_get(doc, "round_trips")), 10);
	cr_assert_not_null(json_object_get(json_object_get(doc, "phases_ms"), "seed"));
	json_decref(doc);
	free(out);

	snprintf(args, sizeof(args), "show %s --json", sub);
	cr_assert_eq(run(&out, args), 0, "%s", out);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %s", out);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "display_name")), "Json Shop");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "plan")), "pro");
	cr_assert_eq(json_array_size(json_object_get(doc, "provisioning_runs")), 1);
	json_decref(doc);
	free(out);

	cr_assert_eq(run(&out, "--json list"), 0, "%s", out);
	doc = json_loads(out, 0, NULL);
	cr_assert(json_is_array(doc), "not a JSON array: %s", out);
	cr_assert_geq(json_array_size(doc), 1);
	json_decref(doc);
	free(out);
}

Test(apexctl, blueprint_check)
{
	char *out;
	char args[4200];

	snprintf(args, sizeof(args), "blueprint check %s/blueprints/ecommerce.yaml", getenv("APEX_ROOT"));
	cr_assert_eq(run(&out, args), 0, "%s", out);
	cr_assert(strstr(out, "is valid") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "blueprint check /nonexistent.yaml"), 1, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "blueprint verify x"), 2, "%s", out);
	free(out);
}

Test(apexctl, bad_config_exit_2)
{
	char *out;
	char path[] = "/tmp/apexctl-config.XXXXXX";
	int fd = mkstemp(path);
	char args[256];

	cr_assert(write(fd, "base_domian: x\n", 15) == 15);
	close(fd);
	snprintf(args, sizeof(args), "--config %s list", path);
	cr_assert_eq(run(&out, args), 2, "%s", out);
	cr_assert(strstr(out, ":1:1: unknown key \"base_domian\"") != NULL, "%s", out);
	free(out);
	unlink(path);
}

Test(apexctl, database_down_message)
{
	char *out;

	cr_assert_eq(test_run(&out, "APEX_HOME=/tmp/apex-nowhere-%d %s list", (int)getpid(), ctl), 1);
	cr_assert(strstr(out, "could not connect") != NULL, "%s", out);
	cr_assert(strstr(out, "apexctl db start") != NULL, "%s", out);
	free(out);
}

Test(apexctl, connection_uri_and_pg_variables)
{
	const char *home = getenv("APEX_HOME");
	char *out;

	cr_assert_eq(test_run(&out, "APEX_DATABASE_URL='postgresql://apex@/apex?host=%s/run' %s list",
			      home, ctl), 0, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "APEX_HOME=/nonexistent PGHOST=%s/run PGDATABASE=apex PGUSER=apex %s list",
			      home, ctl), 0, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "APEX_DATABASE_URL='host=%s/run dbname=nosuchdb user=apex' %s list",
			      home, ctl), 1, "%s", out);
	cr_assert(strstr(out, "nosuchdb") != NULL, "%s", out);
	cr_assert(strstr(out, "APEX_DATABASE_URL") != NULL, "%s", out);
	free(out);
}

Test(apexctl, pg_service_file)
{
	const char *home = getenv("APEX_HOME");
	char path[] = "/tmp/apex-pgservice.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char *out;

	fprintf(f, "[apexsvc]\nhost=%s/run\ndbname=apex\nuser=apex\n", home);
	fclose(f);
	cr_assert_eq(test_run(&out, "APEX_HOME=/nonexistent PGSERVICEFILE=%s PGSERVICE=apexsvc %s list",
			      path, ctl), 0, "%s", out);
	free(out);
	unlink(path);
}

Test(apexctl, alert_command_runs_on_failure)
{
	char config[] = "/tmp/apex-alert-config.XXXXXX";
	char marker[64], sub[64], expected[96], *out, *text;
	int fd = mkstemp(config);
	FILE *f = fdopen(fd, "w");

	snprintf(marker, sizeof(marker), "/tmp/apex-alert-%d", (int)getpid());
	test_subdomain(sub, sizeof(sub), "alert");
	fprintf(f, "alerts:\n  command: 'printf \"%%s|%%s\" \"$APEX_ALERT_KIND\" \"$APEX_ALERT_TENANT\" > %s'\n",
		marker);
	fclose(f);
	cr_assert_eq(test_run(&out, "APEX_FAIL_PHASE=seed %s --config %s provision %s", ctl, config, sub), 1,
		     "%s", out);
	free(out);
	cr_assert_eq(test_run(&text, "cat %s", marker), 0, "the alert command did not run");
	snprintf(expected, sizeof(expected), "PROVISIONING_FAILED|%s", sub);
	cr_assert_str_eq(text, expected);
	free(text);
	unlink(marker);
	unlink(config);
}

Test(apexctl, option_messages)
{
	char *out;

	cr_assert_eq(run(&out, "provision -x"), 2);
	cr_assert(strstr(out, "invalid option \"-x\"") != NULL, "%s", out);
	cr_assert(strstr(out, "Put \"--\" before") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "provision shop --plan"), 2);
	cr_assert(strstr(out, "option \"--plan\" needs a value") != NULL, "%s", out);
	free(out);
	cr_assert_eq(run(&out, "list --frobnicate=3"), 2);
	cr_assert(strstr(out, "invalid option \"--frobnicate\"") != NULL, "%s", out);
	free(out);
}

Test(apexctl, broken_config_does_not_block_db)
{
	char *out;
	char path[] = "/tmp/apexctl-dup.XXXXXX";
	int fd = mkstemp(path);

	cr_assert(write(fd, "a: 1\na: 2\n", 10) == 10);
	close(fd);
	cr_assert_eq(test_run(&out, "%s --config %s db status", ctl, path), 0, "%s", out);
	cr_assert(strstr(out, "ignoring the configuration") != NULL, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "%s --config %s list", ctl, path), 2, "%s", out);
	free(out);
	unlink(path);
}

Test(apexctl, backups_of_unknown_tenant_exit_3)
{
	char *out;

	cr_assert_eq(run(&out, "backups no-such-tenant"), 3, "%s", out);
	free(out);
}

Test(apexctl, alert_output_kept_off_stdout)
{
	char config[] = "/tmp/apex-alert-json.XXXXXX";
	char sub[64], args[256], *out;
	int fd = mkstemp(config);
	FILE *f = fdopen(fd, "w");
	json_t *doc;

	fprintf(f, "provisioning:\n  target_ms: 1\nalerts:\n  command: 'echo alert-output'\n");
	fclose(f);
	test_subdomain(sub, sizeof(sub), "slow");
	snprintf(args, sizeof(args), "(%s --config %s --json provision %s 2>/dev/null)", ctl, config, sub);
	cr_assert_eq(test_run(&out, "%s", args), 0, "%s", out);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "stdout is not JSON: %s", out);
	json_decref(doc);
	free(out);
	unlink(config);
}

Test(apexctl, before_init_says_run_init)
{
	char *out;
	char home[64];

	snprintf(home, sizeof(home), "/tmp/apex-noinit-%d", (int)getpid());
	cr_assert_eq(test_run(&out, "APEX_HOME=%s %s db start", home, ctl), 0, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "APEX_HOME=%s %s list", home, ctl), 1, "%s", out);
	cr_assert(strstr(out, "Run \"apexctl init\"") != NULL, "%s", out);
	free(out);
	cr_assert_eq(test_run(&out, "APEX_HOME=%s %s db stop && rm -rf %s", home, ctl, home), 0, "%s", out);
	free(out);
}

Test(apexctl, unknown_fail_phase_rejected)
{
	char *out;

	cr_assert_eq(test_run(&out, "APEX_FAIL_PHASE=bogus %s provision failhook-%d", ctl, (int)getpid()), 2,
		     "%s", out);
	cr_assert(strstr(out, "invalid APEX_FAIL_PHASE \"bogus\"") != NULL, "%s", out);
	free(out);
}
