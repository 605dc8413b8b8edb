#!/usr/bin/env bash
# console_bench.sh - apex-console start-up, keypress and filter times with
# 10,000 and then 100,000 tenants, and its CPU use when idle.  Run by
# scripts/run-bench.sh, which exports APEX_HOME and APEX_BUILD; the bench
# tenants are rows inserted into apex.tenants (see bench/console_bench.c).
set -eu
"$APEX_BUILD/bench/console_bench" --remove
"$APEX_BUILD/bench/console_bench" --tenants 10000
"$APEX_BUILD/bench/console_bench" --tenants 100000
"$APEX_BUILD/bench/console_bench" --remove
