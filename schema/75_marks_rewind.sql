-- Marks and rewind: mark(name) records an exact restore point (a snapshot);
-- rewind(tenant, to_time | to_mark) puts one tenant's rows, in every protected
-- table, back to what a snapshot at that point saw, from the change log.
-- C++: src/extension/rewind.cpp (rewind, and its checks of how far back the
-- history reaches: _reach, _sees_all_before, history_cluster), table_restore.cpp.
-- mark() is SQL.

-- Exact restore points: the snapshot says which transactions a mark saw.
CREATE TABLE tenant_guard.mark_data (
    name      text PRIMARY KEY,
    snapshot  pg_snapshot NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    marked_by text NOT NULL DEFAULT session_user
);
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.mark_data', '');

CREATE VIEW tenant_guard.marks AS
SELECT name, marked_at, marked_by, snapshot FROM tenant_guard.mark_data;

-- A mark taken after a restore from another cluster first adopts the
-- restored history (15_restored_history.sql), so that the mark is after the
-- horizon.
CREATE FUNCTION tenant_guard.mark(name text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'a mark needs a name' USING ERRCODE = '22023';
    END IF;
    PERFORM tenant_guard._adopt_history();
    INSERT INTO tenant_guard.mark_data (name, snapshot) VALUES (mark.name, tenant_guard._reader_snapshot());
EXCEPTION WHEN unique_violation THEN
    RAISE EXCEPTION 'mark "%" exists already', name USING ERRCODE = '42710', HINT = 'Choose a new name.';
END
$$;

CREATE FUNCTION tenant_guard.rewind(tenant text, to_time timestamptz DEFAULT NULL, to_mark text DEFAULT NULL,
                                    dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, reinserted bigint, reverted bigint, removed bigint)
AS 'MODULE_PATHNAME', 'tg_rewind'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- True when snapshot s sees (if committed) every transaction below xmax.
CREATE FUNCTION tenant_guard._sees_all_before(s pg_snapshot, xmax xid8)
RETURNS boolean
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$
    SELECT xmax IS NULL OR (xmax <= pg_snapshot_xmax(s)
                            AND NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(s) AS x WHERE x < xmax))
$$;

-- How far back the history of one tenant reaches (NULLs: to the beginning):
-- the latest of the dropped segments' reach (70_retention.sql), the
-- tenant's own after expired tombstones, and the adoption of restored history.
CREATE FUNCTION tenant_guard._reach(tenant text)
RETURNS TABLE (reach_from timestamptz, reach_xmax xid8)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH s AS (SELECT max(l.reach_from) AS reach_from, max(l.reach_xmax) AS reach_xmax
                 FROM tenant_guard.log_segment l WHERE l.dropped_at IS NOT NULL),
         t AS (SELECT r.reach_from, r.reach_xmax FROM tenant_guard.tenant_reach r WHERE r.tenant = _reach.tenant),
         a AS (SELECT max(h.adopted_at) AS reach_from  -- marks from before it: refused by their time
                 FROM tenant_guard.history_cluster h
                WHERE h.system_id = tenant_guard._system_id() AND h.adopted_seq > 0)
    SELECT greatest((SELECT s.reach_from FROM s), (SELECT t.reach_from FROM t), (SELECT a.reach_from FROM a)),
           greatest((SELECT s.reach_xmax FROM s), (SELECT t.reach_xmax FROM t))
$$;
