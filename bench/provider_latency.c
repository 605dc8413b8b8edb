/*
 * provider_latency.c - change-to-served latency of apex-provider.
 *
 * Commits COUNT route changes one at a time: a new custom domain for one
 * tenant, with the config_version bump and NOTIFY that every route change
 * makes.  For each it measures the time from COMMIT returning to the first
 * HEAD /traefik whose ETag differs from the one before.  HEAD is
 * polled every POLL_US microseconds over one keep-alive connection, so the
 * figures carry up to that much extra delay.
 *
 *   provider_latency --port PORT --tenant SUBDOMAIN [--count N] [--gap MS]
 *
 * It connects to the database apexctl would use (APEX_HOME,
 * APEX_DATABASE_URL...) and to 127.0.0.1:PORT.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "context.h"
#include "db.h"
#include "tenant.h"

#define POLL_US 200
#define WAIT_LIMIT_MS 5000.0

typedef struct bench_opts {
	int port;
	const char *tenant;
	int count;
	int gap_ms;
} bench_opts;

static int
connect_provider(int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct timeval timeout = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		perror("provider_latency: could not connect to the provider");
		exit(1);
	}
	return fd;
}

/* Sends HEAD /traefik on FD and copies the response's ETag into ETAG; returns 0 on success. */
static int
head_etag(int fd, char *etag, size_t size)
{
	static const char request[] = "HEAD /traefik HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	char buf[4096];
	size_t len = 0;
	char *found;

	if (write(fd, request, sizeof(request) - 1) != (ssize_t)(sizeof(request) - 1))
		return -1;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	found = strstr(buf, "ETag: ");
	if (!found)
		return -1;
	snprintf(etag, size, "%.*s", (int)strcspn(found + 6, "\r"), found + 6);
	return 0;
}

static void
commit_change(PGconn *conn, const char *subdomain, int i)
{
	char domain[64];
	const char *params[2] = { domain, subdomain };
	apex_error err = { 0 };
	PGresult *res;

	snprintf(domain, sizeof(domain), "{lat-%d.bench.example}", i);
	if (apex_db_command(conn, &err, "could not begin", "BEGIN"))
		goto fail;
	res = apex_db_query(conn, &err, "could not change the tenant",
			    "UPDATE apex.tenants SET custom_domains = $1::text[] WHERE subdomain = $2", 2, params);
	if (!res)
		goto fail;
	PQclear(res);
	if (apex_db_command(conn, &err, "could not bump the version", tenant_route_bump_sql()) ||
	    apex_db_command(conn, &err, "could not commit", "COMMIT"))
		goto fail;
	return;
fail:
	fprintf(stderr, "provider_latency: %s\n", err.message);
	exit(1);
}

/* Waits until the ETag differs from BEFORE; returns the milliseconds since STARTED, or -1. */
static double
wait_for_new_etag(int fd, const char *before, double started)
{
	char etag[128];

	while (apex_now_ms() - started < WAIT_LIMIT_MS) {
		if (head_etag(fd, etag, sizeof(etag)) < 0)
			return -1;
		if (strcmp(etag, before) != 0)
			return apex_now_ms() - started;
		usleep(POLL_US);
	}
	return -1;
}

static int
compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
percentile(const double *sorted, int n, double p)
{
	int index = (int)(p * (n - 1) + 0.5);

	return sorted[index];
}

static void
parse_options(int argc, char **argv, bench_opts *opts)
{
	static const struct option options[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "tenant", required_argument, NULL, 't' },
		{ "count", required_argument, NULL, 'n' },
		{ "gap", required_argument, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	int opt;

	*opts = (bench_opts){ .count = 200, .gap_ms = 20 };
	while ((opt = getopt_long(argc, argv, "p:t:n:g:", options, NULL)) != -1) {
		switch (opt) {
		case 'p': opts->port = atoi(optarg); break;
		case 't': opts->tenant = optarg; break;
		case 'n': opts->count = atoi(optarg); break;
		case 'g': opts->gap_ms = atoi(optarg); break;
		default: exit(2);
		}
	}
	if (opts->port <= 0 || !opts->tenant || opts->count < 1 || opts->count > 100000) {
		fprintf(stderr, "usage: provider_latency --port PORT --tenant SUBDOMAIN [--count N] [--gap MS]\n");
		exit(2);
	}
}

int
main(int argc, char **argv)
{
	bench_opts opts;
	apex_error err = { 0 };
	apex_config *cfg;
	PGconn *conn;
	double *ms;
	int fd, done = 0, missed = 0;
	char before[128];

	parse_options(argc, argv, &opts);
	if (apex_config_load(NULL, &cfg, &err) || !(conn = apex_db_connect(cfg, "apex-bench", &err))) {
		fprintf(stderr, "provider_latency: %s\n", err.message);
		return 1;
	}
	fd = connect_provider(opts.port);
	ms = calloc((size_t)opts.count, sizeof(*ms));
	for (int i = 0; i < opts.count; i++) {
		double started, latency;

		if (head_etag(fd, before, sizeof(before)) < 0) {
			fprintf(stderr, "provider_latency: HEAD /traefik failed\n");
			return 1;
		}
		commit_change(conn, opts.tenant, i);
		started = apex_now_ms();
		latency = wait_for_new_etag(fd, before, started);
		if (latency < 0)
			missed++;
		else
			ms[done++] = latency;
		usleep((useconds_t)opts.gap_ms * 1000);
	}
	qsort(ms, (size_t)done, sizeof(*ms), compare_doubles);
	printf("| changes | not served within 5 s | p50 ms | p90 ms | p99 ms | max ms |\n");
	printf("| --- | --- | --- | --- | --- | --- |\n");
	if (done > 0)
		printf("| %d | %d | %.2f | %.2f | %.2f | %.2f |\n", done, missed, percentile(ms, done, 0.50),
		       percentile(ms, done, 0.90), percentile(ms, done, 0.99), ms[done - 1]);
	free(ms);
	close(fd);
	PQfinish(conn);
	apex_config_free(cfg);
	return missed > 0;
}
