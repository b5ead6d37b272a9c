#!/usr/bin/env bash
# test/bench/memory.sh — what a big statement on a protected table costs in backend
# memory: one UPDATE of every row, then one DELETE of every row (BENCH_ROWS rows),
# then bringing every row back in one statement (on the protected table one
# undelete_where of the DELETE's rows, every tenant; on the unprotected one the
# plain re-INSERT of the same rows), each in a fresh session, on a protected
# table and on an identical unprotected one (the baseline). Prints the backend's memory growth (median of interleaved
# repetitions, min–max). A benchmark, not a test: it never fails on a figure.
#
#   test/bench/memory.sh [--no-install]         (or BENCH_NO_INSTALL=1)
#
# Environment: BENCH_ROWS (1000000), BENCH_TENANTS (100), BENCH_REPS (3),
# BENCH_SAMPLE_MS (10), PORT (55494), OUT, TG_EXTRA_CONF.
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_args 11 "$@"

ROWS=${BENCH_ROWS:-1000000}
TENANTS=${BENCH_TENANTS:-100}
REPS=${BENCH_REPS:-3}
SAMPLE_MS=${BENCH_SAMPLE_MS:-10}
PORT=${PORT:-55494}
bench_positive ROWS TENANTS REPS SAMPLE_MS PORT
bench_output_dir 777   # psql writes the backend's pid here (\o), as root; keep it simple for any user
bench_install
SAMPLER=
stop_sampler() { if [ -n "$SAMPLER" ]; then kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=; fi; }
bench_cluster_start "$PORT" stop_sampler

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
q() { "${PSQL[@]}" -A -t -c "$1"; }
"${PSQL[@]}" -c 'CREATE EXTENSION tenant_guard' >/dev/null

# sample PIDFILE OUTFILE: waits for the backend's pid, then records the largest
# RssAnon (private, resident memory) and VmRSS seen every SAMPLE_MS ms until the
# backend exits. Pure bash reads: the sampler itself costs little CPU.
sample() {
    local pidfile=$1 outfile=$2 pid='' k v _ anon max_anon=0 rss max_rss=0 i
    for ((i = 0; i < 3000; i++)); do
        pid=$(tr -dc '0-9' <"$pidfile" 2>/dev/null || true)
        [ -n "$pid" ] && break
        sleep 0.01
    done
    [ -n "$pid" ] || return 0
    local delay
    delay=$(printf '0.%03d' "$SAMPLE_MS")
    [ "$SAMPLE_MS" -ge 1000 ] && delay=$((SAMPLE_MS / 1000))
    while [ -r "/proc/$pid/status" ]; do
        anon='' rss=''
        while read -r k v _; do
            case $k in RssAnon:) anon=$v ;; VmRSS:) rss=$v ;; esac
        done <"/proc/$pid/status" 2>/dev/null || true
        [ -n "$anon" ] && [ "$anon" -gt "$max_anon" ] && max_anon=$anon
        [ -n "$rss" ] && [ "$rss" -gt "$max_rss" ] && max_rss=$rss
        echo "$max_anon $max_rss" >"$outfile"
        sleep "$delay"
    done
}

header() {
    local cpu
    cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')
    echo "tenant_guard memory benchmark — $(date -u '+%F %T UTC')"
    echo "machine:  $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/^MemTotal/ {printf "%.0f GB RAM", $2/1048576}' /proc/meminfo)"
    echo "server:   $(q 'SELECT version()')"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) at start"
    echo "settings: $(q "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
                          FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'maintenance_work_mem',
                          'fsync', 'synchronous_commit', 'autovacuum', 'jit')")"
    echo "tenant_guard: version $(q "SELECT extversion FROM pg_extension WHERE extname = 'tenant_guard'"), $TG_SO sha256 $SO_ID…"
    echo "workload: per repetition and table: $ROWS rows ($TENANTS tenants, narrow shape), VACUUM ANALYZE +"
    echo "          CHECKPOINT, then 'UPDATE t SET qty = qty + 1' in a fresh session, then"
    echo "          'DELETE FROM t' in another, then in a third every row back in one statement:"
    echo "          undelete_where(actor => ...) of the DELETE (tenant_guard), the same INSERT as the"
    echo "          load (unprotected); REPS=$REPS, tables interleaved"
    echo "measured: in the session, /proc/self/status (pg_read_file) before and after the statement:"
    echo "          peak RSS growth = VmHWM after - VmRSS before (counts the shared_buffers pages the"
    echo "          backend touched, up to shared_buffers); and, sampled every ${SAMPLE_MS} ms from outside,"
    echo "          peak private growth = max RssAnon - RssAnon before (memory the backend allocated"
    echo "          for itself: executor, trigger queues, transition tables, the extension's own)"
}

# measure TABLE VARIANT OP REP -> "ms hwm_growth_kB anon_growth_kB" (empty on failure)
measure() {
    local tbl=$1 variant=$2 op=$3 rep=$4 stmt
    local name="${op}_${variant}_r$rep"
    local pidfile=$OUT/$name.pid samplefile=$OUT/$name.sample
    case $op in
    update) stmt="UPDATE $tbl SET qty = qty + 1" ;;
    delete) stmt="DELETE FROM $tbl" ;;
    undelete) if [ "$variant" = tg ]; then
            stmt="SELECT sum(restored) FROM tenant_guard.undelete_where(actor => 'memory-bench')"
        else stmt="INSERT INTO $tbl $(rows_of "$ROWS")"; fi ;;
    esac
    : >"$pidfile"
    : >"$samplefile"
    chmod 666 "$pidfile"
    [ "$variant" = tg ] && [ "$(so_id)" != "$SO_ID" ] &&
        warn "$name: tenant_guard.so is no longer the one the run started with: another build was installed"
    cat >"$OUT/$name.sql" <<SQL
