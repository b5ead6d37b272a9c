-- Row images are exact whatever the settings of the session that writes them
-- (extra_float_digits, DateStyle, IntervalStyle, bytea_output, TimeZone,
-- search_path) and of the session that reads them back (the same, plus
-- xmloption and array_nulls): rows deleted or changed in one hostile session
-- and undeleted or rewound in another come back with the same row::text, as a
-- neutral session sees it. Types whose to_jsonb is no value jsonb_to_record
-- reads back (hstore: a cast to json), also inside arrays, composites and
-- domains, are written as their text; contrib types (ltree, citext), a
-- user's composite, ranges over a user's enum and over a domain come back
-- too.
CREATE SCHEMA images;
CREATE EXTENSION hstore WITH SCHEMA images;
CREATE EXTENSION ltree WITH SCHEMA images;
CREATE EXTENSION citext WITH SCHEMA images;
\set neutral 'SET extra_float_digits = 1; SET DateStyle = ''ISO, MDY''; SET IntervalStyle = postgres; SET bytea_output = hex; SET TimeZone = ''UTC''; SET xmloption = content; SET array_nulls = on; SET search_path = images, public;'
-- Two writers and two readers, each hostile in its own way.
\set writer1 'SET extra_float_digits = -15; SET DateStyle = ''SQL, DMY''; SET IntervalStyle = sql_standard; SET bytea_output = escape; SET TimeZone = ''Pacific/Chatham''; SET xmloption = document; SET search_path = images, public;'
\set reader1 'SET extra_float_digits = 0; SET DateStyle = ''Postgres, MDY''; SET IntervalStyle = postgres_verbose; SET bytea_output = escape; SET TimeZone = ''Asia/Kolkata''; SET xmloption = document; SET array_nulls = off; SET search_path = public;'
\set writer2 'SET extra_float_digits = 0; SET DateStyle = ''Postgres, DMY''; SET IntervalStyle = sql_standard; SET bytea_output = escape; SET TimeZone = ''Asia/Kolkata''; SET search_path = public, images;'
\set reader2 'SET extra_float_digits = -15; SET DateStyle = ''SQL, MDY''; SET IntervalStyle = iso_8601; SET bytea_output = escape; SET TimeZone = ''America/St_Johns''; SET xmloption = document; SET array_nulls = off; SET search_path = public;'
:neutral

CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE mood_range AS RANGE (subtype = mood);
CREATE DOMAIN amount AS numeric CHECK (VALUE >= 0);
CREATE TYPE amount_range AS RANGE (subtype = amount);
-- A composite whose to_jsonb is an object jsonb_to_record reads back ...
CREATE TYPE measure AS (f float8, fa real[], iv interval, b bytea, ts timestamp, d date, t text);
-- ... and one with a value that to_jsonb writes through hstore's cast to json.
CREATE TYPE tagged AS (h hstore, f float8, at timestamptz);
CREATE DOMAIN tags AS hstore;
CREATE TABLE target (id int PRIMARY KEY);  -- what a regclass column names
CREATE TABLE typed (
    tenant_id text NOT NULL, id int PRIMARY KEY,
    f8 float8, f4 real, f8a float8[], f4a real[], pt point, n numeric,
    iv interval, iva interval[], b bytea, ba bytea[],
    ts timestamp, tstz timestamptz, d date, tm time, ttz timetz,
    tsr tsrange, tstzr tstzrange, dr daterange, dmr datemultirange,
    c measure, ca measure[],
    h hstore, ha hstore[], hc tagged, hca tagged[], dh tags,
    l ltree, la ltree[], ci citext, mr mood_range, ar amount_range, m mood,
    rc regclass, rt regtype, x xml, ta text[]);
