-- Step 8 (run in the source and in the copy): tenant 42's fingerprint per
-- table, computed as in step 2; equal output means equal rows.
SELECT tbl AS "table", count(*) AS rows, md5(string_agg(r, '|' ORDER BY id)) AS md5
  FROM (SELECT 'sites' AS tbl, 1 AS pos, t.id, t::text AS r FROM sites AS t WHERE tenant_id = 42
        UNION ALL SELECT 'projects', 2, t.id, t::text FROM projects AS t WHERE tenant_id = 42
        UNION ALL SELECT 'issues', 3, t.id, t::text FROM issues AS t WHERE tenant_id = 42
        UNION ALL SELECT 'comments', 4, t.id, t::text FROM comments AS t WHERE tenant_id = 42) AS x
 GROUP BY tbl, pos
 ORDER BY pos;
