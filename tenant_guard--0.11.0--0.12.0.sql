-- tenant_guard 0.11.0 -> 0.12.0: the registry records when a protected table
-- last took a new name (renamed_at: ALTER ... RENAME of the table or of its
-- schema, SET SCHEMA; the DDL guard writes it), and purge and unprotect
-- refuse (TG017) a token signed before the table it names took that name: a
-- table owner who swapped two tables' names between the signing and the use
-- pointed the token at the other table. Renames before this update were not
-- recorded, so every table counts as renamed now: tokens signed before the
-- update must be signed again.
-- tenant_checksum() and the command line no longer cast the tenant to a type
-- that holds a domain inside (an array of it, a composite with it): that cast
-- ran the domain's CHECK, the table owner's code, with the caller's
-- privileges; they compare the tenant as text there (_tenant_cast_type).
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.12.0'" to load this file. \quit

-- The last time the table took a new name: ALTER ... RENAME of it or of
-- its schema, or SET SCHEMA (the DDL guard records it, renames.cpp);
-- NULL: none since it was protected. Purge and unprotect tokens name
-- tables, so a token signed before then does not reach it (TG017).
ALTER TABLE tenant_guard.protected_table ADD COLUMN renamed_at timestamptz;
UPDATE tenant_guard.protected_table SET renamed_at = pg_catalog.now();

-- ---------------------------------------------------------------------------
-- 55_undo.sql
-- ---------------------------------------------------------------------------
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
CREATE OR REPLACE FUNCTION tenant_guard.tenant_checksum(tenant text, rel regclass) RETURNS text
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

GRANT EXECUTE ON FUNCTION tenant_guard._tenant_cast_type(regclass) TO PUBLIC;
