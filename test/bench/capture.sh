#!/usr/bin/env bash
# test/bench/capture.sh — what change capture costs: bulk INSERT / UPDATE / DELETE of
# ROWS rows on identical tables, with no trigger ("baseline"), with a PL/pgSQL row
# trigger doing the same logging and tombstoning ("plpgsql", sql/reference_trigger.sql), with
# the statement-level triggers with transition tables a careful DBA would write
# ("plpgsql_stmt", same file)
# and protected by the extension ("tenant_guard"). Prints one table per table shape.
# A benchmark, not a test: it never fails on time. See README.md in this directory.
#
#   test/bench/capture.sh [--no-install]
#
# Environment: ROWS (100000), TENANTS (100), REPS (3), VARIANTS ("baseline plpgsql plpgsql_stmt tenant_guard"),
# SHAPES ("narrow wide"), PORT (55490), OUT (directory for logs and results.tsv;
# default a new /tmp/tg_bench_capture.XXXXXX).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_args 12 "$@"

ROWS=${ROWS:-100000}
TENANTS=${TENANTS:-100}
REPS=${REPS:-3}
VARIANTS=${VARIANTS:-"baseline plpgsql plpgsql_stmt tenant_guard"}
SHAPES=${SHAPES:-"narrow wide"}
PORT=${PORT:-55490}
OPS="insert update delete"
bench_positive ROWS TENANTS REPS PORT
for v in $VARIANTS; do
    case $v in baseline|plpgsql|plpgsql_stmt|tenant_guard) ;; *) echo "capture.sh: unknown variant $v" >&2; exit 2 ;; esac
done
for s in $SHAPES; do
    case $s in narrow|wide) ;; *) echo "capture.sh: unknown shape $s" >&2; exit 2 ;; esac
done
bench_output_dir
bench_install
bench_cluster_start "$PORT"

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -f "$SQL/setup.sql" >/dev/null
"${PSQL[@]}" -f "$SQL/reference_trigger.sql" >/dev/null

skipped_note=
if [[ " $VARIANTS " == *" tenant_guard "* ]]; then
    if ! err=$("${PSQL[@]}" -c 'CREATE EXTENSION tenant_guard' 2>&1); then
        skipped_note="tenant_guard SKIPPED: CREATE EXTENSION failed: $(printf '%s' "$err" | head -n 3 | tr '\n' ' ')"
        tg_log "$skipped_note"
        VARIANTS=$(printf '%s\n' $VARIANTS | grep -vx tenant_guard | tr '\n' ' ')
    fi
fi

q() { "${PSQL[@]}" -A -t -c "$1"; }

header() {
    local cpu ext
    cpu=$(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')
    echo "tenant_guard capture benchmark — $(date -u '+%F %T UTC')"
    echo "machine:  $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/^MemTotal/ {printf "%.0f GB RAM", $2/1048576}' /proc/meminfo)"
    echo "server:   $(q 'SELECT version()')"
    echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) at start (other work on the machine adds noise)"
    echo "settings: $(q "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
                          FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit',
                          'full_page_writes', 'autovacuum', 'max_wal_size', 'wal_level', 'jit')")"
    ext=$(q "SELECT coalesce((SELECT 'version ' || extversion FROM pg_extension WHERE extname = 'tenant_guard'), 'not installed')")
    [ -f "$TG_SO" ] && ext="$ext, $TG_SO $(date -r "$TG_SO" '+%F %T') sha256 $SO_ID…"
    echo "tenant_guard: $ext"
    [ -n "$skipped_note" ] && echo "!! $skipped_note"
    echo "workload: ROWS=$ROWS, TENANTS=$TENANTS interleaved, REPS=$REPS, variants: $VARIANTS"
    echo "timing:   psql \\timing of the statement alone, run in autocommit: parse/plan, execution,"
    echo "          every AFTER row/statement trigger, commit; one Unix-socket round trip."
    echo "          A fresh table per measurement; VACUUM ANALYZE + CHECKPOINT right before it."
}

