-- Capture: every INSERT, UPDATE and DELETE on a protected table is in the
-- change log, written in the same transaction, for every statement kind.
CREATE SCHEMA cap;
SET search_path = cap, public;

CREATE TABLE orders (tenant_id text NOT NULL, id int PRIMARY KEY, item text, qty int,
                     price numeric(10, 2), placed timestamptz, meta jsonb, tags text[], paid boolean,
                     ref uuid, amount float8);
SELECT tenant_guard.protect('orders');
-- This suite's part of the change log.
CREATE VIEW log AS
    SELECT seq, tenant, rel, op, pk, old_row, new_row, origin, actor FROM tenant_guard.change_log
     WHERE (SELECT relnamespace FROM pg_class WHERE oid = rel) = 'cap'::regnamespace ORDER BY seq;

-- The keys of image that to_jsonb(row) does not have alike.
CREATE FUNCTION not_to_jsonb(image jsonb, row_json jsonb) RETURNS jsonb LANGUAGE sql AS $$
    SELECT coalesce(jsonb_object_agg(k, v), '{}') FROM jsonb_each(image) AS e(k, v)
     WHERE NOT row_json @> jsonb_build_object(k, v) $$;
-- Multi-row INSERT: one row each; images equal to_jsonb(row), but for what
-- JSON does not hold exactly: a float -0 as its text, a jsonb JSON null's
-- text beside it.
INSERT INTO orders VALUES
    ('acme', 1, 'bolt', 10, 1.50, '2024-01-02 03:04:05.123456+00', '{"a": {"b": [1, null]}}', '{x,"y z"}', true,
     'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 0.1),
    ('acme', 2, 'nut', NULL, 'NaN', '-infinity', '"scalar"', '{}', NULL, NULL, 'Infinity'),
    ('globex', 3, E'quote''s \u00e9 \n', 1, 0, NULL, 'null', NULL, false, NULL, -0.0);
SELECT tenant, op, pk, not_to_jsonb(new_row, to_jsonb(o)) AS not_to_jsonb, old_row IS NULL AS no_old
  FROM log l JOIN orders o ON l.pk = jsonb_build_object('id', o.id)
 ORDER BY seq;

-- UPDATE: old and new images; the log row is in the same transaction.
BEGIN;
UPDATE orders SET qty = coalesce(qty, 0) + 1 WHERE tenant_id = 'acme';
SELECT tenant, op, pk, old_row->'qty' AS old_qty, new_row->'qty' AS new_qty FROM log WHERE op = 'U';
ROLLBACK;
SELECT count(*) AS after_rollback FROM log WHERE op = 'U';
UPDATE orders SET qty = qty + 1 WHERE id = 1;
-- The images of an UPDATE are the whole row before and after.
CREATE TEMP TABLE before_update AS SELECT to_jsonb(o) AS img FROM orders o WHERE id = 3;
UPDATE orders SET item = 'renamed', paid = true WHERE id = 3;
SELECT not_to_jsonb(l.old_row, b.img) AS old_not_row_before,
       not_to_jsonb(l.new_row, (SELECT to_jsonb(o) FROM orders o WHERE id = 3)) AS new_not_row_after
  FROM log l, before_update b WHERE l.pk = '{"id": 3}' AND l.op = 'U';

-- INSERT ... ON CONFLICT DO UPDATE: one U for the existing key, one I for the new.
INSERT INTO orders (tenant_id, id, item, qty) VALUES ('acme', 1, 'bolt', 99), ('acme', 4, 'washer', 7)
    ON CONFLICT (id) DO UPDATE SET qty = EXCLUDED.qty;
SELECT tenant, op, pk, new_row->'qty' AS qty FROM log WHERE pk IN ('{"id": 1}', '{"id": 4}') ORDER BY op, pk::text;

-- MERGE: update, insert and delete in one statement.
SELECT max(seq) AS before_merge FROM tenant_guard.change_log \gset
CREATE TABLE incoming (id int, tenant_id text, qty int);
INSERT INTO incoming VALUES (1, 'acme', 5), (4, 'acme', 0), (5, 'acme', 3);
MERGE INTO orders o USING incoming i ON o.id = i.id
    WHEN MATCHED AND i.qty = 0 THEN DELETE
    WHEN MATCHED THEN UPDATE SET qty = i.qty
    WHEN NOT MATCHED THEN INSERT (tenant_id, id, item, qty) VALUES (i.tenant_id, i.id, 'merged', i.qty);
SELECT op, pk, coalesce(new_row, old_row)->'qty' AS qty FROM tenant_guard.change_log
 WHERE seq > :before_merge ORDER BY op, pk::text;

-- COPY.
COPY orders (tenant_id, id, item, qty) FROM stdin;
initech	10	stapler	1
initech	11	printer	2
\.
SELECT tenant, op, pk FROM log WHERE tenant = 'initech';

-- The actor GUC is recorded; empty means NULL.
SET tenant_guard.actor = 'support-bot';
UPDATE orders SET qty = 3 WHERE id = 10;
RESET tenant_guard.actor;
UPDATE orders SET qty = 4 WHERE id = 10;
SELECT op, pk, actor FROM log WHERE tenant = 'initech' AND op = 'U';

-- Changing a row's tenant is refused with TG002; nothing of the statement remains.
SELECT sqlstate_of($$UPDATE cap.orders SET tenant_id = 'globex' WHERE id = 10$$) AS move_tenant;
SELECT tenant_id FROM orders WHERE id = 10;

-- Partitioned table: statements on the parent and straight on a partition,
-- and a row moving between partitions, are all logged against the parent.
CREATE TABLE readings (tenant_id bigint NOT NULL, id int, v int, PRIMARY KEY (tenant_id, id))
    PARTITION BY LIST (tenant_id);
CREATE TABLE readings_1 PARTITION OF readings FOR VALUES IN (1);
CREATE TABLE readings_rest PARTITION OF readings DEFAULT;
SELECT tenant_guard.protect('readings');
INSERT INTO readings VALUES (1, 1, 10), (2, 1, 20);
INSERT INTO readings_1 VALUES (1, 2, 11);
UPDATE readings_rest SET v = 21;
DELETE FROM readings WHERE tenant_id = 1 AND id = 2;
SELECT tenant, rel, op, pk, old_row->'v' AS old_v, new_row->'v' AS new_v FROM log WHERE rel = 'readings'::regclass;

-- Rows changed by foreign-key actions are captured too.
CREATE TABLE teams (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE members (tenant_id int NOT NULL, id int PRIMARY KEY,
                      team_id int REFERENCES teams ON UPDATE CASCADE ON DELETE SET NULL);
SELECT tenant_guard.protect('teams');
SELECT tenant_guard.protect('members');
INSERT INTO teams VALUES (7, 1), (7, 2);
INSERT INTO members VALUES (7, 1, 1), (7, 2, 2);
UPDATE teams SET id = 10 WHERE id = 1;
DELETE FROM teams WHERE id = 2;
SELECT rel, op, pk, old_row->'team_id' AS old_team, new_row->'team_id' AS new_team
  FROM log WHERE rel IN ('teams'::regclass, 'members'::regclass) AND op <> 'I';

-- A plain application role: needs no privilege on schema tenant_guard for its
-- DML to be captured, and can neither read nor write the extension's tables.
GRANT USAGE ON SCHEMA cap TO regress_tg_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO regress_tg_app;
SET ROLE regress_tg_app;
INSERT INTO orders (tenant_id, id, item) VALUES ('app', 100, 'by app');
UPDATE orders SET qty = 1 WHERE id = 100;
DELETE FROM orders WHERE id = 100;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.change_log$$) AS read_view;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.change_log_data$$) AS read_table;
SELECT sqlstate_of($$DELETE FROM tenant_guard.change_log_data$$) AS delete_log;
SELECT sqlstate_of($$INSERT INTO tenant_guard.tombstone_data SELECT 1$$) AS write_tombstones;
SELECT sqlstate_of($$SELECT tenant_guard.undelete('app')$$) AS call_undelete;
RESET ROLE;
-- changed_by is the session (login) role, here the test's superuser.
SELECT op, changed_by, origin FROM tenant_guard.change_log WHERE tenant = 'app' ORDER BY seq;
SELECT tenant, pk FROM tenant_guard.tombstones WHERE tenant = 'app';

