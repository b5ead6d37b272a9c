-- Undoing an operation: what a script deleted, across tenants, and exactly
-- that back (deletions, undelete_where, undelete_row with its cascade); the
-- trash an application role can be granted (trash, undelete_trash); and
-- tenant_checksum, the proof after a restore.
-- C++: src/extension/undelete_where.cpp (deletions, undelete_where,
-- undelete_conflicts),
-- undelete_row.cpp, undelete.cpp (undelete_trash), table_restore.cpp and
-- deletion_filter.cpp (shared with undelete, 50_undelete.sql).

-- The trash an application role can be granted: the tombstones of the
-- tenant its session is pinned to (tenant_guard.tenant, read through
-- _pinned_tenant(), 40_guard.sql), in the tables it may read, nothing when
-- unpinned. Not of a table where row-level security applies to the caller:
-- its policies would hide some of the rows, and the tombstones are read as
-- the extension owner. security_barrier: a caller's function in a WHERE
-- clause is never evaluated on rows of other tenants. row_data: as in the
-- view tombstones (25_tombstones.sql).
CREATE VIEW tenant_guard.trash WITH (security_barrier) AS
SELECT t.tombstone_id, p.rel, t.tenant, t.pk,
       coalesce(t.row_data, (SELECT c.old_row FROM tenant_guard.change_log_data c
                              WHERE c.xid = t.xid AND c.seq = t.tombstone_id)) AS row_data,
       t.deleted_at, t.deleted_by, t.xid, t.actor, t.application_name, t.statement_id
  FROM tenant_guard.tombstone_data t
  JOIN tenant_guard.protected_table p USING (table_id)
 WHERE t.tenant = tenant_guard._pinned_tenant()
   AND p.unprotected_at IS NULL
   AND pg_catalog.has_table_privilege(p.rel, 'SELECT')
   AND NOT pg_catalog.row_security_active(p.rel);

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

-- What undelete_where(…, on_conflict => 'error') with the same filter would
-- refuse, read without restoring anything (the plan of tenant-guard recover):
-- per tenant and table with any, the rows whose key a live row holds and those
-- referencing a key held by another tenant's live row.
CREATE FUNCTION tenant_guard.undelete_conflicts(since timestamptz DEFAULT NULL,
                                                until timestamptz DEFAULT NULL,
                                                actor text DEFAULT NULL,
                                                application_name text DEFAULT NULL,
                                                xid xid8 DEFAULT NULL,
                                                tenants text[] DEFAULT NULL)
RETURNS TABLE (tenant text, rel regclass, conflicts bigint)
AS 'MODULE_PATHNAME', 'tg_undelete_conflicts'
LANGUAGE C CALLED ON NULL INPUT STABLE;

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

-- The primary-key columns of a protected table in key order, from
-- protected_key_columns (10_registry.sql): the order tenant_checksum reads
-- the rows in, readable without privileges on the registry.
CREATE FUNCTION tenant_guard._key_columns(rel regclass) RETURNS name[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT array_agg(k.column_name ORDER BY k.position) FROM tenant_guard.protected_key_columns k WHERE k.rel = $1
$$;

-- The type a tenant text can be cast to without running any role's code:
-- the tenant column's type with its domains taken off (a cast to a domain
-- runs its CHECK, the table owner's code, with the caller's privileges),
-- when that is an enum or a base type other than an array (their input
-- functions are C, which only a superuser installs). NULL where a domain
-- could remain inside (an array's elements, a composite's attributes, a
-- range's subtype): there a tenant is compared as text, as format('%s', ...)
-- spells it. Read by tenant_checksum and the command line's catalog
-- (src/cli/db/protected_catalog.cpp).
CREATE FUNCTION tenant_guard._tenant_cast_type(rel regclass) RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
AS $$
    WITH RECURSIVE d(t) AS (
        SELECT a.atttypid FROM pg_attribute a
         WHERE a.attrelid = $1 AND a.attname = tenant_guard._tenant_column($1) AND NOT a.attisdropped
        UNION ALL
        SELECT ty.typbasetype FROM pg_type ty JOIN d ON ty.oid = d.t WHERE ty.typbasetype <> 0)
    SELECT format_type(ty.oid, NULL)
      FROM d JOIN pg_type ty ON ty.oid = d.t
     WHERE ty.typbasetype = 0
       AND (ty.typtype = 'e' OR (ty.typtype = 'b' AND ty.typsubscript <> 'array_subscript_handler'::regproc))
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
    SELECT string_agg(format('r.%I', k.attname), ', ' ORDER BY k.ord) INTO key_order
      FROM unnest(tenant_guard._key_columns(rel)) WITH ORDINALITY AS k(attname, ord);
    -- The tenant as a value of the column's type (no typmod), compared with
    -- = as the pinned search_path resolves it (pg_catalog's, never one a
    -- role created), so that the tenant index of a built-in type is used, and
    -- spelled as the column writes it: the rows of exactly that tenant. No
    -- cast where it would run a domain's CHECK (_tenant_cast_type): the text
    -- alone.
    column_type := tenant_guard._tenant_cast_type(rel);
    IF column_type IS NULL THEN
        EXECUTE format('SELECT md5(coalesce(string_agg(r::text, E''\n'' ORDER BY %s), '''')) FROM %s AS r '
                       'WHERE format(''%%s'', r.%I) COLLATE "C" = $1', coalesce(key_order, 'r::text'), rel, column_name)
           INTO result USING tenant;
        RETURN result;
    END IF;
    -- A literal, not $1 (text): a literal goes to the type's input function,
    -- text through a cast, and the owner of an enum may CREATE CAST (text AS
    -- it) with a function of theirs.
    BEGIN
        EXECUTE format('SELECT %L::%s', tenant, column_type);
    EXCEPTION WHEN data_exception THEN
        RETURN md5('');  -- no value of the column's type: the table holds no row of that tenant
    END;
    EXECUTE format('SELECT md5(coalesce(string_agg(r::text, E''\n'' ORDER BY %s), '''')) FROM %s AS r '
                   'WHERE r.%I = %L::%s AND format(''%%s'', r.%I) COLLATE "C" = $1',
                   coalesce(key_order, 'r::text'), rel, column_name, tenant, column_type, column_name)
       INTO result USING tenant;
    RETURN result;
END
$$;
