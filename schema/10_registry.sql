-- Protection: the registry of protected tables, protect(), and the
-- foreign-key graph between protected tables.
-- C++: src/extension/protect.cpp (protect, _reinstall_triggers),
-- registry.cpp (the registry as the module reads it), partitions.cpp (new
-- partitions get the triggers), fk_order.cpp (reads protected_foreign_keys);
-- the command line reads the three views (src/cli/db/protected_catalog.cpp).
-- unprotect() needs a signed token: see 80_purge_tokens.sql.

-- Every table ever protected. table_id is the identity that history refers to:
-- it survives renames (rel is a regclass) and dump/restore (regclass is dumped
-- by name, table_id by value). A row stays after unprotect(), with
-- unprotected_at set, so that history keeps naming its table.
CREATE SEQUENCE tenant_guard.table_id_seq AS integer;
CREATE TABLE tenant_guard.protected_table (
    table_id       integer PRIMARY KEY DEFAULT nextval('tenant_guard.table_id_seq'),
    rel            regclass NOT NULL UNIQUE,
    tenant_column  name NOT NULL,
    delete_mode    text NOT NULL CHECK (delete_mode IN ('tombstone', 'flag')),
    flag_column    name,
    protected_at   timestamptz NOT NULL DEFAULT now(),
    protected_by   text NOT NULL DEFAULT session_user,
    unprotected_at timestamptz,         -- NULL while protected; history is kept after
    -- Test databases (tenant_guard.allow_truncate): the last TRUNCATE of the
    -- table. Rewinds cannot reach back before it (TG021).
    truncated_at   timestamptz,
    truncated_xid  xid8,
    -- The last time the table took a new name: ALTER ... RENAME of it or of
    -- its schema, or SET SCHEMA (the DDL guard records it, renames.cpp);
    -- NULL: none since it was protected. Purge and unprotect tokens name
    -- tables, so a token signed before then does not reach it (TG017).
    renamed_at     timestamptz
);
ALTER SEQUENCE tenant_guard.table_id_seq OWNED BY tenant_guard.protected_table.table_id;
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.protected_table', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.table_id_seq', '');

-- The contract's view. table_id: the registry's id of each protected table,
-- the order of protection that ties in parents-first order fall back to.
CREATE VIEW tenant_guard.protected_tables AS
SELECT rel, tenant_column, delete_mode, flag_column, protected_at, protected_by, table_id
  FROM tenant_guard.protected_table
 WHERE unprotected_at IS NULL;

-- The foreign-key graph of the protected tables: the one definition that
-- undelete, rewind and purge (in the module) and export, import and recover
-- (in the command line) order tables by. A foreign key declared on or to a
-- partition counts for the protected table that covers it; the copies
-- PostgreSQL makes on partitions (conparentid <> 0) add nothing.
CREATE VIEW tenant_guard.protected_foreign_keys AS
SELECT k.oid AS constraint_oid, k.conname AS constraint_name,
       child.rel AS child, child.table_id AS child_table_id,
       parent.rel AS parent, parent.table_id AS parent_table_id,
       k.confdeltype AS on_delete,
       ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY AS c(attnum, i)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = c.attnum
              ORDER BY c.i) AS child_columns,
       ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY AS c(attnum, i)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = c.attnum
              ORDER BY c.i) AS parent_columns
  FROM pg_catalog.pg_constraint k
 CROSS JOIN LATERAL (SELECT p.rel, p.table_id FROM tenant_guard.protected_table p
                      WHERE p.unprotected_at IS NULL
                        AND (p.rel = k.conrelid  -- pg_partition_ancestors() lists nothing for a plain table
                             OR p.rel IN (SELECT a.relid FROM pg_catalog.pg_partition_ancestors(k.conrelid) AS a))) child
 CROSS JOIN LATERAL (SELECT p.rel, p.table_id FROM tenant_guard.protected_table p
                      WHERE p.unprotected_at IS NULL
                        AND (p.rel = k.confrelid
                             OR p.rel IN (SELECT a.relid FROM pg_catalog.pg_partition_ancestors(k.confrelid) AS a))) parent
 WHERE k.contype = 'f' AND k.conparentid = 0;

-- The primary key of every protected table, one row per column in key order
-- (position 1, 2, ...; column_type is format_type with the typmod): what
-- tenant_checksum (55_undo.sql) and the command line's catalog read, so
-- that neither reads pg_index itself.
CREATE VIEW tenant_guard.protected_key_columns AS
SELECT p.rel, k.position::integer AS position, a.attname AS column_name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS column_type
  FROM tenant_guard.protected_table p
  JOIN pg_catalog.pg_index i ON i.indrelid = p.rel AND i.indisprimary
 CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, position)
  JOIN pg_catalog.pg_attribute a ON a.attrelid = p.rel AND a.attnum = k.attnum
 WHERE p.unprotected_at IS NULL;

-- Installs the capture triggers (30_capture.sql), the guard's (40_guard.sql)
-- and, in delete_mode 'flag', the flag trigger on the table and on every
-- partition, and records it here.
CREATE FUNCTION tenant_guard.protect(rel regclass,
                                     tenant_column name DEFAULT 'tenant_id',
                                     delete_mode text DEFAULT 'tombstone',
                                     flag_column name DEFAULT NULL)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_protect'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- Every protected table gets the triggers of this version (what an update
-- script calls when the set of triggers changes).
CREATE FUNCTION tenant_guard._reinstall_triggers()
RETURNS void
AS 'MODULE_PATHNAME', 'tg_reinstall_triggers'
LANGUAGE C VOLATILE;
