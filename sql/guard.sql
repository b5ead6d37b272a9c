-- Guard rails: every back door to a hard delete is refused with TG003 (as a
-- superuser, as the table owner and as an application role) and changes
-- nothing; the blast-radius limit (TG001); the tenant pin (TG002).
CREATE SCHEMA guard;
SET search_path = guard, public;
CREATE TABLE accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE contacts (tenant_id int NOT NULL, id int PRIMARY KEY,
                       account_id int NOT NULL REFERENCES accounts ON DELETE CASCADE, email text);
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.protect('contacts');
INSERT INTO accounts SELECT t, t, 'account ' || t FROM generate_series(1, 5) t;
INSERT INTO contacts SELECT t, 10 * t + c, t, 'c' || c || '@t' || t FROM generate_series(1, 5) t, generate_series(1, 2) c;
-- Everything the back doors could damage, in one value.
CREATE VIEW fingerprint AS
    SELECT md5((SELECT string_agg(a::text, ',' ORDER BY id) FROM guard.accounts a) ||
               (SELECT string_agg(c::text, ',' ORDER BY id) FROM guard.contacts c) ||
               (SELECT count(*) FROM tenant_guard.change_log)::text ||
               (SELECT count(*) FROM tenant_guard.tombstones)::text ||
               (SELECT string_agg(tgrelid::regclass::text || tgname || tgenabled::text, ',' ORDER BY 1)
                  FROM pg_trigger WHERE tgname LIKE 'tenant\_guard\_%')) AS fp;
SELECT fp AS before FROM fingerprint \gset

-- Back doors, as a superuser.
SELECT sqlstate_of($$TRUNCATE guard.contacts$$) AS truncate;
SELECT sqlstate_of($$TRUNCATE guard.accounts CASCADE$$) AS truncate_cascade;
SELECT sqlstate_of($$DROP TABLE guard.contacts$$) AS drop_table;
SELECT sqlstate_of($$DROP TABLE guard.accounts CASCADE$$) AS drop_table_cascade;
SELECT sqlstate_of($$DROP SCHEMA guard CASCADE$$) AS drop_schema_cascade;
SELECT sqlstate_of($$DROP TRIGGER tenant_guard_capture_delete ON guard.accounts$$) AS drop_trigger;
SELECT sqlstate_of($$DROP TRIGGER tenant_guard_no_truncate ON guard.accounts$$) AS drop_truncate_guard;
SELECT sqlstate_of($$ALTER TABLE guard.accounts DISABLE TRIGGER tenant_guard_capture_delete$$) AS disable_by_name;
SELECT sqlstate_of($$ALTER TABLE guard.accounts DISABLE TRIGGER ALL$$) AS disable_all;
SELECT sqlstate_of($$ALTER TABLE guard.accounts DISABLE TRIGGER USER$$) AS disable_user;
SELECT sqlstate_of($$ALTER TABLE guard.accounts ENABLE TRIGGER tenant_guard_capture_delete$$) AS enable_origin_only;
SELECT sqlstate_of($$ALTER TABLE guard.accounts ENABLE REPLICA TRIGGER tenant_guard_capture_delete$$) AS enable_replica_only;
SELECT sqlstate_of($$ALTER TRIGGER tenant_guard_capture_delete ON guard.accounts RENAME TO x$$) AS rename_trigger;
SELECT sqlstate_of($$ALTER TABLE guard.accounts DROP COLUMN tenant_id CASCADE$$) AS drop_tenant_column;
SELECT sqlstate_of($$ALTER TABLE guard.accounts ALTER COLUMN tenant_id TYPE bigint$$) AS retype_tenant_column;
SELECT sqlstate_of($$ALTER TABLE guard.accounts ALTER COLUMN tenant_id DROP NOT NULL$$) AS drop_not_null;
SELECT sqlstate_of($$ALTER TABLE guard.accounts DROP CONSTRAINT accounts_pkey CASCADE$$) AS drop_primary_key;
SELECT sqlstate_of($$ALTER TABLE guard.accounts RENAME COLUMN tenant_id TO org$$) AS rename_tenant_column;
SELECT sqlstate_of($$DROP EXTENSION tenant_guard$$) AS drop_extension;
SELECT sqlstate_of($$DROP EXTENSION tenant_guard CASCADE$$) AS drop_extension_cascade;
-- The messages say what to do instead.
TRUNCATE accounts CASCADE;
DROP TABLE contacts;
SELECT fp = :'before' AS unchanged FROM fingerprint;

