-- Undoing an operation: deletions() says what a script deleted, per tenant
-- and table; undelete_where() brings exactly that back (not what the
-- application deleted on purpose meanwhile); undelete_row() brings back one
-- object with what its cascade deleted; tenant_guard.trash and
-- undelete_trash() are a pinned application session's own trash.
CREATE SCHEMA undo;
SET search_path = undo, public;
-- Earlier suites left tombstones of their own: this one looks at what was
-- deleted since it started.
SELECT now() AS start \gset
CREATE VIEW mine AS SELECT * FROM tenant_guard.tombstones WHERE deleted_at >= :'start';
CREATE TABLE projects (tenant_id text NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE tasks (tenant_id text NOT NULL, id int PRIMARY KEY,
                    project_id int NOT NULL REFERENCES projects ON DELETE CASCADE, title text);
CREATE TABLE notes (tenant_id text NOT NULL, id int PRIMARY KEY,
                    task_id int NOT NULL REFERENCES tasks ON DELETE CASCADE, body text);
-- A tree: deleting a folder cascades to its subfolders.
CREATE TABLE folders (tenant_id text NOT NULL, id int PRIMARY KEY,
                      parent_id int REFERENCES folders ON DELETE CASCADE, name text);
SELECT tenant_guard.protect('projects'), tenant_guard.protect('tasks'), tenant_guard.protect('notes'),
       tenant_guard.protect('folders');
-- Six tenants: a1..a3 (the script's victims), b1..b3; 2 projects, 6 tasks,
-- 12 notes and 7 folders each.
INSERT INTO projects SELECT t, n * 10 + p, t || ' project ' || p
  FROM unnest('{a1,a2,a3,b1,b2,b3}'::text[]) WITH ORDINALITY AS x(t, n), generate_series(1, 2) p;
INSERT INTO tasks SELECT p.tenant_id, p.id * 10 + k, p.id, 'task ' || k FROM projects p, generate_series(1, 3) k;
INSERT INTO notes SELECT t.tenant_id, t.id * 10 + k, t.id, 'note ' || k FROM tasks t, generate_series(1, 2) k;
INSERT INTO folders SELECT t, n * 100 + 1, NULL, 'root'
  FROM unnest('{a1,a2,a3,b1,b2,b3}'::text[]) WITH ORDINALITY AS x(t, n);
INSERT INTO folders SELECT f.tenant_id, f.id + k, f.id, 'sub ' || k FROM folders f, generate_series(1, 3) k;
INSERT INTO folders SELECT f.tenant_id, f.id * 10 + 1, f.id, 'leaf' FROM folders f WHERE f.name LIKE 'sub%';

-- The application deletes a few rows on purpose (one a1 task, one b1 note).
SET application_name = 'web';
SET tenant_guard.actor = 'web:alice';
DELETE FROM tasks WHERE id = 113;
DELETE FROM notes WHERE id = 4111;
RESET tenant_guard.actor;

-- Proof to compare with: each tenant's rows of each table, after the
-- application's deletions and before the script.
CREATE TABLE before AS
    SELECT t.tenant, r.rel, tenant_guard.tenant_checksum(t.tenant, r.rel) AS checksum
      FROM unnest('{a1,a2,a3,b1,b2,b3}'::text[]) AS t(tenant),
           unnest('{undo.projects,undo.tasks,undo.notes,undo.folders}'::regclass[]) AS r(rel);
CREATE VIEW drift AS
    SELECT b.tenant, b.rel FROM before b WHERE b.checksum IS DISTINCT FROM tenant_guard.tenant_checksum(b.tenant, b.rel);
SELECT count(*) AS drifted FROM drift;
SELECT now() AS before_script \gset

-- The script: one tenant per transaction, as the blast-radius guard lets it.
SET application_name = 'cleanup.py';
SET tenant_guard.actor = 'cleanup-script';
BEGIN; DELETE FROM projects WHERE tenant_id = 'a1'; DELETE FROM folders WHERE tenant_id = 'a1'; COMMIT;
BEGIN; DELETE FROM projects WHERE tenant_id = 'a2'; DELETE FROM folders WHERE tenant_id = 'a2'; COMMIT;
BEGIN; DELETE FROM projects WHERE tenant_id = 'a3'; DELETE FROM folders WHERE tenant_id = 'a3'; COMMIT;
RESET tenant_guard.actor;
SELECT xid AS a2_xid FROM tenant_guard.tombstones WHERE tenant = 'a2' LIMIT 1 \gset
SELECT now() AS after_script \gset
-- Meanwhile the application goes on deleting (a b2 task, and an a2 note the
-- script did not reach: a2's projects were deleted already).
SET application_name = 'web';
SET tenant_guard.actor = 'web:bob';
DELETE FROM tasks WHERE id = 511;
RESET tenant_guard.actor;
RESET application_name;
SELECT count(*) AS drifted FROM drift;

-- What each deletion carries: actor, application_name, and the statement
-- (shared by a DELETE and the rows its cascade took, one per statement).
SELECT tenant, actor, application_name, count(*) AS rows, count(DISTINCT statement_id) AS statements,
       count(DISTINCT xid) AS transactions
  FROM mine GROUP BY 1, 2, 3 ORDER BY 1, 2;
SELECT count(*) AS statement_ids_not_first_seq
  FROM (SELECT statement_id, min(tombstone_id) AS first FROM mine GROUP BY 1) s
 WHERE s.statement_id <> s.first;

-- 1. deletions(): per tenant and table, filtered.
SELECT tenant, rel, rows, transactions, actors, first_at <= last_at AS ordered
  FROM tenant_guard.deletions(actor => 'cleanup-script');
SELECT tenant, rel, rows, actors FROM tenant_guard.deletions(application_name => 'web');
SELECT tenant, rel, rows FROM tenant_guard.deletions(xid => :'a2_xid');
SELECT tenant, rel, rows FROM tenant_guard.deletions(since => :'after_script');
SELECT tenant, rel, rows FROM tenant_guard.deletions(since => :'start', until => :'before_script');
SELECT count(*) AS tables_and_tenants, sum(rows) AS rows FROM tenant_guard.deletions() WHERE first_at >= :'start';
SELECT count(*) AS none FROM tenant_guard.deletions(actor => 'nobody');
-- A narrow window reads the BRIN index on deleted_at, not every tombstone.
SELECT regexp_replace(indexdef, ' ON .* USING', ' USING') AS index FROM pg_indexes
 WHERE schemaname = 'tenant_guard' AND tablename = 'tombstone_data' AND indexdef LIKE '%brin%';

-- 2. undelete_where() needs a filter, and a known on_conflict.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_where()$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_where(tenants => '{a1}')$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_where(actor => 'cleanup-script', on_conflict => 'merge')$$);
-- So does undelete_conflicts().
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_conflicts()$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_conflicts(tenants => '{a1}')$$);

-- 3. A dry run says what would come back and changes nothing.
SELECT tenant, rel, restored, skipped
  FROM tenant_guard.undelete_where(actor => 'cleanup-script', dry_run => true);
SELECT count(*) AS tombstones FROM mine;

-- 4. A live row holding a tombstoned key: TG020 and nothing restored ...
SELECT count(*) AS no_conflicts_yet FROM tenant_guard.undelete_conflicts(actor => 'cleanup-script');
INSERT INTO projects VALUES ('b3', 31, 'squatter');
-- ... which undelete_conflicts() reads without restoring anything: a3's
-- project whose key b3's live row holds, and a3's three tasks that reference
-- that key (held by another tenant's row); not the notes below them, which
-- 'skip' leaves tombstoned with their tasks but 'error' never reaches.
SELECT tenant, rel, conflicts FROM tenant_guard.undelete_conflicts(actor => 'cleanup-script');
SELECT tenant, rel, conflicts FROM tenant_guard.undelete_conflicts(actor => 'cleanup-script', tenants => '{a1,a2}');
SELECT tenant, rel, restored, skipped
  FROM tenant_guard.undelete_where(actor => 'cleanup-script', on_conflict => 'skip', dry_run => true)
 WHERE tenant = 'a3';
-- It locks no tombstone: STABLE, so a row lock cannot even be taken in it.
SELECT provolatile FROM pg_proc WHERE oid = 'tenant_guard.undelete_conflicts'::regproc;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_where(actor => 'cleanup-script')$$);
SELECT count(*) AS tombstones FROM mine;
-- ... or with 'skip' the rest comes back, and the conflicting project's tasks
-- and notes stay tombstoned with it (never restored against another row).
SELECT tenant, rel, restored, skipped
  FROM tenant_guard.undelete_where(actor => 'cleanup-script', on_conflict => 'skip', tenants => '{a3}');
SELECT tenant, rel, rows FROM tenant_guard.deletions(actor => 'cleanup-script') WHERE tenant = 'a3';
DELETE FROM projects WHERE id = 31 AND name = 'squatter';

-- 5. One tenant of the operation (what the CLI does per transaction), then the
-- rest; a second run finds nothing left: nothing is restored twice.
SELECT tenant, rel, restored, skipped
  FROM tenant_guard.undelete_where(actor => 'cleanup-script', tenants => '{a2}');
SELECT tenant, rel, restored, skipped
  FROM tenant_guard.undelete_where(since => :'before_script', until => :'after_script', application_name => 'cleanup.py');
SELECT count(*) AS again FROM tenant_guard.undelete_where(actor => 'cleanup-script');
SELECT count(*) AS undelete_entries, count(DISTINCT (rel, pk)) AS distinct_rows
  FROM tenant_guard.change_log WHERE origin = 'undelete' AND changed_at >= :'start';
-- Exactly the script's deletions are back, byte for byte; the application's
-- own deletions (before, during and after the script) stay in the trash:
-- only b2, whose task the application deleted after the proof, differs.
SELECT tenant, rel FROM drift ORDER BY 1, 2;
SELECT rel, pk, actor FROM mine ORDER BY tombstone_id;

-- 6. undelete_row: one project and what its cascade deleted, not the other
-- project the same statement deleted, nor a task the application deleted
-- earlier in another statement.
SET tenant_guard.actor = 'web:carol';
DELETE FROM tasks WHERE id = 412;
DELETE FROM projects WHERE tenant_id = 'b1';
DELETE FROM folders WHERE id = 401;
RESET tenant_guard.actor;
SELECT rel, restored, skipped FROM tenant_guard.undelete_row('projects', '{"id": 41}', dry_run => true);
SELECT count(*) AS tombstones_of_b1 FROM tenant_guard.tombstones WHERE tenant = 'b1';
SELECT rel, restored, skipped FROM tenant_guard.undelete_row('projects', '{"id": 41}');
SELECT id FROM tasks WHERE project_id = 41 ORDER BY id;
SELECT count(*) AS notes_of_41 FROM notes n JOIN tasks t ON t.id = n.task_id WHERE t.project_id = 41;
SELECT count(*) AS projects_42 FROM projects WHERE id = 42;
-- Without the cascade: the row alone.
SELECT rel, restored, skipped FROM tenant_guard.undelete_row('projects', '{"id": 42}', with_cascade => false);
SELECT count(*) AS tasks_of_42 FROM tasks WHERE project_id = 42;
-- A tree comes back whole.
SELECT rel, restored, skipped FROM tenant_guard.undelete_row('folders', '{"id": 401}');
SELECT count(*) AS folders_of_b1 FROM folders WHERE tenant_id = 'b1';
-- Errors: a key taken again (TG020, nothing restored), no such tombstone,
-- a table not protected, a flag-mode table.
SELECT tombstone_id AS task_421 FROM tenant_guard.tombstones WHERE rel = 'undo.tasks'::regclass AND pk = '{"id": 421}' \gset
INSERT INTO tasks VALUES ('b1', 421, 42, 'taken');
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('tasks', '{"id": 421}')$$);
SELECT count(*) AS notes_of_421 FROM notes WHERE task_id = 421;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('projects', '{"id": 99}')$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('before', '{"id": 1}')$$);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('projects', NULL)$$);
CREATE TABLE flagged (tenant_id text NOT NULL, id int PRIMARY KEY, deleted_at timestamptz);
SELECT tenant_guard.protect('flagged', delete_mode => 'flag', flag_column => 'deleted_at');
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('flagged', '{"id": 1}')$$);
SELECT sqlstate_of($$SELECT tenant_guard.tenant_checksum('a1', 'undo.before')$$);

