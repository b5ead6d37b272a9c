-- memory.sh: one result table from the measurements (TSV on psql's stdin: op, variant,
-- rep, statement ms, peak RSS growth kB, peak private growth kB; \N when it failed).
-- "− baseline" is the protected figure minus the unprotected one of the same
-- repetition, then the median of those.
\set ON_ERROR_STOP 1
\pset footer off
\pset null ''
CREATE TEMP TABLE bench_result (op text, variant text, rep int, ms float8, hwm_kb float8, anon_kb float8);
\copy bench_result FROM pstdin

WITH per_rep AS (
    SELECT r.op, r.variant, r.ms, r.hwm_kb / 1024 AS hwm, r.anon_kb / 1024 AS anon,
           (r.anon_kb - b.anon_kb) / 1024 AS anon_extra
      FROM bench_result AS r
      LEFT JOIN bench_result AS b ON b.op = r.op AND b.rep = r.rep AND b.variant = 'plain'),
agg AS (
    SELECT op, variant,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY hwm) AS hwm, min(hwm) AS hwm_lo, max(hwm) AS hwm_hi,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY anon) AS anon, min(anon) AS anon_lo, max(anon) AS anon_hi,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY anon_extra) AS anon_extra,
           count(ms) AS ok, count(*) AS n
      FROM per_rep GROUP BY op, variant)
SELECT CASE op WHEN 'undelete' THEN 'undelete_where of all rows (baseline: their re-INSERT)'
                ELSE upper(op) || ' all rows' END AS statement,
       CASE variant WHEN 'plain' THEN 'unprotected (baseline)' ELSE 'tenant_guard' END AS "table",
       to_char(ms, 'FM9999990') AS "median ms",
       to_char(anon, 'FM99990.0') AS "peak private MB",
       to_char(anon_lo, 'FM99990.0') || ' – ' || to_char(anon_hi, 'FM99990.0') AS "min – max",
       CASE WHEN variant = 'tg' THEN to_char(anon_extra, 'FM99990.0') END AS "− baseline MB",
       to_char(hwm, 'FM99990.0') AS "peak RSS MB (incl. shared)",
       to_char(hwm_lo, 'FM99990.0') || ' – ' || to_char(hwm_hi, 'FM99990.0') AS "min – max ",
       CASE WHEN variant = 'tg' THEN '< 100 MB private' END AS target,
       CASE WHEN variant = 'tg' THEN CASE WHEN anon < 100 THEN 'met' ELSE 'MISSED' END END AS "vs target",
       ok || '/' || n AS "reps ok"
  FROM agg
 ORDER BY array_position(ARRAY['update', 'delete', 'undelete'], op), variant;