-- Every back door again, as the table's owner (not a superuser) and as an
-- application role that may even TRUNCATE it: refused, nothing changed.
CREATE TABLE owned (tenant_id int NOT NULL, id int PRIMARY KEY);
ALTER TABLE owned OWNER TO regress_tg_owner;
SELECT tenant_guard.protect('owned');
INSERT INTO owned VALUES (1, 1);
GRANT USAGE ON SCHEMA guard TO regress_tg_owner, regress_tg_app;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON owned TO regress_tg_app;
CREATE TABLE back_doors (n int PRIMARY KEY, stmt text NOT NULL);
INSERT INTO back_doors VALUES
    (1, 'TRUNCATE guard.owned'),
    (2, 'DROP TABLE guard.owned'),
    (3, 'DROP TRIGGER tenant_guard_capture_delete ON guard.owned'),
    (4, 'ALTER TABLE guard.owned DISABLE TRIGGER tenant_guard_capture_delete'),
    (5, 'ALTER TABLE guard.owned DISABLE TRIGGER ALL'),
    (6, 'ALTER TABLE guard.owned DISABLE TRIGGER USER'),
    (7, 'ALTER TRIGGER tenant_guard_capture_delete ON guard.owned RENAME TO x'),
    (8, 'ALTER TABLE guard.owned DROP COLUMN tenant_id'),
    (9, 'ALTER TABLE guard.owned ALTER COLUMN tenant_id TYPE bigint'),
    (10, 'ALTER TABLE guard.owned ALTER COLUMN tenant_id DROP NOT NULL'),
    (11, 'ALTER TABLE guard.owned DROP CONSTRAINT owned_pkey'),
    (12, 'DROP EXTENSION tenant_guard CASCADE');
GRANT SELECT ON back_doors TO regress_tg_owner, regress_tg_app;
CREATE VIEW owned_fingerprint AS
    SELECT md5((SELECT string_agg(o::text, ',' ORDER BY id) FROM guard.owned o) ||
               (SELECT string_agg(tgname || tgenabled::text, ',' ORDER BY 1)
                  FROM pg_trigger WHERE tgrelid = 'guard.owned'::regclass)) AS fp;
SELECT fp AS owned_before FROM owned_fingerprint \gset
SET ROLE regress_tg_owner;
SELECT n, stmt, sqlstate_of(stmt) AS as_owner FROM back_doors ORDER BY n;
RESET ROLE;
SET ROLE regress_tg_app;
SELECT n, stmt, sqlstate_of(stmt) AS as_application FROM back_doors ORDER BY n;
RESET ROLE;
SELECT sqlstate_of($$DROP OWNED BY regress_tg_owner CASCADE$$) AS drop_owned;
SELECT fp = :'owned_before' AS owned_unchanged FROM owned_fingerprint;

-- Partitions: TRUNCATE, DROP and DETACH of a partition are refused, and so is
-- a TRUNCATE ... CASCADE that reaches a protected table.
CREATE TABLE events (tenant_id int NOT NULL, id int, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1);
CREATE TABLE events_2 PARTITION OF events FOR VALUES IN (2);
SELECT tenant_guard.protect('events');
INSERT INTO events VALUES (1, 1), (2, 1);
SELECT sqlstate_of($$TRUNCATE guard.events$$) AS truncate_parent;
SELECT sqlstate_of($$TRUNCATE guard.events_1$$) AS truncate_partition;
SELECT sqlstate_of($$DROP TABLE guard.events_2$$) AS drop_partition;
SELECT sqlstate_of($$ALTER TABLE guard.events DETACH PARTITION guard.events_2$$) AS detach_partition;
SELECT sqlstate_of($$ALTER TABLE guard.events_1 DISABLE TRIGGER tenant_guard_capture_delete$$) AS disable_on_partition;
CREATE TABLE plain_parent (id int PRIMARY KEY);
CREATE TABLE guarded_child (tenant_id int NOT NULL, id int PRIMARY KEY, parent_id int REFERENCES plain_parent);
SELECT tenant_guard.protect('guarded_child');
SELECT sqlstate_of($$TRUNCATE guard.plain_parent CASCADE$$) AS truncate_cascade_reaches;
SELECT count(*) AS event_rows FROM events;

-- session_replication_role = replica silences neither capture nor the guards.
SET session_replication_role = replica;
DELETE FROM contacts WHERE id = 11;
SELECT count(*) AS tombstoned_under_replica FROM tenant_guard.tombstones WHERE rel = 'contacts'::regclass;
SELECT sqlstate_of($$TRUNCATE guard.contacts$$) AS replica_truncate;
SELECT sqlstate_of($$DROP TABLE guard.contacts$$) AS replica_drop;
RESET session_replication_role;