-- 7. The trash: a pinned application session sees and restores only its
-- tenant's tombstones, in tables it may read.
GRANT USAGE ON SCHEMA undo, tenant_guard TO regress_tg_app;
GRANT SELECT, INSERT ON projects, tasks, notes TO regress_tg_app;
GRANT SELECT ON tenant_guard.trash TO regress_tg_app;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete_trash(bigint[], text, boolean) TO regress_tg_app;
DELETE FROM folders WHERE id = 5021;
SELECT count(DISTINCT tenant) AS tenants_in_tombstones FROM mine;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.tombstones$$);
SELECT count(*) AS unpinned_trash FROM tenant_guard.trash;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_trash()$$);
SET tenant_guard.tenant = 'b2';
SELECT rel, tenant, pk, actor FROM tenant_guard.trash ORDER BY tombstone_id;
-- A leaky function in the WHERE clause sees only the pinned tenant's rows.
CREATE FUNCTION pg_temp.peek(t text) RETURNS boolean LANGUAGE plpgsql COST 0.0001 AS $$
BEGIN RAISE NOTICE 'saw tenant %', t; RETURN true; END $$;
SELECT count(*) FROM tenant_guard.trash WHERE pg_temp.peek(tenant);
-- Another tenant's tombstone id restores nothing; b2's folder leaf is not in
-- its trash (no SELECT on folders), and undelete_trash leaves it alone.
SELECT rel, restored, skipped FROM tenant_guard.undelete_trash(ARRAY[:task_421]::bigint[]);
SELECT rel, restored, skipped FROM tenant_guard.undelete_trash(dry_run => true);
SELECT rel, restored, skipped FROM tenant_guard.undelete_trash();
SELECT count(*) AS trash_left FROM tenant_guard.trash;
RESET tenant_guard.tenant;
RESET ROLE;
SELECT rel, tenant, pk FROM mine WHERE tenant = 'b2';
-- A pin the role cannot change: revoke SET from PUBLIC, pin the role.
REVOKE SET ON PARAMETER tenant_guard.tenant FROM PUBLIC;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$SET tenant_guard.tenant = 'b1'$$);
SELECT sqlstate_of($$SELECT set_config('tenant_guard.tenant', 'b1', false)$$);
RESET ROLE;
GRANT SET ON PARAMETER tenant_guard.tenant TO PUBLIC;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$SET tenant_guard.tenant = 'b1'$$);
RESET ROLE;
RESET tenant_guard.tenant;

