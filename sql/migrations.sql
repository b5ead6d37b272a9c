-- Tombstones and history follow the table's migrations: a tombstoned or
-- historical row behaves as if it had stayed live in the table. ADD COLUMN
-- gives it the value the live rows got (PostgreSQL's missing value, also
-- after DROP DEFAULT or SET DEFAULT; NULL without a default); ALTER COLUMN
-- TYPE converts it as the rows were converted (the cast, or the USING
-- expression over the image as if it were the row), or fails the command as
-- a live row holding it would.
--
-- Each table has a twin that is not protected and never loses its rows: the
-- table as it was at the mark, carried live through the same DDL. After the
-- DDL, one tenant's rows are undeleted, another's (deleted) and a third's
-- (updated) are rewound to the mark; row::text must then equal the twin's.
CREATE SCHEMA mig AUTHORIZATION regress_tg_owner;
SET client_min_messages = warning;  -- (sql/images.sql may have made these)
CREATE SCHEMA IF NOT EXISTS images;
CREATE EXTENSION IF NOT EXISTS hstore WITH SCHEMA images;
CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA images;
RESET client_min_messages;
GRANT USAGE ON SCHEMA images TO regress_tg_owner;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_owner;
GRANT EXECUTE ON FUNCTION tenant_guard.protect(regclass, name, text, name) TO regress_tg_owner;
SET search_path = mig, images, public;

-- Rows of mig.<t> and of its twin that differ (none: identical).
CREATE FUNCTION public.mig_differences(t text) RETURNS TABLE (only_in text, "row" text) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT ''table'', r FROM (SELECT x::text AS r FROM mig.%1$I x EXCEPT ALL SELECT y::text FROM mig.%2$I y) a '
        'UNION ALL '
        'SELECT ''twin'', r FROM (SELECT y::text AS r FROM mig.%2$I y EXCEPT ALL SELECT x::text FROM mig.%1$I x) b '
        'ORDER BY 1, 2', t, t || '_twin');
END $$;
-- Runs ddl ("@" for the table) on mig.<t> and on its twin.
CREATE PROCEDURE public.mig_on_both(t text, ddl text) LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE replace(ddl, '@', format('mig.%I', t));
    EXECUTE replace(ddl, '@', format('mig.%I', t || '_twin'));
END $$;
-- A statement's error: SQLSTATE, message, hint and the first line of its
-- context, numbers masked (tombstone ids depend on what ran before).
CREATE FUNCTION public.mig_error(stmt text) RETURNS TABLE (sqlstate text, message text, hint text, context text)
LANGUAGE plpgsql AS $$
DECLARE st text; msg text; h text; ctx text;
BEGIN
    EXECUTE stmt;
    RETURN QUERY SELECT 'ok', NULL::text, NULL::text, NULL::text;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, h = PG_EXCEPTION_HINT, ctx = PG_EXCEPTION_CONTEXT;
    RETURN QUERY SELECT st, msg, h, regexp_replace(split_part(ctx, E'\n', 1), '[0-9]+', 'N', 'g');
END $$;

SET ROLE regress_tg_owner;
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN nine AS int DEFAULT 9;

-- 1. Django's AddField: ADD COLUMN ... DEFAULT 0 NOT NULL, then DROP DEFAULT
--    (before: every older tombstone failed to come back, 23502), and a
--    generated column (recomputed from the restored row).
CREATE TABLE django (tenant text NOT NULL, id int PRIMARY KEY, name text);
-- 2. ADD COLUMN without default, then SET DEFAULT 7 (before: came back 7, not NULL).
CREATE TABLE nodefault (tenant text NOT NULL, id int PRIMARY KEY, name text);
-- 3. Non-volatile defaults of a user's enum and domain, hstore, citext, a
--    domain's own default, and values whose spelling the session's settings
--    change (float8, timestamptz, interval), each dropped afterwards.
CREATE TABLE usertypes (tenant text NOT NULL, id int PRIMARY KEY, name text);
-- 4. Type changes: widening, int -> text, text -> int (USING), numeric -> int
--    (rounded as the rows are; before: 22P02), real -> float8 (before: not
--    exact), enum -> text, USING over the column (before: 2, not 200) and
--    over two columns.
CREATE TABLE retype (tenant text NOT NULL, id int PRIMARY KEY, a int, b int, c text, d numeric, f real, g mood,
                     price numeric(8,2), name text, family text);
