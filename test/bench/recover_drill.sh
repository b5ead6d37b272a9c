#!/usr/bin/env bash
# test/bench/recover_drill.sh — the incident drill at full scale: BENCH_TENANTS
# tenants of the recovery schema (projects -> issues -> comments, FK-linked, ON
# DELETE CASCADE, ~1,968 live rows each: 2M rows at 1,000), a maintenance script
# deleting BENCH_DELETED of them one tenant per transaction as
# tenant_guard.actor = 'cleanup-script', while the application deletes a few
# comments of the other tenants on purpose (actor 'app'). Then `tenant-guard
# deletions --actor cleanup-script`, `recover --dry-run` (the plan) and `recover
# --yes`, timed, with the plan's conflict check alone and the dry run it
# replaced (the baseline); and the checks: deletions lists exactly the script's tenants,
# recover brings exactly those back byte-identical (a digest per tenant before
# and after), every row once, the application's deletions stay tombstoned.
# Prints one table. A benchmark: it reports the checks, it never fails on time.
#
#   test/bench/recover_drill.sh [--no-install]       (or BENCH_NO_INSTALL=1)
#
# Environment: BENCH_TENANTS (1000), BENCH_DELETED (800), BENCH_JOBS (2: the
# machine's cores), BENCH_CLI (tenant-guard on PATH), BENCH_PG_BIN (the server's
# bindir, e.g. a private install tree's; with it nothing is installed), PORT
# (55496), OUT (default a new /tmp/tg_bench_recover_drill.XXXXXX), TG_EXTRA_CONF.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_args 20 "$@"

N=${BENCH_TENANTS:-1000}
DELETED=${BENCH_DELETED:-800}
JOBS=${BENCH_JOBS:-2}
PORT=${PORT:-55496}
bench_positive N DELETED JOBS PORT
[ "$DELETED" -lt "$N" ] || { echo "recover_drill.sh: BENCH_DELETED must be below BENCH_TENANTS" >&2; exit 2; }
if [ -n "${BENCH_PG_BIN:-}" ]; then
    TG_PG_BIN=$BENCH_PG_BIN
    BENCH_INSTALL=0
