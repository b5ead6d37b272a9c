-- delete_mode 'flag': a DELETE sets the flag column instead of removing the
-- row (the statement reports 0 rows, as PostgreSQL does for a delete a trigger
-- skipped), the change is captured as an UPDATE, undelete clears the flag.
CREATE SCHEMA flag;
SET search_path = flag, public;
CREATE TABLE notes (tenant_id text NOT NULL, id int PRIMARY KEY, body text, deleted_at timestamptz);
CREATE TABLE tasks (tenant_id text NOT NULL, id int PRIMARY KEY, title text, archived boolean NOT NULL DEFAULT false);
SELECT tenant_guard.protect('notes', delete_mode => 'flag', flag_column => 'deleted_at');
SELECT tenant_guard.protect('tasks', 'tenant_id', 'flag', 'archived');
SELECT rel, delete_mode, flag_column FROM tenant_guard.protected_tables
 WHERE rel IN ('notes'::regclass, 'tasks'::regclass) ORDER BY 1;
INSERT INTO notes VALUES ('f1', 1, 'a', NULL), ('f1', 2, 'b', NULL), ('f2', 3, 'c', NULL);
INSERT INTO tasks VALUES ('f1', 1, 'x'), ('f1', 2, 'y');

DELETE FROM notes WHERE id = 1 RETURNING id;
SELECT id, deleted_at IS NOT NULL AS flagged FROM notes ORDER BY id;
DELETE FROM tasks WHERE tenant_id = 'f1';
SELECT id, archived FROM tasks ORDER BY id;
SELECT rel, op, old_row->'archived' AS old_flag, new_row->'archived' AS new_flag, origin
  FROM tenant_guard.change_log WHERE rel = 'tasks'::regclass AND op <> 'I' ORDER BY seq;
SELECT count(*) AS tombstones FROM tenant_guard.tombstones WHERE rel IN ('notes'::regclass, 'tasks'::regclass);

-- Deleting a flagged row again keeps the time of its first deletion.
SELECT deleted_at AS first_deleted FROM notes WHERE id = 1 \gset
DELETE FROM notes WHERE id = 1;
SELECT deleted_at = :'first_deleted' AS same_time FROM notes WHERE id = 1;

-- undelete clears the flags of that tenant only.
DELETE FROM notes WHERE id = 3;
SELECT * FROM tenant_guard.undelete('f1', rels => ARRAY['notes', 'tasks']::regclass[]);
SELECT tenant_id, id, deleted_at IS NOT NULL AS flagged FROM notes ORDER BY id;
SELECT id, archived FROM tasks ORDER BY id;
SELECT op, origin, new_row->'archived' AS flag FROM tenant_guard.change_log
 WHERE rel = 'tasks'::regclass AND op = 'U' ORDER BY seq;

-- Partitioned, with a partition created after protect().
CREATE TABLE items (tenant_id text NOT NULL, id int, gone boolean, PRIMARY KEY (tenant_id, id))
    PARTITION BY LIST (tenant_id);
CREATE TABLE items_f1 PARTITION OF items FOR VALUES IN ('f1');
SELECT tenant_guard.protect('items', delete_mode => 'flag', flag_column => 'gone');
CREATE TABLE items_f2 PARTITION OF items FOR VALUES IN ('f2');
INSERT INTO items VALUES ('f1', 1, false), ('f2', 1, false);
DELETE FROM items WHERE tenant_id = 'f2';
DELETE FROM items_f1;
SELECT * FROM items ORDER BY 1, 2;
SELECT tgrelid::regclass, tgenabled FROM pg_trigger WHERE tgname = 'tenant_guard_flag_delete' ORDER BY 1;
-- An UPDATE that moves a row to another partition moves it, and is logged
-- as the update it is: PostgreSQL fires the old partition's BEFORE DELETE
-- trigger for the move, and until 0.13.0 the row was flagged there and the
-- update dropped (UPDATE 0), also for a role without DELETE (the attacker's
-- report of 0.13.0). A statement that both updates and deletes rows of the
-- table cannot be told apart: 0A000.
CREATE TABLE docs_by_state (tenant_id text NOT NULL, id int, state text NOT NULL, body text, deleted_at timestamptz,
                            PRIMARY KEY (tenant_id, id, state)) PARTITION BY LIST (state);
CREATE TABLE docs_open PARTITION OF docs_by_state FOR VALUES IN ('open');
CREATE TABLE docs_closed PARTITION OF docs_by_state FOR VALUES IN ('closed');
SELECT tenant_guard.protect('docs_by_state', delete_mode => 'flag', flag_column => 'deleted_at');
INSERT INTO docs_by_state VALUES ('f1', 1, 'open', 'draft', NULL), ('f1', 2, 'open', 'draft', NULL);
UPDATE docs_by_state SET state = 'closed', body = 'final' WHERE id = 1;
SELECT tableoid::regclass AS part, id, state, body, deleted_at IS NOT NULL AS flagged FROM docs_by_state ORDER BY id;
SELECT op, old_row->>'state' AS old_state, new_row->>'state' AS new_state, new_row->>'body' AS body
  FROM tenant_guard.change_log WHERE rel = 'docs_by_state'::regclass ORDER BY seq DESC LIMIT 1;
