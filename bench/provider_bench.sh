#!/usr/bin/env bash
# provider_bench.sh - apex-provider at 1,000, 10,000 and 100,000 tenants:
# render time and memory, requests per second and p99 latency with wrk
# beside nginx serving the same bytes as static files, and change-to-served
# latency.  Prints Markdown tables; docs/BENCHMARKS.md records them.
#
# The tenants are rows inserted with generate_series into a database of
# their own (apex_provider_bench): apex-provider reads only apex.tenants,
# and provisioning 100,000 real schemas would take far longer than the
# benchmark.  Runs under scripts/run-bench.sh, which starts a throwaway
# cluster, or alone, when it starts its own.  Needs wrk, nginx, curl, psql.
#
# Settings: PROVIDER_BENCH_SIZES ("1000 10000 100000"), _DURATION (10 s per
# wrk run), _RUNS (3 per server and encoding), _CONNECTIONS (64).
set -eu
cd "$(dirname "$0")/.."
BUILD=${APEX_BUILD:-$PWD/build}
SIZES=${PROVIDER_BENCH_SIZES:-1000 10000 100000}
DURATION=${PROVIDER_BENCH_DURATION:-10}
RUNS=${PROVIDER_BENCH_RUNS:-3}
CONNECTIONS=${PROVIDER_BENCH_CONNECTIONS:-64}
RENDERS=7
PROVIDER_PORT=19180
NGINX_PORT=19181
DB=apex_provider_bench

work=$(mktemp -d /tmp/apex-provider-bench.XXXXXX)
mkdir -p "$work/www" "$work/nginx"
chmod 755 "$work" "$work/www"
provider_pid=""
nginx_pid=""
own_cluster=""

if [ -z "${APEX_HOME:-}" ]; then
	APEX_HOME=$work/home
	export APEX_HOME
	own_cluster=1
	"$BUILD/apexctl" db start >/dev/null
fi
PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | tail -1)
CONNINFO="host=$APEX_HOME/run dbname=$DB user=apex"

cleanup() {
	[ -n "$provider_pid" ] && kill "$provider_pid" 2>/dev/null && wait "$provider_pid" 2>/dev/null
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
	[ -n "$own_cluster" ] && "$BUILD/apexctl" db stop >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

sql() { "$PSQL" "$CONNINFO" -qAtX -v ON_ERROR_STOP=1 "$@"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }

create_database() {
	"$PSQL" "host=$APEX_HOME/run dbname=postgres user=apex" -qAtX \
		-c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
	APEX_DATABASE_URL=$CONNINFO "$BUILD/apexctl" init >/dev/null
}

# Replaces the tenants with N rows: a third on each plan, every 10th with
# two custom domains, every 20th suspended and every 50th archived.
populate() {
	sql -v n="$1" <<'SQL'
BEGIN;
DELETE FROM apex.tenants;
INSERT INTO apex.tenants (subdomain, schema_name, display_name, owner_email, plan, blueprint,
                          status, custom_domains)
SELECT 'shop' || g, 'tenant_shop' || g, 'Shop ' || g, 'owner@shop' || g || '.example',
       (ARRAY['basic', 'pro', 'enterprise'])[1 + g % 3], 'standard',
       CASE WHEN g % 50 = 0 THEN 'archived' WHEN g % 20 = 0 THEN 'suspended' ELSE 'active' END,
       CASE WHEN g % 10 = 0 THEN ARRAY['www.shop' || g || '.example', 'shop' || g || '.example']
            ELSE '{}' END
FROM generate_series(1, :n) g;
UPDATE apex.platform SET config_version = config_version + 1;
SELECT pg_notify('apex_config', config_version::text) FROM apex.platform;
COMMIT;
SQL
}

# Changes one tenant's route the way apexctl does: row, version bump, NOTIFY.
change_route() {
	sql -c "BEGIN; UPDATE apex.tenants SET custom_domains = ARRAY['bench-$1.example'] WHERE subdomain = 'shop1';
		UPDATE apex.platform SET config_version = config_version + 1;
		SELECT pg_notify('apex_config', config_version::text) FROM apex.platform; COMMIT" >/dev/null
}

start_provider() {
	cat >"$work/apex.yaml" <<YAML
database: "$CONNINFO"
routing:
  suspended_url: "http://127.0.0.1:3001"
provider:
  listen: "127.0.0.1:$PROVIDER_PORT"
YAML
	"$BUILD/apex-provider" --config "$work/apex.yaml" 2>"$work/provider.log" &
	provider_pid=$!
	wait_served "$(sql -c 'SELECT config_version FROM apex.platform')"
}

# Waits up to 60 s until the provider logs that it serves VERSION.
wait_served() {
	for _ in $(seq 600); do
		grep -q "serving version $1[ :]" "$work/provider.log" && return 0
		sleep 0.1
	done
	echo "provider_bench: version $1 was never served" >&2
	cat "$work/provider.log" >&2
	return 1
}

stop_provider() {
	kill "$provider_pid"
	wait "$provider_pid" || true
	provider_pid=""
}

start_nginx() {
	cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $(nproc);
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 1000000;
	default_type application/json;
	gzip_static on;
	client_body_temp_path $work/nginx/body;
	server {
		listen 127.0.0.1:$NGINX_PORT;
		root $work/www;
	}
}
CONF
	nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
	nginx_pid=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null "http://127.0.0.1:$NGINX_PORT/traefik" && return 0
		sleep 0.1
	done
	echo "provider_bench: nginx did not start" >&2
	cat "$work/nginx/error.log" >&2
	return 1
}

