-- Entries (issue 15, item 5): the rows one statement inserts or updates in
-- one table for one tenant are logged as one entry of the change log, and
-- every reader still sees rows: the change_log view, changes() (resuming
-- inside an entry), status, rewind, migrations of the images (which turn the
-- table's entries back into rows), the capture order. An entry never spans
-- two segments.
CREATE SCHEMA entries;
SET search_path = entries, public;
SET tenant_guard.max_tenants_per_statement = 0;
CREATE TABLE item (tenant_id int NOT NULL, id int PRIMARY KEY, name text, qty int);
SELECT tenant_guard.protect('item');
SELECT coalesce(max(seq), 0) AS seq_before FROM tenant_guard.change_log_data \gset

-- 3 tenants, 40 rows each, interleaved: one entry per tenant, each holding
-- its tenant's rows in the order they came, with seqs of their own.
INSERT INTO item SELECT 1 + i % 3, i, 'item ' || i, i FROM generate_series(1, 120) AS i;
SELECT tenant, op, entry_rows, pk IS NULL AND old_row IS NULL AND new_row IS NULL AS row_columns_null,
       cardinality(entry_seqs) = entry_rows AND cardinality(entry_pks) = entry_rows
           AND cardinality(entry_new) = entry_rows AND entry_old IS NULL AS arrays_in_step,
       seq = entry_seqs[entry_rows] AS seq_is_last
  FROM tenant_guard.change_log_data WHERE seq > :seq_before ORDER BY tenant;
-- The view shows every row, as the table has it.
SELECT count(*) AS rows, count(DISTINCT seq) AS seqs,
       bool_and(l.new_row = to_jsonb(i)) AS images_exact,
       bool_and(l.pk = jsonb_build_object('id', i.id)) AS keys_exact
  FROM tenant_guard.change_log l JOIN item i ON i.id = (l.pk ->> 'id')::int WHERE l.seq > :seq_before;
-- Within an entry, rows keep the statement's order.
SELECT bool_and(ordered) AS in_statement_order FROM (
    SELECT (array_agg((pk ->> 'id')::int ORDER BY seq)) = (array_agg((pk ->> 'id')::int ORDER BY (pk ->> 'id')::int)) AS ordered
      FROM tenant_guard.change_log WHERE seq > :seq_before GROUP BY tenant) AS t;

-- An UPDATE: entries with the changed columns' old values.
UPDATE item SET qty = qty + 1000 WHERE tenant_id IN (1, 2);
SELECT tenant, op, entry_rows, cardinality(entry_old) = entry_rows AS old_in_step
  FROM tenant_guard.change_log_data WHERE seq > :seq_before AND op = 'U' ORDER BY tenant;
SELECT count(*) AS updates, bool_and(old_row ->> 'qty' = ((new_row ->> 'qty')::int - 1000)::text) AS old_values,
       bool_and(old_row - 'qty' = new_row - 'qty') AS full_old_image
  FROM tenant_guard.change_log WHERE seq > :seq_before AND op = 'U';
-- A tenant with one row gets a plain row.
UPDATE item SET qty = 0 WHERE id = 3;
SELECT entry_rows IS NULL AS plain_row, pk FROM tenant_guard.change_log_data
 WHERE seq = (SELECT max(seq) FROM tenant_guard.change_log_data);

-- status counts the rows of entries.
SELECT rel, history_rows FROM tenant_guard.status() WHERE rel = 'entries.item'::regclass;
SELECT rel, history_rows FROM tenant_guard.tenant_status('1') WHERE rel = 'entries.item'::regclass;

-- changes(), 7 rows per call from the start of this suite's history: every
-- row once, in seq order, whatever the cursor's position in an entry; per
-- tenant the same.
CREATE TABLE stream (n serial, seq bigint, tenant text, op text, pk jsonb);
CREATE FUNCTION read_all(only_tenant text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    cur text;
    got bigint;
    calls bigint := 0;
BEGIN
    TRUNCATE stream;
    -- From the transaction before this suite's first change.
    LOOP
        INSERT INTO stream (seq, tenant, op, pk)
        SELECT c.seq, c.tenant, c.op, c.pk FROM tenant_guard.changes(cur, 7, only_tenant) AS c;
        GET DIAGNOSTICS got = ROW_COUNT;
        EXIT WHEN got = 0;
        calls := calls + 1;
        SELECT c.cursor INTO cur FROM tenant_guard.changes(cur, 7, only_tenant) AS c OFFSET got - 1 LIMIT 1;
    END LOOP;
    RETURN calls;
END $$;
SELECT read_all(NULL) > 0 AS read;
SELECT (SELECT array_agg(seq ORDER BY n) FROM stream WHERE seq > :seq_before)
     = (SELECT array_agg(seq ORDER BY seq) FROM tenant_guard.change_log WHERE seq > :seq_before) AS stream_is_the_log,
       (SELECT count(*) FROM stream) = (SELECT count(DISTINCT seq) FROM stream) AS each_once;
SELECT read_all('2') > 0 AS read;
SELECT (SELECT array_agg(seq ORDER BY n) FROM stream WHERE seq > :seq_before)
     = (SELECT array_agg(seq ORDER BY seq) FROM tenant_guard.change_log WHERE seq > :seq_before AND tenant = '2')
       AS tenant_stream_is_the_log;

-- Rewind of one tenant across entries: back to the mark, the others untouched.
CREATE TABLE at_mark AS SELECT * FROM item;
SELECT tenant_guard.mark('entries-mark');
UPDATE item SET name = name || ' changed';
INSERT INTO item SELECT 1 + i % 3, i, 'late ' || i, 0 FROM generate_series(121, 150) AS i;
SELECT * FROM tenant_guard.rewind('2', to_mark => 'entries-mark');
SELECT (SELECT count(*) FROM item i FULL JOIN at_mark m USING (id) WHERE (i.tenant_id = 2 OR m.tenant_id = 2)
          AND i IS DISTINCT FROM m) AS tenant_2_differs,
       (SELECT count(*) FROM item WHERE tenant_id <> 2 AND name LIKE '% changed') AS others_kept;

-- A migration rewrites images row by row: the table's entries become rows
-- (same seqs, keys and images), and the value follows a renamed column.
SELECT count(*) FILTER (WHERE entry_rows IS NOT NULL) > 0 AS had_entries,
       sum(coalesce(entry_rows, 1)) AS rows_before FROM tenant_guard.change_log_data
 WHERE table_id = (SELECT table_id FROM tenant_guard.protected_table WHERE rel = 'entries.item'::regclass) \gset
CREATE TABLE log_before AS SELECT seq, pk, old_row, new_row FROM tenant_guard.change_log WHERE rel = 'item'::regclass;
ALTER TABLE item RENAME COLUMN name TO title;
SELECT :'had_entries' AS had_entries,
       count(*) FILTER (WHERE entry_rows IS NOT NULL) AS entries_left, count(*) = :rows_before AS one_row_each
  FROM tenant_guard.change_log_data
 WHERE table_id = (SELECT table_id FROM tenant_guard.protected_table WHERE rel = 'entries.item'::regclass);
SELECT count(*) AS differ FROM log_before b JOIN tenant_guard.change_log l USING (seq)
 WHERE l.new_row IS DISTINCT FROM (CASE WHEN b.new_row ? 'name' THEN (b.new_row - 'name') || jsonb_build_object('title', b.new_row -> 'name') ELSE b.new_row END)
    OR l.pk IS DISTINCT FROM b.pk;
INSERT INTO item SELECT 1, i, 'after ' || i, 0 FROM generate_series(151, 160) AS i;
ALTER TABLE item ADD COLUMN priority int NOT NULL DEFAULT 7;
SELECT count(*) AS images, count(*) FILTER (WHERE new_row ->> 'priority' = '7') AS with_default
  FROM tenant_guard.change_log WHERE rel = 'item'::regclass AND op IN ('I', 'U');

-- The capture order: an AFTER trigger's bulk insert into another protected
-- table, queued before the statement's own capture, is logged after it.
CREATE TABLE audit (tenant_id int NOT NULL, id serial PRIMARY KEY, item_id int);
SELECT tenant_guard.protect('audit');
CREATE FUNCTION audit_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO entries.audit (tenant_id, item_id) SELECT n.tenant_id, n.id FROM new_items n;
    RETURN NULL;
END $$;
CREATE TRIGGER a_audit AFTER INSERT ON item REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION audit_items();
SELECT max(seq) AS seq_mid FROM tenant_guard.change_log_data \gset
INSERT INTO item SELECT 1 + i % 2, i, 'audited', 0 FROM generate_series(161, 170) AS i;
SELECT rel, min(seq) > (SELECT max(seq) FROM tenant_guard.change_log WHERE rel = 'item'::regclass AND seq > :seq_mid)
           AS after_the_statement, count(*)
  FROM tenant_guard.change_log WHERE seq > :seq_mid AND rel = 'audit'::regclass GROUP BY rel;
DROP TRIGGER a_audit ON item;

-- An entry never spans two segments: rows whose seqs cross into the next
-- segment go to an entry there. In a database of its own: the sequence
-- moves on by a segment.
SELECT current_database() AS suite_db \gset
CREATE DATABASE regress_tg_entries;
\c regress_tg_entries
CREATE EXTENSION tenant_guard;
CREATE TABLE item (tenant_id int NOT NULL, id int PRIMARY KEY, title text);
SELECT tenant_guard.protect('item');
SELECT setval('tenant_guard.change_seq', (1::bigint << 44) - 3) IS NOT NULL AS moved;
INSERT INTO item SELECT 3, i, 'edge' FROM generate_series(171, 176) AS i;
SELECT tableoid::regclass AS segment, entry_rows, entry_seqs[1] >> 44 = seq >> 44 AS one_segment
  FROM tenant_guard.change_log_data WHERE seq >= (1::bigint << 44) - 3 ORDER BY seq;
SELECT count(*) AS edge_rows FROM tenant_guard.change_log WHERE new_row ->> 'title' = 'edge';
\c :suite_db
DROP DATABASE regress_tg_entries;
