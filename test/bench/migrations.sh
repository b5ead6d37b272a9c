#!/usr/bin/env bash
# test/bench/migrations.sh — what a migration of a protected table costs when
# its history is large: ADD COLUMN (a non-volatile default, none, a volatile
# one) and ALTER COLUMN TYPE (a cast, USING, a widening that needs no pass)
# on a table with BENCH_ROWS tombstones and 2 x BENCH_ROWS changes, against
# RENAME COLUMN (the same kind of pass over the history) and the same DDL on
# an unprotected table of BENCH_ROWS live rows. Each DDL runs in its own
# transaction, rolled back, the history vacuumed in between; medians of
# BENCH_REPS interleaved repetitions. A benchmark: it never fails on a figure.
#
#   test/bench/migrations.sh [--no-install]         (or BENCH_NO_INSTALL=1)
#
# Environment: BENCH_ROWS (100000), BENCH_REPS (3), PORT (55496), OUT,
# TG_EXTRA_CONF, BENCH_PG_BIN (run the cluster from another PostgreSQL 15 bin
# directory, e.g. make check's tmp_install, with --no-install).
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_args 15 "$@"
TG_PG_BIN=${BENCH_PG_BIN:-$TG_PG_BIN}

ROWS=${BENCH_ROWS:-100000}
REPS=${BENCH_REPS:-3}
PORT=${PORT:-55496}
bench_positive ROWS REPS PORT
bench_output_dir
bench_install
bench_cluster_start "$PORT"

PSQL=(psql -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c 'CREATE EXTENSION tenant_guard' >/dev/null

tg_log "loading $ROWS rows into a protected and an unprotected table, deleting the protected ones"
"${PSQL[@]}" >/dev/null <<SQL
CREATE TABLE history (tenant_id int NOT NULL, id int PRIMARY KEY, name text, qty int, price numeric(10,2),
                      note text, created timestamptz);
CREATE TABLE plain (LIKE history INCLUDING ALL);
SELECT tenant_guard.protect('history');
INSERT INTO history SELECT 1, g, 'name ' || g, g % 100, g / 7.0, repeat('x', 40),
                           '2024-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, $ROWS) g;
INSERT INTO plain SELECT * FROM history;
DELETE FROM history;
VACUUM ANALYZE;
SQL

# The operations: name, then the DDL with @ for the table.
OPS=(
    "rename|ALTER TABLE @ RENAME COLUMN note TO remark"
    "add_default|ALTER TABLE @ ADD COLUMN priority int DEFAULT 0 NOT NULL"
    "add_null|ALTER TABLE @ ADD COLUMN extra int"
    "add_volatile|ALTER TABLE @ ADD COLUMN token uuid DEFAULT gen_random_uuid()"
    "type_cast|ALTER TABLE @ ALTER COLUMN price TYPE int"
    "type_using|ALTER TABLE @ ALTER COLUMN qty TYPE text USING 'q' || qty"
    "type_widen|ALTER TABLE @ ALTER COLUMN qty TYPE bigint"
)
RESULTS=$OUT/results.tsv
: >"$RESULTS"
# measure TABLE OP DDL REP: one rolled-back DDL, its time in ms.
measure() {
    local table=$1 op=$2 ddl=${3//@/$1} rep=$4 ms
    "${PSQL[@]}" -c 'VACUUM tenant_guard.tombstone_data, tenant_guard.change_log_data' -c CHECKPOINT >/dev/null
    ms=$("${PSQL[@]}" -c '\timing on' -c 'BEGIN' -c "$ddl" -c 'ROLLBACK' 2>&1 |
         sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | sed -n 2p)
    [ -n "$ms" ] || { warn "$table $op rep $rep: no time"; return; }
    printf '%s\t%s\t%s\t%s\n' "$table" "$op" "$rep" "$ms" >>"$RESULTS"
}
for ((rep = 1; rep <= REPS; rep++)); do
    tg_log "repetition $rep of $REPS"
    for entry in "${OPS[@]}"; do
        op=${entry%%|*} ddl=${entry#*|}
        measure history "$op" "$ddl" "$rep"
        measure plain "$op" "$ddl" "$rep"
    done
done
check_so "the run"

images=$((3 * ROWS))  # each deleted row: its tombstone, its 'I' and 'D' changes
{
    echo "migrations: $ROWS tombstones and $((2 * ROWS)) changes (history) vs $ROWS live rows (plain);"
    echo "median of $REPS (min-max), ms; history images per second of the protected table's DDL"
    echo
    echo "| DDL | protected, history only | unprotected, $ROWS live rows | images/s |"
    echo "|---|---|---|---|"
    for entry in "${OPS[@]}"; do
        op=${entry%%|*}
        stats() {
            awk -F'\t' -v t="$1" -v o="$op" '$1 == t && $2 == o { print $4 }' "$RESULTS" | sort -n |
                awk '{ v[NR] = $1 } END { if (NR) printf "%.0f %.0f %.0f", v[int((NR + 1) / 2)], v[1], v[NR] }'
        }
        read -r hm hmin hmax <<<"$(stats history)" || true
        read -r pm pmin pmax <<<"$(stats plain)" || true
        # (a DDL that needs no pass over the history: no rate)
        rate=$(awk -v n="$images" -v ms="${hm:-0}" 'BEGIN { if (ms > 50) printf "%.0f", n / (ms / 1000); else print "-" }')
        echo "| $op | ${hm:-?} (${hmin:-?}-${hmax:-?}) | ${pm:-?} (${pmin:-?}-${pmax:-?}) | $rate |"
    done
    if [ -s "$WARNINGS" ]; then echo; echo "warnings:"; cat "$WARNINGS"; fi
} | tee "$OUT/report.txt"
