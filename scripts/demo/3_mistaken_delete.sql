-- Step 3. The mistaken maintenance script. It was meant to act on some other
-- list, but was handed the ids of 100 live tenants, and it deletes their sites
-- for good. ON DELETE CASCADE takes every project, issue and comment with them.

-- The wrong list: 100 of the 300 tenants, scattered over the id range
-- (7919 is prime to 300, so t*7919 mod 300 is a permutation of 0..299).
CREATE TABLE demo_affected_tenants AS
SELECT t AS tenant_id FROM generate_series(1, 300) AS t WHERE t * 7919 % 300 < 100;

SELECT format('the script''s id list: %s tenants (%s, ...)',
              count(*), string_agg(tenant_id::text, ', ' ORDER BY tenant_id)
                        FILTER (WHERE tenant_id < 40)) AS line
  FROM demo_affected_tenants \gset
\echo :line

-- Written as one statement, the script is refused by tenant_guard before it
-- commits: it touches 100 tenants, tenant_guard.max_tenants_per_statement is 1.
-- (The attempt runs in a subtransaction that is always rolled back.)
CREATE TEMP TABLE demo_guard (line text);
DO $$
BEGIN
    BEGIN
        DELETE FROM sites WHERE tenant_id IN (SELECT tenant_id FROM demo_affected_tenants);
        RAISE EXCEPTION USING ERRCODE = 'DEMO0', MESSAGE = 'not refused';
    EXCEPTION
        WHEN SQLSTATE 'DEMO0' THEN
            INSERT INTO demo_guard VALUES
                ('one DELETE for all 100: NOT refused (guard rail inactive?), rolled back');
        WHEN OTHERS THEN
            INSERT INTO demo_guard VALUES
                (format('one DELETE for all 100: refused, %s: %s', SQLSTATE, SQLERRM));
    END;
END
$$;
SELECT line FROM demo_guard \gset
\echo :line

-- So, as automation scripts do, it deletes one tenant at a time: 100 separate
-- single-tenant DELETE statements, each of which the guard allows.
CREATE TEMP TABLE demo_delete_stats (statements int, sites_deleted bigint);
DO $$
DECLARE
    t int;
    n bigint;
    total bigint := 0;
    stmts int := 0;
BEGIN
    FOR t IN SELECT tenant_id FROM demo_affected_tenants ORDER BY tenant_id LOOP
        DELETE FROM sites WHERE tenant_id = t;
        GET DIAGNOSTICS n = ROW_COUNT;
        total := total + n;
        stmts := stmts + 1;
    END LOOP;
    INSERT INTO demo_delete_stats VALUES (stmts, total);
END
$$;
SELECT format('ran %s single-tenant DELETE statements, DELETE reported %s sites',
              statements, sites_deleted) AS line
  FROM demo_delete_stats \gset
\echo :line
\echo

-- What is gone from the tables, and what tenant_guard kept as tombstones.
CREATE TABLE demo_deleted AS
SELECT b.tbl, b.rows_before, l.rows_now, b.rows_before - l.rows_now AS rows_gone,
       coalesce(ts.tombstones, 0) AS tombstones
  FROM (SELECT tbl, sum(nrows) AS rows_before FROM demo_checksums_before GROUP BY tbl) AS b
  JOIN (SELECT 'sites' AS tbl, count(*) AS rows_now FROM sites
        UNION ALL SELECT 'projects', count(*) FROM projects
        UNION ALL SELECT 'issues',   count(*) FROM issues
        UNION ALL SELECT 'comments', count(*) FROM comments) AS l USING (tbl)
  LEFT JOIN (SELECT rel::text AS tbl, count(*) AS tombstones
               FROM tenant_guard.tombstones GROUP BY rel) AS ts USING (tbl);

SELECT tbl AS "table", rows_before AS "rows before", rows_now AS "rows now",
       rows_gone AS "gone", tombstones
  FROM demo_deleted
 ORDER BY array_position(ARRAY['sites', 'projects', 'issues', 'comments'], tbl);

-- Check: every row that is gone is a tombstone, and nothing else is.
DO $$
BEGIN
    IF EXISTS (SELECT FROM demo_deleted WHERE rows_gone <> tombstones OR rows_gone = 0) THEN
        RAISE EXCEPTION 'tombstones do not match the deleted rows';
    END IF;
END
$$;
