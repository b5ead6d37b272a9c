-- Tombstones: the rows deleted from tables in delete_mode 'tombstone', kept
-- whole until undelete, purge or the retention policy takes them.
-- C++: src/extension/capture.cpp (a DELETE's rows), log_writer.cpp
-- (log_tombstone writes them with the table AM; the column positions are its
-- TombstoneColumn), deletion_filter.cpp and table_restore.cpp (read them back:
-- 50_undelete.sql, 55_undo.sql), image_migration.cpp (ADD COLUMN and ALTER
-- COLUMN TYPE reach every tombstone).

-- tombstone_id is the seq of the change that deleted the row, so a tombstone
-- and its change-log entry share one number. They share the image too: the
-- capture stores it once, as the entry's old_row, and leaves row_data NULL
-- (src/extension/tombstone_image.hpp, which the views below spell in SQL).
-- row_data holds an image of its own where the tombstone came from an
-- earlier version or an import, or prune() dropped the segment of its entry
-- (it moves the image here first, 70_retention.sql). What identifies the operation
-- that deleted a row, besides its transaction, time and session user:
-- tenant_guard.actor, application_name, and the statement (statement_id: the
-- seq of the first change the statement made, so unique in the cluster; a
-- foreign-key cascade belongs to the statement that caused it). These three
-- are NULL for tombstones written before 0.4.0 (they came last, without a
-- default: no rewrite of existing tombstones).
CREATE TABLE tenant_guard.tombstone_data (
    tombstone_id     bigint NOT NULL,
    xid              xid8 NOT NULL,
    deleted_at       timestamptz NOT NULL,
    table_id         integer NOT NULL,
    tenant           text COLLATE "C" NOT NULL,
    deleted_by       text NOT NULL,
    pk               jsonb COMPRESSION lz4 NOT NULL,   -- lz4: see change_log_data
    row_data         jsonb COMPRESSION lz4,
    actor            text,
    application_name text,
    statement_id     bigint,
    PRIMARY KEY (tombstone_id)
);
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.tombstone_data', '');
SELECT tenant_guard._guard_history_table('tenant_guard.tombstone_data');
-- Per tenant and table: undelete, purge, tenant_status. Unique keys:
-- deduplication would only cost.
CREATE INDEX tombstone_data_tenant_idx ON tenant_guard.tombstone_data (tenant, table_id, deleted_at)
    WITH (deduplicate_items = off);
-- deletions() and undelete_where() narrow a time window through this: BRIN,
-- because tombstones are appended roughly in deleted_at order, and a BRIN
-- entry per range of pages costs the capture almost nothing.
CREATE INDEX tombstone_data_deleted_at_idx ON tenant_guard.tombstone_data USING brin (deleted_at)
    WITH (pages_per_range = 16, autosummarize = on);

-- The contract's view (for the DBA; applications get 55_undo.sql's trash).
CREATE VIEW tenant_guard.tombstones AS
SELECT t.tombstone_id, p.rel, t.tenant, t.pk,
       coalesce(t.row_data, (SELECT c.old_row FROM tenant_guard.change_log_data c
                              WHERE c.xid = t.xid AND c.seq = t.tombstone_id)) AS row_data,
       t.deleted_at, t.deleted_by, t.xid, t.actor, t.application_name, t.statement_id
  FROM tenant_guard.tombstone_data t
  JOIN tenant_guard.protected_table p USING (table_id);
