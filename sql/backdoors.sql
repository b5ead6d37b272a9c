-- The back doors beyond the guard suite's, tried by a protected table's owner
-- (not a superuser): each is refused with its SQLSTATE and changes nothing
-- (a fingerprint of the tables, the tombstones, the log and the triggers).
CREATE SCHEMA bd AUTHORIZATION regress_tg_owner;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_owner;
GRANT EXECUTE ON FUNCTION tenant_guard.protect(regclass, name, text, name) TO regress_tg_owner;
SET ROLE regress_tg_owner;
SET search_path = bd, public;
CREATE TYPE org AS ENUM ('acme', 'globex');
CREATE DOMAIN note_text AS text;
CREATE TABLE accounts (tenant_id org NOT NULL, id int PRIMARY KEY, note note_text);
SELECT tenant_guard.protect('accounts');
CREATE TABLE events (tenant_id int NOT NULL, id int, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
SELECT tenant_guard.protect('events');
CREATE TABLE loose (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('loose');
INSERT INTO accounts VALUES ('acme', 1, 'a'), ('acme', 2, 'b'), ('globex', 3, 'c');
INSERT INTO events VALUES (1, 1, '2026-03-01'), (2, 2, '2026-04-01');
INSERT INTO loose VALUES (1, 1), (2, 2);
-- Unprotected tables the owner can use as levers.
CREATE TABLE lever (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE lever_parted (tenant_id int NOT NULL, id int PRIMARY KEY) PARTITION BY RANGE (id);
RESET ROLE;
CREATE VIEW bd.fingerprint AS
    SELECT md5((SELECT string_agg(a::text, ',' ORDER BY id) FROM bd.accounts a) ||
               (SELECT string_agg(e::text, ',' ORDER BY id) FROM bd.events e) ||
               (SELECT string_agg(l::text, ',' ORDER BY id) FROM bd.loose l) ||
               (SELECT count(*) FROM tenant_guard.change_log)::text ||
               (SELECT count(*) FROM tenant_guard.tombstones)::text ||
               (SELECT string_agg(a.attrelid::regclass::text || a.attname || a.atttypid::regtype::text, ','
                                  ORDER BY 1)
                  FROM pg_attribute a WHERE a.attrelid IN ('bd.accounts'::regclass, 'bd.events'::regclass,
                                                          'bd.loose'::regclass) AND a.attnum > 0) ||
               (SELECT string_agg(c.relname || c.relpersistence::text, ',' ORDER BY 1) FROM pg_class c
                 WHERE c.relnamespace = 'bd'::regnamespace) ||
               (SELECT coalesce(string_agg(i.inhrelid::regclass::text || i.inhparent::regclass::text, ','
                                           ORDER BY 1), '')
                  FROM pg_inherits i WHERE i.inhrelid IN ('bd.accounts'::regclass, 'bd.loose'::regclass)) ||
               (SELECT string_agg(enumlabel, ',' ORDER BY enumsortorder) FROM pg_enum
                 WHERE enumtypid = 'bd.org'::regtype) ||
               (SELECT string_agg(tgrelid::regclass::text || tgname || tgenabled::text, ',' ORDER BY 1)
                  FROM pg_trigger WHERE tgrelid IN ('bd.accounts'::regclass, 'bd.events'::regclass,
                                                    'bd.events_2026'::regclass, 'bd.loose'::regclass)))
           AS fp;
SELECT fp AS before FROM bd.fingerprint \gset

SET ROLE regress_tg_owner;
-- 1. Inheritance, either way round.
SELECT sqlstate_of($$ALTER TABLE bd.loose INHERIT bd.lever$$) AS protected_inherits;
SELECT sqlstate_of($$ALTER TABLE bd.lever INHERIT bd.loose$$) AS inherits_from_protected;
SELECT sqlstate_of($$CREATE TABLE bd.child () INHERITS (bd.loose)$$) AS create_inherits_protected;
-- 2. Attached under an unprotected partitioned parent.
SELECT sqlstate_of($$ALTER TABLE bd.lever_parted ATTACH PARTITION bd.loose FOR VALUES FROM (0) TO (100)$$)
    AS attach_under_unprotected;
-- 3. The tenant column renamed through other command tags.
SELECT sqlstate_of($$ALTER VIEW bd.loose RENAME COLUMN tenant_id TO x$$) AS alter_view_rename;
SELECT sqlstate_of($$ALTER MATERIALIZED VIEW bd.loose RENAME COLUMN tenant_id TO x$$) AS alter_matview_rename;
SELECT sqlstate_of($$ALTER FOREIGN TABLE bd.loose RENAME COLUMN tenant_id TO x$$) AS alter_foreign_table_rename;
SELECT sqlstate_of($$ALTER FOREIGN TABLE bd.loose DROP COLUMN tenant_id$$) AS alter_foreign_table_drop;
SELECT sqlstate_of($$ALTER VIEW bd.loose ALTER COLUMN tenant_id DROP DEFAULT$$) AS alter_view_on_table;
-- 4. Types dropped with CASCADE, reaching the tenant column and other columns.
SELECT sqlstate_of($$DROP TYPE bd.org CASCADE$$) AS drop_tenant_type_cascade;
SELECT sqlstate_of($$DROP DOMAIN bd.note_text CASCADE$$) AS drop_domain_cascade;
-- A primary-key column dropped (which drops the key with it).
SELECT sqlstate_of($$ALTER TABLE bd.loose DROP COLUMN id CASCADE$$) AS drop_primary_key_column;
-- 5. Unlogged: a crash or failover would empty it.
SELECT sqlstate_of($$ALTER TABLE bd.loose SET UNLOGGED$$) AS set_unlogged;
SELECT sqlstate_of($$ALTER TABLE bd.events_2026 SET UNLOGGED$$) AS set_unlogged_partition;
-- 6. A value of the tenant enum renamed would move tenant acme to tenant initech.
SELECT sqlstate_of($$ALTER TYPE bd.org RENAME VALUE 'acme' TO 'initech'$$) AS rename_tenant_enum_value;
RESET ROLE;
SELECT fp = :'before' AS unchanged FROM bd.fingerprint;
-- The messages say what happened and what to do.
SET ROLE regress_tg_owner;
ALTER TABLE bd.lever_parted ATTACH PARTITION bd.loose FOR VALUES FROM (0) TO (100);
ALTER TYPE bd.org RENAME VALUE 'acme' TO 'initech';
DROP TYPE bd.org CASCADE;
ALTER TABLE bd.loose SET UNLOGGED;
RESET ROLE;
-- What stays allowed: adding enum values, renaming values of enums that are
-- no tenant type, renaming the table, attaching under a protected parent.
SET ROLE regress_tg_owner;
ALTER TYPE bd.org ADD VALUE 'initech';
CREATE TYPE bd.mood AS ENUM ('ok', 'meh');
ALTER TYPE bd.mood RENAME VALUE 'meh' TO 'fine';
ALTER TABLE bd.lever RENAME TO lever2;
ALTER TABLE bd.lever2 RENAME TO lever;
CREATE TABLE bd.events_2027 (tenant_id int NOT NULL, id int, at date NOT NULL, PRIMARY KEY (id, at));
ALTER TABLE bd.events ATTACH PARTITION bd.events_2027 FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
INSERT INTO bd.events VALUES (3, 3, '2027-05-01');
DELETE FROM bd.events WHERE id = 3;
RESET ROLE;
SELECT tenant, pk FROM tenant_guard.tombstones WHERE rel = 'bd.events'::regclass;

-- 9. Citus: distributed and reference tables are refused by protect() and by
-- the management functions (the catalog faked here, as Citus would have it).
SET allow_system_table_mods = on;
CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid regclass NOT NULL, partmethod "char" NOT NULL,
                                           partkey text, colocationid integer, repmodel "char");
RESET allow_system_table_mods;
CREATE TABLE bd.distributed (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE bd.reference (tenant_id int NOT NULL, id int PRIMARY KEY);
INSERT INTO pg_catalog.pg_dist_partition VALUES ('bd.distributed', 'h', '{VAR :varattno 1}', 1, 's'),
                                                ('bd.reference', 'n', NULL, 2, 't');
SELECT sqlstate_of($$SELECT tenant_guard.protect('bd.distributed')$$) AS protect_distributed;
SELECT sqlstate_of($$SELECT tenant_guard.protect('bd.reference')$$) AS protect_reference;
-- A table distributed after it was protected: undelete, rewind and purge
-- refuse it instead of silently doing nothing.
INSERT INTO pg_catalog.pg_dist_partition VALUES ('bd.loose', 'h', '{VAR :varattno 1}', 1, 's');
DELETE FROM bd.loose WHERE tenant_id = 1;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('1', ARRAY['bd.loose'::regclass])$$) AS undelete_distributed;
SELECT tenant_guard.mark('bd-mark');
INSERT INTO bd.loose VALUES (1, 10);
SELECT sqlstate_of($$SELECT * FROM tenant_guard.rewind('1', to_mark => 'bd-mark')$$) AS rewind_distributed;
DELETE FROM pg_catalog.pg_dist_partition WHERE logicalrelid = 'bd.loose'::regclass;
SELECT * FROM tenant_guard.undelete('1', ARRAY['bd.loose'::regclass]);
SET allow_system_table_mods = on;
DROP TABLE pg_catalog.pg_dist_partition;
RESET allow_system_table_mods;
SELECT tenant_guard.protect('bd.distributed');

-- 7. DDL that destroys or may change values keeps them: DROP COLUMN and
-- ALTER COLUMN TYPE with USING (or a conversion that may change values)
-- first record the column's old values, one change per row, as an UPDATE is
-- recorded. Adding columns, renames, indexes and value-keeping type changes
-- record nothing and keep working.
CREATE TABLE bd.notes (tenant_id int NOT NULL, id int PRIMARY KEY, body text, score int, price numeric(8,2));
SELECT tenant_guard.protect('bd.notes');
INSERT INTO bd.notes VALUES (1, 1, 'first', 10, 1.25), (2, 2, 'second', 20, 2.50);
CREATE VIEW bd.note_changes AS
    SELECT count(*) AS changes FROM tenant_guard.change_log WHERE rel = 'bd.notes'::regclass;
SELECT changes AS before_ddl FROM bd.note_changes \gset
ALTER TABLE bd.notes ADD COLUMN priority int DEFAULT 0 NOT NULL;
ALTER TABLE bd.notes RENAME COLUMN score TO points;
CREATE INDEX ON bd.notes (points);
ALTER TABLE bd.notes ALTER COLUMN points TYPE bigint;
ALTER TABLE bd.notes ALTER COLUMN price TYPE numeric;
ALTER TABLE bd.notes ALTER COLUMN body TYPE varchar;
SELECT changes - :before_ddl AS recorded_by_harmless_ddl FROM bd.note_changes;
ALTER TABLE bd.notes DROP COLUMN body;
SELECT op, tenant, pk, old_row, new_row, origin FROM tenant_guard.change_log
 WHERE rel = 'bd.notes'::regclass AND old_row ? 'body#dropped3' AND op = 'U' ORDER BY seq;
ALTER TABLE bd.notes ALTER COLUMN points TYPE int USING NULL;
ALTER TABLE bd.notes ALTER COLUMN price TYPE int;
-- The recorded old values are converted as every image of the column is (the
-- value under its name, as the rows got it), the old one kept under
-- "<name>#<old type>" (sql/migrations.sql).
SELECT pk, (SELECT jsonb_object_agg(k, c.old_row -> k) FROM jsonb_object_keys(c.old_row) AS k
             WHERE NOT c.new_row ? k) AS recorded_old_values
  FROM tenant_guard.change_log c
 WHERE c.rel = 'bd.notes'::regclass AND c.op = 'U' AND NOT c.old_row ? 'body#dropped3' ORDER BY c.seq;
SELECT * FROM bd.notes ORDER BY id;
-- A row deleted before the drop still comes back (the dropped value ignored).
DELETE FROM bd.notes WHERE id = 2;
SELECT * FROM tenant_guard.undelete('2', ARRAY['bd.notes'::regclass]);
SELECT * FROM bd.notes ORDER BY id;

-- MERGE ... UPDATE on a protected partitioned table: PostgreSQL leaves the
-- rows a MERGE moves to another partition out of the transition tables, so a
-- move to another tenant's partition was neither recorded nor checked (TG002,
-- the pin, TG001: an attacker's report of 2026-12-04). Refused (0A000) and
-- nothing changed; MERGE that only inserts or deletes, and MERGE into a leaf
-- partition (which cannot move rows), are captured as before.
CREATE TABLE bd.merged (tenant_id int NOT NULL, id int, v text, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
CREATE TABLE bd.merged_1 PARTITION OF bd.merged FOR VALUES IN (1);
CREATE TABLE bd.merged_2 PARTITION OF bd.merged FOR VALUES IN (2);
SELECT tenant_guard.protect('bd.merged');
INSERT INTO bd.merged VALUES (1, 1, 'one');
SELECT sqlstate_of($$MERGE INTO bd.merged d USING (VALUES (1, 1)) s(t, i) ON d.tenant_id = s.t AND d.id = s.i
                     WHEN MATCHED THEN UPDATE SET tenant_id = 2$$) AS merge_moving_rows;
SELECT sqlstate_of($$MERGE INTO bd.merged d USING (VALUES (1, 1)) s(t, i) ON d.tenant_id = s.t AND d.id = s.i
                     WHEN MATCHED THEN UPDATE SET v = 'same partition'$$) AS merge_updating;
MERGE INTO bd.merged d USING (VALUES (1, 2)) s(t, i) ON d.tenant_id = s.t AND d.id = s.i
    WHEN NOT MATCHED THEN INSERT VALUES (s.t, s.i, 'inserted');
MERGE INTO bd.merged_1 d USING (VALUES (1, 1)) s(t, i) ON d.tenant_id = s.t AND d.id = s.i
    WHEN MATCHED THEN UPDATE SET v = 'in the leaf';
EXPLAIN (COSTS OFF) MERGE INTO bd.merged d USING (VALUES (1, 1)) s(t, i) ON d.tenant_id = s.t AND d.id = s.i
    WHEN MATCHED THEN UPDATE SET tenant_id = 2;
SELECT * FROM bd.merged ORDER BY tenant_id, id;
SELECT op, pk, new_row ->> 'v' AS v FROM tenant_guard.change_log WHERE rel IN ('bd.merged'::regclass, 'bd.merged_1'::regclass) ORDER BY seq;

-- An unlogged partition of a protected table: a crash or a failover empties
-- it, and its rows were gone without a tombstone (SET UNLOGGED was refused,
-- an unlogged partition was not: an attacker's report of 2026-12-04).
-- Refused at CREATE ... PARTITION OF and at ATTACH (TG003).
SELECT sqlstate_of($$CREATE UNLOGGED TABLE bd.merged_3 PARTITION OF bd.merged FOR VALUES IN (3)$$) AS unlogged_partition;
CREATE UNLOGGED TABLE bd.merged_4 (tenant_id int NOT NULL, id int, v text, PRIMARY KEY (tenant_id, id));
SELECT sqlstate_of($$ALTER TABLE bd.merged ATTACH PARTITION bd.merged_4 FOR VALUES IN (4)$$) AS attach_unlogged;
ALTER TABLE bd.merged_4 SET LOGGED;
ALTER TABLE bd.merged ATTACH PARTITION bd.merged_4 FOR VALUES IN (4);
-- Nor below an attached partitioned table: its unlogged leaf (the
-- attacker's report of the 0.11.0 fix), at any depth.
CREATE TABLE bd.merged_5 (tenant_id int NOT NULL, id int, v text, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (id);
CREATE TABLE bd.merged_5_mid PARTITION OF bd.merged_5 FOR VALUES IN (1) PARTITION BY LIST (tenant_id);
CREATE UNLOGGED TABLE bd.merged_5_leaf PARTITION OF bd.merged_5_mid DEFAULT;
SELECT sqlstate_of($$ALTER TABLE bd.merged ATTACH PARTITION bd.merged_5 FOR VALUES IN (5)$$) AS attach_unlogged_leaf;
ALTER TABLE bd.merged_5_leaf SET LOGGED;
ALTER TABLE bd.merged ATTACH PARTITION bd.merged_5 FOR VALUES IN (5);
-- An UPDATE that moves a row to a partition whose BEFORE INSERT trigger
-- returns NULL deletes it there with no record: refused (TG003; it was an
-- internal error, XX000, before: the attacker's report of the 0.11.0 release).
CREATE TABLE bd.merged_5_two PARTITION OF bd.merged_5 FOR VALUES IN (2);
CREATE FUNCTION bd.drop_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER drop_row BEFORE INSERT ON bd.merged_5_two FOR EACH ROW EXECUTE FUNCTION bd.drop_row();
INSERT INTO bd.merged VALUES (5, 1, 'moved');
SELECT sqlstate_of($$UPDATE bd.merged SET id = 2 WHERE tenant_id = 5 AND id = 1$$) AS move_into_a_null_trigger;
SELECT * FROM bd.merged WHERE tenant_id = 5;
SELECT relname, relpersistence FROM pg_class WHERE relname LIKE 'merged%' AND relnamespace = 'bd'::regnamespace ORDER BY 1;
