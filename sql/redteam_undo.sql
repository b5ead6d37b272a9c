-- Red-team pass over undoing an operation (0.4.0): undelete_where,
-- undelete_row, the trash and undelete_trash, and the restore path they share
-- with undelete. Each finding: what a hostile or careless role tried, and
-- that it is refused (or skipped, and counted) and changes nothing.
CREATE SCHEMA rtu AUTHORIZATION regress_tg_owner;
GRANT USAGE ON SCHEMA rtu TO PUBLIC;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_owner, regress_tg_app;
GRANT EXECUTE ON FUNCTION tenant_guard.protect(regclass, name, text, name) TO regress_tg_owner;
GRANT SELECT ON tenant_guard.trash TO regress_tg_app;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete_trash(bigint[], text, boolean) TO regress_tg_app;
SET search_path = rtu, public;
SELECT now() AS start \gset

-- 1. A row is never restored against another tenant's row. Global keys (id
-- alone, as Django and Rails make them): acme's project 5 was deleted, and
-- globex has a live project 5 now. acme's task 50, deleted on purpose
-- earlier (another statement), references project 5: restored on its own it
-- would hang under globex's project (and globex deleting it would cascade
-- into acme). Whichever way it is restored, it is a conflict: TG020, or with
-- 'skip' left tombstoned and counted.
SET ROLE regress_tg_owner;
CREATE TABLE projects (tenant_id text NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE tasks (tenant_id text NOT NULL, id int PRIMARY KEY,
                    project_id int REFERENCES projects ON DELETE CASCADE, title text);
-- A tree within one table.
CREATE TABLE folders (tenant_id text NOT NULL, id int PRIMARY KEY,
                      parent_id int REFERENCES folders ON DELETE CASCADE, name text);
SELECT tenant_guard.protect('tasks'), tenant_guard.protect('projects'), tenant_guard.protect('folders');
GRANT SELECT, INSERT, DELETE ON projects, tasks, folders TO regress_tg_app;
RESET ROLE;
INSERT INTO projects VALUES ('acme', 5, 'acme five');
INSERT INTO tasks VALUES ('acme', 50, 5, 'acme task');
INSERT INTO folders VALUES ('acme', 1, NULL, 'acme root'), ('acme', 2, 1, 'acme sub');
SET tenant_guard.actor = 'cleanup-script';
DELETE FROM tasks WHERE id = 50;
DELETE FROM folders WHERE id = 2;
RESET tenant_guard.actor;
DELETE FROM projects WHERE id = 5;
DELETE FROM folders WHERE id = 1;
INSERT INTO projects VALUES ('globex', 5, 'globex five');
INSERT INTO folders VALUES ('globex', 1, NULL, 'globex root');
-- The application's trash (acme's session): restoring the task alone.
SET ROLE regress_tg_app;
SET tenant_guard.tenant = 'acme';
SELECT rel, pk FROM tenant_guard.trash WHERE deleted_at >= :'start' ORDER BY rel::text, pk::text;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_trash(
    (SELECT array_agg(tombstone_id) FROM tenant_guard.trash WHERE rel = 'rtu.tasks'::regclass))$$);
SELECT * FROM tenant_guard.undelete_trash(
    (SELECT array_agg(tombstone_id) FROM tenant_guard.trash WHERE rel = 'rtu.tasks'::regclass), 'skip');
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_trash(
    (SELECT array_agg(tombstone_id) FROM tenant_guard.trash WHERE rel = 'rtu.folders'::regclass AND pk = '{"id": 2}'))$$);