SET tenant_guard.max_tenants_per_statement = 0;
SET tenant_guard.actor = 'memory-bench';
-- Load the library and warm the catalogs before the baseline figures are read.
SELECT count(*) FROM tenant_guard.protected_tables \\gset
-- What the statement works on: live rows, and the rows an undelete brings back.
SELECT count(*) AS n_before FROM (SELECT FROM $tbl UNION ALL SELECT FROM tenant_guard.tombstones
                                   WHERE rel = '$tbl'::regclass) AS r \\gset
\\pset tuples_only on
\\o $pidfile
SELECT pg_backend_pid();
\\o
\\pset tuples_only off
SELECT pg_sleep(0.05);
SELECT (regexp_match(s, 'VmRSS:\\s+(\\d+)'))[1]::bigint AS rss0,
       (regexp_match(s, 'RssAnon:\\s+(\\d+)'))[1]::bigint AS anon0
  FROM pg_read_file('/proc/self/status') AS s \\gset
SELECT clock_timestamp() AS t0 \\gset
$stmt;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1) AS ms \\gset
SELECT (regexp_match(s, 'VmHWM:\\s+(\\d+)'))[1]::bigint - :rss0 AS hwm_growth
  FROM pg_read_file('/proc/self/status') AS s \\gset
\\echo RESULT :ms :hwm_growth :anon0 :n_before
SQL
    sample "$pidfile" "$samplefile" &
    SAMPLER=$!
    if ! "${PSQL[@]}" -f "$OUT/$name.sql" >"$OUT/$name.log" 2>&1; then
        stop_sampler
        warn "$name FAILED: $(grep -m1 ERROR "$OUT/$name.log" || tail -n 1 "$OUT/$name.log")"
        return 0
    fi
    wait "$SAMPLER" 2>/dev/null || true
    SAMPLER=
    local ms hwm anon0 n max_anon
    read -r ms hwm anon0 n <<<"$(sed -n 's/^RESULT //p' "$OUT/$name.log" | tail -n 1)"
    max_anon=$(cut -d' ' -f1 "$samplefile" 2>/dev/null || true)
    if [ -z "$max_anon" ] || [ -z "$ms" ]; then warn "$name: no sample or no result"; return 0; fi
    [ "$op/$variant" = undelete/plain ] || [ "$n" = "$ROWS" ] || warn "$name: the table held $n rows, not $ROWS"
    echo "$ms $hwm $((max_anon > anon0 ? max_anon - anon0 : 0))"
}

# The rows every table is loaded with: ROWS rows of TENANTS tenants.
rows_of() {
    echo "SELECT i, 1 + i % $TENANTS, 'item ' || i, i % 1000, (i % 100000) / 100.0,
                 timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second'
            FROM generate_series(1, $1) AS i"
}

header | tee "$OUT/report.txt"
RESULTS=$OUT/results.tsv
: >"$RESULTS"
for rep in $(seq 1 "$REPS"); do
    if [ $((rep % 2)) = 1 ]; then order="plain tg"; else order="tg plain"; fi
    for variant in $order; do
        tbl=mem_${variant}_r$rep
        # Loaded before protect(): the load itself is not what is measured.
        "${PSQL[@]}" >/dev/null <<SQL
CREATE TABLE $tbl (id bigint PRIMARY KEY, tenant_id int NOT NULL, name text, qty int,
                   price numeric(12,2), updated_at timestamptz);
INSERT INTO $tbl $(rows_of "$ROWS");
SQL
        [ "$variant" = tg ] && q "SELECT tenant_guard.protect('$tbl')" >/dev/null
        for op in update delete undelete; do
            "${PSQL[@]}" -c VACUUM -c CHECKPOINT >/dev/null
            r=$(measure "$tbl" "$variant" "$op" "$rep")
            read -r ms hwm anon <<<"${r:-}"
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$op" "$variant" "$rep" "${ms:-\\N}" "${hwm:-\\N}" "${anon:-\\N}" >>"$RESULTS"
            printf '  rep %s/%s  %-6s  %-5s  %s\n' "$rep" "$REPS" "$op" "$variant" \
                "${ms:+$ms ms, peak RSS +$((hwm / 1024)) MB, peak private +$((anon / 1024)) MB}" >&2
        done
        # The unprotected table can go; a protected one cannot be dropped and stays (empty).
        [ "$variant" = plain ] && q "DROP TABLE $tbl" >/dev/null
    done
done

{
    echo
    "${PSQL[@]}" -P title="memory: one statement on $ROWS rows, $REPS interleaved reps (median)" \
        -f "$SQL/memory_report.sql" <"$RESULTS"
    if [ -s "$WARNINGS" ]; then echo; echo "warnings:"; sed 's/^/  /' "$WARNINGS"; fi
    echo
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at end"
} | tee -a "$OUT/report.txt"
echo "raw results, per-measurement SQL, logs and samples: $OUT"
