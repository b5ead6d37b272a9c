-- Objects shared by every measurement, created once per benchmark cluster.
--   bench_text_pool      1024 incompressible ~3 kB strings for wide.note (TOASTed in the table)
--   bench_ref_log        the PL/pgSQL reference's change log      (reference_tables.sql)
--   bench_ref_tombstone  the PL/pgSQL reference's tombstones
--   bench_history_bytes() bytes on disk of all history (before_run.sql, after_run.sql)
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

-- Bytes on disk (heap + indexes + TOAST) of all history: tenant_guard's change-log
-- segments and tombstones, and the PL/pgSQL references' log and tombstone tables.
CREATE FUNCTION bench_history_bytes() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(pg_catalog.pg_total_relation_size(c.oid)), 0)::bigint
      FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r'
       AND ((n.nspname = 'tenant_guard' AND (c.relname ~ '^change_log_[0-9]+$' OR c.relname = 'tombstone_data'))
            OR c.oid IN (to_regclass('public.bench_ref_log'), to_regclass('public.bench_ref_tombstone')))
$$;
