-- tenant_guard.protect(): every validation with its SQLSTATE, idempotence,
-- partitions, the cascade warning, and the protected_tables view.
CREATE SCHEMA prot;
SET search_path = prot, public;

CREATE TABLE accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE VIEW accounts_v AS SELECT * FROM accounts;
CREATE MATERIALIZED VIEW accounts_mv AS SELECT * FROM accounts;
CREATE FOREIGN DATA WRAPPER regress_tg_fdw;
CREATE SERVER regress_tg_server FOREIGN DATA WRAPPER regress_tg_fdw;
CREATE FOREIGN TABLE accounts_ft (tenant_id int NOT NULL, id int) SERVER regress_tg_server;
CREATE TEMP TABLE scratch (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE no_pk (tenant_id int NOT NULL, id int);
CREATE TABLE nullable_tenant (tenant_id int, id int PRIMARY KEY);
CREATE TABLE other_column (org text NOT NULL, id int PRIMARY KEY, deleted_at timestamptz, gone boolean, deleted_on date);
CREATE SEQUENCE some_seq;
CREATE TABLE inh_parent (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE inh_child () INHERITS (inh_parent);

-- Refusals.
SELECT sqlstate_of($$SELECT tenant_guard.protect('accounts_v')$$) AS view;
SELECT sqlstate_of($$SELECT tenant_guard.protect('accounts_mv')$$) AS matview;
SELECT sqlstate_of($$SELECT tenant_guard.protect('accounts_ft')$$) AS foreign_table;
SELECT sqlstate_of($$SELECT tenant_guard.protect('some_seq')$$) AS sequence;
SELECT sqlstate_of($$SELECT tenant_guard.protect('pg_temp.scratch')$$) AS temp_table;
SELECT sqlstate_of($$SELECT tenant_guard.protect('no_pk')$$) AS no_primary_key;
SELECT sqlstate_of($$SELECT tenant_guard.protect('nullable_tenant')$$) AS nullable_tenant;
SELECT sqlstate_of($$SELECT tenant_guard.protect('other_column')$$) AS missing_tenant_column;
SELECT sqlstate_of($$SELECT tenant_guard.protect('inh_parent')$$) AS inheritance;
SELECT sqlstate_of($$SELECT tenant_guard.protect('accounts', delete_mode => 'shred')$$) AS unknown_mode;
SELECT sqlstate_of($$SELECT tenant_guard.protect('other_column', 'org', 'flag')$$) AS flag_without_column;
SELECT sqlstate_of($$SELECT tenant_guard.protect('other_column', 'org', 'flag', 'nope')$$) AS flag_column_missing;
SELECT sqlstate_of($$SELECT tenant_guard.protect('other_column', 'org', 'flag', 'deleted_on')$$) AS flag_column_type;
SELECT sqlstate_of($$SELECT tenant_guard.protect('other_column', 'org', 'tombstone', 'gone')$$) AS flag_column_in_tombstone_mode;
SELECT sqlstate_of($$SELECT tenant_guard.protect(NULL)$$) AS null_rel;
SELECT sqlstate_of($$SELECT tenant_guard.protect('accounts', NULL)$$) AS null_tenant_column;
SELECT sqlstate_of($$SELECT tenant_guard.protect('does_not_exist')$$) AS unknown_table;
-- The messages say what to do.
SELECT tenant_guard.protect('no_pk');
SELECT tenant_guard.protect('nullable_tenant');
-- Nothing of a refused call remains.
SELECT count(*) FROM tenant_guard.protected_tables;
SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tenant_guard%' AND tgrelid IN ('no_pk'::regclass, 'nullable_tenant'::regclass);

-- Only the owner may protect; and only roles granted EXECUTE may call it.
ALTER TABLE no_pk ADD PRIMARY KEY (id);
ALTER TABLE no_pk OWNER TO regress_tg_owner;
GRANT USAGE ON SCHEMA prot TO regress_tg_app, regress_tg_owner;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_app, regress_tg_owner;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$SELECT tenant_guard.protect('prot.no_pk')$$) AS without_execute;
RESET ROLE;
GRANT EXECUTE ON FUNCTION tenant_guard.protect(regclass, name, text, name) TO regress_tg_app, regress_tg_owner;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$SELECT tenant_guard.protect('prot.no_pk')$$) AS not_owner;
RESET ROLE;
SET ROLE regress_tg_owner;
SELECT tenant_guard.protect('prot.no_pk');
RESET ROLE;
SELECT rel, tenant_column, delete_mode, flag_column, protected_by FROM tenant_guard.protected_tables;

