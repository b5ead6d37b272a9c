#!/usr/bin/env bash
# test/bench/entries.sh [--no-install]: what writing history as one entry per
# statement, table and tenant would cost, against one log row per changed row
# (issue 15, item 5: a design measurement, not a benchmark of tenant_guard's
# capture; capture.sh is that). Statement-level PL/pgSQL triggers write each
# layout (sql/entries_variants.sql); tenant_guard's own capture runs beside
# them for scale. Environment: ROWS (100000), TENANTS (100), REPS (3), PORT
# (55495), OUT. Prints, per statement, the median time of each variant and its
# ratio to no trigger (median of the per-repetition ratios), then what one
# INSERT adds to each history on disk (heap + indexes + TOAST) against the
# table's size with those rows.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
bench_args 10 "$@"
ROWS=${ROWS:-100000} TENANTS=${TENANTS:-100} REPS=${REPS:-3}
bench_positive ROWS TENANTS REPS
bench_output_dir
bench_install
bench_cluster_start "${PORT:-55495}"
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
q -c "CREATE EXTENSION tenant_guard" -f "$SQL/entries_variants.sql" >/dev/null

variants="baseline row_jsonb entry_jsonb entry_text entry_rec tenant_guard"
# empty VARIANT: its table, for the next repetition. The logs keep their
# history, as a log does (tenant_guard's cannot be emptied by hand).
empty() { q -c "SET tenant_guard.allow_truncate = on" -c "TRUNCATE e_$1"; }
# history_bytes VARIANT: heap + indexes + TOAST of its history.
history_bytes() {
    q -c "SELECT CASE '$1'
          WHEN 'baseline' THEN 0
          WHEN 'tenant_guard' THEN (SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i
                                     WHERE i.inhparent = 'tenant_guard.change_log_data'::regclass)
          ELSE pg_total_relation_size(('log_' || '$1')::regclass) END"
}
results=$OUT/results.tsv
: >"$results"
# ms STATEMENT: its time in the session, commit included.
ms() {
    q <<SQL
SET tenant_guard.max_tenants_per_statement = 0;
SELECT clock_timestamp() AS t0 \gset
$1;
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000);
SQL
}
for rep in $(seq 1 "$REPS"); do
    for v in $variants; do
        empty "$v"
        q -c "CHECKPOINT"
        printf '%s\tINSERT\t%s\t%s\n' "$rep" "$v" "$(ms "INSERT INTO e_$v SELECT i, 1 + i % $TENANTS, 'name ' || i, i % 1000,
            (i % 10000) / 100.0, '2026-01-01'::timestamptz + i * interval '1 second' FROM generate_series(1, $ROWS) AS i")" \
            >>"$results"
        printf '%s\tUPDATE\t%s\t%s\n' "$rep" "$v" "$(ms "UPDATE e_$v SET qty = qty + 1")" >>"$results"
        tg_log "repetition $rep: $v done"
    done
done

# What one more INSERT of ROWS rows adds to each history, against the table's
# size with those rows.
sizes=$OUT/sizes.tsv
: >"$sizes"
for v in $variants; do
    empty "$v"
    before=$(history_bytes "$v")
    q -c "INSERT INTO e_$v SELECT i, 1 + i % $TENANTS, 'name ' || i, i % 1000, (i % 10000) / 100.0,
              '2026-01-01'::timestamptz + i * interval '1 second' FROM generate_series(1, $ROWS) AS i" \
      -c "VACUUM e_$v"
    printf '%s\t%s\t%s\n' "$v" "$(($(history_bytes "$v") - before))" "$(q -c "SELECT pg_total_relation_size('e_$v')")" \
        >>"$sizes"
done

report=$OUT/report.txt
{
    echo "entries.sh: $ROWS narrow rows over $TENANTS tenants, $REPS repetitions, module $SO_ID, load $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    printf '%-8s %-14s %10s %12s\n' statement variant "median ms" "x no trigger"
    q <<SQL
CREATE TEMP TABLE r (rep int, stmt text, variant text, ms numeric);
\copy r FROM '$results'
SELECT format('%-8s %-14s %10s %12s', r.stmt, r.variant, percentile_disc(0.5) WITHIN GROUP (ORDER BY r.ms),
              round(percentile_disc(0.5) WITHIN GROUP (ORDER BY r.ms / nullif(b.ms, 0)), 2))
  FROM r JOIN r AS b ON b.rep = r.rep AND b.stmt = r.stmt AND b.variant = 'baseline'
 GROUP BY r.stmt, r.variant
 ORDER BY r.stmt, array_position(string_to_array('$variants', ' '), r.variant);
SQL
    echo
    printf '%-14s %14s %12s %16s\n' variant "history added" "table bytes" "history / table"
    while IFS=$'\t' read -r v h t; do
        printf '%-14s %14s %12s %16s\n' "$v" "$h" "$t" "$(awk -v h="$h" -v t="$t" 'BEGIN { printf "%.2f", h / t }')"
    done <"$sizes"
    [ -s "$WARNINGS" ] && { echo; echo "warnings:"; cat "$WARNINGS"; }
} | tee "$report"
