/*
 * report.h - the bodies of GET /healthz and GET /metrics.
 */
#ifndef PROVIDER_REPORT_H
#define PROVIDER_REPORT_H

#include <stddef.h>

#include "state.h"

/*
 * Writes the health report ("status: ok" or "status: degraded" with the
 * reason, then the served version and the age of the document) into a new
 * string of *len bytes.  *healthy is 1 when the status is ok.
 */
char *report_health(provider_state *st, size_t *len, int *healthy);

/* Writes the metrics in Prometheus text format into a new string. */
char *report_metrics(provider_state *st, size_t *len);

#endif
