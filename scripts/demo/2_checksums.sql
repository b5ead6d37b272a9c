-- Step 2. Fingerprint every tenant's data before anything happens: for each
-- table and tenant, the md5 of all its rows in their text form, in id order.
-- Any difference in any column of any row -- a timestamp off by a microsecond,
-- a numeric that lost its trailing zero, a reordered jsonb array -- changes it.
-- The fingerprints live in ordinary tables, outside the protected ones.

CREATE VIEW demo_checksums AS
SELECT 'sites'::text AS tbl, tenant_id, count(*) AS nrows,
       md5(string_agg(t::text, '|' ORDER BY id)) AS md5
  FROM sites AS t GROUP BY tenant_id
UNION ALL
SELECT 'projects', tenant_id, count(*), md5(string_agg(t::text, '|' ORDER BY id))
  FROM projects AS t GROUP BY tenant_id
UNION ALL
SELECT 'issues', tenant_id, count(*), md5(string_agg(t::text, '|' ORDER BY id))
  FROM issues AS t GROUP BY tenant_id
UNION ALL
SELECT 'comments', tenant_id, count(*), md5(string_agg(t::text, '|' ORDER BY id))
  FROM comments AS t GROUP BY tenant_id;

CREATE TABLE demo_checksums_before AS SELECT * FROM demo_checksums;

SELECT format('%s checksums: %s tenants x 4 tables, %s rows',
              count(*), count(DISTINCT tenant_id), sum(nrows)) AS line
  FROM demo_checksums_before \gset
\echo :line
\echo 'for example, tenant 42:'
SELECT tbl AS "table", nrows AS rows, md5
  FROM demo_checksums_before
 WHERE tenant_id = 42
 ORDER BY array_position(ARRAY['sites', 'projects', 'issues', 'comments'], tbl);
