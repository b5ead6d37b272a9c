-- tenant_guard.undelete(): per tenant, parents before children, conflicts,
-- dry run, table and time filters, schema changes in between, and the
-- change-log record with origin 'undelete'.
CREATE SCHEMA und;
SET search_path = und, public;
CREATE TABLE customers (tenant_id int NOT NULL, id int PRIMARY KEY, name text,
                        created timestamptz DEFAULT '2024-01-01 00:00:00+00');
CREATE TABLE invoices (tenant_id int NOT NULL, id int PRIMARY KEY,
                       customer_id int NOT NULL REFERENCES customers ON DELETE CASCADE, total numeric);
CREATE TABLE lines (tenant_id int NOT NULL, invoice_id int REFERENCES invoices ON DELETE CASCADE,
                    n int, item text, PRIMARY KEY (invoice_id, n));
-- Protected children first, so table_id order is the reverse of FK order.
SELECT tenant_guard.protect('lines');
SELECT tenant_guard.protect('invoices');
SELECT tenant_guard.protect('customers');
INSERT INTO customers SELECT t, t, 'customer ' || t FROM generate_series(91, 94) t;
INSERT INTO invoices SELECT t, t * 10 + i, t, t * 100 + i FROM generate_series(91, 94) t, generate_series(1, 2) i;
INSERT INTO lines SELECT t, t * 10 + i, n, 'item ' || n
  FROM generate_series(91, 94) t, generate_series(1, 2) i, generate_series(1, 3) n;
CREATE TABLE snapshot AS
    SELECT 'customers' AS t, tenant_id, md5(string_agg(c::text, '|' ORDER BY id)) AS sum FROM customers c GROUP BY 2
    UNION ALL SELECT 'invoices', tenant_id, md5(string_agg(i::text, '|' ORDER BY id)) FROM invoices i GROUP BY 2
    UNION ALL SELECT 'lines', tenant_id, md5(string_agg(l::text, '|' ORDER BY invoice_id, n)) FROM lines l GROUP BY 2;
CREATE VIEW drift AS
    SELECT s.t, s.tenant_id FROM snapshot s WHERE s.sum IS DISTINCT FROM CASE s.t
        WHEN 'customers' THEN (SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM customers c WHERE c.tenant_id = s.tenant_id)
        WHEN 'invoices' THEN (SELECT md5(string_agg(i::text, '|' ORDER BY id)) FROM invoices i WHERE i.tenant_id = s.tenant_id)
        ELSE (SELECT md5(string_agg(l::text, '|' ORDER BY invoice_id, n)) FROM lines l WHERE l.tenant_id = s.tenant_id) END;

-- The mistake: two tenants deleted (the cascade takes invoices and lines),
-- with the blast-radius limit lifted.
BEGIN;
SET LOCAL tenant_guard.max_tenants_per_statement = 0;
DELETE FROM customers WHERE tenant_id IN (91, 92);
COMMIT;
SELECT * FROM drift ORDER BY 1, 2;

-- Dry run: the exact counts, nothing changed.
SELECT * FROM tenant_guard.undelete('91', dry_run => true);
SELECT count(*) AS tenant_1_rows FROM customers WHERE tenant_id = 91;
SELECT count(*) AS tombstones FROM tenant_guard.tombstones WHERE tenant = '91';

-- Restore tenant 91: parents before children, byte for byte, tenant 92 untouched.
SELECT * FROM tenant_guard.undelete('91');
SELECT * FROM drift ORDER BY 1, 2;
SELECT rel, op, count(*) FROM tenant_guard.change_log WHERE tenant = '91' AND origin = 'undelete' GROUP BY 1, 2 ORDER BY 1;
SELECT count(*) AS tombstones_left FROM tenant_guard.tombstones WHERE tenant = '91';
-- Nothing left to restore: nothing to report.
SELECT * FROM tenant_guard.undelete('91');

-- Only the tables given (children alone would violate the FK: the parent must
-- come back first, whatever order the array has).
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('92', rels => ARRAY['und.invoices']::regclass[])$$);
SELECT * FROM tenant_guard.undelete('92', rels => ARRAY['und.invoices', 'und.customers']::regclass[]);
SELECT * FROM tenant_guard.undelete('92');
SELECT * FROM drift ORDER BY 1, 2;

-- Conflicts: a live row holds the key again.
DELETE FROM customers WHERE tenant_id = 93;
INSERT INTO customers VALUES (93, 93, 'impostor');
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('93')$$) AS conflict;
SELECT * FROM tenant_guard.undelete('93');
SELECT count(*) AS nothing_restored FROM invoices WHERE tenant_id = 93;
-- skip: the rest is restored (under the live key), the conflicting row stays
-- tombstoned.
SELECT * FROM tenant_guard.undelete('93', on_conflict => 'skip');
SELECT rel, pk, row_data->>'name' AS name FROM tenant_guard.tombstones WHERE tenant = '93';
SELECT count(*) AS invoices_back FROM invoices WHERE tenant_id = 93;

