-- The change stream: changes(cursor, max_rows, tenant) and current_cursor().
-- (Concurrency — no skip, no uncommitted rows, same-row order — is in the
-- isolation specs cdc_order and cdc_row_order.)
CREATE SCHEMA cdc;
SET search_path = cdc, public;
CREATE TABLE items (tenant_id text NOT NULL, id int PRIMARY KEY, v int);
SELECT tenant_guard.protect('items');
SELECT tenant_guard.current_cursor() AS start \gset
CREATE VIEW stream AS SELECT * FROM tenant_guard.changes(NULL, 1000000) WHERE rel = 'cdc.items'::regclass;

-- From now on: nothing yet.
SELECT count(*) FROM tenant_guard.changes(:'start');
INSERT INTO items VALUES ('a', 1, 1), ('a', 2, 1);
INSERT INTO items VALUES ('b', 3, 1);
BEGIN;
UPDATE items SET v = 2 WHERE id = 1;
DELETE FROM items WHERE id = 2;
COMMIT;
-- Every change, in order, transactions together, full images.
SELECT tenant, op, pk, old_row->'v' AS old_v, new_row->'v' AS new_v FROM tenant_guard.changes(:'start');
-- Page by page with the cursor: the same rows, none twice, none missing.
SELECT cursor AS p1 FROM tenant_guard.changes(:'start', 2) ORDER BY seq DESC LIMIT 1 \gset
SELECT op, pk FROM tenant_guard.changes(:'start', 2);
SELECT cursor AS p2 FROM tenant_guard.changes(:'p1', 2) ORDER BY seq DESC LIMIT 1 \gset
SELECT op, pk FROM tenant_guard.changes(:'p1', 2);
SELECT op, pk FROM tenant_guard.changes(:'p2', 2);
-- The end of the stream: an empty page, and the cursor of the last row still works.
SELECT cursor AS p3 FROM tenant_guard.changes(:'p2', 2) ORDER BY seq DESC LIMIT 1 \gset
SELECT count(*) AS after_end FROM tenant_guard.changes(:'p3');
-- One tenant's changes only.
SELECT tenant, op, pk FROM tenant_guard.changes(:'start', 100, 'b');
-- From the oldest retained change (NULL) this table's five changes are there.
SELECT count(*) AS from_oldest FROM stream;
-- The caller's own uncommitted changes are not shown, and come after commit.
BEGIN;
INSERT INTO items VALUES ('a', 4, 1);
SELECT count(*) AS own_uncommitted_shown FROM tenant_guard.changes(:'p3');
COMMIT;
SELECT op, pk FROM tenant_guard.changes(:'p3');
-- The log can be published for logical replication (Debezium and the like).
CREATE PUBLICATION tg_changes FOR TABLE tenant_guard.change_log_data WITH (publish_via_partition_root = true);
SELECT pubname, tablename FROM pg_publication_tables WHERE pubname = 'tg_changes';
DROP PUBLICATION tg_changes;
-- Bad arguments.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.changes('not a cursor')$$) AS bad_cursor;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.changes(NULL, 0)$$) AS zero_rows;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.changes()$$) AS app_changes;
RESET ROLE;
RESET search_path;