RESET tenant_guard.tenant;
RESET ROLE;
-- The operator's functions: the row alone, the script's deletions, the table alone.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('rtu.tasks', '{"id": 50}', with_cascade => false)$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('rtu.folders', '{"id": 2}')$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_where(actor => 'cleanup-script')$$);
SELECT * FROM tenant_guard.undelete_where(actor => 'cleanup-script', on_conflict => 'skip');
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.tasks}')$$);
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.tasks,rtu.folders}', on_conflict => 'skip');
-- Nothing of acme hangs under globex's rows; every tombstone is still there.
SELECT t.id FROM tasks t JOIN projects p ON p.id = t.project_id WHERE t.tenant_id <> p.tenant_id
UNION ALL
SELECT f.id FROM folders f JOIN folders p ON p.id = f.parent_id WHERE f.tenant_id <> p.tenant_id;
SELECT rel, pk FROM tenant_guard.tombstones WHERE tenant = 'acme' AND deleted_at >= :'start' ORDER BY rel::text, pk::text;
-- Control: once acme's project is back (globex's moved to another key), the
-- task comes back with it.
DELETE FROM projects WHERE id = 5 AND tenant_id = 'globex';
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.projects,rtu.tasks}');

-- 2. A foreign key to a partitioned table: PostgreSQL adds a copy of it per
-- partition of the referenced table (conparentid set). Those copies are not
-- foreign keys of their own: with 'skip', a child row referencing a row of
-- one partition was counted as an orphan of every other partition, and
-- nothing came back.
SET ROLE regress_tg_owner;
CREATE TABLE accounts (tenant_id text NOT NULL, id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE accounts_low PARTITION OF accounts FOR VALUES FROM (0) TO (100);
CREATE TABLE accounts_high PARTITION OF accounts FOR VALUES FROM (100) TO (200);
CREATE TABLE invoices (tenant_id text NOT NULL, id int PRIMARY KEY,
                       account_id int REFERENCES accounts ON DELETE CASCADE);
SELECT tenant_guard.protect('invoices'), tenant_guard.protect('accounts');
RESET ROLE;
SELECT count(*) AS constraints_for_one_foreign_key FROM pg_constraint WHERE conrelid = 'invoices'::regclass AND contype = 'f';
INSERT INTO accounts VALUES ('acme', 50), ('acme', 150);
INSERT INTO invoices VALUES ('acme', 1, 50), ('acme', 2, 150);
DELETE FROM invoices WHERE tenant_id = 'acme';
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.invoices}', on_conflict => 'skip');
SELECT id, account_id FROM invoices ORDER BY id;
-- undelete_row follows the cascade from a partitioned parent.
DELETE FROM accounts WHERE id = 150;
SELECT * FROM tenant_guard.undelete_row('rtu.accounts', '{"id": 150}');
SELECT id, account_id FROM invoices ORDER BY id;

-- 3. Row-level security: a role that a policy lets see only its own rows of a
-- table read every deleted row of its tenant there through the trash (the
-- tombstones are read as the extension owner). The trash leaves out tables
-- where row-level security applies to the caller, and undelete_trash with
-- them (it would need to restore rows the policy hides).
SET ROLE regress_tg_owner;
CREATE TABLE memos (tenant_id text NOT NULL, id int PRIMARY KEY, author text NOT NULL, body text);
ALTER TABLE memos ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_memos ON memos USING (author = current_user) WITH CHECK (author = current_user);
GRANT SELECT, INSERT, DELETE ON memos TO regress_tg_app;
SELECT tenant_guard.protect('memos');
RESET ROLE;
INSERT INTO memos VALUES ('acme', 1, 'regress_tg_app', 'my memo'), ('acme', 2, 'ceo', 'the ceo''s memo');
DELETE FROM memos WHERE id = 1;
DELETE FROM memos WHERE id = 2;
SELECT array_agg(tombstone_id) AS memo_ids FROM tenant_guard.tombstones WHERE rel = 'rtu.memos'::regclass \gset
SET ROLE regress_tg_app;
SET tenant_guard.tenant = 'acme';
SELECT count(*) AS memos_the_policy_shows FROM memos;
SELECT row_data->>'body' AS body FROM tenant_guard.trash WHERE rel = 'rtu.memos'::regclass ORDER BY 1;
SELECT count(*) AS restored FROM tenant_guard.undelete_trash(:'memo_ids', 'skip');
RESET tenant_guard.tenant;
RESET ROLE;
SELECT count(*) AS still_tombstoned FROM tenant_guard.tombstones WHERE rel = 'rtu.memos'::regclass;
-- Control: the owner (no policy applies to it) sees them.
GRANT SELECT ON tenant_guard.trash TO regress_tg_owner;
SET ROLE regress_tg_owner;
SET tenant_guard.tenant = 'acme';
SELECT row_data->>'body' AS body FROM tenant_guard.trash WHERE rel = 'rtu.memos'::regclass ORDER BY 1;
RESET tenant_guard.tenant;
RESET ROLE;
REVOKE SELECT ON tenant_guard.trash FROM regress_tg_owner;

