-- Schema, data and checking functions of test/crash/run.sh.
--
-- app: three protected tables, accounts -> orders -> lines, ON DELETE CASCADE,
-- keys (tenant_id, id); 40 tenants of 100 accounts, 1,000 orders and 4,000
-- lines each (204,000 rows), values of several types and some NULLs.
-- chk: unprotected tables and functions that save and compare states; they
-- read the extension only through its public views.
CREATE EXTENSION tenant_guard;
CREATE EXTENSION amcheck;

CREATE SCHEMA app;
CREATE TABLE app.accounts (
    tenant_id  int NOT NULL,
    id         bigint NOT NULL,
    name       text NOT NULL,
    balance    numeric(12,2),
    tags       text[],
    settings   jsonb,
    created_at timestamptz NOT NULL DEFAULT '2026-01-01',
    PRIMARY KEY (tenant_id, id));
CREATE TABLE app.orders (
    tenant_id  int NOT NULL,
    id         bigint NOT NULL,
    account_id bigint NOT NULL,
    amount     numeric(12,2),
    status     text,
    note       text,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES app.accounts ON DELETE CASCADE);
CREATE INDEX ON app.orders (tenant_id, account_id);
CREATE TABLE app.lines (
    tenant_id int NOT NULL,
    id        bigint NOT NULL,
    order_id  bigint NOT NULL,
    sku       text,
    qty       int,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, order_id) REFERENCES app.orders ON DELETE CASCADE);
CREATE INDEX ON app.lines (tenant_id, order_id);
-- Children first: no protected table ever cascades into an unprotected one.
SELECT tenant_guard.protect('app.lines'), tenant_guard.protect('app.orders'), tenant_guard.protect('app.accounts');

INSERT INTO app.accounts
SELECT t, a, 'account ' || t || '/' || a, (a * 7.31)::numeric(12,2),
       CASE WHEN a % 3 = 0 THEN ARRAY['vip', 'region-' || (t % 5)] END,
       jsonb_build_object('tier', a % 4, 'limits', jsonb_build_array(a, a * 2)),
       timestamptz '2026-01-01' + a * interval '1 minute'
  FROM generate_series(1, 40) t, generate_series(1, 100) a;
INSERT INTO app.orders
SELECT t, a * 100 + o, a, (o * 3.5 + a)::numeric(12,2), (ARRAY['new', 'paid', 'shipped'])[1 + o % 3],
       CASE WHEN o % 2 = 0 THEN 'note ' || repeat('x', o * 3) END
  FROM generate_series(1, 40) t, generate_series(1, 100) a, generate_series(1, 10) o;
INSERT INTO app.lines
SELECT t, (a * 100 + o) * 10 + l, a * 100 + o, 'sku-' || (l * 17 + o), l
  FROM generate_series(1, 40) t, generate_series(1, 100) a, generate_series(1, 10) o, generate_series(1, 4) l;

CREATE SCHEMA chk;
-- Saved states: live rows (kind L) and tombstones (kind T), by label.
CREATE TABLE chk.state (label text, kind "char", rel regclass, tenant int, pk jsonb, row_data jsonb);
CREATE INDEX ON chk.state (label, tenant);

-- The current state of some tenants, live rows and tombstones, keys in the
-- extension's pk form.
CREATE FUNCTION chk.now_state(tenants int[])
RETURNS TABLE (kind "char", rel regclass, tenant int, pk jsonb, row_data jsonb)
LANGUAGE sql STABLE AS $$
    SELECT 'L', 'app.accounts'::regclass, x.tenant_id, jsonb_build_object('tenant_id', x.tenant_id, 'id', x.id), to_jsonb(x)
      FROM app.accounts x WHERE x.tenant_id = ANY (tenants)
    UNION ALL
    SELECT 'L', 'app.orders'::regclass, x.tenant_id, jsonb_build_object('tenant_id', x.tenant_id, 'id', x.id), to_jsonb(x)
      FROM app.orders x WHERE x.tenant_id = ANY (tenants)
    UNION ALL
    SELECT 'L', 'app.lines'::regclass, x.tenant_id, jsonb_build_object('tenant_id', x.tenant_id, 'id', x.id), to_jsonb(x)
      FROM app.lines x WHERE x.tenant_id = ANY (tenants)
    UNION ALL
    SELECT 'T', t.rel, t.tenant::int, t.pk, t.row_data
      FROM tenant_guard.tombstones t WHERE t.tenant = ANY (tenants::text[])
$$;

CREATE FUNCTION chk.take(label text, tenants int[]) RETURNS bigint
LANGUAGE sql AS $$
    DELETE FROM chk.state s WHERE s.label = take.label;
    INSERT INTO chk.state SELECT take.label, n.* FROM chk.now_state(tenants) n;
    SELECT count(*) FROM chk.state s WHERE s.label = take.label;