-- 5. A partitioned table.
CREATE TABLE parted (tenant text NOT NULL, id int, qty numeric, PRIMARY KEY (id)) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (100) TO (200);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['django', 'nodefault', 'usertypes', 'retype', 'parted'] LOOP
        PERFORM tenant_guard.protect(format('mig.%I', t)::regclass, 'tenant');
    END LOOP;
END $$;
INSERT INTO django VALUES ('dj-u', 1, 'one'), ('dj-u', 2, 'two'), ('dj-r', 3, 'three'), ('dj-l', 4, 'four');
INSERT INTO nodefault VALUES ('nd-u', 1, 'one'), ('nd-r', 2, 'two'), ('nd-l', 3, 'three');
INSERT INTO usertypes VALUES ('ut-u', 1, 'one'), ('ut-r', 2, 'two'), ('ut-l', 3, 'three');
INSERT INTO retype VALUES
    ('rt-u', 1, 1, 10, '007', 2.5, 1.1, 'happy', 2.00, 'Ada', 'Lovelace'),
    ('rt-u', 2, 2, 20, ' 42 ', -3.5, -0.1, NULL, 0.01, 'Alan', 'Turing'),
    ('rt-r', 3, 3, 30, '3', 0.49, 3.3, 'sad', 1.25, 'Grace', 'Hopper'),
    ('rt-l', 4, 4, 40, '4', 4.5, 4.4, 'ok', 4.00, 'Edsger', 'Dijkstra');
INSERT INTO parted VALUES ('pt-u', 1, 1.5), ('pt-u', 150, 150.5), ('pt-r', 2, 2.5), ('pt-l', 151, 151.5);
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['django', 'nodefault', 'usertypes', 'retype', 'parted'] LOOP
        EXECUTE format('CREATE TABLE mig.%I AS SELECT * FROM mig.%I', t || '_twin', t);
    END LOOP;
END $$;
RESET ROLE;
SELECT tenant_guard.mark('mig');

-- Tenants -u and -r are deleted (-r updated first), tenant -l updated; the
-- twins keep every row as it was at the mark.
DELETE FROM django WHERE tenant = 'dj-u';
UPDATE django SET name = 'THREE' WHERE tenant = 'dj-r';
DELETE FROM django WHERE tenant = 'dj-r';
UPDATE django SET name = 'FOUR' WHERE tenant = 'dj-l';
DELETE FROM nodefault WHERE tenant = 'nd-u';
DELETE FROM nodefault WHERE tenant = 'nd-r';
UPDATE nodefault SET name = 'THREE' WHERE tenant = 'nd-l';
DELETE FROM usertypes WHERE tenant = 'ut-u';
DELETE FROM usertypes WHERE tenant = 'ut-r';
UPDATE usertypes SET name = 'THREE' WHERE tenant = 'ut-l';
DELETE FROM retype WHERE tenant = 'rt-u';
UPDATE retype SET d = 9.5, price = 9.99, name = 'Amazing Grace' WHERE tenant = 'rt-r';
DELETE FROM retype WHERE tenant = 'rt-r';
UPDATE retype SET c = '44', d = 44.5, g = 'sad' WHERE tenant = 'rt-l';
DELETE FROM parted WHERE tenant = 'pt-u';
DELETE FROM parted WHERE tenant = 'pt-r';
UPDATE parted SET qty = 0 WHERE tenant = 'pt-l';

-- The migrations, on each table and its twin, as the tables' owner, in a
-- session whose output settings would spell values otherwise than images do.
SET ROLE regress_tg_owner;
SET extra_float_digits = -3;
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = sql_standard;
CALL mig_on_both('django', $$ALTER TABLE @ ADD COLUMN priority int DEFAULT 0 NOT NULL$$);
CALL mig_on_both('django', $$ALTER TABLE @ ALTER COLUMN priority DROP DEFAULT$$);
CALL mig_on_both('django', $$ALTER TABLE @ ADD COLUMN doubled int GENERATED ALWAYS AS (id * 2) STORED$$);

CALL mig_on_both('nodefault', $$ALTER TABLE @ ADD COLUMN n int$$);
CALL mig_on_both('nodefault', $$ALTER TABLE @ ALTER COLUMN n SET DEFAULT 7$$);

