-- Run after the timed statement: what the statement did, for capture.sh to check.
-- Prints: COUNTS <rows left in table> <log rows of this op added> <tombstones added>
-- (log and tombstone figures are "-" for a variant without a log).
\set ON_ERROR_STOP 0
SELECT count(*) AS rows_after FROM :"tbl" \gset
\if :{?log_rel}
SELECT count(*) - :log_before AS log_added FROM :log_rel
WHERE rel = :'tbl'::regclass AND op = :'opc' \gset
SELECT count(*) - :tomb_before AS tomb_added FROM :tomb_rel WHERE rel = :'tbl'::regclass \gset
\else
\set log_added -
\set tomb_added -
\endif
\echo COUNTS :rows_after :log_added :tomb_added
-- Prints: SIZES <table bytes before> <table bytes after> <history bytes added>
SELECT pg_total_relation_size(:'tbl') AS table_after, bench_history_bytes() - :history_before AS history_added \gset
\echo SIZES :table_before :table_after :history_added
