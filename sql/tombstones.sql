-- Tombstone mode: a DELETE removes the rows as usual (row count, RETURNING,
-- cascades) and keeps each one as a tombstone; cascaded deletes into
-- protected children are tombstoned too.
CREATE SCHEMA tomb;
SET search_path = tomb, public;
CREATE TABLE sites (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE pages (tenant_id int NOT NULL, id int PRIMARY KEY,
                    site_id int NOT NULL REFERENCES sites ON DELETE CASCADE, title text);
CREATE TABLE comments (tenant_id int NOT NULL, id int PRIMARY KEY,
                       page_id int NOT NULL REFERENCES pages ON DELETE CASCADE, body text);
-- This suite's tombstones.
CREATE VIEW tombs AS
    SELECT * FROM tenant_guard.tombstones
     WHERE (SELECT relnamespace FROM pg_class WHERE oid = rel) = 'tomb'::regnamespace;
SELECT tenant_guard.protect('comments');
SELECT tenant_guard.protect('pages');
SELECT tenant_guard.protect('sites');
INSERT INTO sites SELECT t, t, 'site ' || t FROM generate_series(1, 3) t;
INSERT INTO pages SELECT s, s * 10 + p, s, 'page ' || p FROM generate_series(1, 3) s, generate_series(1, 2) p;
INSERT INTO comments SELECT s, s * 100 + p * 10 + c, s * 10 + p, 'comment ' || c
  FROM generate_series(1, 3) s, generate_series(1, 2) p, generate_series(1, 2) c;

-- Row count and RETURNING are PostgreSQL's own.
DELETE FROM comments WHERE id = 111 RETURNING id, body;
WITH gone AS (DELETE FROM pages WHERE id = 12 RETURNING *) SELECT count(*) AS pages_deleted FROM gone;

-- The cascade from sites reaches pages and comments, all tombstoned, in the
-- deleting transaction.
BEGIN;
DELETE FROM sites WHERE id = 2;
SELECT (SELECT count(*) FROM sites) AS sites, (SELECT count(*) FROM pages) AS pages,
       (SELECT count(*) FROM comments) AS comments;
SELECT rel, tenant, pk, row_data, deleted_by, xid = pg_current_xact_id() AS this_xact
  FROM tombs ORDER BY tombstone_id;
COMMIT;

-- Each tombstone is also a D in the change log, with the same number.
SELECT t.rel, t.pk, l.op, l.old_row = t.row_data AS same_image
  FROM tombs t JOIN tenant_guard.change_log l ON l.seq = t.tombstone_id ORDER BY t.tombstone_id;
-- The image is stored once, as the change's old_row: the tombstone itself
-- holds none (before 0.6.0 it held a second copy).
SELECT count(*) AS tombstones, count(d.row_data) AS own_images
  FROM tombs t JOIN tenant_guard.tombstone_data d USING (tombstone_id);

-- A rolled-back DELETE leaves neither rows gone nor tombstones.
BEGIN;
DELETE FROM sites WHERE id = 3;
SELECT count(*) AS tombstones_inside FROM tombs;
ROLLBACK;
SELECT count(*) AS tombstones_after FROM tombs;
SELECT count(*) AS comments_after FROM comments;

-- Large (TOASTed) values: an UPDATE that leaves them alone, a DELETE that
-- keeps them, an undelete that brings them back intact.
CREATE TABLE docs (tenant_id int NOT NULL, id int PRIMARY KEY, body text, n int);
SELECT tenant_guard.protect('docs');
INSERT INTO docs SELECT 1, 1, repeat('A long document that compresses well. ', 2000) || ' é', 0;
CREATE TEMP TABLE docs_before AS SELECT md5(d::text) AS sum, to_jsonb(d) AS img FROM docs d;
UPDATE docs SET n = 1;
SELECT l.op, l.old_row->'n' AS old_n, l.new_row->'n' AS new_n, length(l.new_row->>'body') AS body_length,
       l.old_row = b.img || '{"n": 0}' AS old_image_whole
  FROM tenant_guard.change_log l, docs_before b WHERE l.rel = 'docs'::regclass AND l.op = 'U';
UPDATE docs SET n = 0;
DELETE FROM docs;
SELECT t.row_data = b.img AS tombstone_is_row, pg_column_size(t.row_data) < length(b.img::text) AS compressed
  FROM tombs t, docs_before b WHERE t.rel = 'docs'::regclass;
SELECT * FROM tenant_guard.undelete('1', rels => ARRAY['docs']::regclass[]);
SELECT md5(d::text) = b.sum AS restored_intact FROM docs d, docs_before b;

-- A DELETE matching nothing writes nothing.
DELETE FROM sites WHERE id = 42;
SELECT count(*) AS tombstones FROM tombs;

-- deleted_by is the session user (the login role), also under SET ROLE.
GRANT USAGE ON SCHEMA tomb TO regress_tg_app;
GRANT SELECT, DELETE ON sites, pages, comments TO regress_tg_app;
SET ROLE regress_tg_app;
DELETE FROM comments WHERE id = 322;
RESET ROLE;
SELECT pk, deleted_by FROM tombs WHERE pk = '{"id": 322}';
RESET search_path;