CALL mig_on_both('usertypes', $$ALTER TABLE @ ADD COLUMN m mood DEFAULT 'ok', ADD COLUMN p posint DEFAULT 5,
    ADD COLUMN h hstore DEFAULT 'k=>v, "a b"=>NULL', ADD COLUMN ci citext DEFAULT 'MiXeD', ADD COLUMN nn nine,
    ADD COLUMN fl float8 DEFAULT pi(), ADD COLUMN at timestamptz DEFAULT '2020-01-02 03:04:05.5+00',
    ADD COLUMN iv interval DEFAULT '-1 days +02:03:04'$$);
CALL mig_on_both('usertypes', $$ALTER TABLE @ ALTER COLUMN m DROP DEFAULT, ALTER COLUMN p DROP DEFAULT,
    ALTER COLUMN h DROP DEFAULT, ALTER COLUMN ci DROP DEFAULT, ALTER COLUMN fl DROP DEFAULT,
    ALTER COLUMN at DROP DEFAULT, ALTER COLUMN iv DROP DEFAULT$$);

CALL mig_on_both('retype', $$ALTER TABLE @ ALTER COLUMN a TYPE bigint$$);
CALL mig_on_both('retype', $$ALTER TABLE @ ALTER COLUMN b TYPE text, ALTER COLUMN c TYPE int USING c::int$$);
CALL mig_on_both('retype', $$ALTER TABLE @ ALTER COLUMN d TYPE int, ALTER COLUMN f TYPE float8,
    ALTER COLUMN g TYPE text$$);
CALL mig_on_both('retype', $$ALTER TABLE @ ALTER COLUMN price TYPE int USING (price * 100)::int,
    ALTER COLUMN name TYPE varchar(40) USING name || ' ' || family$$);

CALL mig_on_both('parted', $$ALTER TABLE @ ADD COLUMN flag boolean DEFAULT true NOT NULL$$);
CALL mig_on_both('parted', $$ALTER TABLE @ ALTER COLUMN flag DROP DEFAULT$$);
CALL mig_on_both('parted', $$ALTER TABLE @ ALTER COLUMN qty TYPE int$$);
RESET extra_float_digits;
RESET DateStyle;
RESET IntervalStyle;
RESET ROLE;

-- Undelete one tenant, rewind the two others to the mark.
SELECT * FROM tenant_guard.undelete('dj-u');
SELECT * FROM tenant_guard.rewind('dj-r', to_mark => 'mig');
SELECT * FROM tenant_guard.rewind('dj-l', to_mark => 'mig');
SELECT * FROM tenant_guard.undelete('nd-u');
SELECT * FROM tenant_guard.rewind('nd-r', to_mark => 'mig');
SELECT * FROM tenant_guard.rewind('nd-l', to_mark => 'mig');
SELECT * FROM tenant_guard.undelete('ut-u');
SELECT * FROM tenant_guard.rewind('ut-r', to_mark => 'mig');
SELECT * FROM tenant_guard.rewind('ut-l', to_mark => 'mig');
SELECT * FROM tenant_guard.undelete('rt-u');
SELECT * FROM tenant_guard.rewind('rt-r', to_mark => 'mig');
SELECT * FROM tenant_guard.rewind('rt-l', to_mark => 'mig');
SELECT * FROM tenant_guard.undelete('pt-u');
SELECT * FROM tenant_guard.rewind('pt-r', to_mark => 'mig');
SELECT * FROM tenant_guard.rewind('pt-l', to_mark => 'mig');

-- Every row as if it had stayed live: row::text equal to the twin's.
SELECT d.*, d.doubled = d.id * 2 AS recomputed FROM django d ORDER BY id;
SELECT * FROM mig_differences('django');
SELECT * FROM nodefault ORDER BY id;
SELECT * FROM mig_differences('nodefault');
SELECT u::text FROM usertypes u ORDER BY id;
SELECT * FROM mig_differences('usertypes');
SELECT * FROM retype ORDER BY id;
SELECT * FROM mig_differences('retype');
SELECT p::text FROM parted p ORDER BY id;
SELECT * FROM mig_differences('parted');

