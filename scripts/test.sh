#!/usr/bin/env bash
# Runs every test suite of tenant_guard on a fresh machine: installs what is
# missing, builds, installs the extension, runs the unit tests, the pg_regress
# and isolation suites on their own temporary PostgreSQL, and prints one
# summary line "N passed, N failed". Exits non-zero on any failure.
set -uo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$TG_ROOT"

tg_install_packages || exit 1
tg_build_install || exit 1

passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

# Copies suites where the postgres OS user can read and write them.
work=$(mktemp -d /tmp/tenant_guard_test.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"

# run_pg_suite NAME TOOL SCHEDULE_ARGS...: pg_regress or pg_isolation_regress
# on a temporary instance; counts tests from its summary.
run_pg_suite() {
    local name=$1 tool=$2
    shift 2
    local dir="$work/$name"
    mkdir -p "$dir"
    cp -r sql expected test "$dir/"
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
    tg_log "$name"
    local log="$dir/run.log"
    (cd "$dir" && tg_as_pg "$tool" --bindir="$TG_PG_BIN" --temp-instance="$dir/tmp_check" \
        --temp-config="$dir/test/regress.conf" --port=$((56000 + RANDOM % 1000)) "$@") >"$log" 2>&1
    local rc=$?
    grep -E '^(test|     |ok|not ok|\s+)' "$log" | grep -E '\.\.\. |^(ok|not ok) ' >&2
    local ok bad
    ok=$(grep -cE '(\.\.\. ok|^ok )' "$log")
    bad=$(grep -cE '(\.\.\. FAILED|\.\.\. failed|^not ok )' "$log")
    if [ "$rc" -ne 0 ]; then
        cat "$log" >&2
        find "$dir" -name regression.diffs -exec cat {} + >&2
        [ "$bad" -eq 0 ] && bad=1
    fi
    count "$ok" "$bad"
}

# run_counted NAME COMMAND...: a script that ends with "NAME: N passed, N failed".
run_counted() {
    local name=$1 out
    shift
    tg_log "$name"
    out=$("$@" 2>&1 | tee >(cat >&2) | grep -E "^$name: [0-9]+ passed, [0-9]+ failed$" | tail -1)
    if [[ $out =~ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        count "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    else
        echo "$name printed no summary" >&2
        count 0 1
    fi
}

run_counted format bash scripts/check_format.sh
run_counted wall bash test/wall/run.sh
run_counted unit bash test/unit/run.sh "$work/unit_build"
run_counted interop bash test/interop/openssl_token.sh
run_counted dump_restore bash test/interop/dump_restore.sh
run_counted cli bash test/cli/run.sh
run_counted recover bash test/cli/recover.sh
run_counted crash bash test/crash/run.sh
run_counted soak bash test/stress/soak.sh
run_counted rewind_no_deadlock bash test/stress/rewind_no_deadlock.sh
run_counted entry_segments bash test/stress/entry_segments.sh
run_counted upgrade bash test/interop/upgrade.sh
run_counted ha bash test/ha/run.sh
run_counted replication bash test/replication/run.sh
run_counted security bash test/security/run.sh
run_counted pins bash test/security/pins.sh
run_counted cli_owner_code bash test/security/cli_owner_code.sh
run_counted cli_file_trust bash test/security/cli_file_trust.sh
run_pg_suite regress "$TG_PG_BIN/../lib/pgxs/src/test/regress/pg_regress" \
    --inputdir=. --outputdir=. $(cat test/regress_suites)
if [ -n "$(ls test/isolation/specs/*.spec 2>/dev/null)" ]; then
    run_pg_suite isolation "$TG_PG_BIN/../lib/pgxs/src/test/isolation/pg_isolation_regress" \
        --inputdir=test/isolation --outputdir=output_iso \
        $(basename -s .spec test/isolation/specs/*.spec)
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
