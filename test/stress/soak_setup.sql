-- Schema, data and helpers of test/stress/soak.sh (psql variable :tenants).
--
-- app: two protected tables, accounts -> orders (ON DELETE CASCADE), keys
-- (tenant_id, id); per tenant, account ids 1-20 and order ids 1-200 are the
-- key space the writers draw from, so keys are deleted, taken again and
-- undeleted all the time. replica: the same tables, unprotected, without
-- foreign keys, rebuilt only from tenant_guard.changes(). soak: the
-- consumer's bookkeeping, saved states at marks, errors caught in wrappers.
CREATE EXTENSION tenant_guard;

CREATE SCHEMA app;
CREATE TABLE app.accounts (
    tenant_id int NOT NULL,
    id        int NOT NULL,
    name      text NOT NULL,
    balance   numeric(12,2) NOT NULL DEFAULT 0,
    version   int NOT NULL DEFAULT 0,
    meta      jsonb,
    PRIMARY KEY (tenant_id, id));
CREATE TABLE app.orders (
    tenant_id  int NOT NULL,
    id         int NOT NULL,
    account_id int NOT NULL,
    amount     numeric(12,2),
    status     text,
    touched    int NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, account_id) REFERENCES app.accounts ON DELETE CASCADE);
CREATE INDEX ON app.orders (tenant_id, account_id);
SELECT tenant_guard.protect('app.orders'), tenant_guard.protect('app.accounts');

CREATE SCHEMA replica;
CREATE TABLE replica.accounts (LIKE app.accounts INCLUDING ALL);
CREATE TABLE replica.orders (LIKE app.orders INCLUDING ALL);

CREATE SCHEMA soak;
CREATE TABLE soak.control (stop boolean NOT NULL);
INSERT INTO soak.control VALUES (false);
-- Every change the consumer received, in the order received.
CREATE TABLE soak.consumed (pos bigserial PRIMARY KEY, seq bigint, xid xid8, rel regclass, op text, pk jsonb);
-- Replays that did not fit the replica (an insert of a key it has, an update
-- or delete of a key it has not).
CREATE TABLE soak.anomalies (seq bigint, rel regclass, op text, pk jsonb, what text);
CREATE TABLE soak.consumer_state (cursor text, polls bigint NOT NULL DEFAULT 0, batches bigint NOT NULL DEFAULT 0);
-- Errors caught in the writers' undelete wrapper (pgbench would abort the
-- client on any error it does not retry).
CREATE TABLE soak.errors (at timestamptz DEFAULT clock_timestamp(), who text, state_code text, message text,
                          detail text, context text);
CREATE TABLE soak.undeletes (at timestamptz DEFAULT clock_timestamp(), tenant int, restored bigint, skipped bigint);
-- A tenant's rows saved in the same snapshot as a mark (REPEATABLE READ).
CREATE TABLE soak.at_mark (mark text, tenant int, rel regclass, row_data jsonb);
-- The server's error log (jsonlog), loaded at the end.
CREATE TABLE soak.log_raw (line text);

INSERT INTO app.accounts (tenant_id, id, name, balance, meta)
SELECT t, a, 'account ' || a, a * 10, jsonb_build_object('plan', (ARRAY['free', 'pro', 'team'])[1 + a % 3])
  FROM generate_series(1, :tenants) t, generate_series(1, 10) a;
INSERT INTO app.orders (tenant_id, id, account_id, amount, status)
SELECT t, o, 1 + o % 10, o * 1.5, 'new'
  FROM generate_series(1, :tenants) t, generate_series(1, 50) o;

