-- What applications built with an ORM do: global primary keys (Django, Rails)
-- and deletes of children before their parent.
CREATE SCHEMA orm;
SET search_path = orm, public;

-- With a global key (id alone), undelete(..., 'skip') skips a parent whose
-- key another tenant's live row holds now, and skips its children with it:
-- never a row restored against another tenant's parent.
CREATE TABLE projects (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE tasks (tenant_id int NOT NULL, id int PRIMARY KEY, project_id int NOT NULL REFERENCES projects, title text);
CREATE TABLE comments (tenant_id int NOT NULL, id int PRIMARY KEY, task_id int REFERENCES tasks, body text);
SELECT tenant_guard.protect('projects'), tenant_guard.protect('tasks'), tenant_guard.protect('comments');
INSERT INTO projects VALUES (71, 100, 'alpha'), (71, 101, 'beta');
INSERT INTO tasks VALUES (71, 200, 100, 'a1'), (71, 201, 101, 'b1');
INSERT INTO comments VALUES (71, 300, 200, 'on a1'), (71, 301, 201, 'on b1'), (71, 302, NULL, 'loose');
DELETE FROM comments WHERE tenant_id = 71;
DELETE FROM tasks WHERE tenant_id = 71;
DELETE FROM projects WHERE tenant_id = 71;
-- Another tenant's new project takes key 101.
INSERT INTO projects VALUES (72, 101, 'other tenant');
SELECT * FROM tenant_guard.undelete('71', on_conflict => 'skip');
-- alpha and its task and comment are back; beta, its task b1 and b1's
-- comment stay tombstoned; the comment without a task is back.
SELECT 'project' AS kind, tenant_id, id, name AS what FROM projects
UNION ALL SELECT 'task', tenant_id, id, title FROM tasks
UNION ALL SELECT 'comment', tenant_id, id, body FROM comments ORDER BY 1, 3;
SELECT rel, pk FROM tenant_guard.tombstones WHERE tenant = '71' ORDER BY 1, 2;
-- Once the key is free again, the rest comes back.
DELETE FROM projects WHERE tenant_id = 72;
SELECT * FROM tenant_guard.undelete('71', on_conflict => 'skip');
SELECT count(*) AS tenant_1_tombstones_left FROM tenant_guard.tombstones WHERE tenant = '71';

-- Flag mode: protect() says what foreign keys do with flagged rows.
CREATE TABLE boards (tenant_id int NOT NULL, id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE cards (tenant_id int NOT NULL, id int PRIMARY KEY,
                    board_id int NOT NULL REFERENCES boards ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE labels (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE card_labels (tenant_id int NOT NULL, id int PRIMARY KEY, label_id int REFERENCES labels,
                          deleted boolean NOT NULL DEFAULT false);
-- A flag-mode parent's ON DELETE CASCADE never fires; a flag-mode child of a
-- parent that is not in flag mode blocks deleting that parent.
SELECT tenant_guard.protect('boards', delete_mode => 'flag', flag_column => 'deleted_at');
SELECT tenant_guard.protect('labels');
SELECT tenant_guard.protect('card_labels', delete_mode => 'flag', flag_column => 'deleted');
-- The whole tree in flag mode, deleted children first as ORMs do: works.
SELECT tenant_guard.protect('cards', delete_mode => 'flag', flag_column => 'deleted_at');
INSERT INTO boards VALUES (1, 1, NULL);
INSERT INTO cards VALUES (1, 10, 1, NULL), (1, 11, 1, NULL);
DELETE FROM cards WHERE board_id = 1;
DELETE FROM boards WHERE id = 1;
SELECT (SELECT count(*) FROM boards WHERE deleted_at IS NOT NULL) AS boards_flagged,
       (SELECT count(*) FROM cards WHERE deleted_at IS NOT NULL) AS cards_flagged;
SELECT * FROM tenant_guard.undelete('1', ARRAY['orm.boards', 'orm.cards']::regclass[]);
-- Mixed modes: the flagged child still references the parent (23503).
INSERT INTO labels VALUES (1, 5);
INSERT INTO card_labels VALUES (1, 50, 5);
DELETE FROM card_labels WHERE id = 50;
SELECT sqlstate_of($$DELETE FROM orm.labels WHERE id = 5$$) AS delete_parent_of_flagged_child;

-- A DELETE in flag mode needs DELETE, not UPDATE: the flag is written as the
-- table's owner.
GRANT USAGE ON SCHEMA orm TO regress_tg_app;
GRANT SELECT, DELETE ON cards TO regress_tg_app;
SET ROLE regress_tg_app;
DELETE FROM orm.cards WHERE id = 11;
RESET ROLE;
SELECT id, deleted_at IS NOT NULL AS flagged FROM cards ORDER BY id;
SELECT changed_by, op FROM tenant_guard.change_log WHERE rel = 'orm.cards'::regclass AND pk = '{"id": 11}'
 ORDER BY seq DESC LIMIT 1;