-- deleted_after: only rows deleted at or after that moment.
DELETE FROM lines WHERE tenant_id = 94 AND n = 1;
SELECT now() AS cut \gset
SELECT pg_sleep(0.01);
DELETE FROM lines WHERE tenant_id = 94 AND n = 2;
SELECT * FROM tenant_guard.undelete('94', deleted_after => clock_timestamp() - interval '1 minute');
DELETE FROM lines WHERE tenant_id = 94 AND n = 2;
SELECT * FROM tenant_guard.undelete('94', deleted_after => :'cut');
SELECT n, count(*) FROM lines WHERE tenant_id = 94 GROUP BY n ORDER BY n;
SELECT * FROM tenant_guard.undelete('94');

-- The same key deleted twice: the newest image comes back, the older stays.
UPDATE customers SET name = 'first' WHERE id = 94;
DELETE FROM customers WHERE id = 94;
INSERT INTO customers VALUES (94, 94, 'second');
DELETE FROM customers WHERE id = 94;
SELECT * FROM tenant_guard.undelete('94', rels => ARRAY['und.customers']::regclass[]);
SELECT name FROM customers WHERE id = 94;
SELECT row_data->>'name' AS still_tombstoned FROM tenant_guard.tombstones WHERE tenant = '94' AND rel = 'customers'::regclass;

-- Schema changes since the deletion: an added column takes its default, a
-- dropped one is ignored; identity and generated columns work.
CREATE TABLE profiles (tenant_id int NOT NULL, id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                       nick text, legacy text, score int, doubled int GENERATED ALWAYS AS (score * 2) STORED);
SELECT tenant_guard.protect('profiles');
INSERT INTO profiles (tenant_id, nick, legacy, score) VALUES (95, 'neo', 'old', 21), (95, 'trinity', NULL, 4);
DELETE FROM profiles WHERE tenant_id = 95;
ALTER TABLE profiles DROP COLUMN legacy;
ALTER TABLE profiles ADD COLUMN plan text DEFAULT 'free';
SELECT * FROM tenant_guard.undelete('95');
SELECT * FROM profiles ORDER BY id;

-- Identifiers that need quoting, a uuid tenant, a composite text key, more
-- tombstones than one batch, and a column retyped since the deletion.
CREATE SCHEMA "Und Schema";
CREATE TABLE "Und Schema"."Order Items" ("Tenant Id" uuid NOT NULL, "Key" text, n int, "Val""ue" numeric,
                                         PRIMARY KEY ("Key", n));
SELECT tenant_guard.protect('"Und Schema"."Order Items"', 'Tenant Id');
INSERT INTO "Und Schema"."Order Items"
    SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'k''ey ' || g, g, g / 7.0 FROM generate_series(1, 2500) g;
CREATE TABLE items_before AS SELECT md5(string_agg(i::text, ',' ORDER BY n)) AS sum FROM "Und Schema"."Order Items" i;
DELETE FROM "Und Schema"."Order Items";
ALTER TABLE "Und Schema"."Order Items" ALTER COLUMN n TYPE bigint;
SELECT * FROM tenant_guard.undelete('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
SELECT md5(string_agg(i::text, ',' ORDER BY n)) = (SELECT sum FROM items_before) AS identical
  FROM "Und Schema"."Order Items" i;

-- Bad arguments.
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete(NULL)$$) AS null_tenant;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('91', on_conflict => 'overwrite')$$) AS bad_on_conflict;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('91', rels => ARRAY['und.snapshot']::regclass[])$$) AS unprotected_rel;
-- A tenant with no tombstones: nothing to report.
SELECT * FROM tenant_guard.undelete('nobody');

-- An operator granted EXECUTE restores with its own INSERT privilege.
GRANT USAGE ON SCHEMA und TO regress_tg_operator;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_operator;
GRANT EXECUTE ON FUNCTION tenant_guard.undelete(text, regclass[], timestamptz, text, boolean) TO regress_tg_operator;
DELETE FROM customers WHERE tenant_id = 91;
SET ROLE regress_tg_operator;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('91')$$) AS without_insert_privilege;
RESET ROLE;
GRANT SELECT, INSERT ON customers, invoices, lines TO regress_tg_operator;
SET ROLE regress_tg_operator;
SELECT * FROM tenant_guard.undelete('91');
RESET ROLE;
SELECT * FROM drift WHERE tenant_id = 91;

-- A tombstone whose image is gone (here a superuser deleted its deletion's
-- entry in the change log) is refused with XX001 and nothing is restored:
-- before 0.10.0 the backend crashed on it (a NULL image read as a pointer).
CREATE TABLE keepsakes (tenant_id int NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('keepsakes');
INSERT INTO keepsakes VALUES (92, 1, 'one'), (92, 2, 'two');
DELETE FROM keepsakes WHERE tenant_id = 92;
DELETE FROM tenant_guard.change_log_data c USING tenant_guard.tombstone_data t
 WHERE t.tenant = '92' AND t.pk = '{"id": 2}' AND c.xid = t.xid AND c.seq = t.tombstone_id;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('92')$$) AS imageless;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete_row('und.keepsakes', '{"id": 2}')$$) AS imageless_row;
SELECT count(*) AS restored FROM keepsakes;
SELECT * FROM tenant_guard.undelete_row('und.keepsakes', '{"id": 1}');
DELETE FROM tenant_guard.tombstone_data WHERE tenant = '92';
RESET search_path;
