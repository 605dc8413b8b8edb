#!/usr/bin/env bash
# provider_outage.sh - apex-provider end to end over HTTP: apexctl routes and
# /traefik give the same bytes, suspended, custom-domain and maintenance
# documents, byte stability across restarts, and the database stopped and
# started while providers run.
#
# It stops the shared test cluster, so it must run alone (scripts/run-tests.sh
# runs suites one at a time) and it starts the cluster again on exit.
# Needs curl, jq and psql.  Prints "N passed, N failed" last.
set -u
cd "$(dirname "$0")/.."
BUILD=${APEX_BUILD:-$PWD/build}
APEXCTL=$BUILD/apexctl
PROVIDER=$BUILD/apex-provider
: "${APEX_HOME:?APEX_HOME must point to the test cluster}"
# apexctl finds the blueprints beside its binary only inside a checkout
export APEX_BLUEPRINTS_DIR=${APEX_BLUEPRINTS_DIR:-$PWD/blueprints}

work=$(mktemp -d /tmp/apex-provider-outage.XXXXXX)
config=$work/apex.yaml
sub=outage-$$
passed=0
failed=0
pids=()

PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | tail -1)
psql_apex() {
	"$PSQL" "host=$APEX_HOME/run dbname=apex user=apex" -qAtX -v ON_ERROR_STOP=1 -c "$1"
}

check() {
	local description=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok - $description"
	else
		failed=$((failed + 1))
		echo "not ok - $description"
	fi
}