-- Columns added later appear in the images.
ALTER TABLE orders ADD COLUMN note text DEFAULT 'n/a';
UPDATE orders SET qty = 5 WHERE id = 11;
SELECT new_row->'note' AS note, new_row = (SELECT to_jsonb(o) FROM orders o WHERE id = 11) AS image_is_to_jsonb
  FROM log WHERE pk = '{"id": 11}' AND op = 'U';

-- begin_import(): the rest of the transaction is recorded with origin
-- 'import'; like SET LOCAL it ends with the transaction or with a savepoint
-- rolled back; outside a transaction block it is refused.
SELECT tenant_guard.begin_import();  -- outside a transaction block: 25P01
BEGIN;
SAVEPOINT s;
SELECT tenant_guard.begin_import();
ROLLBACK TO s;
INSERT INTO orders (id, tenant_id, qty) VALUES (60, 'imp', 1);
SELECT tenant_guard.begin_import();
INSERT INTO orders (id, tenant_id, qty) VALUES (61, 'imp', 1);
COMMIT;
INSERT INTO orders (id, tenant_id, qty) VALUES (62, 'imp', 1);
SELECT pk->>'id' AS id, origin FROM tenant_guard.change_log WHERE tenant = 'imp' ORDER BY seq;

-- A row's changes are logged in the order they happened also when a trigger
-- changes it again: a statement run by an AFTER trigger is captured before
-- the statement that fired it (PostgreSQL fires AFTER ROW triggers, and an
-- owner's AFTER STATEMENT trigger named before tenant_guard's, before its
-- capture), and until 0.13.0 took the earlier seqs: the log said 150 was the
-- balance last, and a rewind put back 150 instead of 100 (attacker's report
-- of 0.13.0).
CREATE TABLE acct (tenant_id text NOT NULL, id int PRIMARY KEY, balance int, state text);
SELECT tenant_guard.protect('acct');
CREATE FUNCTION acct_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() = 1 THEN
        IF TG_OP = 'INSERT' THEN UPDATE cap.acct SET state = 'opened' WHERE id = NEW.id;
        ELSIF NEW.state = 'done' THEN DELETE FROM cap.acct WHERE id = NEW.id;
        ELSE UPDATE cap.acct SET balance = 0 WHERE id = NEW.id;
        END IF;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER acct_after AFTER INSERT OR UPDATE ON acct FOR EACH ROW EXECUTE FUNCTION acct_after();
