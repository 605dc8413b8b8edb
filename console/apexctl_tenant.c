/*
 * apexctl_tenant.c - provision, list, show, suspend and resume.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apexctl.h"
#include "db.h"
#include "tenant.h"

static json_t *
tenant_json(const tenant *t)
{
	json_t *domains = json_array();

	for (size_t i = 0; i < t->n_custom_domains; i++)
		json_array_append_new(domains, json_string(t->custom_domains[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:s, s:s, s:o}",
			 "subdomain", t->subdomain, "schema", t->schema_name,
			 "display_name", t->display_name, "owner_email", t->owner_email,
			 "plan", t->plan, "blueprint", t->blueprint, "status", t->status,
			 "status_reason", t->status_reason[0] ? t->status_reason : NULL,
			 "custom_domains", domains, "created_at", t->created_at,
			 "updated_at", t->updated_at,
			 "provisioning_ms", t->provisioning_ms >= 0 ? json_real(t->provisioning_ms)
								     : json_null());
}

static void
print_result_text(const tenant_request *req, const provision_result *r)
{
	if (!r->created) {
		printf("tenant %s already exists as requested; nothing changed\n", req->subdomain);
		return;
	}
	printf("tenant %s provisioned in %.1f ms (%d round trips, %d row%s seeded%s)\n",
	       req->subdomain, r->total_ms, r->round_trips, r->rows_seeded,
	       r->rows_seeded == 1 ? "" : "s", r->from_spare ? ", spare schema" : "");
	for (int ph = PHASE_VALIDATE; ph < PHASE_COUNT; ph++)
		printf("  %-9s %8.2f ms\n", provision_phase_name(ph), r->phase_ms[ph]);
	printf("  %-9s %8.2f ms\n", "commit", r->commit_ms);
}

static json_t *
result_json(const tenant_request *req, const provision_result *r)
{
	json_t *phases = json_object();

	for (int ph = PHASE_VALIDATE; ph < PHASE_COUNT; ph++)
		json_object_set_new(phases, provision_phase_name(ph), json_real(r->phase_ms[ph]));
	json_object_set_new(phases, "commit", json_real(r->commit_ms));
	return json_pack("{s:s, s:b, s:f, s:o, s:i, s:i, s:b}", "subdomain", req->subdomain,
			 "created", r->created, "total_ms", r->total_ms, "phases_ms", phases,
			 "round_trips", r->round_trips, "rows_seeded", r->rows_seeded,
			 "from_spare_schema", r->from_spare);
}

int
cmd_provision(ctl *c, int argc, char **argv)
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "email", required_argument, NULL, 'e' },
		{ "plan", required_argument, NULL, 'p' },
		{ "blueprint", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	tenant_request req = { 0 };
	provision_result result;
	apex_error err = { 0 };
	int opt;

	while ((opt = getopt_long(argc, argv, ":n:e:p:b:", options, NULL)) != -1) {
		switch (opt) {
		case 'n': req.display_name = optarg; break;
		case 'e': req.email = optarg; break;
		case 'p': req.plan = optarg; break;
		case 'b': req.blueprint = optarg; break;
		default: return ctl_bad_option("provision", argv, opt);
		}
	}
	if (optind != argc - 1)
		return ctl_usage_error("provision", optind >= argc ? "missing subdomain"
				       : "expected exactly one subdomain");
	req.subdomain = argv[optind];
	if (ctl_open(c, &err))
		return ctl_report(&err);
	if (tenant_provision(&c->ctx, &req, NULL, NULL, &result, &err))
		return ctl_report(&err);
	if (c->json)
		ctl_print_json(result_json(&req, &result));
	else
		print_result_text(&req, &result);
	return 0;
}

static int
no_options(const char *verb, int argc, char **argv, int positional)
{
	static const struct option options[] = { { NULL, 0, NULL, 0 } };
	int opt = getopt_long(argc, argv, ":", options, NULL);

	if (opt != -1)
		return ctl_bad_option(verb, argv, opt);
	if (argc - optind != positional)
		return ctl_usage_error(verb, argc - optind < positional ? "missing argument"
				       : "too many arguments");
	return 0;
}

/* Loads the last provisioning run's phase timings of each tenant. */
static PGresult *
load_last_runs(ctl *c, apex_error *err)
{
	return apex_db_query(c->conn, err, "could not read the provisioning runs",
			     "SELECT DISTINCT ON (subdomain COLLATE \"C\") subdomain, validate_ms, schema_ms, "
			     "seed_ms, route_ms, register_ms, total_ms FROM apex.provisioning_runs "
			     "ORDER BY subdomain COLLATE \"C\", id DESC", 0, NULL);
}