-- 4. A row comes back as it was, or its tombstone stays. A BEFORE INSERT
-- trigger of the owner that skips some rows (RETURN NULL), or a rule that
-- rewrites INSERT into nothing, made undelete count them restored and remove
-- their tombstones: the rows were gone with no tombstone left.
SET ROLE regress_tg_owner;
CREATE TABLE notes (tenant_id text NOT NULL, id int PRIMARY KEY, body text);
SELECT tenant_guard.protect('notes');
CREATE FUNCTION skip_archived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.body = 'archived' THEN RETURN NULL; END IF;
    RETURN NEW;
END $$;
CREATE FUNCTION to_globex() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tenant_id := 'globex';
    RETURN NEW;
END $$;
RESET ROLE;
INSERT INTO notes VALUES ('acme', 1, 'kept'), ('acme', 2, 'later archived');
UPDATE notes SET body = 'archived' WHERE id = 2;
DELETE FROM notes WHERE id = 1;
DELETE FROM notes WHERE id = 2;
SET ROLE regress_tg_owner;
CREATE TRIGGER skip_archived BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION skip_archived();
RESET ROLE;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.notes}')$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('rtu.notes', '{"id": 2}')$$);
SELECT count(*) AS tombstones_kept FROM tenant_guard.tombstones WHERE rel = 'rtu.notes'::regclass;
-- With 'skip' the skipped row stays tombstoned and is counted.
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.notes}', on_conflict => 'skip');
SELECT pk FROM tenant_guard.tombstones WHERE rel = 'rtu.notes'::regclass;
-- A trigger that moves the row to another tenant.
SET ROLE regress_tg_owner;
DROP TRIGGER skip_archived ON notes;
CREATE TRIGGER to_globex BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION to_globex();
RESET ROLE;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('rtu.notes', '{"id": 2}')$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.notes}', on_conflict => 'skip')$$);
-- A rule that swallows the INSERT.
SET ROLE regress_tg_owner;
DROP TRIGGER to_globex ON notes;
CREATE RULE swallow AS ON INSERT TO notes DO INSTEAD NOTHING;
RESET ROLE;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.notes}')$$);
SELECT pk FROM tenant_guard.tombstones WHERE rel = 'rtu.notes'::regclass;
SET ROLE regress_tg_owner;
DROP RULE swallow ON notes;
RESET ROLE;
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.notes}');
SELECT id, tenant_id, body FROM notes ORDER BY id;

