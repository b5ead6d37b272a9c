-- No role gains a privilege through tenant_guard (the hostile-roles attack
-- of every name the extension's SQL uses is test/security/run.sh):
--  * trigger functions act only for the triggers protect() installed;
--  * undelete and rewind check the caller's privileges, then write as the
--    table's owner in a security-restricted context;
--  * a valid token is the authority for purge (EXECUTE, nothing on tables);
--  * a purge key is exactly one PEM block;
--  * weakening the blast-radius limit is a privilege, and recorded.
CREATE SCHEMA sec;
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['regress_sec_owner', 'regress_sec_operator', 'regress_sec_purger', 'regress_sec_app']
    LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I', r);
        END IF;
    END LOOP;
END $$;
GRANT CREATE, USAGE ON SCHEMA sec TO regress_sec_owner;
GRANT USAGE ON SCHEMA sec TO regress_sec_operator, regress_sec_app;
GRANT USAGE ON SCHEMA tenant_guard TO regress_sec_owner, regress_sec_operator, regress_sec_purger, regress_sec_app;
GRANT EXECUTE ON FUNCTION tenant_guard.protect(regclass, name, text, name) TO regress_sec_owner;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete(text, regclass[], timestamptz, text, boolean),
                          tenant_guard.rewind(text, timestamptz, text, boolean), tenant_guard.mark(text)
    TO regress_sec_operator;
GRANT EXECUTE ON FUNCTION tenant_guard.purge(text, boolean) TO regress_sec_purger;

-- The application schema belongs to its owner, who may try anything there.
SET ROLE regress_sec_owner;
CREATE TABLE sec.accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
SELECT tenant_guard.protect('sec.accounts');
INSERT INTO sec.accounts SELECT t, t * 10 + i, 'acct ' || i FROM generate_series(1, 3) t, generate_series(1, 3) i;
RESET ROLE;

-- ---------------------------------------------------------------------------
-- Forged triggers.
-- ---------------------------------------------------------------------------
-- PUBLIC may not attach the statement-level trigger functions anywhere: not
-- to its own temp table, not to its own table, not to a protected table.
SET ROLE regress_sec_owner;
CREATE TEMP TABLE forged_temp (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT sqlstate_of($$CREATE TRIGGER f AFTER DELETE ON forged_temp REFERENCING OLD TABLE AS o
                     FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.capture('1', 'tenant_id', 'tombstone')$$)
    AS capture_on_temp_table;
CREATE TABLE sec.plain (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT sqlstate_of($$CREATE TRIGGER f BEFORE UPDATE ON sec.plain
                     FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.statement_start()$$) AS statement_start_on_table;
SELECT sqlstate_of($$CREATE TRIGGER f BEFORE TRUNCATE ON sec.plain
                     FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.refuse_truncate()$$) AS refuse_truncate_on_table;
SELECT sqlstate_of($$CREATE TRIGGER forged AFTER DELETE ON sec.accounts REFERENCING OLD TABLE AS o
                     FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.capture('1', 'name', 'flag')$$)
    AS second_capture_on_protected;
-- flag_delete stays executable (PostgreSQL clones row triggers onto new
-- partitions as whoever creates them) but acts only for protect()'s own.
CREATE TRIGGER forged_flag BEFORE DELETE ON sec.plain FOR EACH ROW
    EXECUTE FUNCTION tenant_guard.flag_delete('id', 'boolean');
INSERT INTO sec.plain VALUES (1, 1);
SELECT sqlstate_of($$DELETE FROM sec.plain$$) AS forged_flag_delete_refused;
SELECT count(*) AS plain_row_kept FROM sec.plain;
DROP TRIGGER forged_flag ON sec.plain;
-- Gone again: a session with temporary objects runs no table owner's code
-- for a role without the owner's rights (flag_mode suite).
DROP TABLE forged_temp;
RESET ROLE;

-- Attached anyway (by a superuser, or a role granted EXECUTE), each refuses
-- to act for a trigger protect() did not install.
CREATE TEMP TABLE su_temp (tenant_id int NOT NULL, id int PRIMARY KEY);
INSERT INTO su_temp VALUES (1, 1);
CREATE TRIGGER forged AFTER DELETE ON su_temp REFERENCING OLD TABLE AS o
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.capture('1', 'tenant_id', 'tombstone');
SELECT sqlstate_of($$DELETE FROM su_temp$$) AS capture_on_temp_table;
DROP TABLE su_temp;
CREATE TRIGGER forged_start BEFORE DELETE ON sec.plain
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.statement_start('1', 'tenant_id', 'tombstone');
SELECT sqlstate_of($$DELETE FROM sec.plain$$) AS statement_start_on_unprotected;
DROP TRIGGER forged_start ON sec.plain;
CREATE TRIGGER forged_truncate BEFORE TRUNCATE ON sec.plain
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.refuse_truncate('1', 'tenant_id', 'tombstone');
SELECT sqlstate_of($$TRUNCATE sec.plain$$) AS refuse_truncate_on_unprotected;
DROP TRIGGER forged_truncate ON sec.plain;
-- A second capture trigger on a protected table, with arguments that would
-- make DELETEs flag rows of another table: refused; the real trigger's shape
-- is untouched, so once it is gone DELETE leaves its tombstone as before.
CREATE TRIGGER forged AFTER DELETE ON sec.accounts REFERENCING OLD TABLE AS o
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_guard.capture('999', 'name', 'flag');
SELECT sqlstate_of($$DELETE FROM sec.accounts WHERE id = 11$$) AS second_trigger_refused;
DELETE FROM sec.accounts WHERE id = 11;
DROP TRIGGER forged ON sec.accounts;
DELETE FROM sec.accounts WHERE id = 11;
SELECT tenant, pk FROM tenant_guard.tombstones WHERE rel = 'sec.accounts'::regclass;
SELECT * FROM tenant_guard.undelete('1');
SELECT count(*) AS tenant_1_back FROM sec.accounts WHERE tenant_id = 1;

-- A trigger called like one of protect()'s, made before protect(): refused,
-- never taken for the real one.
SET ROLE regress_sec_owner;
CREATE TABLE sec.squatted (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE FUNCTION sec.nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER tenant_guard_capture_delete AFTER DELETE ON sec.squatted
    FOR EACH STATEMENT EXECUTE FUNCTION sec.nothing();
SELECT sqlstate_of($$SELECT tenant_guard.protect('sec.squatted')$$) AS protect_with_squatted_name;
-- The owner's own trigger on a protected table whose name starts like the
-- extension's is the owner's: it can be dropped.
CREATE TRIGGER tenant_guard_mine AFTER INSERT ON sec.accounts FOR EACH STATEMENT EXECUTE FUNCTION sec.nothing();
DROP TRIGGER tenant_guard_mine ON sec.accounts;
SELECT sqlstate_of($$DROP TRIGGER tenant_guard_capture_delete ON sec.accounts$$) AS real_trigger_kept;
RESET ROLE;
SELECT count(*) AS squatted_not_protected FROM tenant_guard.protected_tables WHERE rel = 'sec.squatted'::regclass;

-- ---------------------------------------------------------------------------
-- undelete and rewind write as the table's owner, restricted.
-- ---------------------------------------------------------------------------
-- The owner's trigger tries to make its owner superuser and to leave the
-- restricted context; it records who it ran as and what happened.
SET ROLE regress_sec_owner;
CREATE TABLE sec.trap_log (fired_as text, session_role text, superuser_attempt text, temp_table_attempt text);
CREATE FUNCTION sec.trap() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    su text := 'ok';
    tmp text := 'ok';
BEGIN
    BEGIN
        EXECUTE 'ALTER ROLE regress_sec_owner SUPERUSER';
    EXCEPTION WHEN OTHERS THEN su := SQLSTATE;
    END;
    BEGIN
        EXECUTE 'CREATE TEMP TABLE trap_tmp (x int)';
    EXCEPTION WHEN OTHERS THEN tmp := SQLSTATE;
    END;
    INSERT INTO sec.trap_log VALUES (current_user, session_user, su, tmp);
    RETURN NULL;
END $$;
CREATE TRIGGER trap AFTER INSERT OR UPDATE OR DELETE ON sec.accounts FOR EACH STATEMENT EXECUTE FUNCTION sec.trap();
GRANT INSERT ON sec.trap_log TO regress_sec_app;
RESET ROLE;
GRANT SELECT, INSERT, UPDATE, DELETE ON sec.accounts TO regress_sec_app;
SELECT tenant_guard.mark('sec-before');
-- The application deletes (the trap runs as the application: no privilege).
SET ROLE regress_sec_app;
DELETE FROM sec.accounts WHERE tenant_id = 2;
RESET ROLE;
SELECT * FROM sec.trap_log;
TRUNCATE sec.trap_log;
-- The superuser restores: the trap runs as the owner, cannot become
-- superuser nor create a temp table; the rows are back.
SELECT * FROM tenant_guard.undelete('2');
SELECT * FROM sec.trap_log;
SELECT rolsuper AS owner_is_superuser FROM pg_roles WHERE rolname = 'regress_sec_owner';
SELECT count(*) AS tenant_2_back FROM sec.accounts WHERE tenant_id = 2;
SET ROLE regress_sec_app;
UPDATE sec.accounts SET name = 'changed' WHERE tenant_id = 2;
RESET ROLE;
TRUNCATE sec.trap_log;
SELECT * FROM tenant_guard.rewind('2', to_mark => 'sec-before');
SELECT DISTINCT * FROM sec.trap_log;
SELECT rolsuper AS owner_is_superuser FROM pg_roles WHERE rolname = 'regress_sec_owner';
SELECT string_agg(name, ', ' ORDER BY id) AS tenant_2_rewound FROM sec.accounts WHERE tenant_id = 2;
-- (Armed, the trap would make its owner superuser when a superuser's own
-- statement fires it: PostgreSQL's rule for triggers, not tenant_guard's.)
DROP TRIGGER trap ON sec.accounts;
-- The temporary table the trap made as the application: with it, the session
-- runs no table owner's code for a role without the owner's rights.
DISCARD TEMP;

-- The operator's own privileges are checked first: without them nothing is
-- restored, with them the rows come back (written as the owner).
DELETE FROM sec.accounts WHERE tenant_id = 3;
SET ROLE regress_sec_operator;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('3')$$) AS undelete_without_privileges;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.rewind('2', to_mark => 'sec-before')$$) AS rewind_without_privileges;
RESET ROLE;
GRANT SELECT, INSERT ON sec.accounts TO regress_sec_operator;
SET ROLE regress_sec_operator;
SELECT * FROM tenant_guard.undelete('3');
-- rewind needs UPDATE and DELETE too.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.rewind('3', to_mark => 'sec-before')$$) AS rewind_without_update;
RESET ROLE;
-- Row-level security that applies to the operator would not apply to the
-- owner's writes: refused.
ALTER TABLE sec.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_tenant_1 ON sec.accounts TO regress_sec_operator USING (tenant_id = 1);
DELETE FROM sec.accounts WHERE tenant_id = 3;
SET ROLE regress_sec_operator;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('3')$$) AS undelete_under_rls;
RESET ROLE;
ALTER TABLE sec.accounts DISABLE ROW LEVEL SECURITY;
SELECT * FROM tenant_guard.undelete('3');

