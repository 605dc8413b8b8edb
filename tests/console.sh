#!/usr/bin/env bash
# console.sh - drives the real apex-console in tmux against the test
# database: the provision form (valid and hostile input), suspend and resume
# with typed confirmation, live updates made by apexctl from outside, the
# audit log, the review queue, the provider screen, resizing, NO_COLOR and
# LANG=C, --read-only, losing the database, and a clean terminal after
# quitting or SIGTERM.
#
# Every wait polls the screen for the expected text for a bounded time; no
# check depends on how fast something happens.  Run by scripts/run-tests.sh,
# which exports APEX_HOME (a running, initialised cluster) and APEX_BUILD.
set -u
cd "$(dirname "$0")/.."
BUILD=${APEX_BUILD:-$PWD/build}
APEXCTL="$BUILD/apexctl"
CONSOLE="$BUILD/apex-console"
WORK=$(mktemp -d /tmp/apex-console-test.XXXXXX)
SOCKET="apex-console-test-$$"
PREFIX="con$$"
SUB="$PREFIX-form"
passed=0
failed=0
provider_pid=

export TERM=xterm-256color TZ=UTC
# under "make asan", sanitizer reports go to files that the last check reads
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$WORK/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$WORK/sanitizer"

T() { tmux -L "$SOCKET" -f /dev/null "$@"; }

cleanup() {
	T kill-server >/dev/null 2>&1
	[ -n "$provider_pid" ] && kill "$provider_pid" 2>/dev/null
	# the outage test stops the shared cluster; never leave it stopped
	"$APEXCTL" db status >/dev/null 2>&1 || "$APEXCTL" db start >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

sql() { psql "host=$APEX_HOME/run dbname=apex user=apex" -XAtqc "$1"; }

# The pane runs the console, then reports its exit status and terminal modes.
cat >"$WORK/pane.sh" <<'EOF'
#!/bin/sh
ulimit -c 0
pidfile=$1
shift
sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@"
echo "[exit $?]"
for mode in icanon echo isig icrnl opost; do
	if stty -a | tr ' ;' '\n\n' | grep -qx -- "$mode"; then printf '%s:on ' "$mode"; else printf '%s:off ' "$mode"; fi
done
echo "[modes]"
exec sleep 600
EOF
chmod +x "$WORK/pane.sh"

# start NAME COLS ROWS [VAR=VALUE...] [-- CONSOLE-ARGS...]
start() {
	local name=$1 cols=$2 rows=$3 envs=() args=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
	[ "${1:-}" = "--" ] && shift
	args=("$@")
	T new-session -d -s "$name" -x "$cols" -y "$rows" \
		"env LANG=C.UTF-8 LC_ALL=C.UTF-8 ${envs[*]} $WORK/pane.sh $WORK/$name.pid $CONSOLE ${args[*]}"
}

screen() { T capture-pane -p -t "$1"; }

# wait_for PANE TEXT [SECONDS]: the text appears on the screen in time.
wait_for() {
	local i limit=$(( ${3:-10} * 10 ))
	for ((i = 0; i < limit; i++)); do
		screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}

wait_gone() {
	local i limit=$(( ${3:-10} * 10 ))
	for ((i = 0; i < limit; i++)); do
		screen "$1" | grep -qF -- "$2" || return 0
		sleep 0.1
	done
	return 1
}

# wait_line PANE WORD1 WORD2: one screen line contains both words.
wait_line() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen "$1" | grep -F -- "$2" | grep -qF -- "$3" && return 0
		sleep 0.1
	done
	return 1
}

keys() { local pane=$1; shift; T send-keys -t "$pane" "$@"; }
type_text() { T send-keys -t "$1" -l -- "$2"; }

# check NAME PANE COMMAND...: counts the result, shows the screen on failure.
check() {
	local name=$1 pane=$2
	shift 2
	if "$@"; then
		passed=$((passed + 1))
		echo "ok     $name"
	else
		failed=$((failed + 1))
		echo "FAILED $name"
		[ -n "$pane" ] && T has-session -t "$pane" 2>/dev/null && screen "$pane" | sed 's/^/    | /'
	fi
}

