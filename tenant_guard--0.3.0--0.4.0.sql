-- tenant_guard 0.3.0 -> 0.4.0: undo an operation (what a script deleted,
-- across tenants, and exactly that back), and a trash for applications.
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.4.0'" to load this file. \quit

-- What identifies the operation that deleted a row, besides its transaction,
-- time and session user: tenant_guard.actor, application_name, and the
-- statement (the seq of the first change the statement made, so unique in
-- the cluster; a foreign-key cascade belongs to the statement that caused
-- it). NULL for tombstones written before 0.4.0. Added without a default: no
-- rewrite of existing tombstones.
ALTER TABLE tenant_guard.tombstone_data
    ADD COLUMN actor text,
    ADD COLUMN application_name text,
    ADD COLUMN statement_id bigint;

-- deletions() and undelete_where() narrow a time window through this: BRIN,
-- because tombstones are appended roughly in deleted_at order, and a BRIN
-- entry per range of pages costs the capture almost nothing.
CREATE INDEX tombstone_data_deleted_at_idx ON tenant_guard.tombstone_data USING brin (deleted_at)
    WITH (pages_per_range = 16, autosummarize = on);

CREATE OR REPLACE VIEW tenant_guard.tombstones AS
SELECT t.tombstone_id, p.rel, t.tenant, t.pk, t.row_data, t.deleted_at, t.deleted_by, t.xid,
       t.actor, t.application_name, t.statement_id
  FROM tenant_guard.tombstone_data t
  JOIN tenant_guard.protected_table p USING (table_id);

-- The tenant the session is pinned to (NULL: none), read by the module:
-- calling it loads the module, so that PostgreSQL has discarded whatever a
-- role gave tenant_guard.tenant without the privilege to set it (while it
-- was a placeholder) before the pin is read. current_setting() would read
-- the placeholder itself in a session that has not loaded the module.
CREATE FUNCTION tenant_guard._pinned_tenant() RETURNS text
AS 'MODULE_PATHNAME', 'tg_pinned_tenant'
LANGUAGE C STABLE;

-- The trash an application role can be granted: the tombstones of the
-- tenant its session is pinned to (tenant_guard.tenant), in the tables it
-- may read, nothing when unpinned. Not of a table where row-level security
-- applies to the caller: its policies would hide some of the rows, and the
-- tombstones are read as the extension owner. security_barrier: a caller's
-- function in a WHERE clause is never evaluated on rows of other tenants.
CREATE VIEW tenant_guard.trash WITH (security_barrier) AS
SELECT t.tombstone_id, p.rel, t.tenant, t.pk, t.row_data, t.deleted_at, t.deleted_by, t.xid,
       t.actor, t.application_name, t.statement_id
  FROM tenant_guard.tombstone_data t
  JOIN tenant_guard.protected_table p USING (table_id)
 WHERE t.tenant = tenant_guard._pinned_tenant()
   AND p.unprotected_at IS NULL
   AND pg_catalog.has_table_privilege(p.rel, 'SELECT')
   AND NOT pg_catalog.row_security_active(p.rel);
REVOKE ALL ON tenant_guard.trash FROM PUBLIC;

CREATE FUNCTION tenant_guard.deletions(since timestamptz DEFAULT NULL,
                                       until timestamptz DEFAULT NULL,
                                       actor text DEFAULT NULL,
                                       application_name text DEFAULT NULL,
                                       xid xid8 DEFAULT NULL)
RETURNS TABLE (tenant text, rel regclass, rows bigint, first_at timestamptz, last_at timestamptz,
               transactions bigint, actors text[])
AS 'MODULE_PATHNAME', 'tg_deletions'
LANGUAGE C CALLED ON NULL INPUT STABLE;

CREATE FUNCTION tenant_guard.undelete_where(since timestamptz DEFAULT NULL,
                                            until timestamptz DEFAULT NULL,
                                            actor text DEFAULT NULL,
                                            application_name text DEFAULT NULL,
                                            xid xid8 DEFAULT NULL,
                                            on_conflict text DEFAULT 'error',
                                            dry_run boolean DEFAULT false,
                                            tenants text[] DEFAULT NULL)
