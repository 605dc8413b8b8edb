#!/usr/bin/env bash
# The demo: a private PostgreSQL, the control schema, tenants from both
# blueprints and a listing with the time of every phase.  Uses ./.apex in
# the checkout; "build/apexctl db stop" stops the database afterwards.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ctl="$BUILD/apexctl"

unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE APEX_DATABASE_URL APEX_CONFIG

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "private PostgreSQL (apexctl db start)"
"$ctl" db start

step "control schema (apexctl init)"
"$ctl" init

step "provisioning demo tenants"
"$ctl" provision demo-books --name "Demo Books" --email owner@books.example.com --plan basic --blueprint standard
"$ctl" provision demo-outdoor --name "Demo Outdoor Co" --email ops@outdoor.example.com --plan pro --blueprint ecommerce
"$ctl" provision demo-gadgets --name "Demo Gadgets" --email team@gadgets.example.com --plan enterprise --blueprint ecommerce
"$ctl" provision demo-tea --name "Demo Tea House" --email hello@tea.example.com --plan basic --blueprint standard

step "provisioning again changes nothing"
"$ctl" provision demo-books --name "Demo Books" --email owner@books.example.com --plan basic --blueprint standard

step "kill switch: suspend and resume demo-tea"
"$ctl" suspend demo-tea --reason "demo: unpaid invoice"
"$ctl" resume demo-tea

step "tenants with the phase timings of their provisioning (ms)"
"$ctl" list