INSERT INTO acct VALUES ('order', 1, 100, 'new'), ('order', 2, 5, 'new');
SELECT tenant_guard.mark('acct-before');
UPDATE acct SET balance = 150 WHERE id = 1;
UPDATE acct SET state = 'done' WHERE id = 2;
SELECT * FROM acct ORDER BY id;
SELECT pk->>'id' AS id, op, old_row->>'balance' AS old_balance, new_row->>'balance' AS new_balance,
       old_row->>'state' AS old_state, new_row->>'state' AS new_state
  FROM log WHERE rel = 'acct'::regclass ORDER BY seq;
-- The tombstone of row 2 is the last change's, and has its image.
SELECT t.tombstone_id = (SELECT max(seq) FROM log WHERE rel = 'acct'::regclass) AS tombstone_is_last_change,
       t.row_data->>'state' AS state
  FROM tenant_guard.tombstones t WHERE t.rel = 'acct'::regclass;
-- Rewound to the mark, both rows are as they were then (without the
-- trigger, which would change them again).
DROP TRIGGER acct_after ON acct;
BEGIN;
SELECT * FROM tenant_guard.rewind('order', to_mark => 'acct-before');
SELECT * FROM acct ORDER BY id;
ROLLBACK;
-- An owner's AFTER STATEMENT trigger that fires before tenant_guard's
-- capture (its name sorts first) and changes the statement's rows.
CREATE FUNCTION acct_reset() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() = 1 THEN UPDATE cap.acct SET balance = 0 WHERE balance > 1000; END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER a_reset AFTER UPDATE ON acct FOR EACH STATEMENT EXECUTE FUNCTION acct_reset();
UPDATE acct SET balance = 2000 WHERE id = 1;
SELECT pk->>'id' AS id, op, old_row->>'balance' AS old_balance, new_row->>'balance' AS new_balance
  FROM log WHERE rel = 'acct'::regclass ORDER BY seq DESC LIMIT 2;
DROP TRIGGER a_reset ON acct;
-- What a statement's BEFORE ROW trigger changes keeps its place: it happened
-- before the statement's own rows (the parent row first, then its child).
CREATE TABLE acct_line (tenant_id text NOT NULL, id int PRIMARY KEY, acct_id int REFERENCES acct);
SELECT tenant_guard.protect('acct_line');
CREATE FUNCTION acct_line_parent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO cap.acct VALUES (NEW.tenant_id, NEW.acct_id, 0, 'auto') ON CONFLICT (id) DO NOTHING;
    RETURN NEW;
