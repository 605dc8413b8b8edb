/*
 * provision_bench.c - provisioning latency per phase and throughput.
 *
 * Provisions COUNT tenants from one blueprint with CLIENTS parallel
 * connections (one thread each) through tenant_provision(), the same code
 * apexctl runs, and prints p50, p95 and p99 of every phase and of the total,
 * the round trips per tenant and the throughput, as a Markdown table.
 * "total" ends with COMMIT, when the tenant is live; "refill" is the
 * preparation of a spare schema that follows it in the same call.
 *
 *   provision_bench [--count N] [--clients C] [--blueprint NAME] [--prefix P]
 *
 * It uses the database apexctl would use (APEX_HOME, APEX_DATABASE_URL...).
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tenant.h"

typedef struct bench_opts {
	int count;
	int clients;
	const char *blueprint;
	const char *prefix;
	apex_config *cfg;
} bench_opts;

typedef struct worker {
	const bench_opts *opts;
	int first;			/* index of the first tenant of this worker */
	int n;
	provision_result *results;	/* n results */
	int failures;
} worker;

static void *
run_worker(void *arg)
{
	worker *w = arg;
	apex_error err = { 0 };
	PGconn *conn = apex_db_connect(w->opts->cfg, "apex-bench", &err);
	apex_ctx ctx;

	if (!conn) {
		fprintf(stderr, "provision_bench: %s\n", err.message);
		w->failures = w->n;
		return NULL;
	}
	apex_ctx_init(&ctx, conn, w->opts->cfg, "system");
	for (int i = 0; i < w->n; i++) {
		char sub[64];
		tenant_request req = { .subdomain = sub, .blueprint = w->opts->blueprint };

		snprintf(sub, sizeof(sub), "%s-%d", w->opts->prefix, w->first + i);
		if (tenant_provision(&ctx, &req, NULL, NULL, &w->results[i], &err) ||
		    !w->results[i].created) {
			fprintf(stderr, "provision_bench: %s: %s\n", sub, err.message);
			w->failures++;
		}
	}
	PQfinish(conn);
	return NULL;
}

static int
compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of N sorted values. */
static double
percentile(const double *sorted, int n, double p)
{
	int rank = (int)(p / 100.0 * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

static void
print_row(const char *name, double *values, int n)
{
	qsort(values, (size_t)n, sizeof(double), compare_double);
	printf("| %-9s | %8.2f | %8.2f | %8.2f | %8.2f |\n", name, percentile(values, n, 50),
	       percentile(values, n, 95), percentile(values, n, 99), values[n - 1]);
}

static void
report(const bench_opts *o, provision_result *all, int n, double wall_ms)
{
	double *values = malloc(sizeof(double) * (size_t)n);
	int max_trips = 0;
	int from_spare = 0;

	printf("\nblueprint %s, %d tenants, %d client%s, rows seeded per tenant: %d\n\n",
	       o->blueprint, n, o->clients, o->clients == 1 ? "" : "s", all[0].rows_seeded);
	printf("| phase     |  p50 ms  |  p95 ms  |  p99 ms  |  max ms  |\n");
	printf("|-----------|----------|----------|----------|----------|\n");
	for (int ph = PHASE_VALIDATE; ph < PHASE_COUNT; ph++) {
		for (int i = 0; i < n; i++)
			values[i] = all[i].phase_ms[ph];
		print_row(provision_phase_name(ph), values, n);
	}
	for (int i = 0; i < n; i++) {
		values[i] = all[i].total_ms;
		if (all[i].round_trips > max_trips)
			max_trips = all[i].round_trips;
		from_spare += all[i].from_spare;
	}
	print_row("total", values, n);
	for (int i = 0; i < n; i++)
		values[i] = all[i].refill_ms;
	print_row("refill", values, n);
	printf("\nround trips per tenant: %d (max); from a spare schema: %d of %d\n", max_trips,
	       from_spare, n);
	printf("throughput: %.1f tenants/s (%d tenants in %.0f ms of wall time)\n",
	       n * 1000.0 / wall_ms, n, wall_ms);
	free(values);
}

static int
parse_options(int argc, char **argv, bench_opts *o)
{
	static const struct option options[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "clients", required_argument, NULL, 'c' },
		{ "blueprint", required_argument, NULL, 'b' },
		{ "prefix", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "n:c:b:p:", options, NULL)) != -1) {
		switch (opt) {
		case 'n': o->count = atoi(optarg); break;
		case 'c': o->clients = atoi(optarg); break;
		case 'b': o->blueprint = optarg; break;
		case 'p': o->prefix = optarg; break;
		default: return -1;
		}
	}
	if (o->count < 1 || o->count > 100000 || o->clients < 1 || o->clients > 64) {
		fprintf(stderr, "provision_bench: --count must be 1..100000 and --clients 1..64\n");
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	bench_opts o = { .count = 200, .clients = 1, .blueprint = "standard", .prefix = "bench" };
	apex_error err = { 0 };
	provision_result *all;
	worker *workers;
	pthread_t *threads;
	double start, wall;
	int failures = 0;

	if (parse_options(argc, argv, &o))
		return 2;
	if (apex_config_load(NULL, &o.cfg, &err)) {
		apex_error_print(&err, "provision_bench");
		return 2;
	}
	all = calloc((size_t)o.count, sizeof(*all));
	workers = calloc((size_t)o.clients, sizeof(*workers));
	threads = calloc((size_t)o.clients, sizeof(*threads));
	start = apex_now_ms();
	for (int c = 0, first = 0; c < o.clients; c++) {
		int n = o.count / o.clients + (c < o.count % o.clients);

		workers[c] = (worker){ .opts = &o, .first = first, .n = n, .results = all + first };
		pthread_create(&threads[c], NULL, run_worker, &workers[c]);
		first += n;
	}
	for (int c = 0; c < o.clients; c++) {
		pthread_join(threads[c], NULL);
		failures += workers[c].failures;
	}
	wall = apex_now_ms() - start;
	if (!failures)
		report(&o, all, o.count, wall);
	else
		fprintf(stderr, "provision_bench: %d of %d provisionings failed\n", failures, o.count);
	free(all);
	free(workers);
	free(threads);
	apex_config_free(o.cfg);
	return failures ? 1 : 0;
}
