-- tenant_guard 0.4.0 -> 0.5.0: one catalog vocabulary for the module and the
-- command line (issue 17), and what the history work of 0.5.0 adds.
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.5.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- The primary keys of the protected tables, as one view (10_registry.sql)
-- that tenant_checksum and the command line read instead of pg_index.
-- ---------------------------------------------------------------------------
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
REVOKE ALL ON tenant_guard.protected_key_columns FROM PUBLIC;

-- The primary-key columns of a protected table in key order, from
-- protected_key_columns (10_registry.sql): the order tenant_checksum reads
-- the rows in, readable without privileges on the registry.
CREATE FUNCTION tenant_guard._key_columns(rel regclass) RETURNS name[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
    SELECT array_agg(k.column_name ORDER BY k.position) FROM tenant_guard.protected_key_columns k WHERE k.rel = $1
$$;
REVOKE EXECUTE ON FUNCTION tenant_guard._key_columns(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_guard._key_columns(regclass) TO PUBLIC;

-- tenant_checksum reads the key through _key_columns (55_undo.sql).
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
