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
 ORDER BY label COLLATE "C";
-- tenant_status(NULL) answers, with nothing counted.
SELECT count(*) AS counted FROM tenant_guard.tenant_status(NULL) WHERE tombstones > 0 OR history_rows > 0;

-- Stored: capture, delete, undelete, rewind keep every tenant byte for byte.
CREATE TABLE tenant_rows (tenant text NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('tenant_rows', 'tenant');
SELECT tenant_guard.current_cursor() AS start \gset
INSERT INTO tenant_rows SELECT t, row_number() OVER (ORDER BY label COLLATE "C"), t || '|' || label FROM tenants;
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
-- The change log's images are exactly to_jsonb of the rows, in the default
-- output styles: images are written in those whatever the session's
-- (pg_regress runs with IntervalStyle postgres_verbose; see sql/images.sql).
-- The dropped column's key is renamed; the column added since is in every
-- image, with the value the live rows got.
SET IntervalStyle = postgres;
SELECT count(*) AS exact_images FROM tenant_guard.change_log c JOIN typed_saved s ON c.pk = jsonb_build_object('id', s.id)
 WHERE c.rel = 'typed'::regclass AND c.op = 'I' AND c.origin = 'dml' AND c.new_row -> 'added' = '"added since"'
   AND (SELECT jsonb_object_agg(e.k, e.v) FROM jsonb_each(c.new_row) AS e(k, v)
         WHERE e.k NOT LIKE 'late\_drop#dropped%' AND e.k <> 'added') = to_jsonb(s);
RESET IntervalStyle;
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

-- Values whose text to_jsonb does not keep: an array's lower bounds, the sign
-- of a float zero (also inside arrays, composites and domains), a json value
-- and a jsonb JSON null inside an array or composite: images write them as
-- their text output. A json column's text (spacing, key order, duplicate
-- keys) and a jsonb column's JSON null (not an SQL NULL): images keep the
-- text beside the value. Undelete and rewind bring every one back exactly
-- (before 0.6.0 they came back normalised).
CREATE TYPE lossy_pair AS (x float8, y int[], z json, w jsonb);
CREATE DOMAIN lossy_f8 AS float8;
CREATE TABLE lossy (tenant_id text NOT NULL, id int PRIMARY KEY, j json, arr int[], f8 float8, f4 real, jb jsonb,
    fa float8[], f4a real[], ja json[], jba jsonb[], cp lossy_pair, cpa lossy_pair[], df lossy_f8, m2 int[]);
SELECT tenant_guard.protect('lossy');
INSERT INTO lossy VALUES ('lossy', 1, '{"b": 1,  "a": [1,2 ], "b": 2}', '[0:1]={7,8}', '-0', '-0', 'null',
                          '{1.5,-0}', '{-0}', '{"{\"b\":1,  \"b\":2}"}', '{null,NULL}',
                          '(-0,,,)', '{"(1,[2:2]={5},,)"}', '-0', '[2:3][0:0]={{1},{2}}'),
                         ('lossy', 2, '[1, 2]', '{1,2}', 1.5, 1.5, '{}', '{1.5,0}', '{1}', '{"[1, 2]"}', '{"{}",NULL}',
                          '(0,{1},"[1, 2]","{}")', '{"(1,{2},,)"}', 0, '{{1},{2}}');
CREATE TABLE lossy_saved AS SELECT * FROM lossy;
DELETE FROM lossy;
SELECT * FROM tenant_guard.undelete('lossy');
SELECT * FROM differences('lossy', 'lossy_saved') ORDER BY 1, 2;
-- The change stream shows such a value as its text, the others as to_jsonb
-- writes them.
SELECT pk, new_row -> 'arr' AS arr, new_row -> 'f8' AS f8, new_row -> 'cp' AS cp
  FROM tenant_guard.change_log WHERE rel = 'lossy'::regclass AND op = 'I' AND origin = 'dml' ORDER BY seq;
-- Rewind after changing every column, and after deleting.
SELECT tenant_guard.mark('hostile-lossy');
UPDATE lossy SET arr = '{9}', f8 = 1, f4 = 1, fa = '{}', f4a = '{}', ja = '{}', jba = '{}', cp = NULL, cpa = NULL,
                 df = 1, m2 = '{}';
DELETE FROM lossy WHERE id = 2;
SELECT * FROM tenant_guard.rewind('lossy', to_mark => 'hostile-lossy');
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