-- The history shows the converted values under the columns' current names;
-- where a change may alter values, each row image also keeps the value
-- before it, under "<column>#<old type>" (undelete and rewind ignore it).
SELECT c.op, c.origin, c.old_row, c.new_row FROM tenant_guard.change_log c
 WHERE c.rel = 'mig.retype'::regclass AND c.pk = '{"id": 3}' ORDER BY c.seq;
SELECT c.op, c.new_row -> 'c' AS c, c.new_row -> 'c#text' AS "c#text", c.new_row -> 'd' AS d,
       c.new_row -> 'd#numeric' AS "d#numeric", c.new_row -> 'price' AS price, c.new_row -> 'name' AS name
  FROM tenant_guard.changes(NULL, 100, 'rt-u') c ORDER BY c.seq;
-- The values the ALTER TABLE recorded from the live rows before changing them
-- (one change per live row) are converted too, their old values kept.
SELECT c.pk, c.old_row -> 'd' AS d, c.old_row -> 'd#numeric' AS "d#numeric", c.new_row ? 'd' AS new_row_has_d
  FROM tenant_guard.change_log c
 WHERE c.rel = 'mig.retype'::regclass AND c.op = 'U' AND c.new_row ? 'c' AND NOT c.new_row ? 'd' ORDER BY c.seq;

-- 6. A value that the new type cannot take fails the command with the
--    conversion's own SQLSTATE, as a live row would, and changes nothing.
SET ROLE regress_tg_owner;
CREATE TABLE shrink (tenant text NOT NULL, id int PRIMARY KEY, code varchar(10));
SELECT tenant_guard.protect('shrink', 'tenant');
INSERT INTO shrink VALUES ('sh', 1, 'toolongval'), ('sh', 2, 'short');
DELETE FROM shrink WHERE id = 1;
SELECT sqlstate_of($$ALTER TABLE mig.shrink ALTER COLUMN code TYPE varchar(5)$$) AS shrink_code;
SELECT * FROM mig_error($$ALTER TABLE mig.shrink ALTER COLUMN code TYPE varchar(5)$$);
SELECT format_type(atttypid, atttypmod) AS code_type FROM pg_attribute
 WHERE attrelid = 'mig.shrink'::regclass AND attname = 'code';
RESET ROLE;
SELECT row_data FROM tenant_guard.tombstones WHERE rel = 'mig.shrink'::regclass;
SELECT count(*) AS recorded FROM tenant_guard.change_log WHERE rel = 'mig.shrink'::regclass AND op = 'U';
-- A USING expression that takes every value works; the old value is kept.
SET ROLE regress_tg_owner;
ALTER TABLE shrink ALTER COLUMN code TYPE varchar(5) USING left(code, 5);
RESET ROLE;
SELECT row_data FROM tenant_guard.tombstones WHERE rel = 'mig.shrink'::regclass;
SELECT * FROM tenant_guard.undelete('sh');
SELECT * FROM shrink ORDER BY id;

-- 7. A volatile default or an identity gives each row its own value: the
--    images of a live row get that row's, the images of a deleted row one
--    drawn at the command (the same in all of them); every row comes back.
SET ROLE regress_tg_owner;
CREATE TABLE perrow (tenant text NOT NULL, id int PRIMARY KEY, name text);
SELECT tenant_guard.protect('perrow', 'tenant');
INSERT INTO perrow VALUES ('pr-u', 1, 'one'), ('pr-u', 2, 'two'), ('pr-l', 3, 'three');
RESET ROLE;
SELECT tenant_guard.mark('mig-perrow');
UPDATE perrow SET name = 'THREE' WHERE id = 3;
DELETE FROM perrow WHERE tenant = 'pr-u';
SET ROLE regress_tg_owner;
ALTER TABLE perrow ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN serial_no int GENERATED BY DEFAULT AS IDENTITY;
ALTER TABLE perrow ALTER COLUMN token DROP DEFAULT;
RESET ROLE;
CREATE TABLE perrow_live AS SELECT id, token, serial_no FROM perrow;
SELECT count(*) AS live_images, bool_and(c.new_row -> 'token' = to_jsonb(p.token)
                                         AND c.new_row -> 'serial_no' = to_jsonb(p.serial_no)) AS live_rows_values
  FROM tenant_guard.change_log c JOIN perrow p ON c.pk = jsonb_build_object('id', p.id)
 WHERE c.rel = 'mig.perrow'::regclass;
