-- Hostile and bad inputs: NULL, empty, huge and strange tenants; identifiers
-- that need quoting; awkward column types; SQL injection attempts through
-- every text argument and GUC; malformed tokens (and the fuzzer's corpus).
-- Each input either works literally (the string is data) or fails with its
-- own SQLSTATE, and nothing crashes the backend. Outputs show SQLSTATEs only
-- (messages may carry ids and times).
CREATE SCHEMA hostile;
SET search_path = hostile, public;
-- Some statements below touch several tenants at once on purpose.
SET tenant_guard.max_tenants_per_statement = 0;

-- code(stmt): the SQLSTATE of a statement, or 'ok'.
CREATE FUNCTION code(stmt text) RETURNS text LANGUAGE sql AS
    $$ SELECT split_part(sqlstate_of(stmt), ':', 1) $$;
-- The canary: an injected statement calls nextval('hostile.pwned') (not undone
-- by a rollback) or deletes from hostile.canary.
CREATE SEQUENCE pwned;
CREATE TABLE canary (id int PRIMARY KEY);
INSERT INTO canary VALUES (1);
CREATE FUNCTION intact() RETURNS text LANGUAGE sql AS $$
    SELECT CASE WHEN (SELECT NOT is_called FROM hostile.pwned) AND (SELECT count(*) FROM hostile.canary) = 1
                THEN 'intact' ELSE 'INJECTED' END $$;
-- Injection payloads (each short enough to be an identifier too).
CREATE TABLE payloads (n int PRIMARY KEY, p text NOT NULL);
INSERT INTO payloads VALUES
    (1, $p$x'); SELECT nextval('hostile.pwned'); --$p$),
    (2, $p$' || nextval('hostile.pwned') || '$p$),
    (3, $p$x"; SELECT nextval('hostile.pwned'); --$p$),
    (4, $p$$$; SELECT nextval('hostile.pwned'); $$$p$),
    (5, $p$x\'; SELECT nextval('hostile.pwned'); --$p$),
    (6, $p$*/ SELECT nextval('hostile.pwned'); /*$p$),
    (7, E'x\n''); SELECT nextval(''hostile.pwned''); --'),
    (8, $p$1; DELETE FROM hostile.canary$p$),
    (9, $p$%s %I %L %% \x00 \u0000 $1$p$),
    (10, $p$") OR true; DELETE FROM hostile.canary; --$p$);
SELECT max(octet_length(p)) < 64 AS payloads_fit_in_a_name FROM payloads;

-- =========================================================================
-- 1. Tenant values: as arguments, and stored in a protected table.
-- =========================================================================
CREATE TABLE tenants (label text PRIMARY KEY, t text NOT NULL);
INSERT INTO tenants VALUES
    ('empty', ''), ('space', ' '), ('quote', 'O''Brien'), ('quotes', $t$'' "" ' "$t$),
    ('backslash', $t$back\slash\\$t$), ('escapes', $t$\x00 \u0000 \0 %00 \N$t$),
    ('newline', E'line1\nline2\r\n'), ('tab', E'\t'), ('unicode', 'Ünïcödé 租户 🦄'),
    ('bidi', E'\u202Eevil\u200B'), ('json', '{"tenant": 1}'), ('dots', 'a.b.c'), ('comma', 'a, b'),
    ('long', repeat('é', 1000));
INSERT INTO tenants SELECT 'payload ' || n, p FROM payloads;
-- NUL cannot be in a text value at all: PostgreSQL refuses it before the extension sees it.
SELECT code($$SELECT convert_from('\x610062', 'UTF8')$$) AS nul_in_text;

-- As arguments: NULL is refused (22004) where a tenant is required; every
-- other value is just a tenant with nothing to restore.
SELECT tenant_guard.mark('hostile-m0');
SELECT label,
       code(format('SELECT * FROM tenant_guard.undelete(%L)', t)) AS undelete,
       code(format('SELECT * FROM tenant_guard.undelete(%L, dry_run => true)', t)) AS undelete_dry,
       code(format('SELECT * FROM tenant_guard.rewind(%L, to_mark => %L)', t, 'hostile-m0')) AS rewind,
       code(format('SELECT * FROM tenant_guard.tenant_status(%L)', t)) AS tenant_status,
       code(format('SELECT * FROM tenant_guard.changes(NULL, 1, %L)', t)) AS changes
  FROM (SELECT * FROM tenants UNION ALL SELECT 'NULL', NULL UNION ALL SELECT '1 MB', repeat('x', 1000000)) v
 ORDER BY label;
-- tenant_status(NULL) answers, with nothing counted.
SELECT count(*) AS counted FROM tenant_guard.tenant_status(NULL) WHERE tombstones > 0 OR history_rows > 0;

-- Stored: capture, delete, undelete, rewind keep every tenant byte for byte.
CREATE TABLE tenant_rows (tenant text NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('tenant_rows', 'tenant');
SELECT tenant_guard.current_cursor() AS start \gset
INSERT INTO tenant_rows SELECT t, row_number() OVER (ORDER BY label), t || '|' || label FROM tenants;
CREATE TABLE tenant_rows_saved AS SELECT * FROM tenant_rows;
-- The change stream gives each tenant exactly its own row.
SELECT count(*) AS tenants, count(*) FILTER (WHERE ok) AS own_row_only
  FROM (SELECT s.tenant, (SELECT array_agg(c.new_row->>'v') FROM tenant_guard.changes(:'start', 100, s.tenant) c)
                         = ARRAY[s.v] AS ok
          FROM tenant_rows_saved s) x;
DELETE FROM tenant_rows;
-- Tombstones carry the tenant exactly; tenant_status finds each.
SELECT count(*) AS exact_tombstones FROM tenant_guard.tombstones tb JOIN tenant_rows_saved s
    ON tb.tenant = s.tenant AND tb.row_data = to_jsonb(s) WHERE tb.rel = 'tenant_rows'::regclass;
SELECT count(*) FILTER (WHERE (SELECT tombstones FROM tenant_guard.tenant_status(s.tenant)
                                WHERE rel = 'tenant_rows'::regclass) = 1) AS status_finds_each
  FROM tenant_rows_saved s;
SELECT count(*) FILTER (WHERE restored = 1) AS undeleted_one_each
  FROM tenant_rows_saved s, LATERAL tenant_guard.undelete(s.tenant) u;
SELECT (SELECT count(*) FROM tenant_rows) AS live,
       (SELECT count(*) FROM (SELECT * FROM tenant_rows EXCEPT SELECT * FROM tenant_rows_saved) d) AS different,
       (SELECT count(*) FROM tenant_rows r JOIN tenant_rows_saved s USING (id)
         WHERE convert_to(r.tenant, 'UTF8') = convert_to(s.tenant, 'UTF8')
           AND convert_to(r.v, 'UTF8') = convert_to(s.v, 'UTF8')) AS byte_exact;
-- Rewind each tenant to a mark after a change to every row.
SELECT tenant_guard.mark('hostile-m1');
UPDATE tenant_rows SET v = v || ' changed';
INSERT INTO tenant_rows SELECT tenant, id + 1000, 'new' FROM tenant_rows_saved;
SELECT sum(reverted) AS reverted, sum(removed) AS removed
  FROM tenant_rows_saved s, LATERAL tenant_guard.rewind(s.tenant, to_mark => 'hostile-m1') r;
SELECT count(*) AS live, (SELECT count(*) FROM (SELECT * FROM tenant_rows EXCEPT SELECT * FROM tenant_rows_saved) d) AS different
  FROM tenant_rows;
-- The tenant pin takes any value literally.
SELECT set_config('tenant_guard.tenant', t, false) IS NOT NULL AS pinned FROM tenants WHERE label = 'payload 1';
SELECT code($$INSERT INTO hostile.tenant_rows VALUES ($p$x'); SELECT nextval('hostile.pwned'); --$p$, 2001, 'pinned')$$) AS own_tenant,
       code($$INSERT INTO hostile.tenant_rows VALUES ('x', 2002, 'other')$$) AS other_tenant;
RESET tenant_guard.tenant;
-- A tenant value too large for the log's index (1 MB) is refused with 54000,
-- and nothing of the row remains.
SELECT code($$INSERT INTO hostile.tenant_rows VALUES (repeat('x', 1000000), 3001, 'huge')$$) AS huge_tenant;
SELECT count(*) AS huge_rows FROM tenant_rows WHERE id = 3001;
SELECT intact();

-- =========================================================================
-- 2. Identifiers that need quoting.
-- =========================================================================
CREATE SCHEMA "Hostile ""Schema"". Ü";
CREATE TABLE "Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表" (
    "Tenant ""Id"" .x" text NOT NULL, "Key Ü" int PRIMARY KEY, "Na""me" text, "select" text);
CREATE TABLE "Hostile ""Schema"". Ü"."child;DROP TABLE hostile.canary" (
    "x'); SELECT nextval('hostile.pwned'); --" text NOT NULL,
    "ID" int PRIMARY KEY,
    "parent key" int REFERENCES "Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表" ON DELETE CASCADE,
    "CamelCase" text);
CREATE TABLE "Hostile ""Schema"". Ü"."Flag ""Table""" (
    "ténant" text NOT NULL, id int PRIMARY KEY, "Deleted ""At""; --" timestamptz, v text);
CREATE VIEW quoted_state AS
    SELECT 'parent' AS t, p::text AS r FROM "Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表" p
    UNION ALL SELECT 'child', c::text FROM "Hostile ""Schema"". Ü"."child;DROP TABLE hostile.canary" c
    UNION ALL SELECT 'flag', f::text FROM "Hostile ""Schema"". Ü"."Flag ""Table""" f;
SELECT tenant_guard.protect('"Hostile ""Schema"". Ü"."child;DROP TABLE hostile.canary"',
                            $n$x'); SELECT nextval('hostile.pwned'); --$n$);
SELECT tenant_guard.protect('"Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表"', 'Tenant "Id" .x');
SELECT tenant_guard.protect('"Hostile ""Schema"". Ü"."Flag ""Table"""', 'ténant', 'flag', 'Deleted "At"; --');
SELECT rel, tenant_column, delete_mode, flag_column FROM tenant_guard.protected_tables
 WHERE rel::text LIKE '"Hostile%' ORDER BY rel::text COLLATE "C";
INSERT INTO "Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表" VALUES ('q''1', 1, 'a"b', 'x'), ('q''1', 2, NULL, ''), ('other', 3, 'o', 'o');
INSERT INTO "Hostile ""Schema"". Ü"."child;DROP TABLE hostile.canary" VALUES ('q''1', 10, 1, 'c'), ('q''1', 11, 2, 'd'), ('other', 12, 3, 'e');
INSERT INTO "Hostile ""Schema"". Ü"."Flag ""Table""" VALUES ('q''1', 1, NULL, 'f');
CREATE TABLE quoted_saved AS SELECT * FROM quoted_state;
-- Delete (the cascade reaches the child; the flag table sets its flag), undelete.
DELETE FROM "Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表" WHERE "Tenant ""Id"" .x" = 'q''1';
DELETE FROM "Hostile ""Schema"". Ü"."Flag ""Table""" WHERE "ténant" = 'q''1';
SELECT count(*) AS flagged FROM "Hostile ""Schema"". Ü"."Flag ""Table""" WHERE "Deleted ""At""; --" IS NOT NULL;
SELECT rel, count(*) FROM tenant_guard.tombstones WHERE tenant = 'q''1' GROUP BY rel ORDER BY rel::text COLLATE "C";
SELECT * FROM tenant_guard.undelete('q''1') ORDER BY rel::text COLLATE "C";
SELECT count(*) AS different FROM (SELECT * FROM quoted_state EXCEPT SELECT * FROM quoted_saved) d;
-- Rewind to a mark.
SELECT tenant_guard.mark('hostile-m2');
UPDATE "Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表" SET "Na""me" = 'changed' WHERE "Key Ü" = 1;
DELETE FROM "Hostile ""Schema"". Ü"."child;DROP TABLE hostile.canary" WHERE "ID" = 11;
INSERT INTO "Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表" VALUES ('q''1', 4, 'new', 'new');
SELECT * FROM tenant_guard.rewind('q''1', to_mark => 'hostile-m2') ORDER BY rel::text COLLATE "C";
SELECT count(*) AS different FROM (SELECT * FROM quoted_state EXCEPT SELECT * FROM quoted_saved) d;
SELECT rel, tombstones, history_rows FROM tenant_guard.tenant_status('q''1') WHERE rel::text LIKE '"Hostile%'
 ORDER BY rel::text COLLATE "C";
SELECT intact();

-- =========================================================================
-- 3. Column types: generated, dropped, domains, arrays, jsonb, bytea,
--    NaN/Infinity, ±infinity, composites, enums, text that looks like escapes.
-- =========================================================================
CREATE TYPE "Mood ""e""" AS ENUM ('ok', 'Ünïcode ''q''', 'a,b"c', '');
CREATE TYPE pair AS (a text, b int[], c "Mood ""e""");
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE DOMAIN tags AS text[];
-- differences(live, saved): ids missing on either side, and (id, column)
-- whose text differs.
CREATE FUNCTION differences(live regclass, saved regclass) RETURNS TABLE (id int, col name) LANGUAGE plpgsql AS $$
DECLARE c name;
BEGIN
    RETURN QUERY EXECUTE format('SELECT coalesce(s.id, l.id), NULL::name FROM %s s FULL JOIN %s l USING (id)
                                  WHERE s.id IS NULL OR l.id IS NULL', saved, live);
    FOR c IN SELECT attname FROM pg_attribute WHERE attrelid = saved AND attnum > 0 AND NOT attisdropped
                AND attname <> 'id' ORDER BY attnum LOOP
        RETURN QUERY EXECUTE format('SELECT s.id, %L::name FROM %s s JOIN %s l USING (id)
                                      WHERE l.%I::text IS DISTINCT FROM s.%I::text', c, saved, live, c, c);
    END LOOP;
END $$;
CREATE TABLE typed (tenant_id text NOT NULL, id int PRIMARY KEY,
    jb jsonb, arr int[], txa text[], f8 float8, f4 real, n numeric, n2 numeric(10,3),
    ts timestamp, tstz timestamptz, d date, iv interval, tt timetz, b bytea, p pair, m "Mood ""e""",
    pi posint, ta tags, ch char(5), bits varbit, rng int4range, tsv tsvector, ip inet,
    u uuid, t text, early_drop text, late_drop text, g int GENERATED ALWAYS AS (pi * 2) STORED);
SELECT tenant_guard.protect('typed');
ALTER TABLE typed DROP COLUMN early_drop;  -- dropped after protect, before the rows
INSERT INTO typed VALUES
 ('types', 1, '{"": "\u00e9", "n": 1.50, "big": 123456789012345678901234567890, "nested": {"a": [null, true, "\"]}"]}}',
  '{{1,2},{3,NULL}}', '{"a\"b","c,d",NULL,"NULL",""}', 1e308, '1.1', 'NaN', '1.500',
  'infinity', '-infinity', 'infinity', '1 year -2 days 03:04:05.678', '12:34:56.789+05:30', '\x00ff27225c00',
  '("q""t,(x)","{1,NULL}","a,b""c")', 'Ünïcode ''q''', 5, '{x,"y z",NULL}', 'ab', B'1010', '[3,7)', 'a:1 ''b c'':2', '10.0.0.1/8', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  $t$\x00 \u0000 \\ ' " \N NULL %s ${} E'\n' \xff$t$, 'late'),
 ('types', 2, '"null"', '{}', '{}', 'Infinity', 'NaN', 'Infinity', NULL, '-infinity', 'infinity', '-infinity',
  '-178000000 years', '00:00:00-15:59', '', '(,,)', '', 1, '{}', '', B'', 'empty', '', NULL,
  NULL, E'line\nbreak\ttab\r', NULL),
 ('types', 3, '[]', NULL, NULL, '-Infinity', '3.4028235e+38', '-Infinity', '-0.001', '294276-12-31 23:59:59.999999',
  '4713-11-24 00:00:00+00 BC', '5874897-12-31', '-178000000 years -1 microsecond', '24:00:00+15:59', NULL,
  NULL, 'a,b"c', 1000000000, NULL, '     ', NULL, '(,)', NULL, '::1', NULL, repeat('long ', 100000), NULL);
-- A saved copy, as the rows are now (without the columns about to change).
CREATE TABLE typed_saved AS SELECT * FROM typed;
ALTER TABLE typed_saved DROP COLUMN late_drop;
DELETE FROM typed;
ALTER TABLE typed DROP COLUMN late_drop;   -- dropped after the rows were tombstoned
ALTER TABLE typed ADD COLUMN added text DEFAULT 'added since';
SELECT * FROM tenant_guard.undelete('types');
SELECT * FROM differences('typed', 'typed_saved') ORDER BY 1, 2;
SELECT DISTINCT added, g = pi * 2 AS generated_recomputed FROM typed;
-- The change log's images are exactly to_jsonb of the rows.
SELECT count(*) AS exact_images FROM tenant_guard.change_log c JOIN typed_saved s ON c.pk = jsonb_build_object('id', s.id)
 WHERE c.rel = 'typed'::regclass AND c.op = 'I' AND c.new_row - 'late_drop' = to_jsonb(s);
-- A CHECK domain the old value violates now: PostgreSQL's own error, nothing restored.
DELETE FROM typed WHERE id = 3;
ALTER DOMAIN posint ADD CONSTRAINT small CHECK (VALUE < 100) NOT VALID;
SELECT code($$SELECT * FROM tenant_guard.undelete('types')$$) AS domain_violation;
ALTER DOMAIN posint DROP CONSTRAINT small;
SELECT * FROM tenant_guard.undelete('types');
SELECT * FROM differences('typed', 'typed_saved') ORDER BY 1, 2;
-- Rewind after changing every column.
SELECT tenant_guard.mark('hostile-m3');
UPDATE typed SET jb = '{}', arr = '{9}', f8 = 0, n = 0, tstz = now(), b = '\x01', p = NULL, m = 'ok', t = 'changed';
DELETE FROM typed WHERE id = 2;
SELECT * FROM tenant_guard.rewind('types', to_mark => 'hostile-m3');
SELECT * FROM differences('typed', 'typed_saved') ORDER BY 1, 2;

-- Types without an equality operator (point, xml, json): undelete and rewind.
CREATE TABLE no_eq (tenant_id text NOT NULL, id int PRIMARY KEY, pt point, x xml, j json, v text);
SELECT tenant_guard.protect('no_eq');
INSERT INTO no_eq VALUES ('no-eq', 1, '(1.5,-2)', '<a b="1">t&amp;</a>', '{"a": [1, 2]}', 'v'),
                         ('no-eq', 2, NULL, '', '"x"', NULL);
CREATE TABLE no_eq_saved AS SELECT * FROM no_eq;
DELETE FROM no_eq;
SELECT * FROM tenant_guard.undelete('no-eq');
SELECT * FROM differences('no_eq', 'no_eq_saved') ORDER BY 1, 2;
SELECT tenant_guard.mark('hostile-m3b');
UPDATE no_eq SET pt = '(0,0)', x = '<b/>', j = '[]', v = 'changed' WHERE id = 1;
DELETE FROM no_eq WHERE id = 2;
SELECT code($$SELECT * FROM tenant_guard.rewind('no-eq', to_mark => 'hostile-m3b')$$) AS rewind_no_equality;
SELECT * FROM differences('no_eq', 'no_eq_saved') ORDER BY 1, 2;

-- Values whose text to_jsonb does not keep: a json column (its exact text:
-- spacing, key order, duplicate keys), an array's lower bound, the sign of a
-- float zero, a jsonb JSON null (not an SQL NULL). A round trip must still
-- give the same values back.
CREATE TABLE lossy (tenant_id text NOT NULL, id int PRIMARY KEY, j json, arr int[], f8 float8, f4 real, jb jsonb);
SELECT tenant_guard.protect('lossy');
INSERT INTO lossy VALUES ('lossy', 1, '{"b": 1,  "a": [1,2 ], "b": 2}', '[0:1]={7,8}', '-0', '-0', 'null'),
                         ('lossy', 2, '[1, 2]', '{1,2}', 1.5, 1.5, '{}');
CREATE TABLE lossy_saved AS SELECT * FROM lossy;
DELETE FROM lossy;
SELECT * FROM tenant_guard.undelete('lossy');
SELECT * FROM differences('lossy', 'lossy_saved') ORDER BY 1, 2;

-- A column whose name holds ", ": undelete and rewind must still restore it.
CREATE TABLE comma_col (tenant_id text NOT NULL, id int PRIMARY KEY, "a, b" text, "x"", ""y" text);
SELECT tenant_guard.protect('comma_col');
INSERT INTO comma_col VALUES ('comma-1', 1, 'ab', 'xy'), ('comma-2', 2, 'ab', 'xy');
CREATE TABLE comma_col_saved AS SELECT * FROM comma_col;
DELETE FROM comma_col WHERE tenant_id = 'comma-1';
SELECT code($$SELECT * FROM tenant_guard.undelete('comma-1')$$) AS undelete_comma_column;
SELECT tenant_guard.mark('hostile-m4');
UPDATE comma_col SET "a, b" = 'changed', "x"", ""y" = 'changed' WHERE tenant_id = 'comma-2';
SELECT code($$SELECT * FROM tenant_guard.rewind('comma-2', to_mark => 'hostile-m4')$$) AS rewind_comma_column;
SELECT * FROM differences('comma_col', 'comma_col_saved') ORDER BY 1, 2;
SELECT intact();
