-- capture.sh: what each capturing variant wrote to disk for shape :shape, from
-- the measurements (TSV on psql's stdin: shape, op, variant, rep, table bytes,
-- history bytes added by the statement). Per logged row (:rows per statement):
-- the history's bytes against the table's own bytes for the same rows (after
-- an INSERT, before an UPDATE or DELETE). Medians over repetitions.
\set ON_ERROR_STOP 1
\pset footer off
CREATE TEMP TABLE bench_size (shape text, op text, variant text, rep int, table_bytes float8, history_bytes float8);
\copy bench_size FROM pstdin
SELECT upper(op) AS operation, variant,
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY table_bytes / :rows), 'FM999990') AS "table B/row",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY history_bytes / :rows), 'FM999990') AS "history B/row",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY history_bytes / table_bytes), 'FM9990.00') AS "history / table",
       count(*) AS reps
  FROM bench_size
 WHERE shape = :'shape'
 GROUP BY op, variant
 ORDER BY array_position(ARRAY['insert', 'update', 'delete'], op),
          array_position(ARRAY['plpgsql', 'plpgsql_stmt', 'tenant_guard'], variant);
