#!/usr/bin/env bash
# Runs the benchmarks against a throwaway PostgreSQL cluster and prints
# their tables; docs/BENCHMARKS.md records the figures.  Each bench/*.sh
# script runs after the provisioning benchmark with the same environment.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
scripts/install-deps.sh --bench

unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE \
      APEX_DATABASE_URL APEX_CONFIG
APEX_HOME=$(mktemp -d /tmp/apex-bench.XXXXXX)
chmod 711 "$APEX_HOME"
export APEX_HOME APEX_BUILD="$PWD/$BUILD" APEX_ROOT="$PWD"
trap '"$BUILD/apexctl" db stop >/dev/null 2>&1 || true; rm -rf "$APEX_HOME"' EXIT

"$BUILD/apexctl" db start
"$BUILD/apexctl" init

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== PostgreSQL: $("$BUILD/apexctl" --json db status >/dev/null; psql "host=$APEX_HOME/run dbname=apex user=apex" -Atc 'SHOW server_version')"

# Warm the catalog caches and the file system once; not measured.
"$BUILD/bench/provision_bench" --count 20 --prefix warm >/dev/null

"$BUILD/bench/provision_bench" --count 200 --blueprint standard --prefix std
"$BUILD/bench/provision_bench" --count 200 --blueprint ecommerce --prefix ecom
"$BUILD/bench/provision_bench" --count 400 --blueprint standard --clients 8 --prefix par

for script in bench/*.sh; do
	[ -f "$script" ] || continue
	echo "== $script"
	bash "$script"
done