SELECT t.pk, t.row_data -> 'token' = c.old_row -> 'token' AND t.row_data -> 'serial_no' = c.old_row -> 'serial_no'
           AND i.new_row -> 'token' = c.old_row -> 'token' AS images_agree,
       t.row_data -> 'serial_no' <> 'null' AS has_serial
  FROM tenant_guard.tombstones t
  JOIN tenant_guard.change_log c ON c.rel = t.rel AND c.pk = t.pk AND c.op = 'D'
  JOIN tenant_guard.change_log i ON i.rel = t.rel AND i.pk = t.pk AND i.op = 'I'
 WHERE t.rel = 'mig.perrow'::regclass ORDER BY t.pk;
SELECT count(DISTINCT row_data -> 'token') AS distinct_tokens FROM tenant_guard.tombstones
 WHERE rel = 'mig.perrow'::regclass;
SELECT * FROM tenant_guard.undelete('pr-u');
SELECT count(*) AS restored, count(DISTINCT token) AS tokens, count(DISTINCT serial_no) AS serials FROM perrow;
SELECT * FROM tenant_guard.rewind('pr-l', to_mark => 'mig-perrow');
SELECT p.name, p.token = l.token AND p.serial_no = l.serial_no AS kept_its_values
  FROM perrow p JOIN perrow_live l USING (id);

-- 8. A volatile conversion is refused: the images of one row would get other
--    values than the row.
SET ROLE regress_tg_owner;
SELECT sqlstate_of($$ALTER TABLE mig.perrow ALTER COLUMN name TYPE text USING name || random()$$) AS volatile_using;

-- 9. The conversion is the owner's code: tenant_guard runs it as the table's
--    owner, restricted (PostgreSQL itself converts the live rows as whoever
--    issues the command, here a superuser) ...
CREATE SEQUENCE who_calls;
CREATE FUNCTION who(v text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE can_set_role boolean := true;
BEGIN
    PERFORM pg_catalog.nextval('mig.who_calls');
    BEGIN
        PERFORM pg_catalog.set_config('role', 'none', true);
    EXCEPTION WHEN OTHERS THEN
        can_set_role := false;
    END;
    RETURN upper(v) || CASE WHEN current_user = 'regress_tg_owner' THEN ' (owner' ELSE ' (not the owner' END
                    || CASE WHEN can_set_role THEN ')' ELSE ', restricted)' END;
END $$;
RESET ROLE;
DELETE FROM perrow WHERE tenant = 'pr-u';
ALTER TABLE perrow ALTER COLUMN name TYPE text USING mig.who(name);
SELECT row_data ->> 'name' AS name, row_data ->> 'name#text' AS "name#text" FROM tenant_guard.tombstones
 WHERE rel = 'mig.perrow'::regclass ORDER BY pk;
SELECT name FROM perrow;
-- ... and only for a role that may alter the table: another role's command
-- (refused by PostgreSQL) runs none of its expression first.
ALTER SEQUENCE who_calls RESTART;
GRANT USAGE ON SCHEMA mig TO regress_tg_app;
GRANT USAGE ON SEQUENCE mig.who_calls TO regress_tg_app;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$ALTER TABLE mig.perrow ALTER COLUMN name TYPE varchar(80) USING mig.who(name)$$) AS not_the_owner;
RESET ROLE;
SELECT is_called AS evaluated FROM who_calls;

-- 10. ADD COLUMN IF NOT EXISTS of a column that exists changes no image,
--     not even one that lacks it (as an image an older version wrote).
-- (The tombstone gets an image of its own, as before 0.6.0, without n.)
DELETE FROM nodefault WHERE tenant = 'nd-l';
UPDATE tenant_guard.tombstone_data t SET row_data = v.row_data - 'n'
  FROM tenant_guard.tombstones v
 WHERE v.tombstone_id = t.tombstone_id AND v.tenant = 'nd-l' AND v.rel = 'mig.nodefault'::regclass;
SET ROLE regress_tg_owner;
ALTER TABLE nodefault ADD COLUMN IF NOT EXISTS n int DEFAULT 99;
RESET ROLE;
SELECT row_data FROM tenant_guard.tombstones WHERE rel = 'mig.nodefault'::regclass;