-- Ordinary DDL keeps working, and capture follows it.
ALTER TABLE accounts ADD COLUMN plan text DEFAULT 'basic';
CREATE INDEX ON accounts (name);
ALTER TABLE accounts ALTER COLUMN name TYPE varchar(100);
ALTER TABLE accounts RENAME TO clients;
UPDATE clients SET plan = 'pro' WHERE id = 1;
SELECT rel, op, new_row->>'plan' AS plan FROM tenant_guard.change_log WHERE pk = '{"id": 1}' AND rel = 'clients'::regclass
 ORDER BY seq;
ALTER TABLE clients RENAME TO accounts;

-- Blast radius: one statement may change the rows of one tenant by default.
-- Tenant 4's account has a contact of tenant 5, so a cascade crosses tenants.
INSERT INTO contacts VALUES (5, 99, 4, 'cross@t5');
SHOW tenant_guard.max_tenants_per_statement;
SELECT fp AS before FROM fingerprint \gset
SELECT sqlstate_of($$DELETE FROM guard.accounts WHERE tenant_id IN (1, 2)$$) AS two_tenants;
SELECT sqlstate_of($$UPDATE guard.contacts SET email = upper(email)$$) AS all_tenants;
SELECT sqlstate_of($$MERGE INTO guard.accounts a USING (VALUES (1), (2)) v(id) ON a.id = v.id
                     WHEN MATCHED THEN UPDATE SET name = a.name$$) AS merge_two_tenants;
SELECT sqlstate_of($$WITH gone AS (DELETE FROM guard.contacts WHERE tenant_id = 1 RETURNING 1)
                     DELETE FROM guard.contacts WHERE tenant_id = 2$$) AS two_tables_one_statement;
SELECT sqlstate_of($$DELETE FROM guard.accounts WHERE id = 4$$) AS cascade_reaches_other_tenant;
DELETE FROM accounts WHERE tenant_id IN (1, 2, 3);
SELECT fp = :'before' AS unchanged FROM fingerprint;
DELETE FROM contacts WHERE id = 99;
-- A loop of single-tenant statements is fine, also inside a function.
DO $$ BEGIN FOR t IN 1..2 LOOP UPDATE guard.accounts SET name = name || '.' WHERE tenant_id = t; END LOOP; END $$;
-- A refused statement caught inside a function does not count toward the next one.
DO $$
BEGIN
    BEGIN
        UPDATE guard.accounts SET name = name;
    EXCEPTION WHEN SQLSTATE 'TG001' THEN RAISE NOTICE 'refused: %', SQLERRM;
    END;
    UPDATE guard.accounts SET name = name WHERE tenant_id = 3;
END $$;
-- Raised for one transaction.
BEGIN;
SET LOCAL tenant_guard.max_tenants_per_statement = 3;
UPDATE accounts SET name = name WHERE tenant_id IN (1, 2, 3);
SELECT sqlstate_of($$UPDATE guard.accounts SET name = name WHERE tenant_id <= 4$$) AS four_of_three;
SET LOCAL tenant_guard.max_tenants_per_statement = 0;
UPDATE accounts SET name = name;
COMMIT;
SHOW tenant_guard.max_tenants_per_statement;
-- INSERT is not limited.
INSERT INTO accounts SELECT t, t, 'account ' || t FROM generate_series(6, 9) t;
-- The first statement of a new session is counted too.
\c
SET search_path = guard, public;
SELECT sqlstate_of($$DELETE FROM guard.accounts WHERE tenant_id > 5$$) AS first_statement_of_session;

-- Tenant pin: a session bound to one tenant cannot touch another's rows.
SET tenant_guard.tenant = '3';
UPDATE accounts SET name = 'mine' WHERE tenant_id = 3;
SELECT sqlstate_of($$UPDATE guard.accounts SET name = 'theirs' WHERE tenant_id = 4$$) AS pin_update;
SELECT sqlstate_of($$DELETE FROM guard.accounts WHERE tenant_id = 4$$) AS pin_delete;
SELECT sqlstate_of($$INSERT INTO guard.accounts VALUES (42, 42, 'new')$$) AS pin_insert;
INSERT INTO accounts VALUES (42, 42, 'new');
RESET tenant_guard.tenant;
SELECT id, name FROM accounts WHERE tenant_id IN (3, 4, 42) ORDER BY id;
RESET search_path;