-- ---------------------------------------------------------------------------
-- Purge: the token is the authority.
-- ---------------------------------------------------------------------------
-- The purger has EXECUTE on purge and USAGE on schema tenant_guard only: no
-- privilege on the table, not even USAGE on its schema.
CREATE TABLE sec_pem (name text PRIMARY KEY, pem text NOT NULL);
INSERT INTO sec_pem VALUES
 ('key', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMf+gRnGUjABwOA2jUdv4tDOYAF/8cdyc2aaR7JmKvz7\n-----END PRIVATE KEY-----\n'),
 ('pub', E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA37vPSanVQGkQ5908jyCG0Fgo5kJH4SdNHdGlUrx4HSo=\n-----END PUBLIC KEY-----\n'),
 ('pub2', E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA8mdnjUxwjUJAHY31Slx01AjclzrrDqlmffdZOKlxEFY=\n-----END PUBLIC KEY-----\n');
-- A purge key is exactly one PEM block: a second one appended is refused.
SELECT sqlstate_of(format('SELECT tenant_guard.add_purge_key(%L, %L)', 'sec-two',
                          (SELECT pem FROM sec_pem WHERE name = 'pub') || (SELECT pem FROM sec_pem WHERE name = 'pub2')))
    AS two_pem_blocks;
SELECT sqlstate_of(format('SELECT tenant_guard.add_purge_key(%L, %L)', 'sec-junk',
                          (SELECT pem FROM sec_pem WHERE name = 'pub') || 'and more text'))
    AS text_after_the_block;
SELECT count(*) AS keys_added FROM tenant_guard.purge_keys WHERE key_id LIKE 'sec-%';
SELECT tenant_guard.add_purge_key('sec-key', (SELECT pem FROM sec_pem WHERE name = 'pub'));
CREATE TABLE sec.sec_token AS
SELECT tenant_guard.sign_token(jsonb_build_object(
    'kid', 'sec-key', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', '3', 'live', true,
    'tables', jsonb_build_array('sec.accounts'), 'max_rows', 100,
    'exp', floor(extract(epoch FROM now()))::bigint + 600, 'jti', 'sec-purge-1', 'reason', 'off-boarding'),
    (SELECT pem FROM sec_pem WHERE name = 'key')) AS token;
GRANT SELECT ON sec.sec_token TO regress_sec_purger;
SET ROLE regress_sec_purger;
SELECT has_schema_privilege('sec', 'USAGE') AS purger_uses_schema,
       has_table_privilege((SELECT oid FROM pg_class WHERE relname = 'accounts' AND relnamespace = 'sec'::regnamespace),
                           'SELECT') AS purger_reads_table;
SELECT * FROM tenant_guard.purge((SELECT token FROM sec.sec_token), dry_run => true);
SELECT * FROM tenant_guard.purge((SELECT token FROM sec.sec_token));
RESET ROLE;
SELECT count(*) AS tenant_3_left FROM sec.accounts WHERE tenant_id = 3;
SELECT count(*) AS tenant_3_history_left FROM tenant_guard.change_log WHERE tenant = '3' AND rel = 'sec.accounts'::regclass;

-- ---------------------------------------------------------------------------
-- Weakening the blast-radius limit is a privilege, and recorded.
-- ---------------------------------------------------------------------------
SET ROLE regress_sec_app;
SELECT sqlstate_of($$SET tenant_guard.max_tenants_per_statement = 5$$) AS raise_without_privilege;
SELECT sqlstate_of($$SET LOCAL tenant_guard.max_tenants_per_statement = 0$$) AS disable_without_privilege;
SELECT sqlstate_of($$ALTER ROLE regress_sec_app SET tenant_guard.max_tenants_per_statement = 0$$)
    AS persist_without_privilege;
SET tenant_guard.max_tenants_per_statement = 5;
-- The setting that is anyone's still is, also before the module is loaded.
SET tenant_guard.actor = 'app';
RESET tenant_guard.actor;
RESET ROLE;
SELECT count(*) AS nothing_recorded_yet FROM tenant_guard.guard_overrides WHERE acting_role = 'regress_sec_app';
GRANT SET ON PARAMETER tenant_guard.max_tenants_per_statement TO regress_sec_app;
SET ROLE regress_sec_app;
BEGIN;
SET LOCAL tenant_guard.max_tenants_per_statement = 3;
SET LOCAL application_name = 'cleanup script';
UPDATE sec.accounts SET name = 'bulk' WHERE tenant_id IN (1, 2);
COMMIT;
-- Within the default limit nothing is recorded.
UPDATE sec.accounts SET name = 'one' WHERE tenant_id = 1;
RESET ROLE;
SELECT recorded_by, acting_role, application_name, setting, value, rel, statement FROM tenant_guard.guard_overrides
 WHERE acting_role = 'regress_sec_app';
SELECT has_table_privilege('regress_sec_app', 'tenant_guard.guard_override_data', 'SELECT') AS app_reads_audit;
REVOKE SET ON PARAMETER tenant_guard.max_tenants_per_statement FROM regress_sec_app;

-- CREATE FUNCTION ... SET tenant_guard.actor by a non-superuser works in a
-- session that has not loaded the module (the placeholder is granted), while
-- the setting that weakens a guard still needs its privilege.
\c
SET ROLE regress_sec_owner;
CREATE FUNCTION sec.as_batch() RETURNS text LANGUAGE sql SET tenant_guard.actor = 'batch'
    AS $$ SELECT current_setting('tenant_guard.actor') $$;
SELECT sqlstate_of('CREATE FUNCTION sec.unlimited() RETURNS int LANGUAGE sql
                     SET tenant_guard.max_tenants_per_statement = 0 AS ''SELECT 1'' ') AS suset_in_function;
SELECT sec.as_batch();
RESET ROLE;

-- No role of this suite gained anything.
SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles
 WHERE rolname LIKE 'regress\_sec\_%' ORDER BY 1;