-- Any tenant column type: text, uuid, bigint, a custom column name.
SELECT tenant_guard.protect('other_column', tenant_column => 'org');
CREATE TABLE uuid_tenants (tenant uuid NOT NULL, id bigint PRIMARY KEY);
SELECT tenant_guard.protect('uuid_tenants', 'tenant');

-- Idempotent with the same settings; an error with different ones.
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.protect('accounts', 'tenant_id', 'tombstone');
SELECT sqlstate_of($$SELECT tenant_guard.protect('accounts', 'id')$$) AS different_settings;
SELECT count(*) AS registry_rows FROM tenant_guard.protected_tables WHERE rel = 'accounts'::regclass;

-- The triggers: three per table, statement level, enabled ALWAYS.
SELECT tgrelid::regclass, tgname, tgenabled, (tgtype & 1) = 0 AS statement_level
  FROM pg_trigger WHERE tgrelid = 'accounts'::regclass ORDER BY tgname;

-- Partitioned tables are protected at the parent: current partitions, new
-- ones, attached ones and sub-partitions all get the triggers.
CREATE TABLE events (tenant_id int NOT NULL, id int, body text, PRIMARY KEY (tenant_id, id))
    PARTITION BY HASH (tenant_id);
CREATE TABLE events_0 PARTITION OF events FOR VALUES WITH (MODULUS 3, REMAINDER 0);
SELECT tenant_guard.protect('events');
CREATE TABLE events_1 PARTITION OF events FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE events_2 (tenant_id int NOT NULL, id int, body text, PRIMARY KEY (tenant_id, id))
    PARTITION BY RANGE (id);
CREATE TABLE events_2a PARTITION OF events_2 FOR VALUES FROM (MINVALUE) TO (MAXVALUE);
ALTER TABLE events ATTACH PARTITION events_2 FOR VALUES WITH (MODULUS 3, REMAINDER 2);
SELECT c.relname, count(t.tgname) AS capture_triggers
  FROM pg_class c LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname LIKE 'tenant_guard%'
 WHERE c.relname LIKE 'events%' AND c.relkind IN ('r', 'p') GROUP BY 1 ORDER BY 1;
-- A partition of a protected table is covered already.
SELECT sqlstate_of($$SELECT tenant_guard.protect('events_1')$$) AS partition_of_protected;
CREATE TABLE logs (tenant_id int NOT NULL, id int, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
CREATE TABLE logs_1 PARTITION OF logs FOR VALUES IN (1);
-- A partition of an unprotected partitioned table is refused: statements on
-- the parent fire only the parent's statement triggers, so a DELETE on it
-- lost the partition's rows without a trace (before 0.11.0 protect() took
-- it: an attacker's report of 2026-12-04).
SELECT sqlstate_of($$SELECT tenant_guard.protect('logs_1')$$) AS partition_of_unprotected;

-- Warning: an unprotected child whose foreign key cascades deletes from a
-- protected parent would lose its rows for good.
CREATE TABLE projects (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE tasks (tenant_id int NOT NULL, id int PRIMARY KEY,
                    project_id int REFERENCES projects ON DELETE CASCADE);
CREATE TABLE notes (tenant_id int NOT NULL, id int PRIMARY KEY,
                    project_id int REFERENCES projects ON DELETE RESTRICT);
SELECT tenant_guard.protect('projects');
SELECT tenant_guard.protect('tasks');
-- the same settings again: a no-op (and no warning: tasks is protected now)
SELECT tenant_guard.protect('projects');

SELECT rel, tenant_column, delete_mode, flag_column, protected_by
  FROM tenant_guard.protected_tables ORDER BY rel::text;
-- protected_key_columns: the primary key of each protected table, in key
-- order (not column order), with its types; tables that are not protected
-- (logs, notes, nullable_tenant) have no rows.
CREATE TABLE key_order (id int, tenant_id int NOT NULL, region varchar(8),
                        PRIMARY KEY (region, tenant_id, id));
SELECT tenant_guard.protect('key_order');
SELECT k.rel, k.position, k.column_name, k.column_type
  FROM tenant_guard.protected_key_columns k JOIN pg_class c ON c.oid = k.rel
 WHERE c.relnamespace = 'prot'::regnamespace ORDER BY k.rel::text, k.position;
SELECT count(*) AS unprotected_rows FROM tenant_guard.protected_key_columns
 WHERE rel IN ('logs'::regclass, 'notes'::regclass, 'nullable_tenant'::regclass);
RESET search_path;
