/*
 * report.c - health and metrics text, built from a copy of the state taken
 * under the read lock so that the lock is never held while formatting.
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"

typedef struct snapshot_view {
	int has_doc;
	size_t size;
	size_t gzip_size;
	routes_stats stats;
	double render_ms;
	double gzip_ms;
	double age_s;			/* since the document was last confirmed current */
	char problem[PROBLEM_MAX];
} snapshot_view;

static void
take_view(provider_state *st, snapshot_view *v)
{
	memset(v, 0, sizeof(*v));
	pthread_rwlock_rdlock(&st->lock);
	v->has_doc = st->doc != NULL;
	if (st->doc) {
		v->size = st->doc->size;
		v->gzip_size = st->doc->gzip_size;
		v->age_s = (apex_now_ms() - st->confirmed_at) / 1000.0;
	}
	if (st->doc)
		v->gzip_ms = st->doc->gzip_ms;
	v->stats = st->stats;
	v->render_ms = st->render_ms;
	memcpy(v->problem, st->problem, sizeof(v->problem));
	pthread_rwlock_unlock(&st->lock);
}

char *
report_health(provider_state *st, size_t *len, int *healthy)
{
	snapshot_view v;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	take_view(st, &v);
	*healthy = v.has_doc && !v.problem[0];
	if (*healthy)
		fprintf(f, "status: ok\n");
	else if (!v.has_doc)
		fprintf(f, "status: degraded\nreason: no document rendered yet%s%s\n",
			v.problem[0] ? ": " : "", v.problem);
	else
		fprintf(f, "status: degraded\nreason: %s\n", v.problem);
	if (v.has_doc)
		fprintf(f, "version: %lld\nage_seconds: %.3f\n", v.stats.config_version, v.age_s);
	fclose(f);
	return text;
}

static void
metric_header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
write_requests(FILE *f, provider_state *st)
{
	metric_header(f, "apex_provider_requests_total", "counter",
		      "HTTP requests answered, by path and status code.");
	for (int p = 0; p < PATH_COUNT; p++) {
		for (int c = 0; c < CODE_COUNT; c++) {
			unsigned long long n = atomic_load(&st->requests[p][c]);

			if (n > 0 || (p == PATH_TRAEFIK && c == CODE_200))
				fprintf(f, "apex_provider_requests_total{path=\"%s\",code=\"%s\"} %llu\n",
					state_path_label(p), state_code_label(c), n);
		}
	}
}

static void
write_document(FILE *f, const snapshot_view *v)
{
	metric_header(f, "apex_provider_document_version", "gauge",
		      "apex.platform.config_version of the served document, 0 before the first.");
	fprintf(f, "apex_provider_document_version %lld\n", v->stats.config_version);
	metric_header(f, "apex_provider_document_bytes", "gauge", "Size of the served document.");
	fprintf(f, "apex_provider_document_bytes{encoding=\"identity\"} %zu\n", v->size);
	fprintf(f, "apex_provider_document_bytes{encoding=\"gzip\"} %zu\n", v->gzip_size);
	metric_header(f, "apex_provider_render_duration_seconds", "gauge",
		      "Time the last successful render took from reading the database to serving the bytes.");
	fprintf(f, "apex_provider_render_duration_seconds %.6f\n", v->render_ms / 1000.0);
	metric_header(f, "apex_provider_gzip_duration_seconds", "gauge",
		      "Time compressing the served document took, after it was already served.");
	fprintf(f, "apex_provider_gzip_duration_seconds %.6f\n", v->gzip_ms / 1000.0);
	if (v->has_doc) {
		metric_header(f, "apex_provider_document_age_seconds", "gauge",
			      "Seconds since the served document was last confirmed to match the database.");
		fprintf(f, "apex_provider_document_age_seconds %.3f\n", v->age_s);
	}
	metric_header(f, "apex_provider_routers", "gauge", "Routers in the served document.");
	fprintf(f, "apex_provider_routers %zu\n", v->stats.routers);
	metric_header(f, "apex_provider_skipped_hosts", "gauge",
		      "Host names left out of the served document: invalid, or claimed by an earlier router.");
	fprintf(f, "apex_provider_skipped_hosts %zu\n", v->stats.skipped_hosts);
	metric_header(f, "apex_provider_skipped_tenants", "gauge",
		      "Tenants left without a router because their schema or plan text cannot go into a header.");
	fprintf(f, "apex_provider_skipped_tenants %zu\n", v->stats.skipped_tenants);
	metric_header(f, "apex_provider_maintenance", "gauge",
		      "1 when maintenance mode was on in the served document's snapshot.");
	fprintf(f, "apex_provider_maintenance %d\n", v->stats.maintenance);
	metric_header(f, "apex_provider_tenants", "gauge",
		      "Tenants in the served document's snapshot, by status.");
	fprintf(f, "apex_provider_tenants{status=\"active\"} %zu\n", v->stats.tenants_active);
	fprintf(f, "apex_provider_tenants{status=\"suspended\"} %zu\n", v->stats.tenants_suspended);
	fprintf(f, "apex_provider_tenants{status=\"archived\"} %zu\n", v->stats.tenants_archived);
}

static void
write_counter(FILE *f, const char *name, const char *help, unsigned long long value)
{
	metric_header(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, value);
}

static void
write_database(FILE *f, provider_state *st, int healthy)
{
	long long last_poll = atomic_load(&st->last_poll_ms);

	metric_header(f, "apex_provider_up", "gauge", "1 while /healthz reports ok, 0 while degraded.");
	fprintf(f, "apex_provider_up %d\n", healthy);
	metric_header(f, "apex_provider_db_up", "gauge", "1 while the database connection works.");
	fprintf(f, "apex_provider_db_up %d\n", atomic_load(&st->db_up));
	write_counter(f, "apex_provider_db_reconnects_total",
		      "Database connections re-established after a failure.", atomic_load(&st->reconnects));
	write_counter(f, "apex_provider_renders_total", "Documents rendered.", atomic_load(&st->renders));
	write_counter(f, "apex_provider_render_failures_total", "Renders that failed.",
		      atomic_load(&st->render_failures));
	write_counter(f, "apex_provider_polls_total", "GET /traefik requests answered with 200 or 304.",
		      atomic_load(&st->polls));
	metric_header(f, "apex_provider_last_poll_timestamp_seconds", "gauge",
		      "Unix time of the last GET /traefik answered with 200 or 304, 0 before the first.");
	fprintf(f, "apex_provider_last_poll_timestamp_seconds %.3f\n", (double)last_poll / 1000.0);
}

char *
report_metrics(provider_state *st, size_t *len)
{
	snapshot_view v;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	take_view(st, &v);
	write_requests(f, st);
	write_document(f, &v);
	write_database(f, st, v.has_doc && !v.problem[0]);
	fclose(f);
	return text;
}