SELECT tenant_guard.protect('typed');
INSERT INTO typed VALUES
 ('img', 1, pi(), 0.1, '{3.141592653589793,1e-300,-2.5e+300}', '{{0.1,0.2},{1e-30,NULL}}', '(0.1,-3.141592653589793)',
  '3.141592653589793238462643383279',
  '1 year -2 mons +3 days -04:05:06.789', '{"-1 days +02:03:04","-178000000 years",NULL}', '\x00ff5c2722', '{"\\x00","\\x5c",NULL}',
  '2020-01-02 03:04:05.678901', '2020-01-02 03:04:05.678901+00', '2020-01-02', '03:04:05.678901', '03:04:05.678901+05:30',
  '[2020-01-02 03:04:05.5,2020-02-01)', '(2020-01-02 03:04:05.5+00,infinity]', '[2020-01-02,2020-02-01)',
  '{[2020-01-02,2020-01-05),[2020-02-01,2020-03-01)}',
  ROW(1/3.0::float8, '{0.1,1e-30}', '-1 days +02:03:04', '\x5c00', '0044-03-15 12:00:00 BC', '2020-01-02', 'a,"b'),
  ARRAY[ROW(pi(), NULL, '1 mon -1 sec', '\x', '2020-01-02 03:04:05', '2020-02-01', NULL)::measure, NULL],
  'a=>1, "b c"=>NULL, "\"q\""=>"x,y"', ARRAY['a=>1'::hstore, NULL, ''], ROW('k=>v', pi(), '2020-01-02 03:04:05+00'),
  ARRAY[ROW('k=>v', 0.1, NULL)::tagged], 'd=>1',
  'top.middle.bottom', '{a.b,c}', 'MiXeD Case', '[sad,happy)', '[0.5,2.25)', 'ok',
  'images.target', 'images.measure', 'text<b>and</b>more', '{NULL,"NULL",""}'),
 ('img', 2, 1/3.0::float8, 1/3.0::real, '{}', '{}', '(1e-300,1e+300)', 'NaN',
  '-178000000 years -1 microsecond', '{}', '', '{}',
  '0044-03-15 12:00:00 BC', '1800-06-01 00:00:00+00', '0044-03-15 BC', '24:00:00', '00:00:00-15:59',
  'empty', '[1800-06-01 00:00:00+00,1900-01-01 00:00:00+00)', '(,2020-01-02]', '{}',
  ROW(NULL, NULL, NULL, NULL, NULL, NULL, NULL), '{}',
  '', '{}', ROW(NULL, NULL, NULL), '{}', '',
  '', '{}', '', 'empty', '(,)', 'sad',
  'pg_class', 'integer', '', '{}'),
 ('img', 3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

-- The rows as a neutral session sees them, whole and column by column.
CREATE TABLE saved AS SELECT t.id, t::text AS r FROM typed t;
CREATE FUNCTION differences() RETURNS TABLE (id int, col name) LANGUAGE plpgsql AS $$
DECLARE c name;
BEGIN
    RETURN QUERY SELECT coalesce(s.id, l.id), NULL::name
                   FROM images.saved s FULL JOIN (SELECT t.id, t::text AS r FROM images.typed t) l USING (id)
                  WHERE s.r IS DISTINCT FROM l.r;
    FOR c IN SELECT attname FROM pg_attribute WHERE attrelid = 'images.typed'::regclass AND attnum > 0
                AND NOT attisdropped ORDER BY attnum LOOP
        RETURN QUERY EXECUTE format('SELECT s.id, %L::name FROM images.saved_columns s JOIN images.typed l USING (id)
                                      WHERE l.%I::text IS DISTINCT FROM s.%I::text', c, c, c);
    END LOOP;
END $$;
CREATE TABLE saved_columns AS SELECT * FROM typed;

-- The images of ordinary types are to_jsonb's, byte for byte; those of
-- hstore values (and of arrays, composites and domains holding one) are
-- their text; reg* values name their objects by schema (but for pg_catalog).
CREATE FUNCTION text_image(v anyelement) RETURNS jsonb LANGUAGE sql AS
    $$ SELECT coalesce(to_jsonb(v::text), 'null') $$;
\set not_to_jsonb '{h,ha,hc,hca,dh,rc,rt}'
SELECT count(*) AS rows,
       count(*) FILTER (WHERE c.new_row - :'not_to_jsonb'::text[] = to_jsonb(s) - :'not_to_jsonb'::text[])
           AS to_jsonb_images,
       count(*) FILTER (WHERE c.new_row -> 'h' = text_image(s.h) AND c.new_row -> 'ha' = text_image(s.ha)
                          AND c.new_row -> 'hc' = text_image(s.hc) AND c.new_row -> 'hca' = text_image(s.hca)
                          AND c.new_row -> 'dh' = text_image(s.dh)) AS text_images
  FROM tenant_guard.change_log c JOIN saved_columns s ON c.pk = jsonb_build_object('id', s.id)
 WHERE c.rel = 'typed'::regclass AND c.op = 'I';
SELECT new_row -> 'h' AS h, new_row -> 'ha' AS ha, new_row -> 'hc' AS hc, new_row -> 'rc' AS rc,
       new_row -> 'rt' AS rt
  FROM tenant_guard.change_log WHERE rel = 'typed'::regclass AND op = 'I' AND pk = '{"id": 1}';

-- 1. Deleted by writer 1, undeleted by reader 1.
:writer1
DELETE FROM typed;
:neutral
-- The tombstones equal the images a neutral session wrote, but for the
-- offset of timestamptz values (the same instants in the writer's zone).
\set with_tz '{tstz,tstzr,hc,hca}'
SELECT count(*) AS tombstones,
       count(*) FILTER (WHERE t.row_data - :'with_tz'::text[] = c.new_row - :'with_tz'::text[]) AS same_images,
       count(*) FILTER (WHERE (t.row_data ->> 'tstz')::timestamptz IS NOT DISTINCT FROM (c.new_row ->> 'tstz')::timestamptz
                          AND (t.row_data ->> 'tstzr')::tstzrange IS NOT DISTINCT FROM (c.new_row ->> 'tstzr')::tstzrange
                          AND (t.row_data ->> 'hc')::tagged IS NOT DISTINCT FROM (c.new_row ->> 'hc')::tagged)
           AS same_instants
  FROM tenant_guard.tombstones t JOIN tenant_guard.change_log c ON c.pk = t.pk AND c.rel = t.rel AND c.op = 'I'
 WHERE t.rel = 'typed'::regclass;
SELECT row_data -> 'f8' AS f8, row_data -> 'iv' AS iv, row_data -> 'b' AS b, row_data -> 'dr' AS dr,
       row_data -> 'rc' AS rc
  FROM tenant_guard.tombstones WHERE rel = 'typed'::regclass AND pk = '{"id": 1}';
:reader1
SELECT * FROM tenant_guard.undelete('img');
:neutral
SELECT * FROM differences() ORDER BY 1, 2;

-- 2. Changed by writer 2 (a column added and dropped, which records every
-- row's values first; every column updated; a row deleted, one inserted),
-- rewound by reader 2.
SELECT tenant_guard.mark('images-m1');
:writer2
ALTER TABLE typed ADD COLUMN scratch text DEFAULT 'scratch';
ALTER TABLE typed DROP COLUMN scratch;
UPDATE typed SET f8 = 2, f4 = 2, f8a = '{2}', f4a = '{2}', pt = '(2,2)', n = 2, iv = '2 days', iva = '{2 days}',
       b = '\x02', ba = '{}', ts = now(), tstz = now(), d = now(), tm = now(), ttz = now(), tsr = 'empty',
       tstzr = 'empty', dr = 'empty', dmr = '{}', c = NULL, ca = NULL, h = 'changed=>1', ha = NULL, hc = NULL,
       hca = NULL, dh = NULL, l = 'changed', la = NULL, ci = 'changed', mr = 'empty', ar = 'empty', m = 'happy',
       rc = 'pg_class', rt = 'text', x = '<changed/>', ta = '{changed}'
 WHERE id <> 2;
DELETE FROM typed WHERE id = 2;
INSERT INTO typed (tenant_id, id, f8) VALUES ('img', 4, 4);
:reader2
SELECT * FROM tenant_guard.rewind('img', to_mark => 'images-m1');
:neutral
SELECT * FROM differences() ORDER BY 1, 2;

-- 3. A rewind that changes nothing finds nothing to change: values compare
-- exactly, whatever the reader's extra_float_digits.
:reader2
SELECT * FROM tenant_guard.rewind('img', to_mark => 'images-m1');
:neutral
UPDATE typed SET f8 = f8 + 1e-15, ca = ARRAY[ROW(pi() + 4e-15, NULL, NULL, NULL, NULL, NULL, NULL)::measure]
 WHERE id = 1;
:reader2
SELECT * FROM tenant_guard.rewind('img', to_mark => 'images-m1');
:neutral
SELECT * FROM differences() ORDER BY 1, 2;

-- 4. The session's settings are its own again after capture, undelete and
-- rewind, also when they fail (the blast-radius limit inside capture, a
-- conflict inside undelete, an unknown mark). The undelete that skips the
-- conflict brings back row 4 too (the rewind above deleted it).
CREATE VIEW settings AS
    SELECT current_setting('extra_float_digits') AS efd, current_setting('DateStyle') AS datestyle,
           current_setting('IntervalStyle') AS intervalstyle, current_setting('bytea_output') AS bytea_output,
           current_setting('TimeZone') AS timezone, current_setting('xmloption') AS xmloption,
           current_setting('array_nulls') AS array_nulls, pi()::text AS pi, '1 day -1 hour'::interval::text AS iv,
           '\x00'::bytea::text AS b, '2020-01-02'::date::text AS d, 'images.target'::regclass::text AS rc;
:writer1
SELECT * FROM images.settings;
INSERT INTO typed (tenant_id, id, f8) VALUES ('other', 5, pi());
SELECT split_part(sqlstate_of($$DELETE FROM images.typed WHERE id IN (3, 5)$$), ':', 1) AS two_tenants;
DELETE FROM typed WHERE id = 3;
INSERT INTO typed (tenant_id, id) VALUES ('img', 3);
SELECT split_part(sqlstate_of($$SELECT * FROM tenant_guard.undelete('img')$$), ':', 1) AS conflict;
SELECT split_part(sqlstate_of($$SELECT * FROM tenant_guard.rewind('img', to_mark => 'no such mark')$$), ':', 1)
    AS no_mark;
SELECT * FROM images.settings;
:reader1
SELECT * FROM tenant_guard.undelete('img', on_conflict => 'skip');
SELECT * FROM images.settings;
:neutral
DELETE FROM typed WHERE id = 4;
DELETE FROM typed WHERE id = 5;
SELECT * FROM differences() ORDER BY 1, 2;
RESET ALL;