-- Undelete for the writers: a refusal is recorded, not raised (pgbench would
-- abort the client), except a deadlock or serialization failure: pgbench
-- retries those, and the server log keeps them with every party's query.
CREATE FUNCTION soak.try_undelete(t int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    r bigint;
    s bigint;
    st text; msg text; det text; ctx text;
BEGIN
    SELECT coalesce(sum(restored), 0), coalesce(sum(skipped), 0) INTO r, s
      FROM tenant_guard.undelete(t::text, on_conflict => 'skip');
    INSERT INTO soak.undeletes (tenant, restored, skipped) VALUES (t, r, s);
EXCEPTION WHEN deadlock_detected OR serialization_failure THEN
    RAISE;
WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL,
                            ctx = PG_EXCEPTION_CONTEXT;
    INSERT INTO soak.errors (who, state_code, message, detail, context) VALUES ('undelete', st, msg, det, ctx);
END $$;

-- The consumer: polls changes(cursor, max_rows) and replays each change into
-- the replica (I inserts new_row, U replaces the row by key, D deletes by
-- key; anything that does not fit is recorded in soak.anomalies), records it
-- in soak.consumed, and commits replica and cursor together; until told to
-- stop and three polls in a row come back empty.
CREATE PROCEDURE soak.consume(max_rows int) LANGUAGE plpgsql AS $$
DECLARE
    cur text := (SELECT cursor FROM soak.consumer_state);
    c record;
    n int;
    k bigint;
    idle int := 0;
BEGIN
    LOOP
        n := 0;
        FOR c IN SELECT * FROM tenant_guard.changes(cur, max_rows) LOOP
            IF c.rel = 'app.accounts'::regclass THEN
                IF c.op IN ('U', 'D') THEN
                    DELETE FROM replica.accounts
                     WHERE tenant_id = (c.pk->>'tenant_id')::int AND id = (c.pk->>'id')::int;
                    GET DIAGNOSTICS k = ROW_COUNT;
                    IF k <> 1 THEN INSERT INTO soak.anomalies VALUES (c.seq, c.rel, c.op, c.pk, 'key not in the replica'); END IF;
                END IF;
                IF c.op IN ('I', 'U') THEN
                    INSERT INTO replica.accounts SELECT * FROM jsonb_populate_record(NULL::replica.accounts, c.new_row)
                        ON CONFLICT DO NOTHING;
                    GET DIAGNOSTICS k = ROW_COUNT;
                    IF k <> 1 THEN INSERT INTO soak.anomalies VALUES (c.seq, c.rel, c.op, c.pk, 'key already in the replica'); END IF;
                END IF;
            ELSIF c.rel = 'app.orders'::regclass THEN
                IF c.op IN ('U', 'D') THEN
                    DELETE FROM replica.orders
                     WHERE tenant_id = (c.pk->>'tenant_id')::int AND id = (c.pk->>'id')::int;
                    GET DIAGNOSTICS k = ROW_COUNT;
                    IF k <> 1 THEN INSERT INTO soak.anomalies VALUES (c.seq, c.rel, c.op, c.pk, 'key not in the replica'); END IF;
                END IF;
                IF c.op IN ('I', 'U') THEN
                    INSERT INTO replica.orders SELECT * FROM jsonb_populate_record(NULL::replica.orders, c.new_row)
                        ON CONFLICT DO NOTHING;
                    GET DIAGNOSTICS k = ROW_COUNT;
                    IF k <> 1 THEN INSERT INTO soak.anomalies VALUES (c.seq, c.rel, c.op, c.pk, 'key already in the replica'); END IF;
                END IF;
            ELSE
                INSERT INTO soak.anomalies VALUES (c.seq, c.rel, c.op, c.pk, 'unknown table');
            END IF;
            INSERT INTO soak.consumed (seq, xid, rel, op, pk) VALUES (c.seq, c.xid, c.rel, c.op, c.pk);
            cur := c.cursor;
            n := n + 1;
        END LOOP;
        UPDATE soak.consumer_state SET cursor = cur, polls = polls + 1, batches = batches + (n > 0)::int;
        COMMIT;
        IF n = 0 THEN
            IF (SELECT stop FROM soak.control) THEN
                idle := idle + 1;
                EXIT WHEN idle >= 3;
            END IF;
            PERFORM pg_sleep(0.05);
        ELSE
            idle := 0;
        END IF;
    END LOOP;
END $$;

-- The live rows of one tenant, as saved in soak.at_mark.
CREATE FUNCTION soak.tenant_rows(t int) RETURNS TABLE (rel regclass, row_data jsonb) LANGUAGE sql STABLE AS $$
    SELECT 'app.accounts'::regclass, to_jsonb(a) FROM app.accounts a WHERE a.tenant_id = t
    UNION ALL
    SELECT 'app.orders'::regclass, to_jsonb(o) FROM app.orders o WHERE o.tenant_id = t
$$;

-- The replica starts as a copy of the tables at the consumer's first cursor
-- (nothing else runs yet).
INSERT INTO replica.accounts SELECT * FROM app.accounts;
INSERT INTO replica.orders SELECT * FROM app.orders;
INSERT INTO soak.consumer_state (cursor) SELECT tenant_guard.current_cursor();