-- 5. Deferred foreign keys. PostgreSQL refuses to queue a deferred trigger
-- event in a security-restricted operation, where tenant_guard writes as the
-- table's owner: every foreign key Django creates is DEFERRABLE INITIALLY
-- DEFERRED, and undelete, undelete_row, undelete_where, undelete_trash and
-- rewind of such a table failed ("cannot fire deferred trigger within
-- security-restricted operation"). They make the table's deferrable
-- constraints immediate for their writes, and deferred again afterwards.
SET ROLE regress_tg_owner;
CREATE TABLE boards (tenant_id text NOT NULL, id int PRIMARY KEY);
CREATE TABLE cards (tenant_id text NOT NULL, id int PRIMARY KEY,
                    board_id int NOT NULL REFERENCES boards DEFERRABLE INITIALLY DEFERRED,
                    parent_id int REFERENCES cards DEFERRABLE INITIALLY DEFERRED);
SELECT tenant_guard.protect('cards'), tenant_guard.protect('boards');
GRANT SELECT, INSERT, DELETE ON boards, cards TO regress_tg_app;
RESET ROLE;
INSERT INTO boards VALUES ('acme', 1);
INSERT INTO cards VALUES ('acme', 1, 1, NULL), ('acme', 2, 1, 1);
SELECT tenant_guard.mark('rtu-cards');
SET tenant_guard.actor = 'django-admin';
DELETE FROM cards WHERE id = 2;
DELETE FROM cards WHERE id = 1;
DELETE FROM boards WHERE id = 1;
RESET tenant_guard.actor;
BEGIN;
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.boards,rtu.cards}');
-- The caller's transaction keeps its deferred checks.
INSERT INTO cards VALUES ('acme', 3, 2, NULL);
INSERT INTO boards VALUES ('acme', 2);
COMMIT;
DELETE FROM cards WHERE id = 3;
DELETE FROM boards WHERE id = 2;
DELETE FROM cards WHERE id = 2;
SELECT * FROM tenant_guard.undelete_row('rtu.cards', '{"id": 2}');
DELETE FROM cards WHERE id = 2;
DELETE FROM cards WHERE id = 1;
SELECT * FROM tenant_guard.rewind('acme', to_mark => 'rtu-cards');
SELECT clock_timestamp() AS before_delete \gset
DELETE FROM cards WHERE id = 2;
SELECT * FROM tenant_guard.undelete_where(since => :'before_delete');
DELETE FROM cards WHERE id = 2;
SET ROLE regress_tg_app;
SET tenant_guard.tenant = 'acme';
SELECT * FROM tenant_guard.undelete_trash(
    (SELECT array_agg(tombstone_id) FROM tenant_guard.trash WHERE rel = 'rtu.cards'::regclass AND pk = '{"id": 2}'));
RESET tenant_guard.tenant;
RESET ROLE;
SELECT id, board_id, parent_id FROM cards ORDER BY id;

