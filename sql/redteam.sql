-- Findings of a red-team pass, each as the table owner (not a superuser):
-- refused, or recorded, and never a privilege gained.
CREATE SCHEMA rt AUTHORIZATION regress_tg_owner;
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_owner;
GRANT EXECUTE ON FUNCTION tenant_guard.protect(regclass, name, text, name) TO regress_tg_owner;
GRANT USAGE ON SCHEMA rt TO PUBLIC;

-- 1. A trigger of the owner that changes a session setting during a DBA's
-- undelete (set_config(..., false)) must not leave it in the DBA's session:
-- there, the owner's function of the same name would run as the DBA.
SET ROLE regress_tg_owner;
CREATE TABLE rt.items (tenant_id int NOT NULL, id int PRIMARY KEY, v text);
SELECT tenant_guard.protect('rt.items');
INSERT INTO rt.items VALUES (7, 1, 'x');
DELETE FROM rt.items WHERE id = 1;
CREATE FUNCTION rt.leak() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.set_config('search_path', 'rt, pg_catalog, public', false);
    PERFORM pg_catalog.set_config('work_mem', '77MB', false);
    RETURN NULL;
END $$;
CREATE TRIGGER leak AFTER INSERT OR UPDATE OR DELETE ON rt.items FOR EACH STATEMENT EXECUTE FUNCTION rt.leak();
RESET ROLE;
SHOW search_path;
SELECT * FROM tenant_guard.undelete('7');
SHOW search_path;
SHOW work_mem;
SELECT tenant_guard.mark('rt-m');
UPDATE rt.items SET v = 'y' WHERE id = 1;  -- the DBA's own statement fires it too (PostgreSQL's rule)
RESET work_mem;
SET search_path = public;
SELECT * FROM tenant_guard.rewind('7', to_mark => 'rt-m');
SHOW search_path;
SHOW work_mem;
RESET work_mem;
SET search_path = public;
DROP TRIGGER leak ON rt.items;