stop_nginx() {
	kill "$nginx_pid"
	wait "$nginx_pid" || true
	nginx_pid=""
}

# Copies the served document and its gzip copy into nginx's root.
publish_static() {
	curl -s "http://127.0.0.1:$PROVIDER_PORT/traefik" >"$work/www/traefik"
	curl -s -H 'Accept-Encoding: gzip' "http://127.0.0.1:$PROVIDER_PORT/traefik" >"$work/www/traefik.gz"
	chmod 644 "$work/www/traefik" "$work/www/traefik.gz"
}

# Renders RENDERS times through real changes and prints the medians of the
# milliseconds to serve (read and decide, serialize) and then to gzip.
measure_renders() {
	local version
	for i in $(seq "$RENDERS"); do
		change_route "$1-$i"
		version=$(sql -c 'SELECT config_version FROM apex.platform')
		wait_served "$version"
		grep "serving version $version[ :]" "$work/provider.log" |
			sed -n 's/.*rendered in \([0-9.]*\) ms (read \([0-9.]*\), build \([0-9.]*\)), gzip copy of [0-9]* bytes in \([0-9.]*\) ms.*/\1 \2 \3 \4/p'
	done >"$work/renders"
	for column in 1 2 3 4; do
		awk -v c="$column" '{ print $c }' "$work/renders" | median
	done | paste -sd' '
}

memory_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$provider_pid/status"; }

# Prints "requests-per-second p99-ms" of one wrk run.
run_wrk() {
	local url=$1 header=$2 out=$work/wrk.out
	if [ -n "$header" ]; then
		wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$header" "$url" >"$out"
	else
		wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$url" >"$out"
	fi
	awk '/Requests\/sec:/ { rps = $2 }
	     $1 == "99%" { v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v);
	                   ms = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
	     END { print rps, ms }' "$out"
}

# Runs wrk RUNS times per server and encoding, alternating the servers, and
# prints one Markdown row per server and encoding with the medians.
measure_http() {
	local tenants=$1
	: >"$work/http"
	for run in $(seq "$RUNS"); do
		for encoding in identity gzip; do
			header=""
			[ "$encoding" = gzip ] && header="Accept-Encoding: gzip"
			for server in apex-provider nginx; do
				port=$PROVIDER_PORT
				[ "$server" = nginx ] && port=$NGINX_PORT
				echo "$server $encoding $(run_wrk "http://127.0.0.1:$port/traefik" "$header")" >>"$work/http"
			done
		done
	done
	for encoding in identity gzip; do
		nginx_rps=$(awk -v e="$encoding" '$1 == "nginx" && $2 == e { print $3 }' "$work/http" | median)
		for server in apex-provider nginx; do
			rps=$(awk -v s="$server" -v e="$encoding" '$1 == s && $2 == e { print $3 }' "$work/http" | median)
			p99=$(awk -v s="$server" -v e="$encoding" '$1 == s && $2 == e { print $4 }' "$work/http" | median)
			share=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.0f%%", 100 * a / b }')
			echo "| $tenants | $server | $encoding | $rps | $p99 | $share |"
		done
	done
}

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ { print $2 }') GB"
echo "== $(nginx -v 2>&1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), wrk -t2 -c$CONNECTIONS -d${DURATION}s, $RUNS runs each"
create_database

render_rows=""
http_rows=""
latency_rows=""
for n in $SIZES; do
	echo "== $n tenants" >&2
	populate "$n" >/dev/null
	start_provider
	read -r total read_ms build_ms gzip_ms <<<"$(measure_renders "$n")"
	rss_idle=$(memory_kb VmRSS)
	publish_static
	size=$(stat -c %s "$work/www/traefik")
	gzip_size=$(stat -c %s "$work/www/traefik.gz")
	start_nginx
	http_rows+=$(measure_http "$n")$'\n'
	stop_nginx
	rss_peak=$(memory_kb VmHWM)
	render_rows+="| $n | $size | $gzip_size | $total | $read_ms | $build_ms | $gzip_ms | $((rss_idle / 1024)) | $((rss_peak / 1024)) |"$'\n'

	count=200
	[ "$n" -ge 100000 ] && count=20
	row=$(APEX_DATABASE_URL=$CONNINFO "$BUILD/bench/provider_latency" --port "$PROVIDER_PORT" \
		--tenant shop1 --count "$count" | tail -1) || true
	latency_rows+="| $n |${row#|}"$'\n'
	stop_provider
done

echo
echo "Render (median of $RENDERS changes) and memory"
echo
echo "| tenants | JSON bytes | gzip bytes | render ms (to served) | read and decide ms | serialize ms | gzip copy ms (after) | RSS MB | peak RSS MB |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s' "$render_rows"
echo
echo "HTTP, medians of $RUNS wrk runs"
echo
echo "| tenants | server | encoding | requests/s | p99 ms | share of nginx |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s' "$http_rows"
echo
echo "Change to served (COMMIT to the first HEAD /traefik with a new ETag)"
echo
echo "| tenants | changes | not served within 5 s | p50 ms | p90 ms | p99 ms | max ms |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s' "$latency_rows"