RETURNS TABLE (tenant text, rel regclass, restored bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'tg_undelete_where'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.undelete_row(rel regclass,
                                          pk jsonb,
                                          with_cascade boolean DEFAULT true,
                                          dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, restored bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'tg_undelete_row'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- undelete for the tenant the session is pinned to: what an application role
-- is granted next to tenant_guard.trash (tombstone_ids NULL: all of its trash).
CREATE FUNCTION tenant_guard.undelete_trash(tombstone_ids bigint[] DEFAULT NULL,
                                            on_conflict text DEFAULT 'error',
                                            dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, restored bigint, skipped bigint)
AS 'MODULE_PATHNAME', 'tg_undelete_trash'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- The tenant column of a protected table (no rows, only the name): what
-- tenant_checksum needs, readable without privileges on the registry.
CREATE FUNCTION tenant_guard._tenant_column(rel regclass) RETURNS name
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p.tenant_column FROM tenant_guard.protected_table p WHERE p.rel = $1 AND p.unprotected_at IS NULL
$$;

-- Proof after a restore: md5 over the text of the tenant's rows of rel in
-- primary-key order, read with the caller's privileges, with the output
-- settings fixed, so that two sessions get the same checksum of the same
-- rows. Not where row-level security applies to the caller: a policy's
-- expressions are the table owner's code, and would run with the caller's
-- privileges (row_security = off, as pg_dump reads: refused, not filtered).
CREATE FUNCTION tenant_guard.tenant_checksum(tenant text, rel regclass) RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, MDY' SET intervalstyle = 'postgres' SET extra_float_digits = 1
SET bytea_output = 'hex' SET timezone = 'UTC' SET row_security = off
AS $$
DECLARE
    column_name name := tenant_guard._tenant_column(rel);
    column_type text;
    key_order text;
    result text;
BEGIN
    IF column_name IS NULL THEN
        RAISE EXCEPTION 'table % is not protected by tenant_guard', rel
            USING ERRCODE = 'invalid_parameter_value', HINT = 'See tenant_guard.protected_tables.';
    END IF;
    IF row_security_active(rel) THEN
        RAISE EXCEPTION 'cannot checksum %: row-level security applies to the calling role', rel
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'Its policies are the table owner''s code and would run with the caller''s privileges.',
                  HINT = 'Take the checksum as the table''s owner or as a role with BYPASSRLS.';
    END IF;
    SELECT string_agg(format('r.%I', a.attname), ', ' ORDER BY k.ord) INTO key_order
      FROM pg_index i, unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord), pg_attribute a
     WHERE i.indrelid = rel AND i.indisprimary AND a.attrelid = rel AND a.attnum = k.attnum;
    -- The tenant as a value of the column's type (no typmod), compared with
    -- = as the pinned search_path resolves it (pg_catalog's, never one a
    -- role created), so that the tenant index of a built-in type is used, and
    -- spelled as the column writes it: the rows of exactly that tenant.
    SELECT format_type(a.atttypid, NULL) INTO column_type
      FROM pg_attribute a WHERE a.attrelid = rel AND a.attname = column_name;
    BEGIN
        EXECUTE format('SELECT $1::%s', column_type) USING tenant;
    EXCEPTION WHEN data_exception THEN
        RETURN md5('');  -- no value of the column's type: the table holds no row of that tenant
    END;
    EXECUTE format('SELECT md5(coalesce(string_agg(r::text, E''\n'' ORDER BY %s), '''')) FROM %s AS r '
                   'WHERE r.%I = $1::%s AND format(''%%s'', r.%I) = $1',
                   coalesce(key_order, 'r::text'), rel, column_name, column_type, column_name)
       INTO result USING tenant;
    RETURN result;
END
$$;

REVOKE EXECUTE ON FUNCTION tenant_guard.deletions(timestamptz, timestamptz, text, text, xid8),
    tenant_guard.undelete_where(timestamptz, timestamptz, text, text, xid8, text, boolean, text[]),
    tenant_guard.undelete_row(regclass, jsonb, boolean, boolean),
    tenant_guard.undelete_trash(bigint[], text, boolean),
    tenant_guard._tenant_column(regclass),
    tenant_guard.tenant_checksum(text, regclass)
    FROM PUBLIC;
-- tenant_checksum reads as its caller: only the tenant column's name is
-- read with the extension's rights.
GRANT EXECUTE ON FUNCTION tenant_guard._tenant_column(regclass) TO PUBLIC;

-- ---------------------------------------------------------------------------
-- The foreign-key graph of the protected tables: the one definition that
-- undelete, rewind and purge (in the module) and export, import and recover
-- (in the command line) order tables by. A foreign key declared on or to a
-- partition counts for the protected table that covers it; the copies
-- PostgreSQL makes on partitions (conparentid <> 0) add nothing.
-- ---------------------------------------------------------------------------
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
REVOKE ALL ON tenant_guard.protected_foreign_keys FROM PUBLIC;

-- table_id: the registry's id of each protected table, the order of
-- protection that ties in parents-first order fall back to.
CREATE OR REPLACE VIEW tenant_guard.protected_tables AS
SELECT rel, tenant_column, delete_mode, flag_column, protected_at, protected_by, table_id
  FROM tenant_guard.protected_table
 WHERE unprotected_at IS NULL;
