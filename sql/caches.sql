-- What capture keeps between statements, and what must make it forget: the
-- OIDs of the extension's own tables, indexes and sequence (catalog.cpp), the
-- log's layout, the segment being written, the session user's name
-- (log_writer.cpp), the shapes of protected tables (shape.cpp) and the
-- per-statement tenant count (statement_scope.cpp). Each step changes what a
-- cache holds between two statements of one session and checks that the next
-- change is logged where and as it must be. Runs in databases of its own: it
-- drops and re-creates the extension.
\set VERBOSITY terse
CREATE DATABASE regress_tg_caches_a;
CREATE DATABASE regress_tg_caches_b;
CREATE ROLE regress_tg_cache_role;
-- The database the suite runs in (contrib_regression or regression), to come back to.
SELECT current_database() AS suite_db \gset

\c regress_tg_caches_a
-- An older version's unpartitioned log, then ALTER EXTENSION UPDATE: the
-- layout and the OIDs kept from the first INSERT are gone after it.
CREATE EXTENSION tenant_guard VERSION '0.1.0';
CREATE TABLE t (id int PRIMARY KEY, tenant_id text NOT NULL, v int);
SELECT tenant_guard.protect('t');
INSERT INTO t VALUES (1, 'a', 1);
ALTER EXTENSION tenant_guard UPDATE;
INSERT INTO t VALUES (2, 'a', 1);
SELECT c.relkind AS log_kind FROM pg_class c WHERE c.oid = 'tenant_guard.change_log_data'::regclass;
SELECT tableoid::regclass AS segment, seq, op, pk FROM tenant_guard.change_log_data ORDER BY seq;

-- The segment follows the seq: a seq moved into the next segment is written there.
SELECT setval('tenant_guard.change_seq', (1::bigint << 44) - 1) IS NOT NULL AS moved;
INSERT INTO t VALUES (3, 'a', 1);
SELECT tableoid::regclass AS segment, seq - (1::bigint << 44) AS seq_in_segment, pk
  FROM tenant_guard.change_log_data WHERE seq >= (1::bigint << 44);

-- DROP EXTENSION (its guard disabled, the DBA's way out) and CREATE again:
-- new tables, new OIDs, new registry. The protected table went with its
-- triggers (CASCADE); protected again, its changes go to the new log.
ALTER EVENT TRIGGER tenant_guard_ddl_command_start DISABLE;
ALTER EVENT TRIGGER tenant_guard_sql_drop DISABLE;
DROP EXTENSION tenant_guard CASCADE;
CREATE EXTENSION tenant_guard;
SELECT tenant_guard.protect('t');
INSERT INTO t VALUES (4, 'a', 1);
SELECT seq, op, pk, changed_by = current_user AS by_me FROM tenant_guard.change_log ORDER BY seq;

-- A table dropped and created again under its name: another relation.
ALTER EVENT TRIGGER tenant_guard_ddl_command_start DISABLE;
ALTER EVENT TRIGGER tenant_guard_sql_drop DISABLE;
DROP TABLE t;
CREATE TABLE t (id int PRIMARY KEY, tenant_id text NOT NULL, w text);
SELECT tenant_guard.protect('t');
INSERT INTO t VALUES (5, 'b', 'five');
-- And altered: the next image has the new column.
ALTER TABLE t ADD COLUMN x int DEFAULT 7;
UPDATE t SET w = 'FIVE' WHERE id = 5;
SELECT seq, op, tenant, rel, new_row FROM tenant_guard.change_log WHERE rel = 't'::regclass ORDER BY seq;

-- A protect() rolled back: the table is not protected afterwards, and once
-- protected for real its changes carry its real registration.
CREATE TABLE u (id int PRIMARY KEY, tenant_id text NOT NULL);
BEGIN;
SELECT tenant_guard.protect('u');
INSERT INTO u VALUES (1, 'a');
ROLLBACK;
INSERT INTO u VALUES (2, 'a');
SELECT count(*) AS logged_unprotected FROM tenant_guard.change_log_data d
 WHERE NOT EXISTS (SELECT 1 FROM tenant_guard.protected_table p WHERE p.table_id = d.table_id);
SELECT tenant_guard.protect('u');
INSERT INTO u VALUES (3, 'a');
SELECT seq, op, rel, pk FROM tenant_guard.change_log WHERE rel = 'u'::regclass ORDER BY seq;

-- The session user's name is kept per role: a role renamed between two
-- statements is logged under its new name.
GRANT INSERT ON t TO regress_tg_cache_role;
SET SESSION AUTHORIZATION regress_tg_cache_role;
INSERT INTO t VALUES (6, 'b', 'six');
RESET SESSION AUTHORIZATION;
ALTER ROLE regress_tg_cache_role RENAME TO regress_tg_cache_renamed;
SET SESSION AUTHORIZATION regress_tg_cache_renamed;
INSERT INTO t VALUES (7, 'b', 'seven');
RESET SESSION AUTHORIZATION;
INSERT INTO t VALUES (8, 'b', 'eight');
SELECT pk, changed_by = current_user AS by_me,
       CASE WHEN changed_by = current_user THEN NULL ELSE changed_by END AS by
  FROM tenant_guard.change_log WHERE rel = 't'::regclass AND pk->>'id' IN ('6', '7', '8') ORDER BY seq;
REVOKE INSERT ON t FROM regress_tg_cache_renamed;

-- The tenant count of one statement: tenants a, b, a again are two; a, b, a,
-- c are three.
CREATE TABLE m (id int PRIMARY KEY, tenant_id text NOT NULL, v int);
SELECT tenant_guard.protect('m');
INSERT INTO m VALUES (1, 'a', 0), (2, 'b', 0), (3, 'a', 0), (4, 'c', 0);
SET tenant_guard.max_tenants_per_statement = 2;
UPDATE m SET v = v + 1 WHERE id IN (1, 2, 3);
DO $$
BEGIN
    UPDATE m SET v = v + 1;
    RAISE EXCEPTION 'not refused';
EXCEPTION WHEN SQLSTATE 'TG001' THEN
    RAISE NOTICE 'refused: %', SQLSTATE;
END $$;
RESET tenant_guard.max_tenants_per_statement;
SELECT id, v FROM m ORDER BY id;

\c regress_tg_caches_b
-- Another database, in a new session: its own extension, its own OIDs. A
-- CREATE EXTENSION rolled back after capture used its tables, then a real one.
CREATE TABLE t (id int PRIMARY KEY, tenant_id text NOT NULL);
BEGIN;
CREATE EXTENSION tenant_guard;
SELECT tenant_guard.protect('t');
INSERT INTO t VALUES (1, 'a');
ROLLBACK;
CREATE EXTENSION tenant_guard;
SELECT tenant_guard.protect('t');
INSERT INTO t VALUES (2, 'a');
DELETE FROM t WHERE id = 2;
SELECT seq, op, pk FROM tenant_guard.change_log ORDER BY seq;
SELECT tombstone_id, pk FROM tenant_guard.tombstones;

\c :suite_db
DROP DATABASE regress_tg_caches_a;
DROP DATABASE regress_tg_caches_b;
DROP ROLE regress_tg_cache_renamed;
