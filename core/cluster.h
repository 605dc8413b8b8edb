/*
 * cluster.h - the private PostgreSQL cluster behind "apexctl db".
 *
 * It lives in $APEX_HOME (pgdata/, run/ for the Unix socket, log/) and
 * listens on no TCP address, so it never collides with a system server.
 * PostgreSQL refuses to run as root, so when root starts it the server runs
 * as the unprivileged "postgres" system user (APEX_PG_USER overrides).
 */
#ifndef APEX_CLUSTER_H
#define APEX_CLUSTER_H

#include "config.h"
#include "error.h"

/* Creates the cluster on first use, starts it and creates database "apex". */
apex_status apex_cluster_start(const apex_config *cfg, apex_error *err);

/* Stops the cluster; stopping a stopped cluster succeeds. */
apex_status apex_cluster_stop(const apex_config *cfg, apex_error *err);

/* Returns 1 when the cluster is running and accepts connections. */
int apex_cluster_running(const apex_config *cfg);

#endif
