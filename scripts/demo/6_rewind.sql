-- Step 6. A bad UPDATE on one tenant: a support script meant to close one
-- project renames and archives every issue of tenant 42. A mark was taken
-- before it; rewind puts tenant 42 back exactly, and no other tenant moves.

SELECT tenant_guard.mark('before-support-script') IS NULL AS marked \gset
CREATE TEMP TABLE before_bad AS SELECT * FROM demo_checksums;

UPDATE issues SET title = 'ARCHIVED', status = 'closed' WHERE tenant_id = 42;
UPDATE comments SET body = '' WHERE tenant_id = 42;
-- Meanwhile other tenants keep working.
UPDATE issues SET title = title || ' (edited)' WHERE tenant_id = 43 AND id % 5 = 0;

SELECT count(*) AS tenant_42_tables_changed FROM demo_checksums n JOIN before_bad b USING (tbl, tenant_id)
 WHERE n.tenant_id = 42 AND n.md5 IS DISTINCT FROM b.md5 \gset
\echo 'after the bad script:' :tenant_42_tables_changed 'tables of tenant 42 differ from before'

\echo 'rewind tenant 42 to the mark:'
SELECT rel, reinserted, reverted, removed FROM tenant_guard.rewind('42', to_mark => 'before-support-script');

SELECT count(*) FILTER (WHERE n.tenant_id = 42 AND n.md5 IS DISTINCT FROM b.md5) AS tenant_42_diff,
       count(*) FILTER (WHERE n.tenant_id = 43 AND n.md5 IS DISTINCT FROM b.md5) AS tenant_43_kept_its_edit,
       count(*) FILTER (WHERE n.tenant_id NOT IN (42, 43) AND n.md5 IS DISTINCT FROM b.md5) AS others_diff
  FROM demo_checksums n JOIN before_bad b USING (tbl, tenant_id) \gset
\echo 'tenant 42: ' :tenant_42_diff 'tables differ from the mark (checksums); tenant 43 kept its own edit in' :tenant_43_kept_its_edit 'table; other tenants changed:' :others_diff
SELECT CASE WHEN :tenant_42_diff = 0 AND :tenant_43_kept_its_edit = 1 AND :others_diff = 0 THEN 'ok'
            ELSE (1 / 0)::text END AS rewind_check;