# Runs the command until it succeeds, every 0.1 s for at most 30 s.
wait_until() {
	for _ in $(seq 300); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	"$APEXCTL" db start >/dev/null 2>&1
	wait_until "$APEXCTL" db status >/dev/null 2>&1
	psql_apex "UPDATE apex.platform SET maintenance = false" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT

# start_provider NAME: starts a provider with $config on a free port; sets
# PORT_<NAME> and PID_<NAME>.
start_provider() {
	local name=$1 log=$work/$1.log pid port
	"$PROVIDER" --config "$config" --listen 127.0.0.1:0 2>"$log" &
	pid=$!
	pids+=("$pid")
	wait_until grep -q 'listening on http://127.0.0.1:' "$log" || { cat "$log"; return 1; }
	port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" | head -1)
	printf -v "PORT_$name" '%s' "$port"
	printf -v "PID_$name" '%s' "$pid"
}

fetch() { curl -s --max-time 10 "http://127.0.0.1:$1$2"; }
# stopped_at_is PORT STATE: the status row of the provider on PORT has
# stopped_at set (STATE "set") or NULL (STATE "null").
stopped_at_is() {
	local expected=f
	[ "$2" = set ] && expected=t
	[ "$(psql_apex "SELECT stopped_at IS NOT NULL FROM apex.provider_status
		WHERE instance LIKE '%/127.0.0.1:$1'")" = "$expected" ]
}
lacks_tab() { ! grep -q "$(printf '\t')" "$1"; }
status_of() { curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2"; }
router() { fetch "$1" /traefik | jq -r --arg r "tenant-$sub" ".http.routers[\$r]$2"; }
router_is() { [ "$(router "$1" "$2")" = "$3" ]; }
bump() { psql_apex "BEGIN; $1; UPDATE apex.platform SET config_version = config_version + 1; SELECT pg_notify('apex_config', config_version::text) FROM apex.platform; COMMIT" >/dev/null; }

# Every router's service and middlewares are defined in the same document.
references_resolve() {
	fetch "$1" /traefik | jq -e '.http as $h | [$h.routers[] |
		($h.services[.service] != null) and
		all(.middlewares[]; $h.middlewares[.] != null)] | all' >/dev/null
}

cat >"$config" <<YAML
routing:
  entry_points: [web]
  service_urls: ["http://127.0.0.1:3000"]
  suspended_url: "http://127.0.0.1:3001"
  maintenance_url: "http://127.0.0.1:3002"
YAML

echo "== provisioning $sub and starting a provider"
"$APEXCTL" provision "$sub" --plan pro >/dev/null || exit 1
start_provider A || exit 1
check "the new tenant is served" wait_until router_is "$PORT_A" .service storefront

echo "== the document"
fetch "$PORT_A" /traefik >"$work/served.json"
"$APEXCTL" --config "$config" routes >"$work/routes.json"
check "apexctl routes prints the served bytes" cmp -s "$work/served.json" "$work/routes.json"
check "the router's rule is the tenant's host" router_is "$PORT_A" .rule "Host(\`$sub.apex.localhost\`)"
check "the router uses the tenant and plan middlewares" \
	router_is "$PORT_A" '.middlewares | join(" ")' "tenant-$sub-headers plan-pro-ratelimit"
check "every reference resolves" references_resolve "$PORT_A"
check "the YAML form carries the same router" \
	bash -c "'$APEXCTL' --config '$config' routes --yaml | grep -q '^    tenant-$sub:$'"

"$APEXCTL" suspend "$sub" --reason "outage suite" >/dev/null
check "a suspended tenant routes to the suspended service" wait_until router_is "$PORT_A" .service suspended
"$APEXCTL" resume "$sub" >/dev/null
check "a resumed tenant routes to the storefront" wait_until router_is "$PORT_A" .service storefront

bump "UPDATE apex.tenants SET custom_domains = ARRAY['www.$sub.example'] WHERE subdomain = '$sub'"
check "a custom domain joins the rule" wait_until router_is "$PORT_A" .rule \
	"Host(\`$sub.apex.localhost\`) || Host(\`www.$sub.example\`)"

bump "UPDATE apex.platform SET maintenance = true"
check "maintenance mode routes to the maintenance service" wait_until router_is "$PORT_A" .service maintenance
check "the maintenance service is defined" \
	bash -c "curl -s http://127.0.0.1:$PORT_A/traefik | jq -e '.http.services.maintenance.loadBalancer.servers[0].url == \"http://127.0.0.1:3002\"' >/dev/null"
bump "UPDATE apex.platform SET maintenance = false"
check "maintenance off routes to the storefront again" wait_until router_is "$PORT_A" .service storefront

echo "== byte stability across restarts"
fetch "$PORT_A" /traefik >"$work/a.json"
start_provider B || exit 1
fetch "$PORT_B" /traefik >"$work/b.json"
check "a second provider serves identical bytes" cmp -s "$work/a.json" "$work/b.json"
kill "$PID_B"
wait "$PID_B"
check "SIGTERM stops a provider with status 0" test $? -eq 0
check "a clean stop sets stopped_at" stopped_at_is "$PORT_B" set
check "a running provider has no stopped_at" stopped_at_is "$PORT_A" null

echo "== database outage"
fetch "$PORT_A" /traefik >"$work/before.json"
"$APEXCTL" db stop >/dev/null
check "/healthz turns degraded" wait_until bash -c "curl -s http://127.0.0.1:$PORT_A/healthz | grep -q '^status: degraded'"
check "/healthz answers 503 while degraded" test "$(status_of "$PORT_A" /healthz)" = 503
check "/traefik still answers 200" test "$(status_of "$PORT_A" /traefik)" = 200
fetch "$PORT_A" /traefik >"$work/during.json"
check "/traefik serves the last good bytes" cmp -s "$work/before.json" "$work/during.json"
check "metrics show the database down" bash -c "curl -s http://127.0.0.1:$PORT_A/metrics | grep -q '^apex_provider_db_up 0$'"

start_provider C || exit 1
check "a provider started during the outage answers 503" test "$(status_of "$PORT_C" /traefik)" = 503
check "and reports no document yet" bash -c "curl -s http://127.0.0.1:$PORT_C/healthz | grep -q 'no document rendered yet'"
check "libpq's two-line error is logged as one line" \
	grep -q 'No such file or directory; Is the server running' "$work/C.log"
check "no log line contains a tab" lacks_tab "$work/C.log"

"$APEXCTL" db start >/dev/null
check "the cluster accepts connections again" wait_until bash -c "'$APEXCTL' db status >/dev/null"
check "/healthz recovers" wait_until bash -c "curl -s http://127.0.0.1:$PORT_A/healthz | grep -q '^status: ok'"
"$APEXCTL" suspend "$sub" --reason "after the outage" >/dev/null
check "a change after recovery is served" wait_until router_is "$PORT_A" .service suspended
check "the late provider serves it too" wait_until router_is "$PORT_C" .service suspended
check "metrics count the reconnect" \
	bash -c "curl -s http://127.0.0.1:$PORT_A/metrics | grep -Eq '^apex_provider_db_reconnects_total [1-9]'"
check "the late provider matches byte for byte" \
	bash -c "cmp -s <(curl -s http://127.0.0.1:$PORT_A/traefik) <(curl -s http://127.0.0.1:$PORT_C/traefik)"

kill "$PID_A"
wait "$PID_A"
check "SIGTERM after an outage exits with status 0" test $? -eq 0
check "a clean stop after an outage sets stopped_at" stopped_at_is "$PORT_A" set

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