-- 11. The keys that keep old values cannot be taken by a column: a rename to
--     one would overwrite the values it keeps, an added column would take them.
SET ROLE regress_tg_owner;
SELECT sqlstate_of($$ALTER TABLE mig.retype RENAME COLUMN b TO "d#numeric"$$) AS rename_to_kept_key;
SELECT sqlstate_of($$ALTER TABLE mig.retype ADD COLUMN "d#numeric" int$$) AS add_kept_key;
SELECT sqlstate_of($$ALTER TABLE mig.retype ADD COLUMN "no#such" int$$) AS add_other_name;
ALTER TABLE retype DROP COLUMN "no#such";
-- A retype of a column that does not exist is PostgreSQL's own 42703, not an
-- internal error of the guard (was XX000, "cache lookup failed").
SELECT sqlstate_of($$ALTER TABLE mig.retype ALTER COLUMN no_such TYPE bigint$$) AS retype_missing_column;
RESET ROLE;
SELECT count(*) AS images_keeping_d FROM tenant_guard.change_log
 WHERE rel = 'mig.retype'::regclass AND (old_row ? 'd#numeric' OR new_row ? 'd#numeric');

-- 12. A json column's exact text and a jsonb JSON null, which images keep
--     beside the value, follow the column through RENAME and ALTER COLUMN
--     TYPE (json -> text converts the exact text, text -> json keeps it); a
--     dropped column's do not come back in a column added under its name.
SET ROLE regress_tg_owner;
CREATE TABLE jsonish (tenant text NOT NULL, id int PRIMARY KEY, j json, jb jsonb, t text, nb jsonb);
CREATE TABLE jsonish_twin (LIKE jsonish);
SELECT tenant_guard.protect('mig.jsonish', 'tenant');
INSERT INTO jsonish VALUES ('js-u', 1, '{"b": 1,  "b": 2}', 'null', ' [1,2] ', 'null'), ('js-u', 2, NULL, NULL, NULL, NULL),
                           ('js-r', 3, '[ 1 ]', '{}', '{"a":1,"a":2}', 'null');
INSERT INTO jsonish_twin SELECT * FROM jsonish;
RESET ROLE;
SELECT tenant_guard.mark('mig-json');
SET ROLE regress_tg_owner;
DELETE FROM jsonish WHERE tenant = 'js-u';
UPDATE jsonish SET j = '[]', jb = 'null', t = '2', nb = '{}' WHERE tenant = 'js-r';
CALL mig_on_both('jsonish', 'ALTER TABLE @ RENAME COLUMN j TO j2');
CALL mig_on_both('jsonish', 'ALTER TABLE @ ALTER COLUMN j2 TYPE text');
CALL mig_on_both('jsonish', 'ALTER TABLE @ ALTER COLUMN t TYPE json USING t::json');
CALL mig_on_both('jsonish', 'ALTER TABLE @ DROP COLUMN nb');
CALL mig_on_both('jsonish', 'ALTER TABLE @ ADD COLUMN nb jsonb');
SELECT sqlstate_of($$ALTER TABLE mig.jsonish ADD COLUMN "jb#:text" text$$) AS add_text_key;
SELECT sqlstate_of($$ALTER TABLE mig.jsonish RENAME COLUMN t TO "x#:text"$$) AS rename_to_text_key;
RESET ROLE;
SELECT * FROM tenant_guard.undelete('js-u');
SELECT * FROM tenant_guard.rewind('js-r', to_mark => 'mig-json');
SELECT * FROM mig_differences('jsonish');
SELECT id, j2, jb, t, nb FROM jsonish ORDER BY id;
-- A column named as a json column's text key would overwrite it in images:
-- protect() refuses the table, as ALTER TABLE refuses the name above.
SET ROLE regress_tg_owner;
CREATE TABLE jsonclash (tenant text NOT NULL, id int PRIMARY KEY, j json, "j#:text" text);
SELECT sqlstate_of($$SELECT tenant_guard.protect('mig.jsonclash', 'tenant')$$) AS protect_clash;
ALTER TABLE jsonclash RENAME COLUMN "j#:text" TO k;
SELECT tenant_guard.protect('mig.jsonclash', 'tenant');
RESET ROLE;

RESET search_path;
