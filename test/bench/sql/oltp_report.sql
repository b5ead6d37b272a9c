-- oltp.sh: one result table from the measurements (TSV on psql's stdin: op, variant,
-- rep, tps, average latency ms; \N for a run that failed). The ratio is protected
-- TPS / unprotected TPS of the same repetition, then the median of those.
\set ON_ERROR_STOP 1
\pset footer off
\pset null ''
CREATE TEMP TABLE bench_result (op text, variant text, rep int, tps float8, lat float8);
\copy bench_result FROM pstdin

WITH per_rep AS (
    SELECT r.op, r.variant, r.tps, r.lat, r.tps / nullif(b.tps, 0) AS ratio
      FROM bench_result AS r
      LEFT JOIN bench_result AS b ON b.op = r.op AND b.rep = r.rep AND b.variant = 'plain')
SELECT CASE op WHEN 'insert' THEN 'INSERT 1 row'
               WHEN 'update' THEN 'UPDATE 1 row by key'
               WHEN 'delete' THEN 'DELETE 1 row by key + re-INSERT' END AS transaction,
       CASE variant WHEN 'plain' THEN 'unprotected (baseline)' ELSE 'tenant_guard' END AS "table",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY tps), 'FM9999990') AS "median TPS",
       to_char(min(tps), 'FM9999990') || ' – ' || to_char(max(tps), 'FM9999990') AS "min – max TPS",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY lat), 'FM990.000') AS "median latency ms",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio), 'FM990.00') AS "× baseline TPS",
       CASE WHEN variant = 'tg' THEN '≥ 0.75' END AS target,
       CASE WHEN variant = 'tg' THEN
            CASE WHEN percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) >= 0.75 THEN 'met' ELSE 'MISSED' END
       END AS "vs target",
       count(tps) || '/' || count(*) AS "reps ok"
  FROM per_rep
 GROUP BY op, variant
 ORDER BY array_position(ARRAY['insert', 'update', 'delete'], op), variant;