-- 6. tenant_checksum reads the table as its caller: where row-level security
-- applies to the caller, the policies' expressions are the table owner's
-- code, and ran with the privileges of the operator (or DBA's role) taking
-- the proof. Like pg_dump, it reads with row_security = off: such a table is
-- refused (42501) before any policy runs; the owner, a superuser or a role
-- with BYPASSRLS (as undelete needs) take the checksum.
SET ROLE regress_tg_owner;
CREATE TABLE sheets (tenant_id text NOT NULL, id int PRIMARY KEY, body text);
SELECT tenant_guard.protect('sheets');
CREATE TABLE policy_ran (who text);
GRANT INSERT ON policy_ran TO PUBLIC;
CREATE FUNCTION spy_policy() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rtu.policy_ran VALUES (current_user);
    RETURN true;
END $$;
ALTER TABLE sheets ENABLE ROW LEVEL SECURITY;
CREATE POLICY spy ON sheets USING (rtu.spy_policy());
GRANT SELECT ON sheets TO regress_tg_operator;
INSERT INTO sheets VALUES ('acme', 1, 'one');
RESET ROLE;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_operator;
GRANT EXECUTE ON FUNCTION tenant_guard.tenant_checksum(text, regclass) TO regress_tg_operator;
SET ROLE regress_tg_operator;
SELECT sqlstate_of($$SELECT tenant_guard.tenant_checksum('acme', 'rtu.sheets')$$);
RESET ROLE;
SELECT who FROM rtu.policy_ran;
GRANT EXECUTE ON FUNCTION tenant_guard.tenant_checksum(text, regclass) TO regress_tg_owner;
SET ROLE regress_tg_owner;
SELECT tenant_guard.tenant_checksum('acme', 'rtu.sheets') = md5('(acme,1,one)') AS owner_checksum;
RESET ROLE;
SELECT who FROM rtu.policy_ran;

-- 7. Keys spelled by another session. A timestamptz key's image is written
-- in the deleting session's TimeZone: with 'skip', a row restored in a
-- session with another TimeZone was counted skipped and kept its tombstone
-- (the live row's key came back spelled differently), and two tombstones of
-- one key written in two time zones were taken for two keys.
SET ROLE regress_tg_owner;
CREATE TABLE readings (tenant_id text NOT NULL, taken_at timestamptz PRIMARY KEY, v int);
SELECT tenant_guard.protect('readings');
RESET ROLE;
SET timezone = 'UTC';
INSERT INTO readings VALUES ('acme', '2026-01-01 10:00+00', 1);
DELETE FROM readings;
SET timezone = 'Asia/Tokyo';
INSERT INTO readings VALUES ('acme', '2026-01-01 10:00+00', 2);
DELETE FROM readings;
SET timezone = 'America/New_York';
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.readings}', on_conflict => 'skip');
SELECT v FROM readings;
SELECT count(*) AS tombstones_left FROM tenant_guard.tombstones WHERE rel = 'rtu.readings'::regclass;
RESET timezone;

-- 8. The extension's cursors are out of reach of a table owner's code. The
-- tombstone cursor of a restore stays open while the owner's code runs (a
-- key's domain check here, as the table's owner): that code looked it up in
-- pg_cursors and closed it (the backend crashed on the freed portal), or
-- fetched tombstones of other tables from it. Now it finds no cursor, and
-- none under the names PostgreSQL gives unnamed ones; nothing is lost.
SET ROLE regress_tg_owner;
CREATE FUNCTION spy(v int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    r record;
    c refcursor;
    seen int := 0;
    reached int := 0;
BEGIN
    FOR r IN SELECT name FROM pg_cursors WHERE statement NOT LIKE '%pg_cursors%' LOOP  -- not this loop's own
        seen := seen + 1;
        c := r.name;
        BEGIN CLOSE c; EXCEPTION WHEN OTHERS THEN NULL; END;
    END LOOP;
    FOR i IN 1 .. 100 LOOP
        c := format('<unnamed portal %s>', i);
        BEGIN MOVE FORWARD 0 FROM c; reached := reached + 1; CLOSE c; EXCEPTION WHEN OTHERS THEN NULL; END;
    END LOOP;
    RAISE NOTICE 'spy: % cursors seen, % reached', seen, reached;
    RETURN true;
END $$;
CREATE DOMAIN spied_int AS int CHECK (spy(VALUE));
CREATE TABLE spied (tenant_id text NOT NULL, id spied_int PRIMARY KEY, secret text);
SELECT tenant_guard.protect('spied');
RESET ROLE;
INSERT INTO spied VALUES ('acme', 1, 'one');
SET tenant_guard.actor = 'spied-script';
DELETE FROM spied;
RESET tenant_guard.actor;
SELECT tenant, rel, conflicts FROM tenant_guard.undelete_conflicts(actor => 'spied-script');
SELECT tenant, rel, restored, skipped FROM tenant_guard.undelete_where(actor => 'spied-script');
SELECT * FROM spied;

-- 9. A primary-key column retyped after its rows were deleted: each
-- tombstone's key is converted with its image (0.6.0 to 0.7.0 read the key's
-- old value from the tombstone's own image, which a 0.6.0 tombstone no
-- longer holds, and wrote the key as {"id": null}: the row then came back
-- counted as skipped, with its tombstone kept, or a live row's key was not
-- seen as a conflict).
SET ROLE regress_tg_owner;
CREATE TABLE retyped (tenant_id text NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('retyped');
RESET ROLE;
INSERT INTO retyped VALUES ('acme', 1, 'a'), ('acme', 2, 'b');
SET tenant_guard.actor = 'retype-script';
DELETE FROM retyped;
RESET tenant_guard.actor;
SET ROLE regress_tg_owner;
ALTER TABLE retyped ALTER COLUMN id TYPE text USING 'k' || id;
RESET ROLE;
SELECT pk, row_data FROM tenant_guard.tombstones WHERE rel = 'rtu.retyped'::regclass ORDER BY tombstone_id;
INSERT INTO retyped VALUES ('acme', 'k1', 'live');
SELECT tenant, rel, conflicts FROM tenant_guard.undelete_conflicts(actor => 'retype-script');
SELECT tenant, rel, restored, skipped
  FROM tenant_guard.undelete_where(actor => 'retype-script', on_conflict => 'skip');
SELECT id, v FROM retyped ORDER BY id;
SELECT pk FROM tenant_guard.tombstones WHERE rel = 'rtu.retyped'::regclass;

-- 10. A global key (the primary key without the tenant column) in two
-- tenants' tombstones of one operation: undelete_where restores the first
-- tenant, and the second then conflicts with the row restored before it.
-- undelete_conflicts counts that conflict for the later tenant in tenant
-- order (it counted none: no live row held the key yet).
SET ROLE regress_tg_owner;
CREATE TABLE members (tenant_id text NOT NULL, email text PRIMARY KEY, name text);
SELECT tenant_guard.protect('members');
RESET ROLE;
INSERT INTO members VALUES ('acme', 'bob@example.com', 'acme bob');
SET tenant_guard.actor = 'members-script';
DELETE FROM members WHERE tenant_id = 'acme';
RESET tenant_guard.actor;
INSERT INTO members VALUES ('beta', 'bob@example.com', 'beta bob'), ('beta', 'eve@example.com', 'beta eve');
SET tenant_guard.actor = 'members-script';
DELETE FROM members WHERE tenant_id = 'beta';
RESET tenant_guard.actor;
SELECT tenant, rel, conflicts FROM tenant_guard.undelete_conflicts(actor => 'members-script');
-- Checked one tenant per call (as recover --jobs splits them), each alone has none.
SELECT tenant, rel, conflicts FROM tenant_guard.undelete_conflicts(actor => 'members-script', tenants => '{beta}');
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_where(actor => 'members-script')$$);
SELECT tenant, rel, restored, skipped
  FROM tenant_guard.undelete_where(actor => 'members-script', on_conflict => 'skip');