-- 8. Privileges: the functions are the superuser's until granted; granted,
-- undelete_where still needs INSERT and SELECT on each table it restores into.
SELECT p.proname, has_function_privilege('regress_tg_operator', p.oid, 'EXECUTE') AS operator_can
  FROM pg_proc p WHERE p.pronamespace = 'tenant_guard'::regnamespace
   AND p.proname IN ('deletions', 'undelete_where', 'undelete_conflicts', 'undelete_row', 'undelete_trash',
                     'tenant_checksum') ORDER BY 1;
GRANT USAGE ON SCHEMA undo, tenant_guard TO regress_tg_operator;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete_where(timestamptz, timestamptz, text, text, xid8, text, boolean, text[])
    TO regress_tg_operator;
DELETE FROM projects WHERE id = 51;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete_conflicts(timestamptz, timestamptz, text, text, xid8, text[])
    TO regress_tg_operator;
SET ROLE regress_tg_operator;
SELECT sqlstate_of(format($$SELECT * FROM tenant_guard.undelete_where(since => %L)$$, :'start'));
-- undelete_conflicts needs SELECT on each table it checks.
SELECT sqlstate_of(format($$SELECT * FROM tenant_guard.undelete_conflicts(since => %L)$$, :'start'));
RESET ROLE;
GRANT SELECT ON projects, tasks, notes, folders TO regress_tg_operator;
SET ROLE regress_tg_operator;
SELECT tenant, rel, conflicts FROM tenant_guard.undelete_conflicts(since => :'start');
RESET ROLE;
REVOKE SELECT ON projects, tasks, notes, folders FROM regress_tg_operator;
SELECT count(*) AS project_51 FROM projects WHERE id = 51;

