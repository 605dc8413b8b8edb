#!/usr/bin/env bash
# The demo: a private PostgreSQL, the control schema, tenants from both
# blueprints with the time of every phase, apex-provider serving the
# Traefik document on loopback, and apex-console when a terminal is there.
# Uses ./.apex in the checkout; "build/apexctl db stop" stops the database.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ctl="$BUILD/apexctl"

unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE APEX_DATABASE_URL APEX_CONFIG

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "private PostgreSQL (apexctl db start)"
"$ctl" db start

step "control schema and spare schemas (apexctl init)"
"$ctl" init

step "provisioning demo tenants"
"$ctl" provision demo-books --name "Demo Books" --email owner@books.example.com --plan basic --blueprint standard
"$ctl" provision demo-outdoor --name "Demo Outdoor Co" --email ops@outdoor.example.com --plan pro --blueprint ecommerce
"$ctl" provision demo-gadgets --name "Demo Gadgets" --email team@gadgets.example.com --plan enterprise --blueprint ecommerce
"$ctl" provision demo-tea --name "Demo Tea House" --email hello@tea.example.com --plan basic --blueprint standard

step "provisioning again changes nothing"
"$ctl" provision demo-books --name "Demo Books" --email owner@books.example.com --plan basic --blueprint standard

step "tenants with the phase timings of their provisioning (ms)"
"$ctl" list

step "apex-provider on loopback"
log=$(mktemp /tmp/apex-demo-provider.XXXXXX)
"$BUILD/apex-provider" --listen 127.0.0.1:0 2>"$log" &
provider=$!
trap 'kill "$provider" 2>/dev/null || true; rm -f "$log"' EXIT
url=""
for _ in $(seq 50); do
	url=$(sed -n 's/.*listening on \(http:[^ ]*\)\/traefik.*/\1/p' "$log")
	[ -n "$url" ] && break
	sleep 0.1
done
if [ -z "$url" ]; then
	cat "$log" >&2
	echo "demo: apex-provider did not start" >&2
	exit 1
fi
echo "apex-provider serves $url/traefik (Traefik: providers.http.endpoint=$url/traefik)"
curl -s "$url/traefik" | jq '{routers: (.http.routers | keys), "tenant-demo-tea": .http.routers["tenant-demo-tea"]}'

step "kill switch: suspend demo-tea, and its router leaves the document"
"$ctl" suspend demo-tea --reason "demo: unpaid invoice"
sleep 0.3
curl -s "$url/traefik" | jq '.http.routers | keys'
"$ctl" resume demo-tea --reason "demo: invoice paid"

step "provider health"
curl -s "$url/healthz"
echo

if [ -t 0 ] && [ -t 1 ] && [ -x "$BUILD/apex-console" ]; then
	step "apex-console (? lists the keys, q quits)"
	sleep 1
	"$BUILD/apex-console"
fi
