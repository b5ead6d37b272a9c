-- Test databases: test suites flush with TRUNCATE (Django's flush and
-- TransactionTestCase, Rails' DatabaseCleaner :truncation). Under
-- tenant_guard.allow_truncate, which only a privileged role may set, TRUNCATE
-- of protected tables works, is recorded in guard_overrides (one record per
-- statement, naming every table it truncated) and takes the truncated
-- tables' tombstones and history with it.
CREATE SCHEMA tm;
SET search_path = tm, public;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'regress_tm_tester') THEN
        CREATE ROLE regress_tm_tester;  -- the role a test suite connects as
    END IF;
END $$;
REVOKE SET ON PARAMETER tenant_guard.allow_truncate FROM regress_tm_tester;
CREATE TABLE accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE contacts (tenant_id int NOT NULL, id int PRIMARY KEY,
                       account_id int NOT NULL REFERENCES accounts ON DELETE CASCADE);
CREATE TABLE events (tenant_id int NOT NULL, id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
SELECT tenant_guard.protect('contacts'), tenant_guard.protect('accounts'), tenant_guard.protect('events');
GRANT USAGE, CREATE ON SCHEMA tm TO regress_tm_tester;
GRANT SELECT, INSERT, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA tm TO regress_tm_tester;

-- Every test starts with some rows, a deleted row (a tombstone) and history.
CREATE FUNCTION tm.fill() RETURNS void LANGUAGE sql AS $$
    INSERT INTO tm.accounts SELECT t, t, 'account ' || t FROM generate_series(1, 3) t ON CONFLICT DO NOTHING;
    INSERT INTO tm.contacts SELECT t, 10 * t, t FROM generate_series(1, 3) t ON CONFLICT DO NOTHING;
    INSERT INTO tm.events SELECT t, t, d FROM generate_series(1, 3) t, (VALUES (date '2025-06-01'), ('2026-06-01')) v(d)
        ON CONFLICT DO NOTHING;
    DELETE FROM tm.accounts WHERE tenant_id = 3;
    DELETE FROM tm.events WHERE tenant_id = 3;
$$;
GRANT EXECUTE ON FUNCTION tm.fill() TO regress_tm_tester;
CREATE VIEW tm.state AS
SELECT r.rel, r.live,
       (SELECT count(*) FROM tenant_guard.tombstones s WHERE s.rel = r.rel) AS tombstones,
       (SELECT count(*) FROM tenant_guard.change_log c WHERE c.rel = r.rel) AS history
  FROM (VALUES ('tm.accounts'::regclass, (SELECT count(*) FROM tm.accounts)),
               ('tm.contacts'::regclass, (SELECT count(*) FROM tm.contacts)),
               ('tm.events'::regclass, (SELECT count(*) FROM tm.events)),
               ('tm.events_2025'::regclass, (SELECT count(*) FROM tm.events_2025))) AS r(rel, live);
SELECT tm.fill();
SELECT * FROM state;

-- Off by default: TRUNCATE is refused (TG003), for a superuser too, with a
-- hint that names the setting.
SHOW tenant_guard.allow_truncate;
SELECT sqlstate_of($$TRUNCATE tm.contacts$$) AS truncate_refused;
SET ROLE regress_tm_tester;
TRUNCATE contacts;
RESET ROLE;

-- Setting it is a privilege: 42501 (with a hint) for a role without it,
-- also for SET LOCAL, set_config(), ALTER ROLE ... SET and CREATE FUNCTION ... SET.
SET ROLE regress_tm_tester;
SELECT sqlstate_of($$SET tenant_guard.allow_truncate = on$$) AS set_without_privilege;
SELECT sqlstate_of($$SET LOCAL tenant_guard.allow_truncate = on$$) AS set_local_without_privilege;
SELECT sqlstate_of($$SELECT set_config('tenant_guard.allow_truncate', 'on', false)$$) AS set_config_without_privilege;
SELECT sqlstate_of($$ALTER ROLE regress_tm_tester SET tenant_guard.allow_truncate = on$$) AS alter_role_without_privilege;
SELECT sqlstate_of($$CREATE FUNCTION tm.flush() RETURNS void LANGUAGE sql SET tenant_guard.allow_truncate = on
                     AS 'TRUNCATE tm.accounts CASCADE'$$) AS function_set_without_privilege;
SET tenant_guard.allow_truncate = on;
RESET ROLE;
-- In a session that has not loaded the module yet, PostgreSQL takes the SET
-- as a placeholder; when the module loads, the value of a role without the
-- privilege is discarded (WARNING) and TRUNCATE stays refused.
\c
SET search_path = tm, public;
SET ROLE regress_tm_tester;
SET tenant_guard.allow_truncate = on;
TRUNCATE contacts;
SHOW tenant_guard.allow_truncate;
RESET ROLE;
SELECT * FROM state;

-- A superuser grants it to the test role, once.
GRANT SET ON PARAMETER tenant_guard.allow_truncate TO regress_tm_tester;
SET ROLE regress_tm_tester;
BEGIN;
SET LOCAL tenant_guard.allow_truncate = on;
SET LOCAL application_name = 'test suite';
TRUNCATE accounts, contacts;
COMMIT;
RESET ROLE;
-- The tables truncated whole lost their tombstones and history with their
-- rows; the others kept everything.
SELECT * FROM state;
SELECT recorded_by, acting_role, application_name, setting, value, rel, rels, statement
  FROM tenant_guard.guard_overrides WHERE setting = 'tenant_guard.allow_truncate' ORDER BY override_id;

-- Back off (the transaction ended): refused again.
SHOW tenant_guard.allow_truncate;
SELECT sqlstate_of($$TRUNCATE tm.contacts$$) AS off_again;

-- TRUNCATE ... CASCADE across protected tables: one record for the
-- statement, naming every table it truncated.
SELECT tm.fill();
SELECT tenant_guard.mark('tm-before-flush');
SET ROLE regress_tm_tester;
SET tenant_guard.allow_truncate = on;
TRUNCATE accounts CASCADE;
-- A partition on its own: its rows go; tombstones and history are kept per
-- protected table (a partition's are its parent's), so they stay.
TRUNCATE events_2025;
RESET ROLE;
SELECT * FROM state;
-- The partitioned table whole: every partition, and its tombstones and history.
SET ROLE regress_tm_tester;
TRUNCATE events RESTART IDENTITY;
-- Two statements, two records.
DO $$ BEGIN TRUNCATE tm.contacts; TRUNCATE tm.contacts; END $$;
RESET ROLE;
SELECT * FROM state;
SELECT acting_role, rel, rels, statement FROM tenant_guard.guard_overrides
 WHERE setting = 'tenant_guard.allow_truncate' ORDER BY override_id;
-- A truncation's rows went without a record: rewinds cannot reach back
-- before it (TG021); after it they can.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.rewind('1', to_mark => 'tm-before-flush')$$) AS rewind_before_flush;
SELECT tenant_guard.mark('tm-after-flush');
SELECT tm.fill();
SELECT * FROM tenant_guard.rewind('1', to_mark => 'tm-after-flush');
SELECT * FROM state;
-- Setting it back off refuses again.
SET ROLE regress_tm_tester;
SET tenant_guard.allow_truncate = off;
SELECT sqlstate_of($$TRUNCATE tm.contacts$$) AS set_off;
RESET tenant_guard.allow_truncate;

