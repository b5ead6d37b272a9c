-- Shared fixtures of the pg_regress suites (run first, same database for all):
-- the extension, the roles the suites use, and sqlstate_of(), which runs a
-- statement and returns its SQLSTATE and message (or 'ok').
CREATE EXTENSION tenant_guard;

CREATE FUNCTION sqlstate_of(stmt text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_tg_owner', 'regress_tg_app', 'regress_tg_operator'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I', r);
        END IF;
    END LOOP;
END $$;

-- The extension creates no roles and grants nothing to PUBLIC but the
-- trigger function.
SELECT p.proname, has_function_privilege('regress_tg_app', p.oid, 'EXECUTE') AS app_can_execute
  FROM pg_proc p WHERE p.pronamespace = 'tenant_guard'::regnamespace ORDER BY 1;
SELECT c.relname, has_table_privilege('regress_tg_app', c.oid, 'SELECT') AS app_can_read
  FROM pg_class c WHERE c.relnamespace = 'tenant_guard'::regnamespace AND c.relkind IN ('r', 'p', 'v') ORDER BY 1;
SELECT has_schema_privilege('regress_tg_app', 'tenant_guard', 'USAGE') AS app_has_schema_usage;