#define RUN_COLUMNS 6	/* validate, schema, seed, route, register, total */

/*
 * Returns for each tenant the row of its last run in RUNS, or -1.  Both
 * are ordered by subdomain in the "C" collation, as strcmp() orders, so one
 * walk matches them.
 */
static int *
match_runs(const tenant_list *list, const PGresult *runs)
{
	int *rows = calloc(list->count ? list->count : 1, sizeof(int));
	int r = 0;

	for (size_t i = 0; i < list->count; i++) {
		const char *sub = list->items[i].subdomain;

		while (r < PQntuples(runs) && strcmp(PQgetvalue(runs, r, 0), sub) < 0)
			r++;
		rows[i] = r < PQntuples(runs) && strcmp(PQgetvalue(runs, r, 0), sub) == 0 ? r : -1;
	}
	return rows;
}

static void
print_list_text(const tenant_list *list, const PGresult *runs, const int *rows)
{
	printf("%-24s %-10s %-10s %-11s %-20s %8s %8s %8s %8s %8s %9s\n", "SUBDOMAIN", "STATUS",
	       "PLAN", "BLUEPRINT", "CREATED", "VALIDATE", "SCHEMA", "SEED", "ROUTE", "REGISTER",
	       "TOTAL ms");
	for (size_t i = 0; i < list->count; i++) {
		const tenant *t = &list->items[i];

		printf("%-24.56s %-10s %-10s %-11s %-20s", t->subdomain, t->status, t->plan,
		       t->blueprint, t->created_at);
		for (int col = 1; col <= RUN_COLUMNS; col++)
			printf(col == RUN_COLUMNS ? " %9s" : " %8s",
			       rows[i] >= 0 ? PQgetvalue(runs, rows[i], col) : "-");
		printf("\n");
	}
	printf("(%zu tenant%s)\n", list->count, list->count == 1 ? "" : "s");
}

static json_t *
run_json(const PGresult *runs, int row)
{
	static const char *const names[RUN_COLUMNS] = { "validate", "schema", "seed", "route",
							"register", "total" };
	json_t *out;

	if (row < 0)
		return json_null();
	out = json_object();
	for (int col = 1; col <= RUN_COLUMNS; col++)
		json_object_set_new(out, names[col - 1], PQgetisnull(runs, row, col) ? json_null()
				    : json_real(atof(PQgetvalue(runs, row, col))));
	return out;
}

int
cmd_list(ctl *c, int argc, char **argv)
{
	tenant_list list;
	apex_error err = { 0 };
	PGresult *runs;
	int *rows;
	int st = no_options("list", argc, argv, 0);

	if (st)
		return st;
	if (ctl_open(c, &err) || tenant_list_load(&c->ctx, &list, &err))
		return ctl_report(&err);
	runs = load_last_runs(c, &err);
	if (!runs) {
		tenant_list_free(&list);
		return ctl_report(&err);
	}
	rows = match_runs(&list, runs);
	if (c->json) {
		json_t *array = json_array();

		for (size_t i = 0; i < list.count; i++) {
			json_t *item = tenant_json(&list.items[i]);

			json_object_set_new(item, "last_provisioning_ms", run_json(runs, rows[i]));
			json_array_append_new(array, item);
		}
		ctl_print_json(array);
	} else {
		print_list_text(&list, runs, rows);
	}
	free(rows);
	PQclear(runs);
	tenant_list_free(&list);
	return 0;
}

static json_t *
runs_json(ctl *c, const char *subdomain, apex_error *err)
{
	const char *params[1] = { subdomain };
	PGresult *res = apex_db_query(c->conn, err, "could not read the provisioning runs",
				      "SELECT coalesce(json_agg(r ORDER BY r.id), '[]')::text FROM "
				      "(SELECT id, started_at, validate_ms, schema_ms, seed_ms, route_ms, register_ms, "
				      "total_ms, round_trips, rows_seeded, actor FROM apex.provisioning_runs "
				      "WHERE subdomain = $1) r", 1, params);
	json_t *runs;

	if (!res)
		return NULL;
	runs = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	return runs;
}

