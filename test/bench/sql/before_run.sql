-- Run right before the timed statement: every variant gets the same treatment.
-- VACUUM sets hint bits and the visibility map on the freshly loaded rows (so the
-- statement does not pay for them) and ANALYZE gives the planner statistics; the log
-- tables of both capturing variants are vacuumed too, whichever variant runs.
-- CHECKPOINT flushes dirty buffers so no checkpoint runs during the statement.
-- Needs :tbl, :log_rel, :tomb_rel (empty: this variant keeps no log), :opc.
VACUUM ANALYZE :"tbl";
VACUUM ANALYZE bench_ref_log, bench_ref_tombstone;
SELECT format('VACUUM ANALYZE %s', c.oid::regclass)
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = 'tenant_guard' AND c.relkind IN ('r', 'm')
ORDER BY c.oid \gexec
CHECKPOINT;

\set log_before 0
\set tomb_before 0
\if :{?log_rel}
SELECT count(*) AS log_before FROM :log_rel WHERE rel = :'tbl'::regclass AND op = :'opc' \gset
SELECT count(*) AS tomb_before FROM :tomb_rel WHERE rel = :'tbl'::regclass \gset
\endif

-- Bytes on disk (heap, indexes, TOAST) of the table and of every history
-- relation of both capturing variants (only the running one grows): after_run
-- prints the statement's history bytes per logged row.
SELECT pg_total_relation_size(:'tbl') AS table_before, bench_history_bytes() AS history_before \gset