fi
bench_output_dir
bench_install
CLI=${BENCH_CLI:-$(command -v tenant-guard || true)}
[ -x "$CLI" ] || { echo "recover_drill.sh: no tenant-guard (set BENCH_CLI)" >&2; exit 2; }
CLI=$(cd "$(dirname "$CLI")" && pwd)/$(basename "$CLI")  # it runs in $OUT (the journal goes there)
bench_cluster_start "$PORT"
export PGDATABASE=drill

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -A -t -c "$1"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds_since() { awk -v a="$1" -v b="$(now_ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }
RESULTS=$OUT/results.txt
: >"$RESULTS"
result() { printf '%-58s %s\n' "$1" "$2" | tee -a "$RESULTS" >&2; }
json_query() {  # json_query FILE SQL: the SQL with :'doc' the file's contents (too long for an argument)
    { printf '\\set doc `cat %s`\n' "$1"; printf '%s\n' "$2"; } | "${PSQL[@]}" -A -t -F' ' -f -
}
verdict() { if [ "$2" = "$3" ]; then result "check: $1" ok; else result "check: $1" "FAILED (expected $2, got $3)"; warn "$1: expected $2, got $3"; fi; }

t0=$(now_ms)
"${PSQL[@]}" -d postgres -c "CREATE DATABASE drill" >/dev/null
{
    echo 'CREATE EXTENSION tenant_guard;'
    echo "\\i '$SQL/recovery_schema.sql'"
    echo "SELECT tenant_guard.protect('comments'), tenant_guard.protect('issues'), tenant_guard.protect('projects');"
    echo "CREATE TABLE drill_digest (tenant int PRIMARY KEY, rows bigint, md5 text);"
} | "${PSQL[@]}" >/dev/null
for ((lo = 1; lo <= N; lo += 100)); do
    hi=$((lo + 99 < N ? lo + 99 : N))
    "${PSQL[@]}" -v lo="$lo" -v hi="$hi" -c 'SET tenant_guard.max_tenants_per_statement = 0' -f "$SQL/recovery_load.sql" >/dev/null
done
"${PSQL[@]}" -c 'VACUUM ANALYZE' >/dev/null
result "load: $N tenants, $(q "SELECT (SELECT count(*) FROM projects) + (SELECT count(*) FROM issues) + (SELECT count(*) FROM comments)") live rows" "$(seconds_since "$t0") s"

# The application deletes on purpose, before the script (also in tenants the
# script will delete) and while it runs (in the others).
app_delete() {  # app_delete LO HI: a few comments of each tenant, one statement per tenant
    local t
    for ((t = $1; t <= $2; t++)); do echo "DELETE FROM comments WHERE tenant_id = $t AND id % 100 = 3;"; done |
        PGAPPNAME=webapp "${PSQL[@]}" -c "SET tenant_guard.actor = 'app'" -f - >/dev/null
}
app_delete 1 20
q "INSERT INTO drill_digest SELECT t, bench_tenant_rows(t), bench_tenant_md5(t) FROM generate_series(1, $N) AS t" >/dev/null
( app_delete $((DELETED + 1)) "$N" ) &
app=$!
t0=$(now_ms)
for ((t = 1; t <= DELETED; t++)); do echo "DELETE FROM projects WHERE tenant_id = $t;"; done |
    PGAPPNAME=cleanup "${PSQL[@]}" -c "SET tenant_guard.actor = 'cleanup-script'" -f - >/dev/null
result "the script: $DELETED tenants deleted, one transaction each" "$(seconds_since "$t0") s"
wait "$app"
script_rows=$(q "SELECT sum(rows) FROM drill_digest WHERE tenant <= $DELETED")
app_tombstones=$(q "SELECT count(*) FROM tenant_guard.tombstones WHERE actor = 'app'")
q "CREATE TABLE drill_others AS SELECT t AS tenant, bench_tenant_md5(t) AS md5 FROM generate_series($((DELETED + 1)), $N) AS t" >/dev/null
"${PSQL[@]}" -c 'VACUUM ANALYZE' -c CHECKPOINT >/dev/null

cd "$OUT"
t0=$(now_ms)
"$CLI" deletions --actor cleanup-script >"$OUT/deletions.txt"
result "tenant-guard deletions --actor cleanup-script" "$(seconds_since "$t0") s"
t0=$(now_ms)
"$CLI" deletions --actor cleanup-script --json >"$OUT/deletions.json"
result "tenant-guard deletions --actor cleanup-script --json" "$(seconds_since "$t0") s"
t0=$(now_ms)
q "SELECT count(*) FROM tenant_guard.deletions(actor => 'cleanup-script')" >/dev/null
result "  SELECT count(*) FROM deletions(actor => …) alone" "$(seconds_since "$t0") s"
listed=$(json_query "$OUT/deletions.json" "SELECT (:'doc'::jsonb->'summary'->>'tenants') || ' ' || (:'doc'::jsonb->'summary'->>'rows') || ' ' || (SELECT min((e->>'tenant')::int) || '-' || max((e->>'tenant')::int) FROM jsonb_array_elements(:'doc'::jsonb->'deletions') AS e)")
verdict "deletions lists exactly the script's tenants and rows" "$DELETED $script_rows 1-$DELETED" "$listed"

t0=$(now_ms)
"$CLI" recover --actor cleanup-script --dry-run --jobs "$JOBS" >"$OUT/plan.txt"
result "tenant-guard recover --dry-run --jobs $JOBS (the plan)" "$(seconds_since "$t0") s (plan: $(sed -n 's/^  planned in:  //p' "$OUT/plan.txt"))"
t0=$(now_ms)
q "SELECT count(*) FROM tenant_guard.undelete_conflicts(actor => 'cleanup-script')" >/dev/null
result "  undelete_conflicts(actor => …) alone, one connection" "$(seconds_since "$t0") s"
# Baseline: how the plan counted conflicts before 0.8.0, a dry run of the
# whole restore on one connection (restored and rolled back).
t0=$(now_ms)
q "SELECT count(*) FROM tenant_guard.undelete_where(actor => 'cleanup-script', on_conflict => 'skip', dry_run => true) WHERE skipped > 0" >/dev/null
result "  baseline: undelete_where(…, dry_run => true), one connection" "$(seconds_since "$t0") s"
verdict "the plan: tenants, rows, no conflict" "yes yes yes" \
    "$(grep -q "tenants:     $DELETED (" "$OUT/plan.txt" && echo yes || echo no) $(grep -q "rows:        $(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$script_rows")$" "$OUT/plan.txt" && echo yes || echo no) $(grep -q 'conflicts:   none' "$OUT/plan.txt" && echo yes || echo no)"

t0=$(now_ms)
"$CLI" recover --actor cleanup-script --yes --jobs "$JOBS" --report "$OUT/report.json" >"$OUT/recover.txt" 2>"$OUT/recover.err" || true
total=$(seconds_since "$t0")
read -r restore_s restored complete <<<"$(json_query "$OUT/report.json" "SELECT round((:'doc'::jsonb->>'seconds')::numeric, 2), :'doc'::jsonb->'totals'->>'restored', :'doc'::jsonb->>'complete'")"
result "tenant-guard recover --yes --jobs $JOBS: all of it" "$total s (plan: $(sed -n 's/^  planned in:  //p' "$OUT/recover.txt"))"
result "  restoring $restored rows of $DELETED tenants" "$restore_s s, $(awk -v r="$restored" -v s="$restore_s" 'BEGIN { printf "%d", (s > 0 ? r / s : 0) }') rows/s"
verdict "recover: complete, every row of the script" "true $script_rows" "$complete $restored"
verdict "byte-identical: every restored tenant's digest as before" 0 \
    "$(q "SELECT count(*) FROM drill_digest WHERE tenant <= $DELETED AND md5 IS DISTINCT FROM bench_tenant_md5(tenant)")"
verdict "every row restored exactly once (change-log 'undelete' entries)" "$script_rows 0" \
    "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE n > 1) FROM (SELECT rel, pk, count(*) AS n FROM tenant_guard.change_log WHERE origin = 'undelete' GROUP BY 1, 2) AS u")"
verdict "the application's deletions are still tombstoned" "$app_tombstones" "$(q "SELECT count(*) FROM tenant_guard.tombstones WHERE actor = 'app'")"
verdict "the other tenants are untouched" 0 "$(q "SELECT count(*) FROM drill_others WHERE md5 IS DISTINCT FROM bench_tenant_md5(tenant)")"
verdict "the report's checksums are tenant_checksum's now (10 tenants)" 0 \
    "$(json_query "$OUT/report.json" "SELECT count(*) FROM jsonb_array_elements(:'doc'::jsonb->'tenants') AS t, jsonb_array_elements(t->'tables') AS x
        WHERE (t->>'tenant')::int <= 10 AND x->>'checksum' IS DISTINCT FROM tenant_guard.tenant_checksum(t->>'tenant', (x->>'table')::regclass)")"
{
    echo
    echo "tenant_guard recover drill — $(date -u '+%F %T UTC'), $(nproc) cores, $(awk '/^MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "server: $(q 'SELECT version()' | cut -d, -f1), tenant_guard $(q "SELECT extversion FROM pg_extension WHERE extname = 'tenant_guard'")"
    cat "$RESULTS"
    if [ -s "$WARNINGS" ]; then echo "warnings:"; sed 's/^/  /' "$WARNINGS"; fi
} | tee "$OUT/report.txt"
echo "plan, report and logs: $OUT"