static void
print_show_text(const tenant *t, json_t *runs)
{
	size_t i;
	json_t *run;

	printf("subdomain:      %s\n", t->subdomain);
	printf("display name:   %s\n", t->display_name);
	printf("owner email:    %s\n", t->owner_email);
	printf("status:         %s%s%s\n", t->status, t->status_reason[0] ? " - " : "", t->status_reason);
	printf("plan:           %s\n", t->plan);
	printf("blueprint:      %s\n", t->blueprint);
	printf("schema, role:   %s\n", t->schema_name);
	printf("custom domains: ");
	for (size_t d = 0; d < t->n_custom_domains; d++)
		printf("%s%s", d ? ", " : "", t->custom_domains[d]);
	printf("%s\n", t->n_custom_domains ? "" : "(none)");
	printf("created:        %s\n", t->created_at);
	printf("updated:        %s\n", t->updated_at);
	printf("provisioning runs (ms, up to COMMIT):\n");
	json_array_foreach(runs, i, run)
		printf("  #%lld by %s: validate %.2f, schema %.2f, seed %.2f, route %.2f, register %.2f, "
		       "total %.2f, %lld round trips\n",
		       (long long)json_integer_value(json_object_get(run, "id")),
		       json_string_value(json_object_get(run, "actor")),
		       json_number_value(json_object_get(run, "validate_ms")),
		       json_number_value(json_object_get(run, "schema_ms")),
		       json_number_value(json_object_get(run, "seed_ms")),
		       json_number_value(json_object_get(run, "route_ms")),
		       json_number_value(json_object_get(run, "register_ms")),
		       json_number_value(json_object_get(run, "total_ms")),
		       (long long)json_integer_value(json_object_get(run, "round_trips")));
}

int
cmd_show(ctl *c, int argc, char **argv)
{
	tenant t;
	apex_error err = { 0 };
	json_t *runs;
	int st = no_options("show", argc, argv, 1);

	if (st)
		return st;
	if (ctl_open(c, &err))
		return ctl_report(&err);
	st = tenant_get(&c->ctx, argv[optind], &t, &err);
	if (st)
		return ctl_report(&err);
	runs = runs_json(c, t.subdomain, &err);
	if (!runs) {
		tenant_clear(&t);
		return ctl_report(&err);
	}
	if (c->json) {
		json_t *out = tenant_json(&t);

		json_object_set_new(out, "provisioning_runs", runs);
		ctl_print_json(out);
	} else {
		print_show_text(&t, runs);
		json_decref(runs);
	}
	tenant_clear(&t);
	return 0;
}

static int
report_transition(ctl *c, const char *subdomain, const char *status, int changed)
{
	if (c->json)
		ctl_print_json(json_pack("{s:s, s:s, s:b}", "subdomain", subdomain, "status", status,
					 "changed", changed));
	else if (changed)
		printf("tenant %s is now %s\n", subdomain, status);
	else
		printf("tenant %s is already %s; nothing changed\n", subdomain, status);
	return 0;
}

int
cmd_suspend(ctl *c, int argc, char **argv)
{
	const char *subdomain, *reason;
	apex_error err = { 0 };
	int changed;
	int st = ctl_parse_reason_verb("suspend", argc, argv, &subdomain, &reason);

	if (st)
		return st;
	if (!reason)
		return ctl_usage_error("suspend", "missing --reason: say why the tenant is suspended");
	if (ctl_open(c, &err) || tenant_suspend(&c->ctx, subdomain, reason, &changed, &err))
		return ctl_report(&err);
	return report_transition(c, subdomain, "suspended", changed);
}

int
cmd_resume(ctl *c, int argc, char **argv)
{
	const char *subdomain, *reason;
	apex_error err = { 0 };
	int changed;
	int st = ctl_parse_reason_verb("resume", argc, argv, &subdomain, &reason);

	if (st)
		return st;
	if (ctl_open(c, &err) || tenant_resume(&c->ctx, subdomain, reason, &changed, &err))
		return ctl_report(&err);
	return report_transition(c, subdomain, "active", changed);
}
