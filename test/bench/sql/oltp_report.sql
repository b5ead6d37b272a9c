-- oltp.sh: one result table from the measurements (TSV on psql's stdin: op, variant,
-- rep, tps, average latency ms; \N for a run that failed). The ratios are a
-- variant's TPS / unprotected TPS of the same repetition, and tenant_guard's TPS /
-- the reference row trigger's, then the median of those.
\set ON_ERROR_STOP 1
\pset footer off
\pset null ''
CREATE TEMP TABLE bench_result (op text, variant text, rep int, tps float8, lat float8);
\copy bench_result FROM pstdin

WITH per_rep AS (
    SELECT r.op, r.variant, r.tps, r.lat, r.tps / nullif(b.tps, 0) AS ratio,
           CASE WHEN r.variant = 'tg' THEN r.tps / nullif(f.tps, 0) END AS ref_ratio
      FROM bench_result AS r
      LEFT JOIN bench_result AS b ON b.op = r.op AND b.rep = r.rep AND b.variant = 'plain'
      LEFT JOIN bench_result AS f ON f.op = r.op AND f.rep = r.rep AND f.variant = 'ref')
SELECT CASE op WHEN 'insert' THEN 'INSERT 1 row'
               WHEN 'update' THEN 'UPDATE 1 row by key'
               WHEN 'delete' THEN 'DELETE 1 row by key + re-INSERT' END AS transaction,
       CASE variant WHEN 'plain' THEN 'unprotected (baseline)' WHEN 'ref' THEN 'PL/pgSQL row trigger (reference)'
                    ELSE 'tenant_guard' END AS "table",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY tps), 'FM9999990') AS "median TPS",
       to_char(min(tps), 'FM9999990') || ' – ' || to_char(max(tps), 'FM9999990') AS "min – max TPS",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY lat), 'FM990.000') AS "median latency ms",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio), 'FM990.00') AS "× baseline TPS",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY ref_ratio), 'FM990.00') AS "× reference TPS",
       CASE WHEN variant = 'tg' THEN '≥ 0.85, ≥ 1.15× ref' END AS target,
       CASE WHEN variant = 'tg' THEN
            CASE WHEN percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) >= 0.85
                  AND coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY ref_ratio) >= 1.15, true)
                 THEN 'met' ELSE 'MISSED' END
       END AS "vs target",
       count(tps) || '/' || count(*) AS "reps ok"
  FROM per_rep
 GROUP BY op, variant
 ORDER BY array_position(ARRAY['insert', 'update', 'delete'], op), array_position(ARRAY['plain', 'ref', 'tg'], variant);