-- 9. The foreign-key graph every ordering reads (the module's and the
-- command line's): partitions count for their protected table, and a key
-- declared on one partition only is an edge too.
CREATE TABLE events (tenant_id text NOT NULL, id int, at date, project_id int REFERENCES projects,
                     PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE events_2026 ADD FOREIGN KEY (id) REFERENCES folders;
SELECT tenant_guard.protect('events');
SELECT child, parent, on_delete, child_columns, parent_columns FROM tenant_guard.protected_foreign_keys
 WHERE child::text NOT LIKE '%.%' ORDER BY constraint_name;

-- 10. A NOT NULL domain column outside the key: keys are read through the
-- key columns' types only (a whole row type built from a key object would
-- hold NULL in that column and fail 23502), in undelete, undelete_row,
-- rewind and the conflict checks.
CREATE DOMAIN label AS text NOT NULL;
CREATE TABLE labelled (tenant_id text NOT NULL, id int PRIMARY KEY, name label,
                       project_id int REFERENCES projects);
SELECT tenant_guard.protect('labelled');
INSERT INTO labelled VALUES ('b3', 1, 'one', 61), ('b3', 2, 'two', 61);
SELECT tenant_guard.mark('undo-labelled');
DELETE FROM labelled WHERE id = 1;
SELECT rel, restored, skipped FROM tenant_guard.undelete('b3', rels => '{undo.labelled}');
DELETE FROM labelled WHERE id = 2;
SELECT rel, restored, skipped FROM tenant_guard.undelete_row('labelled', '{"id": 2}');
UPDATE labelled SET name = 'changed';
SELECT rel, reverted FROM tenant_guard.rewind('b3', to_mark => 'undo-labelled') WHERE rel = 'undo.labelled'::regclass;
SELECT * FROM labelled ORDER BY id;

-- 11. One restore's memory does not grow with its rows: each batch of 1,000
-- tombstones is restored in memory freed after it (the results of its
-- queries used to live to the end of the whole call: 850 MB for an
-- undelete_where of 1M rows). A statement trigger of the table records the
-- backend's memory after each batch's INSERT; from the third batch on it
-- stays flat (it grew ~0.9 MB a batch before). And each batch's tombstones
-- are removed where the cursor found them, not by a scan of every
-- tombstone per batch (quadratic: 20 scans of 20,000 here before).
CREATE TABLE bulk_rows (tenant_id text NOT NULL, id int PRIMARY KEY, note text);
SELECT tenant_guard.protect('bulk_rows');
INSERT INTO bulk_rows SELECT 'b4', i, repeat('x', 40) || i FROM generate_series(1, 20000) AS i;
DELETE FROM bulk_rows;
CREATE TABLE batch_memory (batch serial, bytes bigint);
CREATE FUNCTION record_memory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO undo.batch_memory (bytes) SELECT sum(total_bytes) FROM pg_catalog.pg_backend_memory_contexts;
    RETURN NULL;
END $$;
CREATE TRIGGER record_memory AFTER INSERT ON bulk_rows FOR EACH STATEMENT EXECUTE FUNCTION record_memory();
BEGIN;
SELECT rel, restored, skipped FROM tenant_guard.undelete('b4', rels => '{undo.bulk_rows}');
SELECT seq_tup_read < 40000 AS tombstones_scanned_at_most_once
  FROM pg_stat_xact_all_tables WHERE relid = 'tenant_guard.tombstone_data'::regclass;
COMMIT;
SELECT count(*) AS batches, max(bytes) - min(bytes) < 2 * 1024 * 1024 AS flat FROM batch_memory WHERE batch > 2;
SELECT count(*) AS restored_rows FROM bulk_rows;
