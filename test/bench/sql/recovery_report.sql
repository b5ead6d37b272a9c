-- recovery.sh: one result table from the measurements (TSV on psql's stdin:
-- measure, variant, rep, ms, units; \N for a failed measurement). Ratios are taken
-- within a repetition (the variant against its measurement's baseline of the same
-- rep), then the median of those per-rep ratios is shown; rates likewise.
-- psql variables: :bulk, :purge, :rounds, :probe_rounds, :changes_max (for labels).
\set ON_ERROR_STOP 1
\pset footer off
\pset null ''
CREATE TEMP TABLE bench_result (measure text, variant text, rep int, ms float8, units float8);
\copy bench_result FROM pstdin

-- What each line is: its order, its label, which variant is its baseline, what the
-- units count, and the target from issue #7 (kind: max_ratio = × baseline at most,
-- min_ratio = × baseline at least, min_rate = units per second at least).
CREATE TEMP TABLE bench_meta (measure text, variant text, ord int, label text, baseline text, unit text,
                              target_kind text, target float8, target_text text);
INSERT INTO bench_meta VALUES
 ('a', 'plain', 10, '(a) undelete 1 tenant | plain INSERT…SELECT into unprotected twin', 'plain', 'rows', NULL, NULL, NULL),
 ('a', 'captured', 11, '(a) undelete 1 tenant | INSERT…SELECT into protected tables', 'plain', 'rows', NULL, NULL, NULL),
 ('a', 'tg',    12, '(a) undelete 1 tenant | tenant_guard.undelete()', 'plain', 'rows', 'max_ratio', 1.5, '≤ 1.5× plain'),
 ('b', 'plain', 20, '(b) bulk, ' || :'bulk' || ' tenants | plain INSERT…SELECT into twin', 'plain', 'rows', NULL, NULL, NULL),
 ('b', 'tg',    21, '(b) bulk, ' || :'bulk' || ' tenants | undelete() per tenant, 1 stmt', 'plain', 'rows', 'min_rate', 100000, '≥ 100k rows/s'),
 ('c', 'plain', 30, '(c) rewind 1 tenant, ' || :'rounds' || ' rounds | the same DML forward on twin', 'plain', 'changes', NULL, NULL, NULL),
 ('c', 'tg',    31, '(c) rewind 1 tenant, ' || :'rounds' || ' rounds | tenant_guard.rewind(to_mark)', 'plain', 'changes', 'min_rate', 50000, '≥ 50k changes/s'),
 ('d', 'plain', 40, '(d) purge ' || :'purge' || ' tenants | plain DELETE (cascade) on twin', 'plain', 'rows', NULL, NULL, NULL),
 ('d', 'tg',    41, '(d) purge ' || :'purge' || ' tenants | tenant_guard.purge(), live+tomb+history', 'plain', 'rows', 'min_rate', 200000, '≥ 200k rows/s'),
 ('e1', 'plain', 50, '(e) changes() from oldest, first ' || :'changes_max' || ' | one SELECT of change_log', 'plain', 'changes', NULL, NULL, NULL),
 ('e1', 'tg',    51, '(e) changes() from oldest, first ' || :'changes_max' || ' | changes(cursor, 10000) loop', 'plain', 'changes', 'min_rate', 200000, '≥ 200k changes/s'),
 ('e2', 'plain', 52, '(e) changes() of the rep''s own, first ' || :'changes_max' || ' | one SELECT of change_log', 'plain', 'changes', NULL, NULL, NULL),
 ('e2', 'tg',    53, '(e) changes() of the rep''s own, first ' || :'changes_max' || ' | changes(cursor, 10000) loop', 'plain', 'changes', 'min_rate', 200000, '≥ 200k changes/s'),
 ('f1', 'x1',  60, '(f) undelete probe tenant | 1× other data', 'x1', 'rows', NULL, NULL, NULL),
 ('f1', 'x10', 61, '(f) undelete probe tenant | 10× other data', 'x1', 'rows', 'max_ratio', 1.5, '≤ 1.5× the 1× time'),
 ('f2', 'x1',  62, '(f) rewind probe tenant, ' || :'probe_rounds' || ' rounds | 1× other data', 'x1', 'changes', NULL, NULL, NULL),
 ('f2', 'x10', 63, '(f) rewind probe tenant, ' || :'probe_rounds' || ' rounds | 10× other data', 'x1', 'changes', 'max_ratio', 1.5, '≤ 1.5× the 1× time'),
 ('g', 'tg',       70, '(g) 1 tenant back | tenant_guard.undelete() (= a)', 'tg', 'rows', NULL, NULL, NULL),
 ('g', 'dump',     71, '(g) conventional | pg_dump -Fc whole db (before)', 'tg', NULL, NULL, NULL, NULL),
 ('g', 'restore',  72, '(g) conventional | createdb + pg_restore scratch', 'tg', NULL, NULL, NULL, NULL),
 ('g', 'copy',     73, '(g) conventional | copy tenant back, FK order', 'tg', 'rows', NULL, NULL, NULL),
 ('g', 'conv_rc',  74, '(g) conventional | restore + copy', 'tg', 'rows', 'min_ratio', 100, '≥ 100× undelete'),
 ('g', 'conv_all', 75, '(g) conventional | dump + restore + copy', 'tg', 'rows', 'min_ratio', 100, '≥ 100× undelete');

WITH per_rep AS (
    SELECT m.ord, m.label, m.unit, m.target_kind, m.target, m.target_text,
           r.ms, r.units, r.units / nullif(r.ms, 0) * 1000 AS rate, r.ms / nullif(b.ms, 0) AS ratio
      FROM bench_meta AS m
      JOIN bench_result AS r USING (measure, variant)
      LEFT JOIN bench_result AS b ON b.measure = r.measure AND b.variant = m.baseline AND b.rep = r.rep),
agg AS (
    SELECT ord, label, unit, target_kind, target, target_text,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS ms,
           min(ms) AS lo, max(ms) AS hi,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY units) AS units,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY rate) AS rate,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS ratio,
           count(ms) AS ok, count(*) AS n
      FROM per_rep
     GROUP BY ord, label, unit, target_kind, target, target_text)
SELECT split_part(label, ' | ', 1) AS measurement,
       split_part(label, ' | ', 2) AS variant,
       to_char(ms, 'FM999999990.0') AS "median ms",
       to_char(lo, 'FM999999990.0') || ' – ' || to_char(hi, 'FM999999990.0') AS "min – max ms",
       CASE WHEN unit IS NOT NULL THEN to_char(units, 'FM999999990') || ' ' || unit END AS "work",
       CASE WHEN unit IS NOT NULL THEN to_char(rate, 'FM999999990') || ' ' || unit || '/s' END AS "rate (median)",
       to_char(ratio, 'FM999990.00') || '×' AS "× baseline",
       target_text AS target,
       CASE target_kind
            WHEN 'max_ratio' THEN CASE WHEN ratio <= target THEN 'met' ELSE 'MISSED' END
            WHEN 'min_ratio' THEN CASE WHEN ratio >= target THEN 'met' ELSE 'MISSED' END
            WHEN 'min_rate'  THEN CASE WHEN rate >= target THEN 'met' ELSE 'MISSED' END
       END AS "vs target",
       ok || '/' || n AS "reps ok"
  FROM agg
 ORDER BY ord;