$$;

-- Do the live rows of these tenants equal exactly those saved under label?
CREATE FUNCTION chk.live_is(label text, tenants int[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT rel, pk, row_data FROM chk.now_state(tenants) WHERE kind = 'L'
                       EXCEPT ALL
                       SELECT rel, pk, row_data FROM chk.state s WHERE s.label = live_is.label AND s.kind = 'L'
                                                                    AND s.tenant = ANY (tenants))
       AND NOT EXISTS (SELECT rel, pk, row_data FROM chk.state s WHERE s.label = live_is.label AND s.kind = 'L'
                                                                    AND s.tenant = ANY (tenants)
                       EXCEPT ALL
                       SELECT rel, pk, row_data FROM chk.now_state(tenants) WHERE kind = 'L')
$$;

-- Do live rows and tombstones of these tenants equal exactly those saved?
CREATE FUNCTION chk.all_is(label text, tenants int[]) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (SELECT kind, rel, pk, row_data FROM chk.now_state(tenants)
                       EXCEPT ALL
                       SELECT kind, rel, pk, row_data FROM chk.state s WHERE s.label = all_is.label
                                                                          AND s.tenant = ANY (tenants))
       AND NOT EXISTS (SELECT kind, rel, pk, row_data FROM chk.state s WHERE s.label = all_is.label
                                                                          AND s.tenant = ANY (tenants)
                       EXCEPT ALL
                       SELECT kind, rel, pk, row_data FROM chk.now_state(tenants))
$$;

-- Which of the saved states the live rows of these tenants are in: the first
-- label that matches, else 'neither'.
CREATE FUNCTION chk.which(tenants int[], VARIADIC labels text[]) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT l FROM unnest(labels) WITH ORDINALITY AS u(l, i) WHERE chk.live_is(l, tenants)
                      ORDER BY i LIMIT 1), 'neither')
$$;

-- Every key that was live or tombstoned under label is now exactly one of
-- them, once; no other key appeared. Returns the counts of violations.
CREATE FUNCTION chk.accounting(label text, tenants int[]) RETURNS text
LANGUAGE sql STABLE AS $$
    WITH before AS (SELECT DISTINCT rel, pk FROM chk.state s WHERE s.label = accounting.label AND s.tenant = ANY (tenants)),
         now AS (SELECT rel, pk, count(*) FILTER (WHERE kind = 'L') AS live, count(*) FILTER (WHERE kind = 'T') AS tomb
                   FROM chk.now_state(tenants) GROUP BY rel, pk)
    SELECT format('lost=%s both=%s duplicate=%s new=%s',
                  count(*) FILTER (WHERE now.pk IS NULL),
                  count(*) FILTER (WHERE now.live > 0 AND now.tomb > 0),
                  count(*) FILTER (WHERE now.live > 1 OR now.tomb > 1),
                  count(*) FILTER (WHERE before.pk IS NULL))
      FROM before FULL JOIN now USING (rel, pk)
$$;

-- Tombstones whose row image differs from the row saved under label.
CREATE FUNCTION chk.tombstones_differ(label text, tenants int[]) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM chk.now_state(tenants) n
     WHERE n.kind = 'T'
       AND NOT EXISTS (SELECT 1 FROM chk.state s WHERE s.label = tombstones_differ.label AND s.kind = 'L'
                          AND s.tenant = n.tenant AND s.rel = n.rel AND s.pk = n.pk AND s.row_data = n.row_data)
$$;

-- The change-log rows of one origin after seq: "rows/transactions".
CREATE FUNCTION chk.log_after(after bigint, origin text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT count(*) || '/' || count(DISTINCT xid) FROM tenant_guard.change_log c
     WHERE c.seq > after AND c.origin = log_after.origin
$$;

-- Tombstones without their deletion in the change log (tombstone_id = seq).
CREATE FUNCTION chk.orphan_tombstones() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM tenant_guard.tombstones t
     WHERE NOT EXISTS (SELECT 1 FROM tenant_guard.change_log c
                        WHERE c.seq = t.tombstone_id AND c.op = 'D' AND c.rel = t.rel AND c.pk = t.pk)
$$;

-- Every btree index of the database agrees with its table (amcheck, all heap
-- tuples indexed): the number of indexes checked.
CREATE FUNCTION chk.indexes() RETURNS bigint
LANGUAGE sql AS $$
    SELECT count(bt_index_check(i.indexrelid, true))
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
     WHERE a.amname = 'btree' AND c.relpersistence <> 't' AND i.indisvalid AND i.indisready
$$;

SELECT chk.take('orig', ARRAY(SELECT generate_series(1, 40)));