tenant_field() { "$APEXCTL" --json show "$1" | jq -r ".$2"; }
count_tenants() { sql "SELECT count(*) FROM apex.tenants"; }
# wait_count PANE TEXT N: at least N screen lines contain the text.
wait_count() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(screen "$1" | grep -cF -- "$2")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# select_last PANE TEXT: presses G until the text is on screen (new rows load live).
select_last() {
	local i
	for ((i = 0; i < 50; i++)); do
		keys "$1" G
		screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.2
	done
	return 1
}

ESC=$'\e'
COLOR_SGR="${ESC}\\[([0-9]+;)*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9]+)*m"
has_colors() { T capture-pane -e -p -t "$1" | grep -qE -- "$COLOR_SGR"; }
no_colors() { ! has_colors "$1"; }
wait_colors() {
	local i
	for ((i = 0; i < 100; i++)); do
		has_colors "$1" && return 0
		sleep 0.1
	done
	return 1
}
only_ascii() { ! screen "$1" | LC_ALL=C grep -q '[^ -~]'; }
line_count() { [ "$(screen "$1" | wc -l)" -eq "$2" ]; }
last_line_has() { screen "$1" | tail -1 | grep -qF -- "$2"; }
last_line_lacks() { ! screen "$1" | tail -1 | grep -qE -- "$2"; }
screen_has() { screen "$1" | grep -qF -- "$2"; }
screen_lacks() { ! screen "$1" | grep -qE -- "$2"; }

terminal_restored() {
	wait_for "$1" "[modes]" &&
	[ "$(T display -p -t "$1" '#{alternate_on}')" = 0 ] &&
		[ "$(T display -p -t "$1" '#{cursor_flag}')" = 1 ] &&
		screen "$1" | grep -qF "icanon:on echo:on isig:on icrnl:on opost:on"
}

# ---- command line ----

check "help exits 0 and names --read-only" "" \
	bash -c "'$CONSOLE' --help | grep -q -- --read-only"
check "version prints the program and version" "" \
	bash -c "'$CONSOLE' --version | grep -q '^apex-console [0-9]'"
check "invalid option exits 2" "" bash -c "'$CONSOLE' --frobnicate 2>/dev/null; [ \$? -eq 2 ]"
check "invalid option is named" "" bash -c "'$CONSOLE' --bogus 2>&1 | grep -qF 'invalid option \"--bogus\"'"
check "invalid option gets a hint" "" bash -c "'$CONSOLE' --bogus 2>&1 | grep -q '^HINT:.*--help'"
check "extra argument gets a hint" "" bash -c "'$CONSOLE' extra 2>&1 | grep -q '^HINT:.*--help'"
check "help names archive" "" bash -c "'$CONSOLE' --help | grep -q archives"
check "no terminal exits 2" "" bash -c "'$CONSOLE' </dev/null >/dev/null 2>&1; [ \$? -eq 2 ]"

# ---- a provider, so the form can tell whether the route is served ----

"$BUILD/apex-provider" --listen 127.0.0.1:0 >"$WORK/provider.log" 2>&1 &
provider_pid=$!
provider_url=
for ((i = 0; i < 100; i++)); do
	provider_url=$(sed -n 's|.*listening on \(http://[^ ]*/traefik\).*|\1|p' "$WORK/provider.log")
	[ -n "$provider_url" ] && break
	sleep 0.1
done
instance=$(sed -n 's|.*(instance "\([^"]*\)".*|\1|p' "$WORK/provider.log")
check "apex-provider started for the suite" "" test -n "$provider_url"

# ---- first screen ----

start main 80 24
check "first screen shows the tenants" main wait_for main "SUBDOMAIN"
check "title bar shows the connection" main wait_for main "db ok"
check "key bar is drawn" main wait_for main "? Help"

# ---- hostile input in the form creates nothing ----

