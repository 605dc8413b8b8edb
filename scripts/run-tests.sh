#!/usr/bin/env bash
# Runs every test suite against a throwaway PostgreSQL cluster: starts it in
# a temporary APEX_HOME, creates the control schema, runs the Criterion
# binaries in $BUILD/tests and the shell suites tests/*.sh, stops the
# cluster and prints one summary line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

# Never let a developer's own database settings leak into the tests.
unset PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGSERVICE PGSERVICEFILE PGPASSWORD \
      APEX_DATABASE_URL APEX_CONFIG APEX_BASE_DOMAIN APEX_BLUEPRINTS_DIR \
      APEX_BACKUP_DIR APEX_PROVIDER_LISTEN
export LC_ALL=C.UTF-8 TZ=UTC

APEX_HOME=$(mktemp -d /tmp/apex-test.XXXXXX)
chmod 711 "$APEX_HOME"
export APEX_HOME APEX_BUILD="$PWD/$BUILD" APEX_ROOT="$PWD"

cleanup() {
	"$BUILD/apexctl" db stop >/dev/null 2>&1 || true
	rm -rf "$APEX_HOME"
}
trap cleanup EXIT

echo "== starting a throwaway PostgreSQL in $APEX_HOME"
"$BUILD/apexctl" db start || exit 1
"$BUILD/apexctl" init || exit 1

passed=0
failed=0
failed_suites=()

# Criterion prints "[====] Synthesis: Tested: N | Passing: N | Failing: N | Crashing: N".
run_criterion() {
	local bin=$1 out
	out=$(mktemp)
	local jobs=2
	# These suites check that an operation left apex.platform.config_version
	# alone, which a test running beside them could change.
	case "$bin" in
	*/test_provision|*/test_lifecycle) jobs=1 ;;
	esac
	echo "== $bin"
	"$bin" --jobs "$jobs" 2>&1 | tee "$out"
	local status=${PIPESTATUS[0]}
	local line
	line=$(grep 'Synthesis:' "$out" | tail -1)
	local tested passing
	tested=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' <<<"$line")
	passing=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$line")
	tested=${tested:-0}
	passing=${passing:-0}
	passed=$((passed + passing))
	failed=$((failed + tested - passing))
	if [ "$status" -ne 0 ] || [ "$tested" -eq 0 ]; then
		failed_suites+=("$bin")
		[ "$tested" -eq "$passing" ] && failed=$((failed + 1))
	fi
	rm -f "$out"
}

# Shell suites end with their own "N passed, N failed" line.
run_shell() {
	local script=$1 out
	out=$(mktemp)
	echo "== $script"
	bash "$script" 2>&1 | tee "$out"
	local status=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	p=$(sed -n 's/^\([0-9]*\) passed.*/\1/p' <<<"$line")
	f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' <<<"$line")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$status" -ne 0 ] || [ -z "$line" ]; then
		failed_suites+=("$script")
		[ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
	fi
	rm -f "$out"
}

for bin in "$BUILD"/tests/test_*; do
	case "$bin" in *.o|*.d) continue ;; esac
	[ -x "$bin" ] && run_criterion "$bin"
done
for script in tests/*.sh; do
	[ -f "$script" ] && run_shell "$script"
done

echo
if [ ${#failed_suites[@]} -gt 0 ]; then
	echo "failed suites: ${failed_suites[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#failed_suites[@]} -eq 0 ]