-- 2. Typed tables: ALTER TYPE ... DROP | ALTER ATTRIBUTE ... CASCADE would drop
-- or retype their columns with no record. A protected table cannot become
-- one, and a typed table cannot be protected.
SET ROLE regress_tg_owner;
CREATE TYPE rt.order_t AS (tenant_id int, id int, note text);
SELECT sqlstate_of($$ALTER TABLE rt.items OF rt.order_t$$) AS protected_becomes_typed;
CREATE TABLE rt.typed OF rt.order_t (PRIMARY KEY (id), tenant_id WITH OPTIONS NOT NULL);
SELECT sqlstate_of($$SELECT tenant_guard.protect('rt.typed')$$) AS protect_typed;
-- 6. Composite column types: their attributes cannot be dropped, retyped or
-- renamed while a protected table holds values of them (a renamed attribute
-- would come back NULL from an older image).
CREATE TYPE rt.addr AS (street text, city text);
CREATE TABLE rt.cust (tenant_id int NOT NULL, id int PRIMARY KEY, a rt.addr, old_a rt.addr[]);
SELECT tenant_guard.protect('rt.cust');
SELECT sqlstate_of($$ALTER TYPE rt.addr RENAME ATTRIBUTE street TO line1$$) AS rename_attribute;
SELECT sqlstate_of($$ALTER TYPE rt.addr DROP ATTRIBUTE city CASCADE$$) AS drop_attribute;
SELECT sqlstate_of($$ALTER TYPE rt.addr ALTER ATTRIBUTE city TYPE varchar(3) CASCADE$$) AS retype_attribute;
-- Adding an attribute changes no value of a column (the new one is NULL
-- in rows and images alike), but the text of every value: a tenant column's
-- rows would all move to another tenant, '(1)' becoming '(1,)' (the
-- attacker's report of the 0.11.0 release), also through an array of it.
ALTER TYPE rt.addr ADD ATTRIBUTE zip text;
CREATE TYPE rt.org_t AS (org int);
CREATE TABLE rt.docs (tenant_id rt.org_t NOT NULL, id int PRIMARY KEY);
CREATE TYPE rt.orgs_t AS (orgs rt.org_t[]);
CREATE TABLE rt.docs2 (tenant_id rt.orgs_t NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('rt.docs'), tenant_guard.protect('rt.docs2');
SELECT sqlstate_of($$ALTER TYPE rt.org_t ADD ATTRIBUTE region int$$) AS add_attribute_to_tenant_type,
       sqlstate_of($$ALTER TYPE rt.orgs_t ADD ATTRIBUTE region int$$) AS add_attribute_to_outer_tenant_type;
-- A composite no protected table uses stays the owner's to change.
CREATE TYPE rt.free AS (x int, y int);
ALTER TYPE rt.free RENAME ATTRIBUTE x TO z;
-- A table's row type is a composite too: ALTER TABLE of a table whose row
-- type a protected column holds is refused as ALTER TYPE is (the attacker's
-- report of 0.12.0: ADD COLUMN re-keyed the tenants, RENAME and DROP COLUMN
-- lost a deleted row's values); ADD COLUMN where no tenant column holds it
-- is fine.
CREATE TABLE rt.tkey (code int);
CREATE TABLE rt.by_row (tenant_id rt.tkey NOT NULL, id int PRIMARY KEY);
CREATE TABLE rt.addr_t (street text, city text);
CREATE TABLE rt.cust2 (tenant_id int NOT NULL, id int PRIMARY KEY, a rt.addr_t);
SELECT tenant_guard.protect('rt.by_row'), tenant_guard.protect('rt.cust2');
SELECT sqlstate_of($$ALTER TABLE rt.tkey ADD COLUMN x int$$) AS add_column_to_tenant_row_type,
       sqlstate_of($$ALTER TABLE rt.addr_t RENAME COLUMN street TO line1$$) AS rename_column,
       sqlstate_of($$ALTER TABLE rt.addr_t DROP COLUMN city$$) AS drop_column,
       sqlstate_of($$ALTER TABLE rt.addr_t ALTER COLUMN city TYPE varchar(3)$$) AS retype_column;
ALTER TABLE rt.addr_t ADD COLUMN zip text;
ALTER TABLE rt.tkey RENAME TO tkey2;
-- A view's row type too: CREATE OR REPLACE VIEW may add columns.
CREATE VIEW rt.vkey AS SELECT 1::int AS code;
CREATE TABLE rt.by_view (tenant_id rt.vkey NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('rt.by_view');
SELECT sqlstate_of($$CREATE OR REPLACE VIEW rt.vkey AS SELECT 1::int AS code, 2::int AS extra$$) AS replace_tenant_view;
SELECT sqlstate_of($$ALTER VIEW rt.vkey RENAME COLUMN code TO org$$) AS rename_tenant_view_column;
-- Through a parent: ALTER TABLE of a partitioned or inheritance parent
-- changes its partitions' and children's row types too.
CREATE TABLE rt.par (k int) PARTITION BY LIST (k);
CREATE TABLE rt.par_1 PARTITION OF rt.par FOR VALUES IN (1);
CREATE TABLE rt.by_partition (tenant_id rt.par_1 NOT NULL, id int PRIMARY KEY);
CREATE TABLE rt.iparent (k int);
CREATE TABLE rt.ichild () INHERITS (rt.iparent);
CREATE TABLE rt.by_child (tenant_id int NOT NULL, id int PRIMARY KEY, c rt.ichild);
SELECT tenant_guard.protect('rt.by_partition'), tenant_guard.protect('rt.by_child');
SELECT sqlstate_of($$ALTER TABLE rt.par ADD COLUMN z int$$) AS add_column_to_parent,
       sqlstate_of($$ALTER TABLE rt.iparent DROP COLUMN k$$) AS drop_column_of_parent,
       sqlstate_of($$ALTER TABLE rt.iparent RENAME COLUMN k TO kk$$) AS rename_column_of_parent;
-- Names that change with renames nobody records cannot tell tenants or rows
-- apart: regclass, regnamespace ... as the tenant or in the key, however
-- deep (the attacker's report of 0.12.0: a purge for one schema-named tenant
-- erased another's rows once the owner swapped the schemas' names).
CREATE TABLE rt.by_regclass (tenant_id regclass NOT NULL, id int PRIMARY KEY);
CREATE TABLE rt.by_regns_key (tenant_id int NOT NULL, ns regnamespace[], PRIMARY KEY (tenant_id, ns));
CREATE DOMAIN rt.schema_ref AS regnamespace;
CREATE TYPE rt.ref_pair AS (a int, b rt.schema_ref);
CREATE TABLE rt.by_nested (tenant_id rt.ref_pair NOT NULL, id int PRIMARY KEY);
SELECT sqlstate_of($$SELECT tenant_guard.protect('rt.by_regclass')$$) AS regclass_tenant,
       sqlstate_of($$SELECT tenant_guard.protect('rt.by_regns_key')$$) AS regnamespace_key,
       sqlstate_of($$SELECT tenant_guard.protect('rt.by_nested')$$) AS nested_regnamespace_tenant;
-- Nor can a tenant whose text follows the writing session's settings
-- (timestamptz: TimeZone; money: lc_monetary), however deep (the attacker's
-- report of 0.13.0: rows written in two time zones were two tenants, and a
-- purge of one left the other's history); in the key they are allowed.
CREATE DOMAIN rt.moment AS timestamptz;
CREATE TABLE rt.by_moment (tenant_id timestamptz NOT NULL, id int PRIMARY KEY);
CREATE TABLE rt.by_moment_range (tenant_id tstzrange NOT NULL, id int PRIMARY KEY);
CREATE TABLE rt.by_moments (tenant_id rt.moment[] NOT NULL, id int PRIMARY KEY);
CREATE TABLE rt.by_money (tenant_id money NOT NULL, id int PRIMARY KEY);
CREATE TABLE rt.moment_key (tenant_id int NOT NULL, at timestamptz, PRIMARY KEY (tenant_id, at));
-- aclitem names roles: a rename moved a tenant's tombstones to another
-- (the attacker's report of 0.13.0); refused like the reg* types.
CREATE TABLE rt.by_aclitem (tenant_id aclitem NOT NULL, id int PRIMARY KEY);
SELECT sqlstate_of($$SELECT tenant_guard.protect('rt.by_moment')$$) AS timestamptz_tenant,
       sqlstate_of($$SELECT tenant_guard.protect('rt.by_moment_range')$$) AS tstzrange_tenant,
       sqlstate_of($$SELECT tenant_guard.protect('rt.by_moments')$$) AS timestamptz_domain_array_tenant,
       sqlstate_of($$SELECT tenant_guard.protect('rt.by_money')$$) AS money_tenant,
       sqlstate_of($$SELECT tenant_guard.protect('rt.moment_key')$$) AS timestamptz_key,
       sqlstate_of($$SELECT tenant_guard.protect('rt.by_aclitem')$$) AS aclitem_tenant;
RESET ROLE;

-- 3. FORCE ROW LEVEL SECURITY would hide rows from what tenant_guard does as
-- the table's owner through SQL: undelete (and rewind, live purge) are
-- refused then. DROP COLUMN reads the table itself (not through SQL), so it
-- records every row, also the ones a policy hides from the owner.
SET ROLE regress_tg_owner;
CREATE TABLE rt.notes (tenant_id int NOT NULL, id int PRIMARY KEY, body text);
SELECT tenant_guard.protect('rt.notes');
INSERT INTO rt.notes VALUES (7, 1, 'secret A'), (7, 2, 'secret B'), (8, 3, 'visible');
ALTER TABLE rt.notes ENABLE ROW LEVEL SECURITY;
ALTER TABLE rt.notes FORCE ROW LEVEL SECURITY;
CREATE POLICY only_8 ON rt.notes USING (tenant_id = 8);
ALTER TABLE rt.notes DROP COLUMN body;
RESET ROLE;
SELECT count(*) AS every_row_recorded FROM tenant_guard.change_log
 WHERE rel = 'rt.notes'::regclass AND op = 'U' AND old_row ? 'body';
DELETE FROM rt.notes WHERE id = 1;
SELECT sqlstate_of($$SELECT * FROM tenant_guard.undelete('7', ARRAY['rt.notes'::regclass])$$) AS undelete_under_forced_rls;
SET ROLE regress_tg_owner;
ALTER TABLE rt.notes NO FORCE ROW LEVEL SECURITY;
RESET ROLE;
SELECT * FROM tenant_guard.undelete('7', ARRAY['rt.notes'::regclass]);

-- 4. CREATE SCHEMA ... CREATE TABLE ... PARTITION OF a protected table: the
-- partition gets the triggers; ... INHERITS (a protected table): refused.
SET ROLE regress_tg_owner;
CREATE TABLE rt.events (tenant_id int NOT NULL, id int, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
CREATE TABLE rt.events_1 PARTITION OF rt.events FOR VALUES IN (1);
SELECT tenant_guard.protect('rt.events');
RESET ROLE;
DO $$ BEGIN EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_tg_owner', current_database()); END $$;
SET ROLE regress_tg_owner;
CREATE SCHEMA rt_more CREATE TABLE events_2 PARTITION OF rt.events FOR VALUES IN (2);
SELECT string_agg(tgname::text || ':' || tgenabled::text, ',' ORDER BY tgname) AS partition_triggers
  FROM pg_trigger WHERE tgrelid = 'rt_more.events_2'::regclass;
SELECT sqlstate_of($$CREATE SCHEMA rt_kid CREATE TABLE kid () INHERITS (rt.items)$$) AS schema_element_inherits;
SELECT sqlstate_of($$TRUNCATE rt_more.events_2$$) AS truncate_schema_element_partition;
RESET ROLE;
DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_tg_owner', current_database()); END $$;

-- 5. Type changes that read values otherwise are recorded first (and the
-- records converted with every image: the old value under "<name>#<old type>").
SET ROLE regress_tg_owner;
CREATE TABLE rt.k (tenant_id int NOT NULL, id int PRIMARY KEY, code text, n int);
SELECT tenant_guard.protect('rt.k');
INSERT INTO rt.k VALUES (7, 1, 'ab      ', -5);
ALTER TABLE rt.k ALTER COLUMN code TYPE varchar(2);
ALTER TABLE rt.k ALTER COLUMN n TYPE oid;
RESET ROLE;
SELECT (SELECT jsonb_object_agg(k, c.old_row -> k) FROM jsonb_object_keys(c.old_row) AS k WHERE NOT c.new_row ? k)
       AS recorded_old_values
  FROM tenant_guard.change_log c WHERE c.rel = 'rt.k'::regclass AND c.op = 'U' ORDER BY c.seq;

-- An enum array as the tenant type: renaming a value is refused too.
SET ROLE regress_tg_owner;
CREATE TYPE rt.region AS ENUM ('eu', 'us');
CREATE TABLE rt.by_region (tenant_id rt.region[] NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('rt.by_region');
SELECT sqlstate_of($$ALTER TYPE rt.region RENAME VALUE 'eu' TO 'apac'$$) AS rename_enum_array_value;
RESET ROLE;
SELECT rolname, rolsuper FROM pg_roles WHERE rolname = 'regress_tg_owner';

-- Second pass.
-- Renaming a value of an enum any column of a protected table holds: refused
-- (its rows would change value with no record).
SET ROLE regress_tg_owner;
CREATE TYPE rt.status AS ENUM ('open', 'closed');
CREATE TABLE rt.tickets (tenant_id int NOT NULL, id int PRIMARY KEY, st rt.status);
SELECT tenant_guard.protect('rt.tickets');
SELECT sqlstate_of($$ALTER TYPE rt.status RENAME VALUE 'open' TO 'archived'$$) AS rename_value_of_column_enum;
-- Composite types however deep: inside another composite, in an array of a
-- domain over it.
CREATE TYPE rt.inner_t AS (secret text, n int);
CREATE TYPE rt.outer_t AS (i rt.inner_t);
CREATE DOMAIN rt.inner_d AS rt.inner_t;
CREATE TABLE rt.nested (tenant_id int NOT NULL, id int PRIMARY KEY, o rt.outer_t, a rt.inner_d[]);
SELECT tenant_guard.protect('rt.nested');
SELECT sqlstate_of($$ALTER TYPE rt.inner_t DROP ATTRIBUTE secret$$) AS drop_attribute_of_nested_type;
SELECT sqlstate_of($$ALTER TYPE rt.inner_t RENAME ATTRIBUTE n TO m$$) AS rename_attribute_of_nested_type;
-- A renamed column keeps its values: swapped names, and a rename, come back
-- right from undelete and from rewind.
CREATE TABLE rt.swap (tenant_id int NOT NULL, id int PRIMARY KEY, a text, b text, c text);
SELECT tenant_guard.protect('rt.swap');
INSERT INTO rt.swap VALUES (3, 1, 'value-of-a', 'value-of-b', 'value-of-c'), (3, 2, 'a2', 'b2', 'c2');
RESET ROLE;
SELECT tenant_guard.mark('rt-swap');
SET ROLE regress_tg_owner;
DELETE FROM rt.swap WHERE id = 1;
UPDATE rt.swap SET a = 'changed' WHERE id = 2;
ALTER TABLE rt.swap RENAME COLUMN a TO tmp;
ALTER TABLE rt.swap RENAME COLUMN b TO a;
ALTER TABLE rt.swap RENAME COLUMN tmp TO b;
ALTER TABLE rt.swap RENAME COLUMN c TO c2;
RESET ROLE;
SELECT * FROM tenant_guard.undelete('3', ARRAY['rt.swap'::regclass]);
SELECT * FROM rt.swap ORDER BY id;
SELECT * FROM tenant_guard.rewind('3', to_mark => 'rt-swap');
SELECT * FROM rt.swap ORDER BY id;
SELECT pk, old_row ->> 'b' AS old_b FROM tenant_guard.change_log
 WHERE rel = 'rt.swap'::regclass AND op = 'U' ORDER BY seq LIMIT 1;
-- A dropped column's value never comes back into a new column of that name.
SET ROLE regress_tg_owner;
CREATE TABLE rt.gone (tenant_id int NOT NULL, id int PRIMARY KEY, note text);
SELECT tenant_guard.protect('rt.gone');
INSERT INTO rt.gone VALUES (7, 1, 'old-private-note');
DELETE FROM rt.gone WHERE id = 1;
ALTER TABLE rt.gone DROP COLUMN note;
ALTER TABLE rt.gone ADD COLUMN note text DEFAULT 'new';
RESET ROLE;
SELECT * FROM tenant_guard.undelete('7', ARRAY['rt.gone'::regclass]);
SELECT * FROM rt.gone;
SELECT row_data FROM tenant_guard.tombstones WHERE rel = 'rt.gone'::regclass;
SELECT old_row FROM tenant_guard.change_log WHERE rel = 'rt.gone'::regclass AND op = 'D';