before=$(count_tenants)
keys main n
check "n opens the provision form" main wait_for main "Provision a tenant"
type_text main "Bad_Name"
check "uppercase subdomain is rejected as typed" main wait_for main 'must be lowercase'
keys main C-u
type_text main "x';DROP TABLE apex.tenants;--"
check "quotes and spaces are rejected as typed" main wait_for main 'only a-z, 0-9 and "-"'
keys main F10
check "F10 with an invalid field stays in the form" main wait_for main "invalid subdomain"
keys main C-u
type_text main "$(printf 'a%.0s' {1..62})"
check "62-character subdomain is rejected, not cut" main wait_for main "at most 56 characters"
keys main F10
check "F10 refuses the long subdomain" main wait_for main "invalid subdomain"
check "the long subdomain stays in the form" main screen_has main "Provision a tenant"
check "form names the default owner email" main screen_has main "Owner email is owner@"
keys main C-u
type_text main "-edge"
check "leading hyphen is rejected" main wait_for main 'must not start or end with "-"'
keys main Tab Tab C-u
type_text main "not an email"
check "invalid email is rejected" main wait_for main 'invalid email'
keys main Escape
check "Esc cancels the form" main wait_for main "nothing was created"
check "hostile input created no tenant" "" test "$(count_tenants)" = "$before"
check "the tenants table is intact" "" test "$(sql "SELECT to_regclass('apex.tenants') IS NOT NULL")" = t

# ---- provisioning through the form ----

keys main n
wait_for main "Provision a tenant" >/dev/null
type_text main "$SUB"
keys main Tab
type_text main "Console Shop"
keys main Tab
type_text main "ops@example.com"
keys main Tab C-u
type_text main "pro"
keys main Tab C-u
type_text main "standard"
keys main Enter
check "form provisions the tenant" main wait_for main "tenant $SUB provisioned in"
check "phases are shown with durations" main wait_line main "seed" "done"
check "form reports the served route" main wait_for main "served: apex-provider" 10
check "tenant is active in the database" "" test "$(tenant_field "$SUB" status)" = active
check "tenant has the form's plan" "" test "$(tenant_field "$SUB" plan)" = pro
check "tenant has the form's name" "" test "$(tenant_field "$SUB" display_name)" = "Console Shop"
check "provisioning is audited from the console" "" test "$(sql "SELECT count(*) FROM apex.audit_logs
	WHERE action = 'TENANT_PROVISIONED' AND tenant = '$SUB' AND source = 'console'")" = 1

# ---- detail ----

keys main Enter
check "Enter opens the new tenant's detail" main wait_for main "$SUB - Console Shop"
check "detail labels the total up to COMMIT" main wait_for main "up to COMMIT"
check "detail shows the quota usage" main wait_for main "Quota usage"
keys main G
check "detail shows the served router" main wait_for main "router tenant-$SUB"
keys main q

# ---- filter, suspend, resume ----

keys main /
type_text main "$SUB"
keys main Enter
check "filter shows the tenant" main wait_line main "$SUB" "active"
check "filter reports one match" main wait_for main "1 of "
keys main s
check "s asks for a typed confirmation" main wait_for main "Suspend $SUB"
type_text main "${SUB}x"
keys main Tab
type_text main "console test"
keys main Enter
check "a wrong subdomain is refused" main wait_for main "exactly to confirm"
check "refused confirmation changed nothing" "" test "$(tenant_field "$SUB" status)" = active
keys main BTab C-u
type_text main "$SUB"
keys main Tab Enter
check "typed confirmation suspends" main wait_for main "tenant $SUB is now suspended"
check "table shows the new status" main wait_line main "$SUB" "suspended"
check "tenant is suspended in the database" "" test "$(tenant_field "$SUB" status)" = suspended
check "suspension is audited with the reason" "" test "$(sql "SELECT count(*) FROM apex.audit_logs
	WHERE action = 'TENANT_SUSPENDED' AND tenant = '$SUB' AND source = 'console'
	AND detail->>'reason' = 'console test'")" = 1
