-- Observability: per protected table, how many tombstones and history rows
-- it has (the rows of an entry each count) and its oldest change;
-- tenant_status() the same for one tenant.
-- C++: none (SQL functions that read the extension's tables as its owner:
-- SECURITY DEFINER, fixed search_path; EXECUTE is the DBA's to grant).
-- src/cli/commands/cmd_status.cpp prints them.

CREATE FUNCTION tenant_guard.status()
RETURNS TABLE (rel regclass, tenant_column name, delete_mode text, tombstones bigint, history_rows bigint,
               oldest_change timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.rel, p.tenant_column, p.delete_mode,
           (SELECT count(*) FROM tenant_guard.tombstone_data t WHERE t.table_id = p.table_id),
           (SELECT coalesce(sum(coalesce(c.entry_rows, 1)), 0) FROM tenant_guard.change_log_data c
             WHERE c.table_id = p.table_id),
           (SELECT min(c.changed_at) FROM tenant_guard.change_log_data c WHERE c.table_id = p.table_id)
      FROM tenant_guard.protected_table p
     WHERE p.unprotected_at IS NULL
     ORDER BY p.table_id
$$;

-- The same figures for one tenant; reads only that tenant's index entries.
CREATE FUNCTION tenant_guard.tenant_status(tenant text)
RETURNS TABLE (rel regclass, tenant_column name, delete_mode text, tombstones bigint, history_rows bigint,
               oldest_change timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.rel, p.tenant_column, p.delete_mode,
           (SELECT count(*) FROM tenant_guard.tombstone_data t
             WHERE t.tenant = tenant_status.tenant AND t.table_id = p.table_id),
           (SELECT coalesce(sum(coalesce(c.entry_rows, 1)), 0) FROM tenant_guard.change_log_data c
             WHERE c.tenant = tenant_status.tenant AND c.table_id = p.table_id),
           (SELECT min(c.changed_at) FROM tenant_guard.change_log_data c
             WHERE c.tenant = tenant_status.tenant AND c.table_id = p.table_id)
      FROM tenant_guard.protected_table p
     WHERE p.unprotected_at IS NULL
     ORDER BY p.table_id
$$;
