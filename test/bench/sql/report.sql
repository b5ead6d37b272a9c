-- One result table for shape :shape, from the measurements (TSV on psql's stdin:
-- shape, op, variant, rep, ms; \N for a failed measurement).
-- Ratios are taken within a repetition (same rep, same shape, same operation), then
-- the median of those per-rep ratios is shown.
\set ON_ERROR_STOP 1
\pset footer off
\pset null ''
CREATE TEMP TABLE bench_result (shape text, op text, variant text, rep int, ms float8);
\copy bench_result FROM pstdin

WITH r AS (SELECT op, variant, rep, ms FROM bench_result WHERE shape = :'shape'),
     base AS (SELECT op, rep, ms FROM r WHERE variant = 'baseline'),
     pl   AS (SELECT op, rep, ms FROM r WHERE variant = 'plpgsql'),
     pls  AS (SELECT op, rep, ms FROM r WHERE variant = 'plpgsql_stmt'),
     -- what "delete, keeping the rows" costs at least: delete them and insert them elsewhere
     ref  AS (SELECT 'delete'::text AS op, 'baseline DEL+INS'::text AS variant, d.rep, d.ms + i.ms AS ms
              FROM base AS d JOIN base AS i ON i.rep = d.rep AND i.op = 'insert'
              WHERE d.op = 'delete'),
     per_rep AS (
         SELECT a.op, a.variant, a.ms,
                a.ms / b.ms AS x_base,
                CASE WHEN a.variant = 'tenant_guard' THEN p.ms / a.ms END AS speedup,
                CASE WHEN a.variant = 'tenant_guard' THEN s.ms / a.ms END AS speedup_stmt,
                CASE WHEN a.variant IN ('plpgsql', 'plpgsql_stmt', 'tenant_guard') THEN a.ms / f.ms END AS x_ref
         FROM (SELECT * FROM r UNION ALL SELECT * FROM ref) AS a
         LEFT JOIN base AS b ON b.op = a.op AND b.rep = a.rep
         LEFT JOIN pl   AS p ON p.op = a.op AND p.rep = a.rep
         LEFT JOIN pls  AS s ON s.op = a.op AND s.rep = a.rep
         LEFT JOIN ref  AS f ON f.op = a.op AND f.rep = a.rep)
SELECT upper(op) AS operation,
       variant,
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms), 'FM999999990.0') AS "median ms",
       to_char(min(ms), 'FM999999990.0') || ' – ' || to_char(max(ms), 'FM999999990.0') AS "min – max ms",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY x_base), 'FM9990.00') AS "× baseline",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY speedup), 'FM9990.00') AS "tg speedup vs plpgsql (row)",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY speedup_stmt), 'FM9990.00') AS "tg speedup vs plpgsql_stmt",
       to_char(percentile_cont(0.5) WITHIN GROUP (ORDER BY x_ref), 'FM9990.00') AS "× DEL+INS (tg target ≤ 1.5)",
       count(ms) || '/' || count(*) AS "reps ok"
FROM per_rep
GROUP BY op, variant
ORDER BY array_position(ARRAY['insert', 'update', 'delete'], op),
         array_position(ARRAY['baseline', 'plpgsql', 'plpgsql_stmt', 'tenant_guard', 'baseline DEL+INS'], variant);
