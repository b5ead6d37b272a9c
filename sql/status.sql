-- status() and tenant_status(): per protected table, its settings, tombstones,
-- history rows and oldest change; for all tenants or one. EXECUTE is revoked
-- from PUBLIC.
CREATE SCHEMA st;
SET search_path = st, public;
CREATE TABLE docs (tenant_id text NOT NULL, id int PRIMARY KEY, body text);
CREATE TABLE tags (org text NOT NULL, id int PRIMARY KEY, done boolean NOT NULL DEFAULT false);
SELECT tenant_guard.protect('docs');
SELECT tenant_guard.protect('tags', 'org', 'flag', 'done');
INSERT INTO docs VALUES ('s1', 1, 'a'), ('s1', 2, 'b');
INSERT INTO docs VALUES ('s2', 3, 'c');
UPDATE docs SET body = 'bb' WHERE id = 2;
DELETE FROM docs WHERE id = 1;
INSERT INTO tags VALUES ('s1', 1);
DELETE FROM tags WHERE id = 1;

SELECT rel, tenant_column, delete_mode, tombstones, history_rows, oldest_change IS NOT NULL AS has_oldest
  FROM tenant_guard.status() WHERE rel IN ('docs'::regclass, 'tags'::regclass) ORDER BY rel::text;
SELECT rel, tenant_column, delete_mode, tombstones, history_rows, oldest_change <= now() AS oldest_is_past
  FROM tenant_guard.tenant_status('s1') WHERE rel IN ('docs'::regclass, 'tags'::regclass) ORDER BY rel::text;
SELECT rel, tombstones, history_rows, oldest_change
  FROM tenant_guard.tenant_status('nobody') WHERE rel = 'docs'::regclass;
-- The totals over all protected tables agree with the views.
SELECT (SELECT sum(tombstones) FROM tenant_guard.status()) = (SELECT count(*) FROM tenant_guard.tombstones t
         JOIN tenant_guard.protected_tables p USING (rel)) AS tombstones_agree,
       (SELECT sum(history_rows) FROM tenant_guard.status()) = (SELECT count(*) FROM tenant_guard.change_log c
         JOIN tenant_guard.protected_tables p USING (rel)) AS history_agrees;

SET ROLE regress_tg_app;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.status()$$) AS app_status;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.tenant_status('s1')$$) AS app_tenant_status;
RESET ROLE;
RESET search_path;
