-- Step 4. Recovery: no backup restore, no fishing rows out of a copy of the
-- database. For each affected tenant, one call brings back all its tombstoned
-- rows in every protected table, parents before children.

CREATE TABLE demo_recovery (tenant_id int, rel regclass, restored bigint, skipped bigint);

SELECT clock_timestamp() AS recovery_start \gset

DO $$
DECLARE
    t int;
BEGIN
    FOR t IN SELECT tenant_id FROM demo_affected_tenants ORDER BY tenant_id LOOP
        INSERT INTO demo_recovery
        SELECT t, u.rel, u.restored, u.skipped
          FROM tenant_guard.undelete(t::text) AS u;   -- the tenant is given as text
    END LOOP;
END
$$;

SELECT extract(epoch FROM clock_timestamp() - :'recovery_start'::timestamptz) AS recovery_secs \gset

SELECT rel AS "table", sum(restored) AS restored, sum(skipped) AS skipped
  FROM demo_recovery
 GROUP BY rel
 ORDER BY array_position(ARRAY['sites', 'projects', 'issues', 'comments'], rel::text);

SELECT format('%s tenants, %s rows restored in %s s: %s tenants/s, %s rows/s',
              count(DISTINCT tenant_id), sum(restored),
              round(:recovery_secs, 3),
              round(count(DISTINCT tenant_id) / greatest(:recovery_secs, 1e-6)),
              round(sum(restored) / greatest(:recovery_secs, 1e-6))) AS line
  FROM demo_recovery \gset
\echo :line

-- Check: everything deleted came back, nothing was skipped, no tombstone is left.
DO $$
DECLARE
    deleted   bigint := (SELECT sum(rows_gone) FROM demo_deleted);
    restored  bigint := (SELECT sum(restored) FROM demo_recovery);
    skipped   bigint := (SELECT sum(skipped) FROM demo_recovery);
    remaining bigint := (SELECT count(*) FROM tenant_guard.tombstones);
BEGIN
    IF restored IS DISTINCT FROM deleted OR skipped <> 0 OR remaining <> 0 THEN
        RAISE EXCEPTION 'recovery incomplete: % rows deleted, % restored, % skipped, % tombstones left',
                        deleted, restored, skipped, remaining;
    END IF;
END
$$;