END $$;
CREATE TRIGGER acct_line_parent BEFORE INSERT ON acct_line FOR EACH ROW EXECUTE FUNCTION acct_line_parent();
INSERT INTO acct_line VALUES ('order', 1, 7);
SELECT rel, pk->>'id' AS id, op FROM log WHERE rel IN ('acct'::regclass, 'acct_line'::regclass) ORDER BY seq DESC LIMIT 2;
-- A function the statement calls may change a row the statement changed
-- already (PostgreSQL allows that order, not the other): that change comes
-- after the statement's (it came first until this fix, the attacker's
-- report of 0.13.0: the last image was the statement's, and a rewind put
-- back a value the row never had at the mark). A row the statement inserts
-- keeps what a BEFORE trigger did to its key before: the delete first.
CREATE TABLE fn_rows (tenant_id text NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('fn_rows');
INSERT INTO fn_rows VALUES ('fn', 11, 'v1'), ('fn', 12, 'v1'), ('fn', 13, 'v1');
CREATE FUNCTION fn_touch(what text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    IF what = 'update' THEN UPDATE cap.fn_rows SET v = 'v3' WHERE id = 11;
    ELSE DELETE FROM cap.fn_rows WHERE id = 21;
    END IF;
    RETURN 'v2';
END $$;
UPDATE fn_rows SET v = CASE id WHEN 12 THEN fn_touch('update') ELSE 'v2' END WHERE id IN (11, 12) ;
INSERT INTO fn_rows VALUES ('fn', 21, 'v1'), ('fn', 22, 'v1');
UPDATE fn_rows SET v = CASE id WHEN 22 THEN fn_touch('delete') ELSE 'v2' END WHERE id IN (21, 22);
SELECT * FROM fn_rows ORDER BY id;
SELECT pk->>'id' AS id, op, old_row->>'v' AS old_v, new_row->>'v' AS new_v
  FROM log WHERE rel = 'fn_rows'::regclass AND op <> 'I' AND pk->>'id' IN ('11', '21') ORDER BY seq;
CREATE FUNCTION fn_replace() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM cap.fn_rows WHERE id = NEW.id;
    RETURN NEW;
END $$;
CREATE TRIGGER fn_replace BEFORE INSERT ON fn_rows FOR EACH ROW EXECUTE FUNCTION fn_replace();
INSERT INTO fn_rows VALUES ('fn', 12, 'replaced');
SELECT op, new_row->>'v' AS v FROM log WHERE rel = 'fn_rows'::regclass AND pk->>'id' = '12' ORDER BY seq DESC LIMIT 2;
DROP TRIGGER fn_replace ON fn_rows;
-- However many captures a statement makes of its own (a writable CTE over
-- 18 protected tables, each with an owner's trigger that changes the row
-- again): every trigger's change comes after its statement's (a fixed 16
-- kept the later ones in front, the attacker's report of 0.13.0).
CREATE FUNCTION many_after() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() = 1 THEN
        EXECUTE format('UPDATE %s SET v = %L WHERE id = $1', TG_RELID::regclass, 'trigger') USING NEW.id;
    END IF;
    RETURN NULL;
END $$;
DO $$
DECLARE
    i int;
    ctes text := '';
BEGIN
    FOR i IN 1 .. 18 LOOP
        EXECUTE format('CREATE TABLE cap.many_%s (tenant_id text NOT NULL, id int PRIMARY KEY, v text)', i);
        PERFORM tenant_guard.protect(format('cap.many_%s', i)::regclass);
        EXECUTE format('CREATE TRIGGER many_after AFTER UPDATE ON cap.many_%s FOR EACH ROW EXECUTE FUNCTION cap.many_after()', i);
        EXECUTE format('INSERT INTO cap.many_%s VALUES (''many'', 1, ''new'')', i);
        IF i < 18 THEN
            ctes := ctes || format('%su%s AS (UPDATE cap.many_%s SET v = ''cte'' RETURNING 1)',
                                   CASE WHEN i > 1 THEN ', ' ELSE '' END, i, i);
        END IF;
    END LOOP;
    EXECUTE 'WITH ' || ctes || ' UPDATE cap.many_18 SET v = ''cte''';
END $$;
SELECT count(*) AS tables, count(*) FILTER (WHERE last_v = 'trigger' AND before_v = 'cte') AS trigger_change_last
  FROM (SELECT rel, (array_agg(new_row->>'v' ORDER BY seq DESC))[1] AS last_v,
               (array_agg(new_row->>'v' ORDER BY seq DESC))[2] AS before_v
          FROM log WHERE tenant = 'many' GROUP BY rel) AS t;
RESET search_path;
