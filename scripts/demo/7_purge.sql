-- Step 7. GDPR erasure: tenant 8 asks to be forgotten. The key holder made a
-- key pair and signed a token offline (demo.sh did it with tenant-guard keygen
-- and tenant-guard token: the private key never reached the database); the
-- DBA registered the public key once. The token names one tenant, expires in
-- 15 minutes and works once.

CREATE TEMP TABLE before_purge AS SELECT * FROM demo_checksums;
SELECT tenant_guard.add_purge_key('demo-key-2026', :'pub') IS NULL AS registered \gset
\echo 'registered public key demo-key-2026 (tenant_guard.purge_keys)'

\echo 'dry run (verifies the token, counts, changes nothing):'
SELECT rel, live_deleted, tombstones_deleted, history_deleted FROM tenant_guard.purge(:'token', dry_run => true);

\echo 'purge:'
SELECT rel, live_deleted, tombstones_deleted, history_deleted FROM tenant_guard.purge(:'token');

-- Nothing of tenant 8 remains: no live row, no tombstone, no history.
SELECT (SELECT count(*) FROM sites WHERE tenant_id = 8) + (SELECT count(*) FROM projects WHERE tenant_id = 8) +
       (SELECT count(*) FROM issues WHERE tenant_id = 8) + (SELECT count(*) FROM comments WHERE tenant_id = 8)
           AS live_rows,
       (SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = '8') AS tombstones,
       (SELECT count(*) FROM tenant_guard.change_log WHERE tenant = '8') AS history_rows \gset
\echo 'left of tenant 8:' :live_rows 'live rows,' :tombstones 'tombstones,' :history_rows 'change-log rows'
SELECT CASE WHEN :live_rows + :tombstones + :history_rows = 0 THEN 'gone' ELSE (1 / 0)::text END AS tenant_8;

-- Every other tenant is exactly as before.
SELECT count(*) AS other_tenants_changed
  FROM before_purge AS a JOIN demo_checksums AS n USING (tbl, tenant_id)
 WHERE a.tenant_id <> 8 AND a.md5 IS DISTINCT FROM n.md5 \gset
SELECT CASE WHEN :other_tenants_changed = 0 THEN 'untouched' ELSE (1 / 0)::text END AS other_299_tenants;

\echo 'the receipt (no row contents):'
SELECT act, tenant, array_length(tables, 1) AS tables, live_deleted, tombstones_deleted, history_deleted, reason
  FROM tenant_guard.purge_receipts;

-- A replayed token and a tampered one (its claims changed to tenant 9, the
-- signature left as it was) are refused, each with its own SQLSTATE.
CREATE FUNCTION pg_temp.try_purge(token text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM tenant_guard.purge(token);
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN 'refused, ' || SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT pg_temp.try_purge(:'token') AS replayed \gset
SELECT pg_temp.try_purge(:'tampered') AS tampered \gset
\echo 'replayed token:' :replayed
\echo 'tampered token:' :tampered
SELECT CASE WHEN :'replayed' LIKE 'refused, TG014%' AND :'tampered' LIKE 'refused, TG011%' THEN 'refused'
            ELSE (1 / 0)::text END AS forged_tokens;
