-- Step 5. Verification: fingerprint every tenant again and compare with the
-- fingerprints taken before the incident -- all 300 tenants, not only the
-- 100 that were deleted and restored.

CREATE TABLE demo_checksums_after AS SELECT * FROM demo_checksums;

CREATE TEMP TABLE demo_diff AS
SELECT tbl, tenant_id, b.nrows AS rows_before, a.nrows AS rows_after,
       b.md5 AS md5_before, a.md5 AS md5_after
  FROM demo_checksums_before AS b
  FULL JOIN demo_checksums_after AS a USING (tbl, tenant_id)
 WHERE b.md5 IS DISTINCT FROM a.md5;

SELECT EXISTS (SELECT FROM demo_diff) AS has_diff,
       format('all %s tenants byte-for-byte identical (%s table checksums over %s rows)',
              count(DISTINCT tenant_id), count(*), sum(nrows)) AS line
  FROM demo_checksums_after \gset

\if :has_diff
    \echo 'DIFFERENCES between before and after:'
    SELECT tbl AS "table", tenant_id AS tenant, rows_before, rows_after, md5_before, md5_after
      FROM demo_diff
     ORDER BY tenant_id, array_position(ARRAY['sites', 'projects', 'issues', 'comments'], tbl)
     LIMIT 50;
\else
    \echo :line
    \echo
\endif

-- The change log recorded both the incident and the recovery, row by row.
\echo 'tenant_guard.change_log:'
SELECT rel AS "table",
       count(*) FILTER (WHERE op = 'D' AND origin = 'dml')      AS "deleted (D, dml)",
       count(*) FILTER (WHERE op = 'I' AND origin = 'undelete') AS "restored (I, undelete)",
       count(*) FILTER (WHERE NOT (op = 'D' AND origin = 'dml')
                          AND NOT (op = 'I' AND origin = 'undelete')) AS other
  FROM tenant_guard.change_log
 GROUP BY rel
 ORDER BY array_position(ARRAY['sites', 'projects', 'issues', 'comments'], rel::text);

-- Checks: identical checksums; one 'D' per deleted row and one 'I' per restored row.
DO $$
DECLARE
    bad text;
BEGIN
    IF EXISTS (SELECT FROM demo_diff) THEN
        RAISE EXCEPTION '% table checksums differ after recovery', (SELECT count(*) FROM demo_diff);
    END IF;
    SELECT string_agg(d.tbl, ', ') INTO bad
      FROM demo_deleted AS d
      LEFT JOIN (SELECT rel::text AS tbl,
                        count(*) FILTER (WHERE op = 'D' AND origin = 'dml')      AS deletes,
                        count(*) FILTER (WHERE op = 'I' AND origin = 'undelete') AS restores
                   FROM tenant_guard.change_log GROUP BY rel) AS c USING (tbl)
     WHERE c.deletes IS DISTINCT FROM d.rows_gone OR c.restores IS DISTINCT FROM d.rows_gone;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'change_log does not match the deleted/restored rows for: %', bad;
    END IF;
END
$$;