-- =========================================================================
-- 4. SQL injection through every text argument and GUC: each call either
--    works with the string as data, or fails with its own SQLSTATE; no
--    injected statement runs.
-- =========================================================================
CREATE TABLE inj_target (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE keys (name text PRIMARY KEY, pem text NOT NULL);
INSERT INTO keys VALUES
 ('hostile', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIACUNXg/nIRLFDp2o6GurGEWwd6vJJRiZutsk2Wca4Ke\n-----END PRIVATE KEY-----\n'),
 ('hostile.pub', E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAomQhBzsW9XjpyipHU7XoKC34NAukpPUKAUlyBOI9b2s=\n-----END PUBLIC KEY-----\n');
CREATE FUNCTION key(n text) RETURNS text LANGUAGE sql AS $$ SELECT pem FROM hostile.keys WHERE name = n $$;
-- %1$L is the payload (as a literal), %2$L the public key, %3$L the private key.
-- The calls run in this order (mark before rewind to it, add before revoke),
-- the GUCs last.
CREATE TABLE calls (ord int PRIMARY KEY, call text NOT NULL, stmt text NOT NULL);
INSERT INTO calls VALUES
 (1, 'protect(rel)', 'SELECT tenant_guard.protect(%1$L)'),
 (2, 'protect(tenant_column)', 'SELECT tenant_guard.protect(''hostile.inj_target'', %1$L)'),
 (3, 'protect(delete_mode)', 'SELECT tenant_guard.protect(''hostile.inj_target'', ''tenant_id'', %1$L)'),
 (4, 'protect(flag_column)', 'SELECT tenant_guard.protect(''hostile.inj_target'', ''tenant_id'', ''flag'', %1$L)'),
 (5, 'undelete(tenant)', 'SELECT * FROM tenant_guard.undelete(%1$L)'),
 (6, 'undelete(on_conflict)', 'SELECT * FROM tenant_guard.undelete(''x'', on_conflict => %1$L)'),
 (7, 'rewind(tenant)', 'SELECT * FROM tenant_guard.rewind(%1$L, to_mark => ''hostile-m4'')'),
 (8, 'rewind(to_mark)', 'SELECT * FROM tenant_guard.rewind(''x'', to_mark => %1$L)'),
 (9, 'mark(name)', 'SELECT tenant_guard.mark(%1$L)'),
 (10, 'rewind(to_mark) existing', 'SELECT * FROM tenant_guard.rewind(''x'', to_mark => %1$L)'),
 (11, 'changes(cursor)', 'SELECT * FROM tenant_guard.changes(%1$L)'),
 (12, 'changes(tenant)', 'SELECT * FROM tenant_guard.changes(NULL, 10, %1$L)'),
 (13, 'tenant_status(tenant)', 'SELECT * FROM tenant_guard.tenant_status(%1$L)'),
 (14, 'add_purge_key(key_id)', 'SELECT tenant_guard.add_purge_key(%1$L, %2$L)'),
 (15, 'add_purge_key(public_key)', 'SELECT tenant_guard.add_purge_key(''hostile-bad'', %1$L)'),
 (16, 'revoke_purge_key(key_id)', 'SELECT tenant_guard.revoke_purge_key(%1$L)'),
 (17, 'revoke_purge_key(unknown)', 'SELECT tenant_guard.revoke_purge_key(%1$L || ''?'')'),
 (18, 'sign_token(claims)', 'SELECT tenant_guard.sign_token(jsonb_build_object(%1$L, %1$L), %3$L)'),
 (19, 'sign_token(private_key)', 'SELECT tenant_guard.sign_token(''{}'', %1$L)'),
 (20, 'purge(token)', 'SELECT * FROM tenant_guard.purge(%1$L, dry_run => true)'),
 (21, 'unprotect(rel)', 'SELECT tenant_guard.unprotect(%1$L, ''tg1.x.y'')'),
 (22, 'unprotect(token)', 'SELECT tenant_guard.unprotect(''hostile.tenant_rows'', %1$L)'),
 (23, 'SET tenant_guard.actor', 'SELECT set_config(''tenant_guard.actor'', %1$L, false)'),
 (24, 'SET tenant_guard.tenant', 'SELECT set_config(''tenant_guard.tenant'', %1$L, false)'),
 (25, 'SET max_tenants_per_statement', 'SELECT set_config(''tenant_guard.max_tenants_per_statement'', %1$L, false)'),
 (26, 'SET max_token_lifetime', 'SELECT set_config(''tenant_guard.max_token_lifetime'', %1$L, false)');
CREATE TABLE outcomes (call text, n int, code text);
DO $$
DECLARE c record; p record;
BEGIN
    FOR c IN SELECT * FROM hostile.calls ORDER BY ord LOOP
        FOR p IN SELECT * FROM hostile.payloads ORDER BY n LOOP
            INSERT INTO hostile.outcomes VALUES (c.call, p.n, hostile.code(format(c.stmt, p.p,
                hostile.key('hostile.pub'), hostile.key('hostile'))));
        END LOOP;
    END LOOP;
END $$;
RESET tenant_guard.actor;
RESET tenant_guard.tenant;
SELECT call, string_agg(DISTINCT code, ', ') AS outcomes FROM outcomes GROUP BY call ORDER BY call COLLATE "C";
SELECT intact();
-- What worked kept the string as data: marks, key ids, actors, a pinned tenant.
SELECT count(*) AS marks_named_literally FROM tenant_guard.marks m JOIN payloads p ON m.name = p.p;
SELECT count(*) AS keys_named_literally, count(*) FILTER (WHERE revoked_at IS NOT NULL) AS revoked
  FROM tenant_guard.purge_keys k JOIN payloads p ON k.key_id = p.p;
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT n, p FROM hostile.payloads LOOP
        PERFORM set_config('tenant_guard.actor', r.p, true);
        PERFORM set_config('tenant_guard.tenant', r.p, true);
        INSERT INTO hostile.tenant_rows VALUES (r.p, 4000 + r.n, 'actor');
    END LOOP;
END $$;
SELECT count(*) AS actors_recorded_literally FROM tenant_guard.change_log c JOIN payloads p
    ON c.actor = p.p AND c.tenant = p.p AND c.pk = jsonb_build_object('id', 4000 + p.n)
 WHERE c.rel = 'tenant_rows'::regclass;
SELECT intact();

-- =========================================================================
-- 5. Tokens: hand-picked malformed tokens, injection in claims, and the
--    fuzzer's corpus (test/fuzz/corpus).
-- =========================================================================
SELECT tenant_guard.add_purge_key('hostile-key', key('hostile.pub'));
CREATE SEQUENCE jti_seq;
CREATE FUNCTION claims(extra jsonb DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
    SELECT jsonb_build_object('kid', 'hostile-key', 'act', 'purge', 'db', tenant_guard.database_id(),
                              'tenant', 'hostile-nobody', 'tables', jsonb_build_array('hostile.tenant_rows'),
                              'max_rows', 100, 'exp', floor(extract(epoch FROM now()))::bigint + 600,
                              'jti', 'hostile-' || nextval('hostile.jti_seq'), 'reason', 'hostile test') || extra $$;
CREATE FUNCTION token(c jsonb) RETURNS text LANGUAGE sql AS $$ SELECT tenant_guard.sign_token(c, hostile.key('hostile')) $$;
CREATE FUNCTION b64u(b bytea) RETURNS text LANGUAGE sql AS
    $$ SELECT rtrim(translate(encode(b, 'base64'), E'+/\n', '-_'), '=') $$;
CREATE FUNCTION b64u(s text) RETURNS text LANGUAGE sql AS $$ SELECT hostile.b64u(convert_to(s, 'UTF8')) $$;
-- A token around any payload bytes, with a signature of 64 zero bytes.
CREATE FUNCTION wrap(payload bytea) RETURNS text LANGUAGE sql AS
    $$ SELECT 'tg1.' || hostile.b64u(payload) || '.' || hostile.b64u(decode(repeat('00', 64), 'hex')) $$;
CREATE FUNCTION try_purge(t text) RETURNS text LANGUAGE sql AS
    $$ SELECT hostile.code(format('SELECT * FROM tenant_guard.purge(%L, dry_run => true)', t)) $$;
SELECT token(claims()) AS good \gset
SELECT try_purge(:'good') AS good_token;
SELECT label, try_purge(t) FROM (VALUES
    ('empty', ''),
    ('prefix only', 'tg1.'),
    ('upper-case prefix', 'TG1' || substr(:'good', 4)),
    ('wrong version', 'tg0' || substr(:'good', 4)),
    ('no prefix', substr(:'good', 5)),
    ('two parts', split_part(:'good', '.', 1) || '.' || split_part(:'good', '.', 2)),
    ('empty parts', 'tg1..'),
    ('extra dot', :'good' || '.'),
    ('four parts', :'good' || '.AAAA'),
    ('dot inside payload', 'tg1.' || split_part(:'good', '.', 2) || '..' || split_part(:'good', '.', 3)),
    ('padded', :'good' || '=='),
    ('base64 not base64url', 'tg1.' || translate(split_part(:'good', '.', 2), '-_', '+/') || '+/.' || split_part(:'good', '.', 3)),
    ('bad characters', 'tg1.ey!J$%.' || split_part(:'good', '.', 3)),
    ('impossible length', 'tg1.AAAAA.' || split_part(:'good', '.', 3)),
    ('non-canonical last char', 'tg1.' || b64u('{}') || 'B.' || split_part(:'good', '.', 3)),
    ('truncated signature', substr(:'good', 1, length(:'good') - 10)),
    ('truncated payload', 'tg1.' || substr(split_part(:'good', '.', 2), 1, 20) || '.' || split_part(:'good', '.', 3)),
    ('long signature', :'good' || 'AAAA'),
    ('space inside', 'tg1. ' || substr(:'good', 5)),
    ('newline at end', :'good' || E'\n'),
    ('NUL escape in text', 'tg1.\0.' || split_part(:'good', '.', 3)),
    ('huge (1 MB)', 'tg1.' || repeat('A', 1000000) || '.' || split_part(:'good', '.', 3)),
    ('not JSON', wrap('not json')),
    ('JSON array', wrap('[1, 2]')),
    ('JSON null', wrap('null')),
    ('empty payload', wrap('')),
    ('trailing garbage', wrap(convert_to(claims()::text || 'x', 'UTF8'))),
    ('two objects', wrap(convert_to(claims()::text || claims()::text, 'UTF8'))),
    ('duplicate key', wrap(convert_to('{"kid": "a", ' || substr(claims()::text, 2), 'UTF8'))),
    ('duplicate kid, same value', wrap(convert_to('{"kid": "hostile-key", ' || substr(claims()::text, 2), 'UTF8'))),
    ('NUL byte in JSON', wrap(decode('7b226b6964223a2261006222', 'hex') || convert_to('}', 'UTF8'))),
    ('NUL byte after JSON', wrap(convert_to(claims()::text, 'UTF8') || '\x00'::bytea)),
    ('\u0000 in tenant', wrap(convert_to(replace(claims()::text, '"hostile-nobody"', '"a\u0000b"'), 'UTF8'))),
    ('invalid UTF-8', wrap(decode('7b226b6964223a22ff227d', 'hex'))),
    ('overlong UTF-8', wrap(decode('7b226b6964223a22c0af227d', 'hex'))),
    ('lone surrogate', wrap(convert_to('{"kid": "\ud800"}', 'UTF8'))),
    ('deep nesting', wrap(convert_to(repeat('[', 100000) || repeat(']', 100000), 'UTF8'))),
    ('deep nesting in a claim', wrap(convert_to('{"rows": ' || repeat('[', 100000) || repeat(']', 100000) || '}', 'UTF8'))),
    ('1e999', wrap(convert_to(replace(claims()::text, '"max_rows": 100', '"max_rows": 1e999'), 'UTF8'))),
    ('2^64', wrap(convert_to(replace(claims()::text, '"max_rows": 100', '"max_rows": 18446744073709551616'), 'UTF8'))),
    ('-0', wrap(convert_to(replace(claims()::text, '"max_rows": 100', '"max_rows": -0'), 'UTF8'))),
    ('exp true', token(claims('{"exp": true}'))),
    ('exp object', token(claims('{"exp": {"n": 1}}'))),
    ('exp i64 max', token(claims('{"exp": 9223372036854775807}'))),
    ('exp negative', token(claims('{"exp": -1}'))),
    ('max_rows -1', token(claims('{"max_rows": -1}'))),
    ('jti empty', token(claims('{"jti": ""}'))),
    ('jti number', token(claims('{"jti": 7}'))),
    ('reason array', token(claims('{"reason": ["a"]}'))),
    ('tenant number', token(claims('{"tenant": 7}'))),
    ('tenant null', token(claims('{"tenant": null}'))),
    ('tenant empty', token(claims('{"tenant": ""}'))),
    ('tables object', token(claims('{"tables": {"a": 1}}'))),
    ('tables [1]', token(claims('{"tables": [1]}'))),
    ('tables [""]', token(claims('{"tables": [""]}'))),
    ('rows [[1]]', token(claims('{"rows": [[1]]}'))),
    ('rows [{}]', token(claims('{"rows": [{}]}'))),
    ('live 1', token(claims('{"live": 1}'))),
    ('act PURGE', token(claims('{"act": "PURGE"}'))),
    ('claims empty', tenant_guard.sign_token('{}', key('hostile')))) v(label, t)
 ORDER BY label COLLATE "C";
SELECT code($$SELECT tenant_guard.sign_token('[1]', hostile.key('hostile'))$$) AS sign_array_claims;
-- Injection through the claims: names that are no table, keys that are no
-- primary key, and a kid nobody registered.
SELECT p.n, try_purge(token(claims(jsonb_build_object('tables', jsonb_build_array(p.p))))) AS tables_claim,
       try_purge(token(claims(jsonb_build_object('tables', jsonb_build_array('hostile.' || p.p))))) AS qualified,
       try_purge(token(claims(jsonb_build_object('rows', jsonb_build_array(jsonb_build_object('id', p.p)))))) AS row_key_value,
       try_purge(token(claims(jsonb_build_object('rows', jsonb_build_array(jsonb_build_object(p.p, 1)))))) AS row_key_column,
       try_purge(token(claims(jsonb_build_object('kid', p.p)))) AS kid
  FROM payloads p ORDER BY p.n;
-- Table names that are not even names: TG017 as well.
SELECT label, try_purge(token(claims(jsonb_build_object('tables', jsonb_build_array(t))))) FROM (VALUES
    ('unbalanced quote', 'hostile."x'), ('three dots', 'a.b.c.d'), ('other database', 'otherdb.hostile.tenant_rows'),
    ('trailing dot', 'hostile.'), ('only dots', '...')) v(label, t)
 ORDER BY label COLLATE "C";
SELECT intact();
-- A real purge whose tenant, jti and reason are payloads: the receipt keeps
-- them literally; only that tenant's row goes.
SELECT count(*) AS before FROM tenant_rows;
SELECT rel, live_deleted, tombstones_deleted FROM tenant_guard.purge(
    token(claims(jsonb_build_object('tenant', (SELECT p FROM payloads WHERE n = 1), 'live', true,
                                    'jti', (SELECT p FROM payloads WHERE n = 2), 'reason', (SELECT p FROM payloads WHERE n = 3)))));
SELECT count(*) AS after, count(*) FILTER (WHERE tenant = (SELECT p FROM payloads WHERE n = 1)) AS purged_tenant_rows
  FROM tenant_rows;
SELECT tenant = (SELECT p FROM payloads WHERE n = 1) AS tenant_literal, reason = (SELECT p FROM payloads WHERE n = 3) AS reason_literal,
       tables FROM tenant_guard.purge_receipts WHERE jti = (SELECT p FROM payloads WHERE n = 2);
SELECT intact();

-- Quoted identifiers in a token: purge one tenant of the quoted tables (dry
-- run, then for real), and unprotect the flag table.
SELECT rel, live_deleted, tombstones_deleted FROM tenant_guard.purge(token(claims(jsonb_build_object(
    'tenant', 'q''1', 'live', true, 'tables', jsonb_build_array(
        '"Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表"', '"Hostile ""Schema"". Ü"."child;DROP TABLE hostile.canary"')))),
    dry_run => true) ORDER BY rel::text COLLATE "C";
SELECT rel, live_deleted, tombstones_deleted FROM tenant_guard.purge(token(claims(jsonb_build_object(
    'tenant', 'q''1', 'live', true, 'tables', jsonb_build_array(
        '"Hostile ""Schema"". Ü"."Parent.Table ""Q"" 表"', '"Hostile ""Schema"". Ü"."child;DROP TABLE hostile.canary"')))))
 ORDER BY rel::text COLLATE "C";
SELECT t, r FROM quoted_state ORDER BY 1, 2;
SELECT count(*) AS q1_history FROM tenant_guard.change_log WHERE tenant = 'q''1' AND rel::text NOT LIKE '%Flag%';
SELECT tenant_guard.unprotect('"Hostile ""Schema"". Ü"."Flag ""Table"""', token(claims(jsonb_build_object(
    'act', 'unprotect', 'tables', jsonb_build_array('"Hostile ""Schema"". Ü"."Flag ""Table"""')) ) - 'tenant'));
SELECT count(*) AS still_protected FROM tenant_guard.protected_tables WHERE rel::text LIKE '%Flag%';

-- The fuzzer's corpus: token-mode entries as they are, claims-mode entries
-- wrapped (as the fuzz target does); only TG01x refusals.
CREATE TABLE corpus (name text PRIMARY KEY, entry text NOT NULL);
INSERT INTO corpus VALUES
 ('claims_duplicate_key', '1{"kid":"a","kid":"b"}'),
 ('claims_expired', '1{"act":"purge","db":"7301234567890123456/app","exp":1795600000,"iat":1795600800,"jti":"seed-1","kid":"ops-2026","max_rows":1000,"reason":"GDPR erasure request 4711","tenant":"acme"}'),
 ('claims_full', '1{"act":"purge","db":"7301234567890123456/app","exp":1795604400,"iat":1795600800,"jti":"seed-1","kid":"ops-2026","live":true,"max_rows":1000,"nbf":1795600000,"reason":"GDPR erasure request 4711","rows":[{"id":7},{"no":12,"region":"eu"}],"tables":["public.orders","billing.invoices"],"tenant":"acme"}'),
 ('claims_nested', '1{"rows":[{"id":[[[[1]]]]}]}'),
 ('claims_purge', '1{"act":"purge","db":"7301234567890123456/app","exp":1795604400,"iat":1795600800,"jti":"seed-1","kid":"ops-2026","max_rows":1000,"reason":"GDPR erasure request 4711","tenant":"acme"}'),
 ('claims_unprotect', '1{"act":"unprotect","db":"7301234567890123456/app","exp":1795604400,"jti":"seed-2","kid":"ops-2026","max_rows":0,"reason":"table retired","tables":["public.orders"]}'),
 ('claims_wrong_types', '1{"act":"purge","db":"7301234567890123456/app","exp":1795604400.5,"iat":1795600800,"jti":"seed-1","kid":"ops-2026","max_rows":"10","reason":"GDPR erasure request 4711","tenant":"acme"}'),
 ('token_bad_prefix', '0tg2.eyJhY3QiOiJwdXJnZSIsImRiIjoiNzMwMTIzNDU2Nzg5MDEyMzQ1Ni9hcHAiLCJleHAiOjE3OTU2MDQ0MDAsImlhdCI6MTc5NTYwMDgwMCwianRpIjoic2VlZC0xIiwia2lkIjoib3BzLTIwMjYiLCJtYXhfcm93cyI6MTAwMCwicmVhc29uIjoiR0RQUiBlcmFzdXJlIHJlcXVlc3QgNDcxMSIsInRlbmFudCI6ImFjbWUifQ.1RkgvmtQnWFSRYTbqFG_aTMJYtZJl_rn4iJ39-RoISH9SmbPPK-pSg32_A7ssbZLIrkkJZ_bae_Ei5vk6u-dDg'),
 ('token_padded', '0tg1.eyJhY3QiOiJwdXJnZSIsImRiIjoiNzMwMTIzNDU2Nzg5MDEyMzQ1Ni9hcHAiLCJleHAiOjE3OTU2MDQ0MDAsImlhdCI6MTc5NTYwMDgwMCwianRpIjoic2VlZC0xIiwia2lkIjoib3BzLTIwMjYiLCJtYXhfcm93cyI6MTAwMCwicmVhc29uIjoiR0RQUiBlcmFzdXJlIHJlcXVlc3QgNDcxMSIsInRlbmFudCI6ImFjbWUifQ.1RkgvmtQnWFSRYTbqFG_aTMJYtZJl_rn4iJ39-RoISH9SmbPPK-pSg32_A7ssbZLIrkkJZ_bae_Ei5vk6u-dDg=='),
 ('token_purge', '0tg1.eyJhY3QiOiJwdXJnZSIsImRiIjoiNzMwMTIzNDU2Nzg5MDEyMzQ1Ni9hcHAiLCJleHAiOjE3OTU2MDQ0MDAsImlhdCI6MTc5NTYwMDgwMCwianRpIjoic2VlZC0xIiwia2lkIjoib3BzLTIwMjYiLCJtYXhfcm93cyI6MTAwMCwicmVhc29uIjoiR0RQUiBlcmFzdXJlIHJlcXVlc3QgNDcxMSIsInRlbmFudCI6ImFjbWUifQ.1RkgvmtQnWFSRYTbqFG_aTMJYtZJl_rn4iJ39-RoISH9SmbPPK-pSg32_A7ssbZLIrkkJZ_bae_Ei5vk6u-dDg'),
 ('token_purge_full', '0tg1.eyJhY3QiOiJwdXJnZSIsImRiIjoiNzMwMTIzNDU2Nzg5MDEyMzQ1Ni9hcHAiLCJleHAiOjE3OTU2MDQ0MDAsImlhdCI6MTc5NTYwMDgwMCwianRpIjoic2VlZC0xIiwia2lkIjoib3BzLTIwMjYiLCJsaXZlIjp0cnVlLCJtYXhfcm93cyI6MTAwMCwibmJmIjoxNzk1NjAwMDAwLCJyZWFzb24iOiJHRFBSIGVyYXN1cmUgcmVxdWVzdCA0NzExIiwicm93cyI6W3siaWQiOjd9LHsibm8iOjEyLCJyZWdpb24iOiJldSJ9XSwidGFibGVzIjpbInB1YmxpYy5vcmRlcnMiLCJiaWxsaW5nLmludm9pY2VzIl0sInRlbmFudCI6ImFjbWUifQ.Qxh8F9-KF9vKW4i6_dkKTZefTuAv2gmdjssm9Riq4TADEgDJ3p4cKC35hiPhM7w8YrXp-s80PO0JvsL6ZyKuAQ'),
 ('token_two_parts', '0tg1.eyJhY3QiOiJwdXJnZSIsImRiIjoiNzMwMTIzNDU2Nzg5MDEyMzQ1Ni9hcHAiLCJleHAiOjE3OTU2MDQ0MDAsImlhdCI6MTc5NTYwMDgwMCwianRpIjoic2VlZC0xIiwia2lkIjoib3BzLTIwMjYiLCJtYXhfcm93cyI6MTAwMCwicmVhc29uIjoiR0RQUiBlcmFzdXJlIHJlcXVlc3QgNDcxMSIsInRlbmFudCI6ImFjbWUifQ'),
 ('token_unprotect', '0tg1.eyJhY3QiOiJ1bnByb3RlY3QiLCJkYiI6IjczMDEyMzQ1Njc4OTAxMjM0NTYvYXBwIiwiZXhwIjoxNzk1NjA0NDAwLCJqdGkiOiJzZWVkLTIiLCJraWQiOiJvcHMtMjAyNiIsIm1heF9yb3dzIjowLCJyZWFzb24iOiJ0YWJsZSByZXRpcmVkIiwidGFibGVzIjpbInB1YmxpYy5vcmRlcnMiXX0.6u0ADyrRK055BnJ2p58YdCfSOqSGbg4GRATJXnuefxdCU4m4SfJxWX4C35W2M4WPTRJAhhKxagFHqB7y0OJ9BQ');
-- Each entry, and each of its prefixes every 7 bytes (truncations), through
-- purge(token, dry_run => true) and unprotect().
CREATE TABLE corpus_tokens AS
SELECT name, cut, CASE WHEN left(entry, 1) = '0' THEN left(substr(entry, 2), cut)
                       ELSE wrap(convert_to(left(substr(entry, 2), cut), 'UTF8')) END AS t
  FROM corpus, LATERAL generate_series(1, length(entry) - 1, 7) cut
UNION ALL SELECT name, NULL, CASE WHEN left(entry, 1) = '0' THEN substr(entry, 2)
                                  ELSE wrap(convert_to(substr(entry, 2), 'UTF8')) END FROM corpus;
SELECT name, try_purge(t) AS whole FROM corpus_tokens WHERE cut IS NULL ORDER BY name COLLATE "C";
SELECT count(*) AS truncations, string_agg(DISTINCT try_purge(t), ', ') AS purge,
       string_agg(DISTINCT code(format('SELECT tenant_guard.unprotect(%L, %L)', 'hostile.tenant_rows', t)), ', ') AS unprotect
  FROM corpus_tokens WHERE cut IS NOT NULL;

-- Still here, nothing injected.
SELECT intact(), (SELECT count(*) FROM tenant_guard.protected_tables WHERE rel = 'hostile.tenant_rows'::regclass) AS still_protected;
RESET search_path;