keys main r
check "r asks for a typed confirmation" main wait_for main "Resume $SUB"
# Backspace on the empty reason goes back to the subdomain, at the end of its text.
type_text main "${SUB%?}"
keys main Tab BSpace
type_text main "${SUB: -1}"
keys main Tab
type_text main "console resume"
keys main Enter
check "typed confirmation resumes" main wait_for main "tenant $SUB is now active"
check "resume is audited with the reason" "" test "$(sql "SELECT count(*) FROM apex.audit_logs
	WHERE action = 'TENANT_RESUMED' AND tenant = '$SUB' AND source = 'console'
	AND detail->>'reason' = 'console resume'")" = 1
"$APEXCTL" suspend "$SUB" --reason "suspended again from outside" >/dev/null
check "apexctl suspend appears live" main wait_line main "$SUB" "suspended"

# ---- changes made from outside appear live ----

"$APEXCTL" resume "$SUB" >/dev/null
check "apexctl resume appears live" main wait_line main "$SUB" "active"
keys main /
keys main C-u
type_text main "$PREFIX"
keys main Enter
"$APEXCTL" provision "$PREFIX-ext" >/dev/null
check "apexctl provision appears live" main wait_for main "$PREFIX-ext"

# ---- archive ----

keys main /
keys main C-u
type_text main "$PREFIX-ext"
keys main Enter
wait_line main "$PREFIX-ext" "active" >/dev/null
keys main a
check "a asks for a typed confirmation" main wait_for main "Archive $PREFIX-ext"
type_text main "$PREFIX-ext"
keys main Tab
type_text main "console archive"
keys main Enter
check "typed confirmation archives" main wait_for main "tenant $PREFIX-ext is now archived" 30
check "tenant is archived in the database" "" test "$(tenant_field "$PREFIX-ext" status)" = archived
check "archiving wrote a catalogued backup" "" test "$(sql "SELECT count(*) FROM apex.backups
	WHERE tenant = '$PREFIX-ext'")" -ge 1

# ---- audit log ----

keys main 2
keys main /
type_text main "tenant:$SUB"
keys main Enter
check "audit log filtered by tenant" main wait_for main "TENANT_RESUMED"
suspended_before=$(screen main | grep -cF TENANT_SUSPENDED)
"$APEXCTL" suspend "$SUB" --reason "from outside" >/dev/null
check "new audit entries appear live" main wait_count main "TENANT_SUSPENDED" $((suspended_before + 1))
keys main g Enter
check "Enter shows the entry in full" main wait_for main '"reason": "from outside"'
keys main q
keys main /
keys main C-u
type_text main "tenant:$SUB action:provisioned"
keys main Enter
check "audit log filtered by action" main wait_gone main "TENANT_SUSPENDED"
check "action filter keeps the matching entry" main wait_for main "TENANT_PROVISIONED"
"$APEXCTL" resume "$SUB" >/dev/null

# audit_aligned PANE: the SOURCE header sits above each row's source value.
audit_aligned() {
	screen "$1" | awk '
		/TIME \(UTC\)/ { col = index($0, "SOURCE"); next }
		col && /TENANT_/ { rows++; if (substr($0, col) ~ /^(console|cli) /) ok++ }
		END { exit !(col > 0 && rows > 0 && ok == rows) }'
}
keys main /
keys main C-u
type_text main "tenant:$SUB"
keys main Enter
T resize-window -t main -x 100 -y 30
check "audit at 100 columns aligns SOURCE" main wait_for main "SOURCE"
check "audit rows follow the header at 100 columns" main audit_aligned main
T resize-window -t main -x 80 -y 24

# ---- review queue ----

APEX_FAIL_PHASE=seed "$APEXCTL" provision "$PREFIX-retry" >/dev/null 2>&1
keys main 3
check "failed attempt is listed for review" main select_last main "$PREFIX-retry"
keys main r
check "r asks before retrying" main wait_for main "retry provisioning of \"$PREFIX-retry\""
keys main y
check "retry provisions the tenant" main wait_for main "retried: tenant provisioned"
check "retried tenant is active" "" test "$(tenant_field "$PREFIX-retry" status)" = active
check "review item is marked retried" "" test "$(sql "SELECT state FROM apex.review_queue
	WHERE subdomain = '$PREFIX-retry' ORDER BY id LIMIT 1")" = retried
