-- A purge erases exactly its token's scope: the tenant matched as an exact
-- value of each table's tenant column (never through its typmod), a tenant
-- not written in the column's own form refused (TG017), and nothing deleted
-- meanwhile outside the scope escapes capture.
CREATE SCHEMA ps;
SET search_path = ps, public;
CREATE TABLE pem (name text PRIMARY KEY, pem text NOT NULL);
INSERT INTO pem VALUES
 ('key', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMf+gRnGUjABwOA2jUdv4tDOYAF/8cdyc2aaR7JmKvz7\n-----END PRIVATE KEY-----\n'),
 ('pub', E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA37vPSanVQGkQ5908jyCG0Fgo5kJH4SdNHdGlUrx4HSo=\n-----END PUBLIC KEY-----\n');
SELECT tenant_guard.add_purge_key('ps-key', (SELECT pem FROM pem WHERE name = 'pub'));
CREATE SEQUENCE jti;
-- A live purge token for one tenant and the given tables.
CREATE FUNCTION token(tenant text, tables text[]) RETURNS text LANGUAGE sql AS $$
    SELECT tenant_guard.sign_token(jsonb_build_object(
        'kid', 'ps-key', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', tenant, 'live', true,
        'tables', to_jsonb(tables), 'max_rows', 1000, 'exp', floor(extract(epoch FROM now()))::bigint + 600,
        'jti', 'ps-' || nextval('ps.jti'), 'reason', 'test'), (SELECT pem FROM ps.pem WHERE name = 'key')) $$;

-- 11. Typmods: a token for 'acme-corp-2' must not reach tenant 'acme' of a
-- varchar(4) column, nor '5.04' the tenant 5.0 of a numeric(4,1) column.
CREATE TABLE short_names (tenant_id varchar(4) NOT NULL, id int PRIMARY KEY);
CREATE TABLE amounts (tenant_id numeric(4,1) NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('short_names'), tenant_guard.protect('amounts');
INSERT INTO short_names VALUES ('acme', 1), ('acme', 2);
INSERT INTO amounts VALUES (5.0, 1), (5.0, 2);
SELECT * FROM tenant_guard.purge(ps.token('acme-corp-2', ARRAY['ps.short_names']));
SELECT * FROM tenant_guard.purge(ps.token('5.04', ARRAY['ps.amounts']));
SELECT (SELECT count(*) FROM short_names) AS acme_rows_kept, (SELECT count(*) FROM amounts) AS five_rows_kept;
-- The exact tenant is purged.
SELECT * FROM tenant_guard.purge(ps.token('acme', ARRAY['ps.short_names']));
SELECT * FROM tenant_guard.purge(ps.token('5.0', ARRAY['ps.amounts']));

-- 12. Spellings that are not the column's own: refused, nothing deleted,
-- the token not consumed.
CREATE TABLE int_tenants (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE uuid_tenants (tenant_id uuid NOT NULL, id int PRIMARY KEY);
CREATE TABLE money_tenants (tenant_id numeric(6,2) NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('int_tenants'), tenant_guard.protect('uuid_tenants'), tenant_guard.protect('money_tenants');
INSERT INTO int_tenants VALUES (1, 1), (1, 2);
INSERT INTO uuid_tenants VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1);
INSERT INTO money_tenants VALUES (5, 1);
DELETE FROM int_tenants WHERE id = 2;
SELECT sqlstate_of(format('SELECT * FROM tenant_guard.purge(%L)', ps.token('01', ARRAY['ps.int_tenants'])))
    AS leading_zero;
SELECT sqlstate_of(format('SELECT * FROM tenant_guard.purge(%L)',
                          ps.token('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', ARRAY['ps.uuid_tenants']))) AS upper_case_uuid;
SELECT sqlstate_of(format('SELECT * FROM tenant_guard.purge(%L)', ps.token('5', ARRAY['ps.money_tenants'])))
    AS unscaled_numeric;
SELECT tenant_guard.purge(ps.token('01', ARRAY['ps.int_tenants']));
SELECT (SELECT count(*) FROM int_tenants) AS int_rows, (SELECT count(*) FROM uuid_tenants) AS uuid_rows,
       (SELECT count(*) FROM money_tenants) AS money_rows,
       (SELECT count(*) FROM tenant_guard.tombstones WHERE rel = 'ps.int_tenants'::regclass) AS int_tombstones;
-- In the canonical form everything of the tenant goes: rows, tombstones, history.
SELECT * FROM tenant_guard.purge(ps.token('1', ARRAY['ps.int_tenants']));
SELECT * FROM tenant_guard.purge(ps.token('5.00', ARRAY['ps.money_tenants']));
SELECT count(*) AS int_history_left FROM tenant_guard.change_log WHERE rel = 'ps.int_tenants'::regclass;

-- 13. While a purge runs, a deletion outside its scope is captured: the
-- table owner's trigger deletes another tenant's row when the purge deletes.
CREATE TABLE orders (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE audit (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('orders'), tenant_guard.protect('audit');
INSERT INTO orders VALUES (7, 1), (8, 2);
INSERT INTO audit VALUES (7, 1), (8, 2), (8, 3);
CREATE FUNCTION ps.sweep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL tenant_guard.max_tenants_per_statement = 0;
    DELETE FROM ps.audit WHERE tenant_id = 8 AND id = 2;  -- another tenant's row
    DELETE FROM ps.orders WHERE tenant_id = 8;            -- and in a table in scope
    RETURN NULL;
END $$;
CREATE TRIGGER sweep AFTER DELETE ON orders FOR EACH STATEMENT WHEN (pg_trigger_depth() < 1)
    EXECUTE FUNCTION ps.sweep();
SELECT * FROM tenant_guard.purge(ps.token('7', ARRAY['ps.orders', 'ps.audit']));
SELECT rel, tenant, pk FROM tenant_guard.tombstones WHERE rel IN ('ps.orders'::regclass, 'ps.audit'::regclass)
 ORDER BY 1, 3;
SELECT count(*) AS tenant_7_history_left FROM tenant_guard.change_log
 WHERE rel IN ('ps.orders'::regclass, 'ps.audit'::regclass) AND tenant = '7';
SELECT * FROM tenant_guard.undelete('8');
SELECT * FROM orders UNION ALL SELECT * FROM audit ORDER BY 1, 2;

-- 13. A tenant column whose = takes other tenants for equal (a
-- nondeterministic collation: 'ACME' = 'acme'): capture keeps them apart by
-- their text, and so does the purge; it erased both (the attacker's report
-- of 0.12.0).
CREATE COLLATION case_blind (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE blind (tenant_id text COLLATE case_blind NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('blind');
INSERT INTO blind VALUES ('acme', 1, 'acme''s row'), ('ACME', 2, 'ACME''s row');
-- tenant_checksum too reads one tenant's rows, not both.
SELECT tenant_guard.tenant_checksum('acme', 'ps.blind') = md5('(acme,1,"acme''s row")') AS checksum_of_acme_alone;
SELECT * FROM tenant_guard.purge(ps.token('acme', ARRAY['ps.blind']));
SELECT * FROM blind ORDER BY id;

-- 14. A live purge whose cascade would reach a protected table outside the
-- scope through an unprotected table is refused too, nothing deleted (the
-- attacker's report of 0.12.0: tenant 99's row went).
CREATE TABLE via_p (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE via_u (id int PRIMARY KEY, pid int REFERENCES via_p ON DELETE CASCADE);
CREATE TABLE via_q (tenant_id int NOT NULL, id int PRIMARY KEY, uid int REFERENCES via_u ON DELETE CASCADE);
SELECT tenant_guard.protect('via_q');
SELECT tenant_guard.protect('via_p');
INSERT INTO via_p VALUES (10, 1);
INSERT INTO via_u VALUES (1, 1);
INSERT INTO via_q VALUES (99, 1, 1);
SELECT sqlstate_of(format('SELECT * FROM tenant_guard.purge(%L)', ps.token('10', ARRAY['ps.via_p']))) AS through_unprotected;
SELECT (SELECT count(*) FROM via_p) AS p_rows, (SELECT count(*) FROM via_u) AS u_rows, (SELECT count(*) FROM via_q) AS q_rows;

-- 15. A row a table owner's trigger inserts while the purge runs is captured
-- and its record stays: the purge erases the history written before it (the
-- attacker's report of 0.12.0: the row stayed, its record went).
CREATE TABLE copies (tenant_id int NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('copies');
CREATE FUNCTION copy_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.id < 1000 THEN INSERT INTO ps.copies VALUES (OLD.tenant_id, OLD.id + 1000, 'copy of ' || OLD.v); END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER copy_on_delete AFTER DELETE ON copies FOR EACH ROW EXECUTE FUNCTION copy_on_delete();
INSERT INTO copies VALUES (12, 1, 'personal data');
SELECT * FROM tenant_guard.purge(ps.token('12', ARRAY['ps.copies']));
SELECT * FROM copies;
SELECT op, pk, new_row ->> 'v' AS v FROM tenant_guard.change_log WHERE rel = 'ps.copies'::regclass ORDER BY seq;
