-- The blast-radius limit counts every statement, wherever it runs, and each
-- statement only once: a DELETE run by an INSERT's trigger or by a deferred
-- constraint trigger is counted; a cascade from an unprotected table in a
-- session's first statement is counted; nothing leaks from a writable CTE or
-- an ON CONFLICT DO UPDATE into the next statement; a DELETE inside a
-- function called by another statement is a statement of its own.
CREATE SCHEMA br;
SET search_path = br, public;
CREATE TABLE items (tenant_id int NOT NULL, id int PRIMARY KEY, v text);
CREATE TABLE inbox (tenant_id int NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('items');
CREATE TABLE parents (id int PRIMARY KEY);  -- not protected
CREATE TABLE children (tenant_id int NOT NULL, id int PRIMARY KEY,
                       parent_id int NOT NULL REFERENCES parents ON DELETE CASCADE);
SELECT tenant_guard.protect('children');
INSERT INTO items SELECT t, t * 10 + i, 'x' FROM generate_series(1, 3) t, generate_series(1, 3) i;
INSERT INTO parents VALUES (1);
INSERT INTO children VALUES (1, 1, 1), (2, 2, 1);
CREATE VIEW state AS
    SELECT (SELECT count(*) FROM br.items) AS items, (SELECT count(*) FROM br.children) AS children,
           (SELECT count(*) FROM tenant_guard.tombstones) AS tombstones;

-- A DELETE run by an INSERT's trigger, over two tenants: refused.
CREATE FUNCTION br.clean_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM br.items WHERE tenant_id IN (1, 2) AND v = NEW.v;
    RETURN NULL;
END $$;
CREATE TRIGGER clean_up AFTER INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION br.clean_up();
SELECT sqlstate_of($$INSERT INTO br.inbox VALUES (1, 1, 'x')$$) AS delete_in_insert_trigger;
-- A single-tenant one passes.
CREATE OR REPLACE FUNCTION br.clean_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM br.items WHERE tenant_id = NEW.tenant_id AND id = NEW.id;
    RETURN NULL;
END $$;
INSERT INTO inbox VALUES (1, 11, 'x');
DROP TRIGGER clean_up ON inbox;
SELECT * FROM state;

-- A deferred constraint trigger that deletes over two tenants at COMMIT.
CREATE FUNCTION br.late_clean_up() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM br.items WHERE tenant_id IN (2, 3);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER late_clean_up AFTER INSERT ON inbox DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION br.late_clean_up();
BEGIN;
INSERT INTO inbox VALUES (2, 2, 'y');
COMMIT;
DROP TRIGGER late_clean_up ON inbox;
SELECT * FROM state;

-- No scope leaks: after a writable CTE and an INSERT ... ON CONFLICT DO
-- UPDATE, the next single-tenant statement of the transaction passes.
BEGIN;
WITH moved AS (UPDATE items SET v = 'cte' WHERE id = 21 RETURNING *) SELECT count(*) FROM moved;
INSERT INTO items VALUES (3, 31, 'upsert') ON CONFLICT (id) DO UPDATE SET v = excluded.v;
DELETE FROM items WHERE tenant_id = 1 AND id = 12;
UPDATE items SET v = 'after' WHERE tenant_id = 2;
COMMIT;
-- A writable CTE over two tenants is one statement over two tenants.
SELECT sqlstate_of($$WITH gone AS (DELETE FROM br.items WHERE tenant_id IN (2, 3) RETURNING 1)
                     SELECT count(*) FROM gone$$) AS writable_cte_two_tenants;
SELECT sqlstate_of($$INSERT INTO br.items VALUES (2, 21, 'a'), (3, 31, 'b')
                     ON CONFLICT (id) DO UPDATE SET v = excluded.v$$) AS upsert_two_tenants;
-- Its own inserted rows are not limited.
INSERT INTO items VALUES (1, 100, 'new'), (2, 200, 'new'), (3, 300, 'new');

-- A single-tenant DELETE inside a function called from the WHERE of another
-- single-tenant DELETE is a statement of its own.
CREATE FUNCTION br.drop_one(t int, i int) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM br.items WHERE tenant_id = t AND id = i;
    RETURN true;
END $$;
DELETE FROM items WHERE tenant_id = 1 AND id = 100 AND br.drop_one(2, 200);
SELECT * FROM state;

-- A session's first statement: a DELETE on an unprotected table that
-- cascades into two tenants of a protected one is refused (the module loads
-- only when the cascade reaches the protected table).
\c
SET search_path = br, public;
SELECT sqlstate_of($$DELETE FROM br.parents WHERE id = 1$$) AS first_statement_cascade;
SELECT * FROM br.state;