APEX_FAIL_PHASE=route "$APEXCTL" provision "$PREFIX-dismiss" >/dev/null 2>&1
check "second failure is listed" main select_last main "$PREFIX-dismiss"
keys main d
check "d asks for a typed confirmation" main wait_for main "Dismiss the review item of $PREFIX-dismiss"
type_text main "$PREFIX-dismiss"
keys main Tab
type_text main "duplicate"
keys main Enter
check "dismiss closes the item" main wait_for main "dismissed"
check "review item is dismissed in the database" "" test "$(sql "SELECT state FROM apex.review_queue
	WHERE subdomain = '$PREFIX-dismiss' ORDER BY id DESC LIMIT 1")" = dismissed

# ---- provider ----

keys main 4
check "provider screen lists the suite's provider" main wait_for main "${instance:0:20}"
curl -s -o /dev/null "$provider_url"
check "provider screen shows Traefik's poll" main wait_line main "${instance:0:20}" " s ago"
# provider_narrow: the header has LAST POLL and no cut HEARTBEAT column
provider_narrow() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen main | grep -F "LAST POLL" | grep -qvF "HEARTBEA" && return 0
		sleep 0.1
	done
	return 1
}
T resize-window -t main -x 60 -y 20
check "provider at 60 columns drops HEARTBEAT" main provider_narrow
check "provider at 60 columns cuts no age" main screen_lacks main "min ag$"
T resize-window -t main -x 100 -y 30
check "provider at 100 columns shows STARTED whole" main \
	wait_line main "${instance:0:20}" "$(date -u +%Y-%m-%d) "
check "provider STARTED has seconds" main bash -c \
	"tmux -L '$SOCKET' capture-pane -p -t main | grep -F '${instance:0:20}' | grep -qE ' [0-9]{2}:[0-9]{2}:[0-9]{2}\$'"
T resize-window -t main -x 80 -y 24

# ---- help and sort menu ----

keys main 1 ?
check "? shows the keys" main wait_for main "Keys (q closes)"
keys main Space
check "help scrolls to the tenants keys" main wait_for main "choose the sort column"
keys main q
check "q closes the help" main wait_gone main "Keys (q closes)"
keys main o
check "o opens the sort menu" main wait_for main "Sort by"
keys main j Enter
check "the sort menu sorts by name" main wait_for main "NAME ▲"

# ---- resizing ----

T resize-window -t main -x 60 -y 20
check "60x20 drops wide columns" main wait_gone main "PROV ms"
# tmux cuts the old screen at once, so wait for the console's own redraw
check "60x20 keeps the status column" main wait_for main "STATUS"
check "60x20 keeps quit on the key bar" main wait_for main "q Quit"
check "60x20 has quit on the last line" main last_line_has main "q Quit"
check "60x20 uses 20 lines" main line_count main 20
check "60x20 keeps the connection state" main wait_for main "db ok"
T resize-window -t main -x 200 -y 50
check "200x50 shows every column" main wait_for main "CREATED (UTC)"
check "200x50 uses every line" main line_count main 50
check "200x50 has the key bar on the last line" main last_line_has main "? Help"
T resize-window -t main -x 30 -y 8
check "tiny terminal shows a notice" main wait_for main "terminal too small"
T resize-window -t main -x 80 -y 24
check "80x24 redraws after the notice" main wait_gone main "terminal too small"
check "80x24 shows the table again" main wait_for main "SUBDOMAIN"

# ---- quitting restores the terminal ----

keys main Escape q
check "q quits with status 0" main wait_for main "[exit 0]"
check "terminal restored after quitting" main terminal_restored main

# ---- NO_COLOR, LANG=C ----

