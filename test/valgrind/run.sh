#!/usr/bin/env bash
# Runs the pg_regress suites once with every backend under valgrind memcheck,
# against a debug build of the module (-O0 -g), and reports the memcheck errors
# whose stacks pass through tenant_guard's code. Too slow for CI (tens of
# minutes on 2 cores): run it by hand before a release.
#
#   test/valgrind/run.sh            build -O0, install, run, then reinstall the normal build
#
# It replaces the installed module for its duration (other users of this
# PostgreSQL installation get the slow build meanwhile). PostgreSQL itself is
# Debian's (not built with USE_VALGRIND), so memcheck sees malloc-level blocks:
# precise for the module's C++ objects, coarse inside palloc'd memory.
# Prints "valgrind: N passed, N failed" (suites passed; failed = failed suites
# plus one if any memcheck error involves tenant_guard).
set -uo pipefail
source "$(dirname "$0")/../../scripts/lib/common.sh"
cd "$TG_ROOT"

work=$(mktemp -d /tmp/tenant_guard_valgrind.XXXXXX)
chmod 755 "$work"
port=${PORT:-56990}
cleanup() {
    [ -f "$work/data/postmaster.pid" ] &&
        tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1
    tg_log "reinstalling the normal build"
    make -s -C "$TG_ROOT" clean >/dev/null && make -s -C "$TG_ROOT" -j2 >/dev/null &&
        tg_as_root make -s -C "$TG_ROOT" install >/dev/null
}
trap cleanup EXIT

tg_log "building the module with -O0 -g"
make -s clean >/dev/null
make -s -j2 CXXFLAGS='-O0 -g3' >/dev/null || exit 1
tg_as_root make -s install >/dev/null || exit 1

tg_log "starting PostgreSQL under valgrind (port $port)"
cp -r sql expected test "$work/"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$work"
tg_as_pg "$TG_PG_BIN/initdb" -D "$work/data" -U postgres -A trust --no-sync >/dev/null || exit 1
cat "$work/test/regress.conf" >>"$work/data/postgresql.conf"
tg_as_pg bash -c "valgrind --quiet --trace-children=yes --track-origins=yes --read-var-info=yes \
    --num-callers=30 --error-limit=no --suppressions='$work/test/valgrind/postgres.supp' \
    --log-file='$work/valgrind.%p.log' \
    '$TG_PG_BIN/postgres' -D '$work/data' -p $port -k '$work' -c listen_addresses= \
    >'$work/server.log' 2>&1 &"
for _ in $(seq 1 120); do
    tg_as_pg "$TG_PG_BIN/pg_isready" -h "$work" -p "$port" -q && break
    sleep 2
done

tg_log "running the pg_regress suites (slow)"
(cd "$work" && tg_as_pg "$TG_PG_BIN/../lib/pgxs/src/test/regress/pg_regress" --bindir="$TG_PG_BIN" \
    --host="$work" --port="$port" --inputdir=. --outputdir=. \
    $(cat test/regress_suites)) >"$work/regress.log" 2>&1
grep -E '\.\.\. ' "$work/regress.log"
ok=$(grep -cE '\.\.\. ok' "$work/regress.log")
bad=$(grep -cE '\.\.\. (FAILED|failed)' "$work/regress.log")
tg_as_pg "$TG_PG_BIN/pg_ctl" -D "$work/data" -m fast -w -t 600 stop >/dev/null 2>&1

# Memcheck errors whose stack names a tenant_guard frame (tg:: or the module).
errors=$(cat "$work"/valgrind.*.log 2>/dev/null | awk '/^==[0-9]+== [A-Z].*(Invalid|uninitialised|Mismatched|definitely lost)/ {e=$0; keep=0; next}
    e && /tenant_guard|tg::/ {keep=1}
    e && /^==[0-9]+== $/ {if (keep) print e; e=""; keep=0}' | sort | uniq -c)
total=$(grep -h "ERROR SUMMARY" "$work"/valgrind.*.log 2>/dev/null | awk '{s += $4} END {print s + 0}')
echo "memcheck: $total errors in all backends; involving tenant_guard:"
echo "${errors:-  none}"
[ -n "$errors" ] && bad=$((bad + 1))
[ "$ok" -eq 0 ] && bad=$((bad + 1))
echo "valgrind: $ok passed, $bad failed"
[ "$bad" -eq 0 ]
