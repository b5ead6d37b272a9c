-- Objects shared by every measurement, created once per benchmark cluster.
--   bench_text_pool      1024 incompressible ~3 kB strings for wide.note (TOASTed in the table)
--   bench_ref_log        the PL/pgSQL reference's change log      (reference_tables.sql)
--   bench_ref_tombstone  the PL/pgSQL reference's tombstones
-- The reference trigger function itself is in reference_trigger.sql.

SELECT setseed(0.42);

-- md5 hex digits do not compress by pglz's 25 % rule, so a 3 kB value is stored
-- out of line. STORAGE PLAIN keeps the pool's own copies inline: the INSERT under
-- test then reads them from the hash join without detoasting another table.
CREATE TABLE bench_text_pool (k int PRIMARY KEY, s text NOT NULL);
ALTER TABLE bench_text_pool ALTER COLUMN s SET STORAGE PLAIN;
INSERT INTO bench_text_pool (k, s)
SELECT k, string_agg(md5(random()::text), '' ORDER BY j)   -- 94 x 32 = 3008 chars
FROM generate_series(0, 1023) AS k CROSS JOIN generate_series(1, 94) AS j
GROUP BY k;
VACUUM ANALYZE bench_text_pool;

\ir reference_tables.sql