-- A delete in a writable CTE of an UPDATE of another table still flags.
WITH d AS (DELETE FROM docs_by_state WHERE id = 2 RETURNING id) UPDATE notes SET body = body WHERE false;
SELECT id, deleted_at IS NOT NULL AS flagged FROM docs_by_state WHERE id = 2;
SELECT sqlstate_of($$WITH d AS (DELETE FROM flag.docs_by_state WHERE id = 2 RETURNING id)
                     UPDATE flag.docs_by_state SET state = 'open' WHERE id = 1$$) AS delete_and_move;
-- A MERGE that deletes flags: it is no move (before the fix of the
-- attacker's report of 0.13.0 every MERGE counted as one, and WHEN MATCHED
-- THEN DELETE erased the row without a flag or a tombstone).
INSERT INTO docs_by_state VALUES ('f1', 3, 'open', 'draft', NULL);
MERGE INTO docs_by_state d USING (VALUES (3)) AS s(id) ON d.id = s.id WHEN MATCHED THEN DELETE;
SELECT id, deleted_at IS NOT NULL AS flagged FROM docs_by_state WHERE id = 3;

-- The other guard rails hold in flag mode too.
SELECT sqlstate_of($$ALTER TABLE flag.notes DISABLE TRIGGER tenant_guard_flag_delete$$) AS disable_flag_trigger;
SELECT sqlstate_of($$TRUNCATE flag.notes$$) AS truncate;
INSERT INTO notes VALUES ('f2', 4, 'd', NULL);
SELECT sqlstate_of($$DELETE FROM flag.notes$$) AS two_tenants;
SELECT count(*) FILTER (WHERE deleted_at IS NULL) AS still_unflagged FROM notes;

-- Flags are cleared by the tenant's text: with a nondeterministic collation
-- 'acme' = 'ACME', and undelete('acme') cleared ACME's flag (the attacker's
-- report of 0.12.0).
CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE docs (tenant_id text COLLATE case_blind NOT NULL, id int PRIMARY KEY, deleted_at timestamptz);
SELECT tenant_guard.protect('docs', delete_mode => 'flag', flag_column => 'deleted_at');
INSERT INTO docs VALUES ('acme', 1, NULL), ('ACME', 2, NULL);
DELETE FROM docs WHERE id = 2;
SELECT * FROM tenant_guard.undelete('acme');
SELECT id, tenant_id, deleted_at IS NOT NULL AS flagged FROM docs ORDER BY id;

-- The flag is written as the table's owner, in the caller's session (so are
-- restores, rewinds and purges): where the session has temporary tables or
-- types, a name the owner's code uses without a schema, even under its own
-- SET search_path, finds them first, and their triggers would run with the
-- owner's rights (the attacker's report of 0.12.0: an application role's
-- temporary "audit" table and its trigger). Refused (55000) for a caller
-- without the owner's privileges until DISCARD TEMP; the owner, a member of
-- it or a superuser gains nothing by it.
CREATE TABLE audit (who text);
CREATE FUNCTION audit_flag() RETURNS trigger LANGUAGE plpgsql SET search_path = flag AS $$
BEGIN INSERT INTO audit VALUES (current_user); RETURN NEW; END $$;
CREATE TABLE audited (tenant_id int NOT NULL, id int PRIMARY KEY, deleted_at timestamptz);
SELECT tenant_guard.protect('audited', delete_mode => 'flag', flag_column => 'deleted_at');
CREATE TRIGGER audit_flag BEFORE UPDATE ON audited FOR EACH ROW EXECUTE FUNCTION audit_flag();
INSERT INTO audited VALUES (9071, 1, NULL), (9071, 2, NULL), (9071, 3, NULL);
GRANT USAGE ON SCHEMA flag TO regress_tg_app;
GRANT SELECT, DELETE ON audited TO regress_tg_app;
SET ROLE regress_tg_app;
CREATE TEMP TABLE audit (who text);
SELECT sqlstate_of($$DELETE FROM flag.audited WHERE id = 1$$) AS app_with_temp_table;
RESET ROLE;
DELETE FROM audited WHERE id = 2;  -- a superuser: allowed
DISCARD TEMP;
SET ROLE regress_tg_app;
DELETE FROM audited WHERE id = 1;
RESET ROLE;
SELECT (SELECT count(*) FROM flag.audit) AS owner_audit_rows,
       (SELECT count(*) FROM audited WHERE deleted_at IS NOT NULL) AS flagged;
RESET search_path;