# measure SHAPE OP VARIANT REP: one measurement in one psql session. Prints the
# statement's milliseconds, or nothing when it failed; details in $OUT/<table>.log,
# problems appended to $WARNINGS.
measure() {
    local shape=$1 op=$2 variant=$3 rep=$4
    local tbl="bench_${variant}_${shape}_${op}_r${rep}" opc
    local script="$OUT/$tbl.sql" log="$OUT/$tbl.log"
    case $op in insert) opc=I ;; update) opc=U ;; delete) opc=D ;; esac
    [ "$variant" = tenant_guard ] && check_so "$shape $op $variant rep $rep"
    {
        echo "\\set tbl $tbl"
        echo "\\set tenants $TENANTS"
        echo "\\set opc $opc"
        case $variant in
            plpgsql|plpgsql_stmt) echo "\\set log_rel bench_ref_log"
                     echo "\\set tomb_rel bench_ref_tombstone" ;;
            tenant_guard) echo "\\set log_rel tenant_guard.change_log"
                          echo "\\set tomb_rel tenant_guard.tombstones" ;;
        esac
        echo "\\i '$SQL/$shape.sql'"
        echo "\\i '$SQL/variant_$variant.sql'"
        echo "\\i '$SQL/session.sql'"
        # INSERT: one row (id 0) first, so that library loading, function compilation
        # and per-relation caches are warm; UPDATE/DELETE: the rows they work on.
        if [ "$op" = insert ]; then echo '\set lo 0'; echo '\set hi 0'
        else echo '\set lo 1'; echo "\\set hi $ROWS"; fi
        echo "\\i '$SQL/${shape}_rows.sql'"
        echo "\\i '$SQL/before_run.sql'"
        echo '\set lo 1'
        echo "\\set hi $ROWS"
        echo "\\echo TIMED $op"
        echo '\timing on'
        case $op in
            insert) echo "\\i '$SQL/${shape}_rows.sql'" ;;
            update) echo 'UPDATE :"tbl" SET qty = qty + 1;' ;;
            delete) echo 'DELETE FROM :"tbl";' ;;
        esac
        echo '\timing off'
        echo "\\i '$SQL/after_run.sql'"
        # tenant_guard refuses to drop a protected table: those stay (new name per rep).
        [ "$variant" != tenant_guard ] && echo 'DROP TABLE :"tbl";'
        true
    } >"$script"

    if ! "${PSQL[@]}" -f "$script" >"$log" 2>&1; then
        warn "$shape $op $variant rep $rep FAILED: $(grep -m1 'ERROR' "$log" || tail -n 1 "$log")"
        return 0
    fi
    local ms counts want_rows want_log want_tomb
    ms=$(sed -n '/^TIMED/,$p' "$log" | awk '/^Time: / {print $2; exit}')
    if [ -z "$ms" ]; then
        warn "$shape $op $variant rep $rep: no timing in $log"
        return 0
    fi
    counts=$(awk '/^COUNTS / {print $2, $3, $4}' "$log")
    case $op in
        insert) want_rows=$((ROWS + 1)) want_log=$ROWS want_tomb=0 ;;
        update) want_rows=$ROWS want_log=$ROWS want_tomb=0 ;;
        delete) want_rows=0 want_log=$ROWS want_tomb=$ROWS ;;
    esac
    [ "$variant" = baseline ] && want_log=- want_tomb=-
    if [ "$counts" != "$want_rows $want_log $want_tomb" ]; then
        if [[ "$counts" =~ ^[0-9]+\ [0-9-]+\ [0-9-]+$ ]]; then
            # The statement did not do the work it is compared on: leave it out.
            warn "$shape $op $variant rep $rep: $ms ms NOT COUNTED: rows left / log rows / tombstones = $counts, expected $want_rows $want_log $want_tomb"
            return 0
        fi
        warn "$shape $op $variant rep $rep: could not verify the capture (see $log)"
    fi
    local sizes table_bytes
    sizes=$(awk '/^SIZES / {print $2, $3, $4}' "$log")
    if [[ $sizes =~ ^([0-9]+)\ ([0-9]+)\ (-?[0-9]+)$ ]] && [ "$variant" != baseline ]; then
        # "The same rows in the table": after an INSERT, before an UPDATE or DELETE.
        table_bytes=${BASH_REMATCH[1]}
        [ "$op" = insert ] && table_bytes=${BASH_REMATCH[2]}
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$shape" "$op" "$variant" "$rep" "$table_bytes" \
            "${BASH_REMATCH[3]}" >>"$SIZES"
    fi
    echo "$ms"
}

header | tee "$OUT/report.txt"
RESULTS=$OUT/results.tsv
SIZES=$OUT/sizes.tsv
: >"$RESULTS"
: >"$SIZES"
for rep in $(seq 1 "$REPS"); do
    for shape in $SHAPES; do
        for op in $OPS; do
            for variant in $VARIANTS; do
                ms=$(measure "$shape" "$op" "$variant" "$rep")
                printf '%s\t%s\t%s\t%s\t%s\n' "$shape" "$op" "$variant" "$rep" "${ms:-\\N}" >>"$RESULTS"
                printf '  rep %s/%s  %-6s  %-6s  %-12s  %s\n' "$rep" "$REPS" "$shape" "$op" "$variant" \
                    "$( [ -n "$ms" ] && echo "$ms ms" || echo 'not counted, see warnings')" >&2
            done
        done
    done
done

for shape in $SHAPES; do
    echo
    case $shape in narrow) what='6 columns' ;; wide) what='30 columns, one ~3 kB TOASTed text' ;; esac
    "${PSQL[@]}" -v shape="$shape" -P title="$shape ($what): $ROWS rows, $REPS reps" \
        -f "$SQL/report.sql" <"$RESULTS"
    echo
    "${PSQL[@]}" -v shape="$shape" -v rows="$ROWS" \
        -P title="$shape: history on disk (heap + indexes + TOAST) per logged row, target ≤ the table's" \
        -f "$SQL/report_disk.sql" <"$SIZES"
done | tee -a "$OUT/report.txt"
if [ -s "$WARNINGS" ]; then
    { echo; echo "warnings:"; sed 's/^/  /' "$WARNINGS"; } | tee -a "$OUT/report.txt"
fi
echo
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at end" | tee -a "$OUT/report.txt"
echo "raw results, per-measurement SQL and logs: $OUT"
