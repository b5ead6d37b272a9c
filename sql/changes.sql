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
-- A backlog: ticks (a snapshot every 8192 changes) cut it into bounded
-- batches; a consumer reading 1000 at a time resumes inside large
-- transactions and gets every change once, in order, for all tenants or one.
CREATE TABLE bulk (tenant_id int NOT NULL, id int PRIMARY KEY, v int);
SELECT tenant_guard.protect('bulk');
CREATE TABLE consumer (tenant text, start text, pos int, seq bigint);
INSERT INTO consumer (tenant, start) VALUES (NULL, tenant_guard.current_cursor()), ('3', tenant_guard.current_cursor());
SET tenant_guard.max_tenants_per_statement = 0;
INSERT INTO bulk SELECT i % 10, i, 0 FROM generate_series(1, 9000) i;
INSERT INTO bulk VALUES (3, 9001, 0);
INSERT INTO bulk VALUES (3, 9002, 0);
UPDATE bulk SET v = 1 WHERE id > 4000;
RESET tenant_guard.max_tenants_per_statement;
SELECT count(*) >= 1 AS ticks_taken FROM tenant_guard.cdc_tick;
DO $$
DECLARE
    only_tenant text;
    c text;
    got bigint;
    r record;
    pos int := 0;
BEGIN
    FOR only_tenant, c IN SELECT tenant, start FROM consumer ORDER BY tenant NULLS FIRST LOOP
        LOOP
            got := 0;
            FOR r IN SELECT * FROM tenant_guard.changes(c, 1000, only_tenant) LOOP
                pos := pos + 1;
                INSERT INTO consumer (tenant, pos, seq) VALUES (only_tenant, pos, r.seq);
                c := r.cursor;
                got := got + 1;
            END LOOP;
            EXIT WHEN got = 0;
        END LOOP;
    END LOOP;
END $$;
SELECT coalesce(c.tenant, 'all') AS stream, count(*) AS delivered, count(DISTINCT c.seq) AS distinct_seqs,
       array_agg(c.seq ORDER BY c.pos) = array_agg(c.seq ORDER BY c.seq) AS in_order,
       array_agg(c.seq ORDER BY c.seq) = (SELECT array_agg(l.seq ORDER BY l.seq) FROM tenant_guard.change_log l
                                           WHERE l.rel = 'bulk'::regclass AND (c.tenant IS NULL OR l.tenant = c.tenant))
           AS all_of_them
  FROM consumer c WHERE c.seq IS NOT NULL GROUP BY c.tenant ORDER BY 1;
-- origin and actor, as the change_log view shows them: an undelete's
-- re-insert has origin undelete, a change under tenant_guard.actor its actor.
SELECT tenant_guard.current_cursor() AS before_origin \gset
DELETE FROM items WHERE id = 3;
SELECT rel, restored FROM tenant_guard.undelete('b');
SET tenant_guard.actor = 'x';
UPDATE items SET v = 3 WHERE id = 3;
RESET tenant_guard.actor;
SELECT op, pk, origin, actor FROM tenant_guard.changes(:'before_origin') WHERE rel = 'cdc.items'::regclass;
SELECT bool_and(c.origin = l.origin AND c.actor IS NOT DISTINCT FROM l.actor) AS as_change_log
  FROM tenant_guard.changes(:'start', 1000000) c JOIN tenant_guard.change_log l USING (seq);
-- Bad arguments: a malformed cursor, the empty string included, is 22023.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.changes('not a cursor')$$) AS bad_cursor;
SELECT c AS malformed, sqlstate_of(format('SELECT * FROM tenant_guard.changes(%L)', c)) ~ '^22023: invalid cursor' AS refused
  FROM unnest(ARRAY['', ' ', '/', 'c1', 'c1/', 'c1/1:1:/1:1:/-1', 'c2/1:1:/1:1:/-1/-1', 'C1/1:1:/1:1:/-1/-1',
                    ' c1/1:1:/1:1:/-1/-1', 'c1/1:1:/1:1:/-1/-1/', 'c1/1:1:/1:1:/-1/-1/x', 'c1/1:1:/1:1:/-1/-1/1/2',
                    'c1//1:1:/-1/-1', 'c1/1:1:/x/-1/-1', 'c1/1:1:/1:1:/a/-1', 'c1/1:1:/1:1:/-1/1.5',
                    'c1/2:1:/1:1:/-1/-1']) AS c;
SELECT sqlstate_of(format('SELECT * FROM tenant_guard.changes(%L)', :'p1')) AS row_cursor,
       sqlstate_of($$SELECT * FROM tenant_guard.changes('c1/1:1:/1:1:/-1/-1')$$) AS without_xid;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.changes(NULL, 0)$$) AS zero_rows;
SET ROLE regress_tg_app;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.changes()$$) AS app_changes;
RESET ROLE;
-- A consumer needs EXECUTE on changes() alone: the reader it calls
-- (tenant_guard._changes, the extension owner's) stays out of its reach.
-- By position, by name, and in a select list.
CREATE ROLE regress_tg_consumer;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_consumer;
GRANT EXECUTE ON FUNCTION tenant_guard.changes(text, integer, text) TO regress_tg_consumer;
SET ROLE regress_tg_consumer;
SELECT count(*) AS consumer_reads FROM tenant_guard.changes(NULL, 5);
SELECT count(*) AS by_name FROM tenant_guard.changes(max_rows => 3, cursor => NULL);
SELECT count(*) AS in_select_list FROM (SELECT tenant_guard.changes(NULL, 2)) AS s;
SELECT sqlstate_of($$SELECT * FROM tenant_guard._changes(NULL, 5, NULL)$$) AS reader_itself;
RESET ROLE;
RESET search_path;