-- With the privilege, ALTER ROLE ... SET and CREATE FUNCTION ... SET work
-- as for any parameter; a function that flushes is recorded too.
ALTER ROLE regress_tm_tester SET tenant_guard.allow_truncate = on;
ALTER ROLE regress_tm_tester RESET tenant_guard.allow_truncate;
CREATE FUNCTION tm.flush() RETURNS void LANGUAGE sql SET tenant_guard.allow_truncate = on
    AS 'TRUNCATE tm.accounts CASCADE';
SELECT tm.flush();
SHOW tenant_guard.allow_truncate;
RESET ROLE;
SELECT acting_role, rel, rels, statement FROM tenant_guard.guard_overrides
 WHERE setting = 'tenant_guard.allow_truncate' ORDER BY override_id DESC LIMIT 1;

-- A TRUNCATE that fails after tenant_guard's trigger recorded it (here a
-- table owner's own trigger refuses) leaves no record; the next TRUNCATE of
-- the same block has a record of its own.
CREATE FUNCTION tm.not_now() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'not now'; END $$;
CREATE TRIGGER zz_not_now BEFORE TRUNCATE ON contacts FOR EACH STATEMENT EXECUTE FUNCTION tm.not_now();
SET ROLE regress_tm_tester;
SET tenant_guard.allow_truncate = on;
DO $$
BEGIN
    BEGIN
        TRUNCATE tm.accounts, tm.contacts;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'refused: %', SQLERRM;
    END;
    TRUNCATE tm.events_2026;
END $$;
RESET tenant_guard.allow_truncate;
RESET ROLE;
DROP TRIGGER zz_not_now ON contacts;
SELECT acting_role, rel, rels, statement FROM tenant_guard.guard_overrides
 WHERE setting = 'tenant_guard.allow_truncate' ORDER BY override_id DESC LIMIT 2;

-- A DBA may set it for a whole test database instead: every session there
-- may TRUNCATE (the setting came from the database's settings).
REVOKE SET ON PARAMETER tenant_guard.allow_truncate FROM regress_tm_tester;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET tenant_guard.allow_truncate = on', current_database()); END $$;
\c
SET search_path = tm, public;
SET ROLE regress_tm_tester;
SHOW tenant_guard.allow_truncate;
SELECT tm.fill();
TRUNCATE accounts CASCADE;
RESET ROLE;
DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET tenant_guard.allow_truncate', current_database()); END $$;
SELECT acting_role, rel, rels, statement FROM tenant_guard.guard_overrides
 WHERE setting = 'tenant_guard.allow_truncate' ORDER BY override_id DESC LIMIT 1;
\c
SET search_path = tm, public;
SELECT sqlstate_of($$TRUNCATE tm.contacts$$) AS database_setting_reset;

-- Nothing of this suite stays granted.
SELECT has_parameter_privilege('regress_tm_tester', 'tenant_guard.allow_truncate', 'SET') AS tester_may_set;
SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = 'regress_tm_tester';