start plain 80 24 NO_COLOR=1 LANG=C LC_ALL=C
check "NO_COLOR console starts" plain wait_for plain "db ok"
check "NO_COLOR: no color escapes" plain no_colors plain
check "LANG=C: ASCII sort arrow" plain wait_for plain "SUBDOMAIN ^"
keys plain n
check "LANG=C: ASCII box" plain wait_for plain "+- Provision a tenant -"
check "LANG=C: only ASCII on screen" plain only_ascii plain
type_text plain "$PREFIX-sh"
T send-keys -t plain -l -- "ö"
check "LANG=C: non-ASCII key is reported" plain wait_for plain "non-ASCII input needs a UTF-8 locale"
type_text plain "p9"
check "LANG=C: the field stays marked" plain wait_for plain "clear the field (Ctrl-U)"
keys plain F10
check "LANG=C: F10 refuses the field" plain wait_for plain "Provision a tenant"
check "LANG=C: nothing was provisioned" "" test "$(sql "SELECT count(*) FROM apex.tenants
	WHERE subdomain = '$PREFIX-shp9'")" = 0
keys plain Escape
keys plain /
T send-keys -t plain -l -- "ö"
check "LANG=C: filter reports a non-ASCII key" plain wait_for plain "[non-ASCII input needs a UTF-8 locale]"
keys plain Escape q
check "NO_COLOR console quits cleanly" plain wait_for plain "[exit 0]"

start mono 80 24 TERM=vt100
check "a terminal without colors works" mono wait_for mono "db ok"
check "no colors on a terminal without them" mono no_colors mono
keys mono q

start color 80 24
check "colors are used without NO_COLOR" color wait_colors color
keys color q

# ---- read-only ----

start ro 80 24 -- --read-only
check "read-only is shown" ro wait_for ro "READ-ONLY"
check "read-only hides the actions" ro last_line_lacks ro "Suspend|New"
keys ro s n ?
check "read-only keys are read" ro wait_for ro "Keys (q closes)"
check "read-only keys open no dialog" ro screen_lacks ro "Provision a tenant|Suspend "
keys ro q /
type_text ro "$SUB"
keys ro Enter
check "read-only filter works" ro wait_line ro "$SUB" "active"
"$APEXCTL" suspend "$SUB" --reason "read-only check" >/dev/null
check "read-only console updates live" ro wait_line ro "$SUB" "suspended"
"$APEXCTL" resume "$SUB" >/dev/null
check "read-only console sees the resume" ro wait_line ro "$SUB" "active"
keys ro q

# ---- signals ----

start term 80 24
wait_for term "db ok" >/dev/null
kill -TERM "$(cat "$WORK/term.pid")"
check "SIGTERM ends the console" term wait_for term "[exit 143]"
check "terminal restored after SIGTERM" term terminal_restored term

start segv 80 24
wait_for segv "db ok" >/dev/null
kill -SEGV "$(cat "$WORK/segv.pid")"
check "a fatal signal ends the console" segv wait_for segv "[exit 139]"
check "terminal restored after a fatal signal" segv terminal_restored segv

# ---- losing the database ----

start drop 80 24
wait_for drop "db ok" >/dev/null
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
	WHERE application_name = 'apex-console' AND pid <> pg_backend_pid()" >/dev/null
check "a killed connection is replaced" drop wait_for drop "reconnected to the database"
"$APEXCTL" db stop >/dev/null
check "an outage is shown" drop wait_for drop "db LOST"
check "the last data stays on screen" drop wait_for drop "$SUB"
keys drop s
type_text drop "x"
check "actions are refused during the outage" drop wait_for drop "database is unreachable"
"$APEXCTL" db start >/dev/null
check "the console reconnects" drop wait_for drop "db ok" 30
"$APEXCTL" suspend "$SUB" --reason "after the outage" >/dev/null
keys drop /
type_text drop "$SUB"
keys drop Enter
check "live updates resume after reconnecting" drop wait_line drop "$SUB" "suspended"
keys drop Escape q
check "console quits after the outage" drop wait_for drop "[exit 0]"

no_sanitizer_reports() {
	local report
	for report in "$WORK"/sanitizer.*; do
		[ -e "$report" ] || continue
		sed 's/^/    | /' "$report" | head -40
		return 1
	done
	return 0
}
check "no sanitizer reports from any console" "" no_sanitizer_reports

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
