-- History that comes back from a dump: a whole database restored into another
-- cluster is adopted (its xids and commit times mean nothing here), and a
-- data-only restore into tables that are protected already is refused
-- (it would mix two histories).
-- C++: src/extension/history_merge.cpp (refuse_history_merge), rewind.cpp
-- (check_reach reads history_cluster); the adoption itself is SQL
-- (_adopt_history, called by mark(), rewind() and prune()).

-- History restored from another cluster (pg_dump of a database, pg_restore
-- into a new cluster): its xids and commit times mean nothing here, so the
-- first mark(), rewind() or prune() after the restore adopts it: rewinds reach back to that moment
-- only, and compare only changes written here (seq from adopted_seq on; seq
-- survives the dump, xids do not). One row per cluster the history has been in;
-- the install's own row has adopted_seq 0.
CREATE TABLE tenant_guard.history_cluster (
    system_id    text NOT NULL,
    adopted_at   timestamptz NOT NULL DEFAULT now(),
    adopted_seq  bigint NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.history_cluster', '');

CREATE FUNCTION tenant_guard._system_id()
RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT system_identifier::text FROM pg_control_system() $$;

INSERT INTO tenant_guard.history_cluster (system_id, adopted_seq) VALUES (tenant_guard._system_id(), 0);

-- Adopts restored history once: the first call in a cluster that is not the
-- one the history was written in records where this cluster's seqs begin.
CREATE FUNCTION tenant_guard._adopt_history()
RETURNS void
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM tenant_guard.history_cluster WHERE system_id <> tenant_guard._system_id())
       AND NOT EXISTS (SELECT 1 FROM tenant_guard.history_cluster
                        WHERE system_id = tenant_guard._system_id() AND adopted_seq > 0) THEN
        PERFORM pg_advisory_xact_lock(hashtext('tenant_guard.adopt_history'));
        INSERT INTO tenant_guard.history_cluster (system_id, adopted_seq)
        SELECT tenant_guard._system_id(), s.last_value + 1
          FROM tenant_guard.change_seq AS s
         WHERE NOT EXISTS (SELECT 1 FROM tenant_guard.history_cluster
                            WHERE system_id = tenant_guard._system_id() AND adopted_seq > 0);
    END IF;
END
$$;

-- A data-only restore into a database with protected tables is refused
-- instead of mixing two histories (see history_merge.cpp): SQL inserts into
-- the registry, the tombstones or a change-log segment that holds rows.
CREATE FUNCTION tenant_guard.refuse_history_merge()
RETURNS trigger
AS 'MODULE_PATHNAME', 'tg_refuse_history_merge'
LANGUAGE C;

-- Gives a history table that trigger, enabled ALWAYS (it fires under
-- session_replication_role = replica too; disabling it is refused by the DDL
-- guard). The registry gets it here; the tombstones and each log segment where they are
-- made (25_tombstones.sql, _dress_segment in 20_change_log.sql).
CREATE FUNCTION tenant_guard._guard_history_table(t regclass)
RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER tenant_guard_no_history_merge BEFORE INSERT ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.refuse_history_merge()', t);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER tenant_guard_no_history_merge', t);
END
$$;
SELECT tenant_guard._guard_history_table('tenant_guard.protected_table');