-- 11. undelete_conflicts reads what a parent table holds for the caller:
-- it needs SELECT on the parents it checks too, not only on the tables
-- whose tombstones it reads.
GRANT EXECUTE ON FUNCTION tenant_guard.undelete_conflicts(timestamptz, timestamptz, text, text, xid8, text[])
    TO regress_tg_operator;
GRANT USAGE ON SCHEMA rtu, tenant_guard TO regress_tg_operator;
GRANT SELECT ON tasks TO regress_tg_operator;
INSERT INTO projects VALUES ('acme', 77, 'acme seventy-seven');
INSERT INTO tasks VALUES ('acme', 770, 77, 'a task');
SET tenant_guard.actor = 'parent-script';
DELETE FROM tasks WHERE id = 770;
RESET tenant_guard.actor;
SET ROLE regress_tg_operator;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_conflicts(actor => 'parent-script')$$);
RESET ROLE;
GRANT SELECT ON projects TO regress_tg_operator;
SET ROLE regress_tg_operator;
SELECT count(*) AS conflicts FROM tenant_guard.undelete_conflicts(actor => 'parent-script');
RESET ROLE;
REVOKE SELECT ON projects, tasks FROM regress_tg_operator;

-- 12. A BEFORE INSERT trigger that changes the key of a restored row: the
-- row came back under another key while its tombstone stayed (with 'skip'
-- it was counted skipped), so a second restore brought it back again. Now
-- TG020, and nothing is restored.
SET ROLE regress_tg_owner;
CREATE TABLE rekeyed (tenant_id text NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('rekeyed');
RESET ROLE;
INSERT INTO rekeyed VALUES ('acme', 1, 'one');
DELETE FROM rekeyed;
SET ROLE regress_tg_owner;
CREATE FUNCTION rekey() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.id := NEW.id + 1000; RETURN NEW; END $$;
CREATE TRIGGER rekey BEFORE INSERT ON rekeyed FOR EACH ROW EXECUTE FUNCTION rekey();
RESET ROLE;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.rekeyed}', on_conflict => 'skip')$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.rekeyed}')$$);
SELECT count(*) AS rows, (SELECT count(*) FROM tenant_guard.tombstones WHERE rel = 'rtu.rekeyed'::regclass) AS tombstones
  FROM rekeyed;
-- With 'skip', rows go in one by one where a BEFORE INSERT trigger could
-- change keys: a trigger turning key 2 into 3 while 3's own row was then
-- left out (its key taken) cost 3's tombstone, and 2 came back twice later.
DROP TRIGGER rekey ON rekeyed;
INSERT INTO rekeyed VALUES ('acme', 2, 'two'), ('acme', 3, 'three');
DELETE FROM rekeyed WHERE id = 3;
DELETE FROM rekeyed WHERE id = 2;
SET ROLE regress_tg_owner;
CREATE OR REPLACE FUNCTION rekey() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.id = 2 THEN NEW.id := 3; END IF; RETURN NEW; END $$;
CREATE TRIGGER rekey BEFORE INSERT ON rekeyed FOR EACH ROW EXECUTE FUNCTION rekey();
RESET ROLE;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.rekeyed}', on_conflict => 'skip')$$);
SELECT count(*) AS rows, (SELECT count(*) FROM tenant_guard.tombstones WHERE rel = 'rtu.rekeyed'::regclass) AS tombstones
  FROM rekeyed;
-- A trigger that leaves a row out (RETURN NULL) with 'skip': that row stays
-- tombstoned and is counted, the others come back.
SET ROLE regress_tg_owner;
CREATE OR REPLACE FUNCTION rekey() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.id = 2 THEN RETURN NULL; END IF; RETURN NEW; END $$;
RESET ROLE;
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.rekeyed}', on_conflict => 'skip');
SELECT id, v FROM rekeyed ORDER BY id;
SELECT pk FROM tenant_guard.tombstones WHERE rel = 'rtu.rekeyed'::regclass ORDER BY tombstone_id;

-- 13. A unique value other than the key held by a live row is no race: the
-- unique violation (23505, naming the constraint), not a 40001 that says
-- retry (a retry fails the same way, for ever).
SET ROLE regress_tg_owner;
CREATE TABLE mailboxes (tenant_id text NOT NULL, id int PRIMARY KEY, email text UNIQUE);
SELECT tenant_guard.protect('mailboxes');
RESET ROLE;
INSERT INTO mailboxes VALUES ('acme', 1, 'a@example.com');
DELETE FROM mailboxes;
INSERT INTO mailboxes VALUES ('acme', 2, 'a@example.com');
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.mailboxes}')$$);

-- 14. Two tombstones of one key spelled two ways (numeric 1.0 and 1.00 are
-- equal): the newest comes back and the older is skipped, as for any key
-- (both were inserted, and the unique violation said retry, for ever).
SET ROLE regress_tg_owner;
CREATE TABLE ledger (tenant_id text NOT NULL, amount numeric PRIMARY KEY, note text);
SELECT tenant_guard.protect('ledger');
RESET ROLE;
INSERT INTO ledger VALUES ('acme', 1.0, 'first');
DELETE FROM ledger;
INSERT INTO ledger VALUES ('acme', 1.00, 'second');
DELETE FROM ledger;
SELECT * FROM tenant_guard.undelete('acme', rels => '{rtu.ledger}');
SELECT amount, note FROM ledger;

-- 15. A regclass that names no relation: 42P01, not an internal error.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('acme', ARRAY[99999]::oid[]::regclass[])$$);

-- 16. tenant_checksum cast the tenant to the tenant column's type as its
-- caller: a domain's CHECK, the table owner's code, ran with the privileges
-- of the operator or superuser taking the proof (an owner's function then
-- made itself superuser: an attacker's report of 2026-12-04). It casts to
-- the domain's base type now: the CHECK does not run.
SET ROLE regress_tg_owner;
CREATE TABLE check_ran (who text);
GRANT INSERT ON check_ran TO PUBLIC;
CREATE FUNCTION spy_check(v text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO rtu.check_ran VALUES (current_user);
    RETURN true;
END $$;
CREATE DOMAIN spied_tenant AS text CHECK (rtu.spy_check(VALUE));
CREATE DOMAIN spied_tenant_again AS spied_tenant;
CREATE TABLE ledgers (tenant_id spied_tenant_again NOT NULL, id int PRIMARY KEY, note text);
SELECT tenant_guard.protect('ledgers');
INSERT INTO ledgers VALUES ('acme', 1, 'one');
DELETE FROM check_ran;
RESET ROLE;
SELECT tenant_guard.tenant_checksum('acme', 'rtu.ledgers') = md5('(acme,1,one)') AS superuser_checksum;
SELECT count(*) AS check_ran_as_caller FROM rtu.check_ran;
