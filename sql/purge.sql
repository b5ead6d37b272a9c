-- Signed purge and unprotect: keys, tokens (every refusal with its SQLSTATE,
-- in the documented order, and nothing changed by a refusal), dry run, tenant
-- purge, subject erasure, max_rows, receipts, unprotect, privileges.
-- Messages carry times and ids that change between runs: refusals show the
-- SQLSTATE only.
CREATE SCHEMA purgetest;
SET search_path = purgetest, public;

-- Test keys (openssl genpkey -algorithm ed25519 / pkey -pubout), and two
-- public keys that are not Ed25519 (X25519, P-256).
CREATE TABLE pem (name text PRIMARY KEY, pem text NOT NULL);
INSERT INTO pem VALUES
 ('key1', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMf+gRnGUjABwOA2jUdv4tDOYAF/8cdyc2aaR7JmKvz7\n-----END PRIVATE KEY-----\n'),
 ('key1.pub', E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA37vPSanVQGkQ5908jyCG0Fgo5kJH4SdNHdGlUrx4HSo=\n-----END PUBLIC KEY-----\n'),
 ('key2', E'-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIHWX0FB313+VoBmQaHUJL8+UdZtTLx4NtLW8PFIm9AEo\n-----END PRIVATE KEY-----\n'),
 ('key2.pub', E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA8mdnjUxwjUJAHY31Slx01AjclzrrDqlmffdZOKlxEFY=\n-----END PUBLIC KEY-----\n'),
 ('x25519.pub', E'-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEA0ZaDok5S2Jqbj1ISEBdGxh83Y7QU2Sk7LvtpqaGjc1U=\n-----END PUBLIC KEY-----\n'),
 ('p256.pub', E'-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECBLUmDfmTglM6N3kE0C83ycy4txn\n4ZS9t7QnLMBA7X09pX5VOn3vWwnXs3wQV38gXzqzKcHUavr4IHAwRlHOOQ==\n-----END PUBLIC KEY-----\n');
CREATE FUNCTION key(n text) RETURNS text LANGUAGE sql AS $$ SELECT pem FROM purgetest.pem WHERE name = n $$;

-- Helpers: a valid base claim set (tenant 501, both tables, 10 minutes) with
-- claims added or dropped; signing; the SQLSTATE of a purge / unprotect.
CREATE SEQUENCE jti_seq;
CREATE FUNCTION now_s() RETURNS bigint LANGUAGE sql AS $$ SELECT floor(extract(epoch FROM now()))::bigint $$;
CREATE FUNCTION claims(extra jsonb DEFAULT '{}', drop text[] DEFAULT '{}') RETURNS jsonb LANGUAGE sql AS $$
    SELECT (jsonb_build_object('kid', 'key1', 'act', 'purge', 'db', tenant_guard.database_id(), 'tenant', '501',
                               'tables', jsonb_build_array('purgetest.accounts', 'purgetest.contacts'),
                               'max_rows', 100, 'iat', purgetest.now_s(), 'exp', purgetest.now_s() + 600,
                               'jti', 'purgetest-' || nextval('purgetest.jti_seq'), 'reason', 'GDPR request 42')
            || extra) - drop $$;
CREATE FUNCTION token(claims jsonb, signer text DEFAULT 'key1') RETURNS text LANGUAGE sql AS
    $$ SELECT tenant_guard.sign_token(claims, purgetest.key(signer)) $$;
CREATE FUNCTION try_purge(token text, dry boolean DEFAULT false) RETURNS text LANGUAGE sql AS
    $$ SELECT split_part(sqlstate_of(format('SELECT * FROM tenant_guard.purge(%L, %L)', token, dry)), ':', 1) $$;
CREATE FUNCTION try_unprotect(rel text, token text) RETURNS text LANGUAGE sql AS
    $$ SELECT split_part(sqlstate_of(format('SELECT tenant_guard.unprotect(%L, %L)', rel, token)), ':', 1) $$;
-- The same token with the first character of its signature changed.
CREATE FUNCTION tamper(t text) RETURNS text LANGUAGE sql AS $$
    SELECT split_part(t, '.', 1) || '.' || split_part(t, '.', 2) || '.'
           || CASE WHEN split_part(t, '.', 3) LIKE 'A%' THEN 'B' ELSE 'A' END || substr(split_part(t, '.', 3), 2) $$;
CREATE FUNCTION b64u(s text) RETURNS text LANGUAGE sql AS
    $$ SELECT rtrim(translate(encode(convert_to(s, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') $$;
CREATE FUNCTION payload(token text) RETURNS jsonb LANGUAGE sql AS $$
    SELECT convert_from(decode(rpad(translate(split_part(token, '.', 2), '-_', '+/'),
                                    (length(split_part(token, '.', 2)) + 3) / 4 * 4, '='), 'base64'), 'UTF8')::jsonb $$;

-- Data: 3 tenants; per tenant one account deleted (its 2 contacts go by
-- cascade), one contact deleted, one account renamed. A uuid-tenant table is
-- in the default scope too; plain is not protected.
CREATE TABLE accounts (tenant_id int NOT NULL, id int PRIMARY KEY, name text);
CREATE TABLE contacts (tenant_id int NOT NULL, id int PRIMARY KEY,
                       account_id int REFERENCES accounts ON DELETE CASCADE, email text);
CREATE TABLE devices (tenant uuid NOT NULL, id int PRIMARY KEY);
CREATE TABLE plain (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('contacts');
SELECT tenant_guard.protect('accounts');
SELECT tenant_guard.protect('devices', 'tenant');
INSERT INTO accounts SELECT t, (t - 500) * 10 + i, 'account ' || ((t - 500) * 10 + i)
  FROM generate_series(501, 503) t, generate_series(1, 3) i;
INSERT INTO contacts SELECT tenant_id, id * 10 + c, id, 'c' || (id * 10 + c) || '@t' || tenant_id || '.example'
  FROM accounts, generate_series(1, 2) c;
INSERT INTO devices VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1);
DO $$ BEGIN FOR t IN 1..3 LOOP
    DELETE FROM accounts WHERE id = t * 10 + 3;
    DELETE FROM contacts WHERE id = t * 100 + 11;
    UPDATE accounts SET name = name || ' renamed' WHERE id = t * 10 + 1;
END LOOP; END $$;
-- Per tenant: live rows, tombstones, change-log rows, and a fingerprint of all three.
CREATE VIEW state AS
SELECT t.tenant,
       (SELECT count(*) FROM accounts WHERE tenant_id::text = t.tenant) AS accounts,
       (SELECT count(*) FROM contacts WHERE tenant_id::text = t.tenant) AS contacts,
       (SELECT count(*) FROM tenant_guard.tombstones WHERE tenant = t.tenant AND rel IN ('accounts'::regclass, 'contacts'::regclass)) AS tombstones,
       (SELECT count(*) FROM tenant_guard.change_log WHERE tenant = t.tenant AND rel IN ('accounts'::regclass, 'contacts'::regclass)) AS history,
       md5(concat((SELECT string_agg(a::text, ',' ORDER BY id) FROM accounts a WHERE tenant_id::text = t.tenant),
                  (SELECT string_agg(c::text, ',' ORDER BY id) FROM contacts c WHERE tenant_id::text = t.tenant),
                  (SELECT string_agg(concat_ws(' ', rel, pk, row_data), ',' ORDER BY tombstone_id) FROM tenant_guard.tombstones
                    WHERE tenant = t.tenant AND rel IN ('accounts'::regclass, 'contacts'::regclass)),
                  (SELECT string_agg(concat_ws(' ', rel, op, pk, old_row, new_row), ',' ORDER BY seq) FROM tenant_guard.change_log
                    WHERE tenant = t.tenant AND rel IN ('accounts'::regclass, 'contacts'::regclass)))) AS fingerprint
  FROM (VALUES ('501'), ('502'), ('503')) t(tenant);
SELECT tenant, accounts, contacts, tombstones, history FROM state ORDER BY 1;
CREATE TABLE before AS SELECT * FROM state;

-- Keys: add, refusals (not PEM, not Ed25519, a private key, duplicate id,
-- empty id), revoke (twice is a no-op; unknown key), the view.
SELECT tenant_guard.add_purge_key('key1', key('key1.pub'));
SELECT tenant_guard.add_purge_key('key2', key('key2.pub'));
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('k3', 'not a key')$$) AS not_pem;
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('k3', purgetest.key('x25519.pub'))$$) AS x25519;
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('k3', purgetest.key('p256.pub'))$$) AS p256;
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('k3', purgetest.key('key1'))$$) AS private_key;
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('key1', purgetest.key('key2.pub'))$$) AS duplicate;
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('', purgetest.key('key2.pub'))$$) AS empty_id;
SELECT tenant_guard.revoke_purge_key('key2');
SELECT sqlstate_of($$SELECT tenant_guard.revoke_purge_key('key2')$$) AS revoke_twice;
SELECT sqlstate_of($$SELECT tenant_guard.revoke_purge_key('nobody')$$) AS revoke_unknown;
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('key2', purgetest.key('key2.pub'))$$) AS readd_revoked;
SELECT key_id, public_key = key(key_id || '.pub') AS same_pem, added_at IS NOT NULL AS added_at,
       added_by = current_user AS added_by_me, revoked_at IS NOT NULL AS revoked
  FROM tenant_guard.purge_keys ORDER BY key_id;

-- database_id(), and the token format: tg1.<claims>.<64-byte signature>.
SELECT tenant_guard.database_id() = (SELECT system_identifier FROM pg_control_system()) || '/' || current_database() AS database_id;
SELECT t ~ '^tg1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$' AS shape, payload(t) = c AS payload_is_claims
  FROM (SELECT c, token(c) AS t FROM claims() c) x;
SELECT sqlstate_of($$SELECT tenant_guard.sign_token('{}', 'not a key')$$) AS bad_private_key;
SELECT sqlstate_of($$SELECT tenant_guard.sign_token('{}', purgetest.key('key1.pub'))$$) AS public_as_private;
-- A token signed by openssl (pkeyutl -sign -rawin) passes the signature check
-- and stops at expiry (exp 1000); the same signature over another payload does not.
SELECT 'tg1.eyJraWQiOiJrZXkxIiwiYWN0IjoicHVyZ2UiLCJkYiI6IngveSIsInRlbmFudCI6IjUwMSIsIm1heF9yb3dzIjoxLCJleHAiOjEwMDAsImp0aSI6InB1cmdldGVzdC1leHRlcm5hbCIsInJlYXNvbiI6InNpZ25lZCBieSBvcGVuc3NsIn0.d4v8eLmDL9JNXgF_54Fb3QFGCdwKyWrnLCNBkgWo9Zc_w_ZWcK9cV-ppJ8NjHXsppDNL3Gs96h5Vl66O0WrIDA' AS ext \gset
SELECT try_purge(:'ext') AS openssl_signed,
       try_purge('tg1.' || b64u('{"kid":"key1","act":"purge","db":"x/y","tenant":"501","max_rows":1,"exp":999,"jti":"purgetest-external","reason":"signed by openssl"}')
                 || '.' || split_part(:'ext', '.', 3)) AS payload_changed;

-- TG010: malformed tokens.
SELECT token(claims()) AS good \gset
SELECT c AS malformed, try_purge(t) FROM (VALUES
    ('empty', ''), ('garbage', 'garbage'), ('version', 'tg2' || substr(:'good', 4)),
    ('two parts', split_part(:'good', '.', 1) || '.' || split_part(:'good', '.', 2)),
    ('four parts', :'good' || '.AAAA'),
    ('bad base64url', 'tg1.@@@@.' || split_part(:'good', '.', 3)),
    ('not json', 'tg1.' || b64u('not json') || '.' || split_part(:'good', '.', 3)),
    ('claims array', 'tg1.' || b64u('[1, 2]') || '.' || split_part(:'good', '.', 3)),
    ('claims string', 'tg1.' || b64u('"claims"') || '.' || split_part(:'good', '.', 3))) v(c, t);
-- TG010: signed, but the claims are wrong.
SELECT c AS bad_claims, try_purge(token(x)) FROM (VALUES
    ('exp string', claims(jsonb_build_object('exp', (now_s() + 600)::text))),
    ('exp float', claims(jsonb_build_object('exp', now_s() + 600.5))),
    ('exp null', claims('{"exp": null}')),
    ('max_rows string', claims('{"max_rows": "100"}')),
    ('kid number', claims('{"kid": 1}')),
    ('live string', claims('{"live": "yes"}')),
    ('tables string', claims('{"tables": "purgetest.accounts"}')),
    ('unknown claim', claims('{"colour": "red"}')),
    ('empty reason', claims('{"reason": ""}')),
    ('act delete', claims('{"act": "delete"}')),
    ('nbf = exp', claims(jsonb_build_object('nbf', now_s() + 600))),
    ('nbf > exp', claims(jsonb_build_object('nbf', now_s() + 700)))) v(c, x);
SELECT c AS missing, try_purge(token(claims(drop => ARRAY[c])))
  FROM unnest(ARRAY['kid', 'act', 'db', 'exp', 'jti', 'reason', 'max_rows']) c;
-- TG017 from the claims' shape.
SELECT c AS bad_shape, try_purge(token(x)) FROM (VALUES
    ('no tenant', claims(drop => ARRAY['tenant'])),
    ('tables []', claims('{"tables": []}')),
    ('rows []', claims('{"rows": []}'))) v(c, x);
-- TG012 unknown or revoked key; TG011 bad signature.
SELECT try_purge(token(claims('{"kid": "nobody"}'))) AS unknown_key,
       try_purge(token(claims('{"kid": "key2"}'), 'key2')) AS revoked_key,
       try_purge(token(claims('{"jti": "purgetest-r011"}'), 'key2')) AS other_key,
       try_purge(split_part(:'good', '.', 1) || '.' || split_part(token(claims('{"tenant": "502"}')), '.', 2)
                 || '.' || split_part(:'good', '.', 3)) AS tampered_payload,
       try_purge(tamper(:'good')) AS tampered_signature;
-- TG013: expired (exp <= now), not yet valid, lifetime over max_token_lifetime
-- (exp - min(iat, now)); the boundaries pass (dry runs).
SELECT c AS time, try_purge(token(x)) FROM (VALUES
    ('expired', claims(jsonb_build_object('iat', now_s() - 660, 'exp', now_s() - 60, 'jti', 'purgetest-r013'))),
    ('exp = now', claims(jsonb_build_object('iat', now_s() - 600, 'exp', now_s()))),
    ('nbf future', claims(jsonb_build_object('nbf', now_s() + 300))),
    ('lifetime 1d+1s', claims(jsonb_build_object('exp', now_s() + 86401))),
    ('old iat', claims(jsonb_build_object('iat', now_s() - 86400))),
    ('no iat, 1d+2s', claims(jsonb_build_object('exp', now_s() + 86402), ARRAY['iat']))) v(c, x);
SELECT try_purge(token(claims(jsonb_build_object('exp', now_s() + 86400))), dry => true) AS lifetime_1d,
       try_purge(token(claims(jsonb_build_object('nbf', now_s()))), dry => true) AS nbf_now;
SHOW tenant_guard.max_token_lifetime;
SET tenant_guard.max_token_lifetime = '2h';
SELECT try_purge(token(claims(jsonb_build_object('exp', now_s() + 3 * 3600))), dry => true) AS three_hours,
       try_purge(token(claims(jsonb_build_object('exp', now_s() + 3600))), dry => true) AS one_hour;
RESET tenant_guard.max_token_lifetime;
-- TG015 another database (another cluster; another database of this cluster).
SELECT try_purge(token(claims('{"db": "6000000000000000000/other", "jti": "purgetest-r015"}'))) AS other_cluster,
       try_purge(token(claims(jsonb_build_object('db', split_part(tenant_guard.database_id(), '/', 1) || '/template1')))) AS other_db;
-- TG017 scope: a table not protected or missing, an unprotect token, a rows
-- entry that is not a primary key of a table in scope.
SELECT c AS bad_scope, try_purge(token(x)) FROM (VALUES
    ('missing table', claims('{"tables": ["purgetest.nope"], "jti": "purgetest-r017"}')),
    ('not protected', claims('{"tables": ["purgetest.plain"]}')),
    ('unprotect token', claims('{"act": "unprotect", "tables": ["purgetest.accounts"]}', ARRAY['tenant'])),
    ('rows not pk', claims('{"rows": [{"email": "c121@t501.example"}]}')),
    ('rows pk + more', claims('{"rows": [{"id": 12, "tenant_id": 501}]}')),
    ('rows null key', claims('{"rows": [{"id": null}]}'))) v(c, x);
-- TG016: 4 tombstones in scope (9 rows with live ones); exactly max_rows passes.
SELECT try_purge(token(claims('{"max_rows": 3, "jti": "purgetest-r016"}'))) AS tombstones_over,
       try_purge(token(claims('{"max_rows": 8, "live": true}'))) AS live_over,
       try_purge(token(claims('{"max_rows": 4}')), dry => true) AS tombstones_exact,
       try_purge(token(claims('{"max_rows": 9, "live": true}')), dry => true) AS live_exact;
-- The order of the checks, when several fail.
SELECT try_purge(token(claims('{"kid": "nobody", "colour": "red"}'))) AS claims_before_key,
       try_purge(token(claims('{"kid": "nobody"}', ARRAY['tenant']))) AS shape_before_key,
       try_purge(token(claims('{"kid": "key2"}'), 'key1')) AS key_before_signature,
       try_purge(token(claims(jsonb_build_object('iat', now_s() - 600, 'exp', now_s() - 1)), 'key2')) AS signature_before_time,
       try_purge(token(claims(jsonb_build_object('iat', now_s() - 600, 'exp', now_s() - 1, 'db', 'x/y')))) AS time_before_db,
       try_purge(token(claims('{"db": "x/y", "tables": ["purgetest.plain"], "max_rows": 0}'))) AS db_before_scope,
       try_purge(token(claims('{"tables": ["purgetest.plain"], "max_rows": 0}'))) AS scope_before_max_rows;
-- Nothing changed, no receipt. (The refused jtis purgetest-r011/r013/r015/r016/r017
-- are used by the real purges and unprotect below: a refusal spends no jti.)
SELECT * FROM state EXCEPT SELECT * FROM before;
SELECT count(*) AS receipts FROM tenant_guard.purge_receipts;

-- Dry run: the counts, children first; nothing deleted, no receipt, token not
-- consumed. The token reuses the jti of the refused expired token.
SELECT token(claims('{"jti": "purgetest-r013", "tables": ["purgetest.accounts", "purgetest.contacts"]}')) AS t1 \gset
SELECT * FROM tenant_guard.purge(:'t1', dry_run => true);
SELECT * FROM state EXCEPT SELECT * FROM before;
SELECT count(*) AS receipts FROM tenant_guard.purge_receipts;
-- For real: tenant 501's tombstones and history go, its live rows stay;
-- tenants 502 and 503 are untouched; nothing left to undelete.
SELECT * FROM tenant_guard.purge(:'t1');
SELECT tenant, accounts, contacts, tombstones, history FROM state ORDER BY 1;
SELECT s.tenant, s.fingerprint = b.fingerprint AS untouched FROM state s JOIN before b USING (tenant) ORDER BY 1;
SELECT * FROM tenant_guard.undelete('501');
-- Replay: the same token, even as a dry run, or another token with the same jti.
SELECT try_purge(:'t1') AS replay, try_purge(:'t1', dry => true) AS replay_dry_run,
       try_purge(token(claims('{"jti": "purgetest-r013", "tenant": "502"}'))) AS same_jti;

-- Live rows too, default scope (every protected table, here shown for this
-- schema's tables): no trace of tenant 501 left, not even of the purge itself.
SELECT token(claims('{"live": true, "jti": "purgetest-r015"}', ARRAY['tables'])) AS t2 \gset
SELECT * FROM tenant_guard.purge(:'t2')
 WHERE (SELECT relnamespace FROM pg_class WHERE oid = rel) = 'purgetest'::regnamespace ORDER BY rel::text;
SELECT tenant, accounts, contacts, tombstones, history FROM state ORDER BY 1;
SELECT count(*) AS log_rows_501 FROM tenant_guard.change_log WHERE tenant = '501';
SELECT s.tenant, s.fingerprint = b.fingerprint AS untouched FROM state s JOIN before b USING (tenant) WHERE tenant <> '501' ORDER BY 1;
SELECT count(*) AS devices FROM devices;

-- Subject erasure: rows 211 (tombstoned) and 212 (live) of tenant 502; 311 is
-- tenant 503's and stays. The rest of tenant 502 stays.
SELECT token(claims('{"tenant": "502", "tables": ["purgetest.contacts"], "live": true, "jti": "purgetest-r011",
                      "rows": [{"id": 211}, {"id": 212}, {"id": 311}]}')) AS t4 \gset
SELECT * FROM tenant_guard.purge(:'t4');
SELECT tenant, accounts, contacts, tombstones, history FROM state WHERE tenant = '502';
SELECT id FROM contacts WHERE tenant_id = 502 ORDER BY id;
SELECT rel, pk FROM tenant_guard.tombstones WHERE tenant = '502' ORDER BY rel::text, pk::text;
SELECT count(*) AS traces_of_211_212 FROM tenant_guard.change_log WHERE tenant = '502' AND pk->>'id' IN ('211', '212');
SELECT (SELECT count(*) FROM contacts WHERE id = 311) AS row_311, s.fingerprint = b.fingerprint AS tenant_503_untouched
  FROM state s JOIN before b USING (tenant) WHERE tenant = '503';

-- A purge rolled back leaves everything, and its token can be used again.
SELECT token(claims('{"tenant": "503", "max_rows": 4, "jti": "purgetest-r016"}')) AS t3 \gset
BEGIN;
SELECT * FROM tenant_guard.purge(:'t3');
SELECT tenant, tombstones, history FROM state WHERE tenant = '503';
ROLLBACK;
SELECT s.fingerprint = b.fingerprint AS unchanged FROM state s JOIN before b USING (tenant) WHERE tenant = '503';
SELECT * FROM tenant_guard.purge(:'t3');


-- Receipts: one per real purge; the token's hash, never row contents.
SELECT jti, key_id, act, tenant, (SELECT array_agg(t ORDER BY t) FROM unnest(tables) t WHERE t LIKE 'purgetest.%') AS tables,
       row_keys, live_deleted, tombstones_deleted, history_deleted, reason, purged_at IS NOT NULL AS purged_at,
       purged_by = current_user AS by_me
  FROM tenant_guard.purge_receipts WHERE jti LIKE 'purgetest-%' ORDER BY receipt_id;
SELECT token_sha256 = encode(sha256(convert_to(:'t1', 'UTF8')), 'hex') AS token_hash
  FROM tenant_guard.purge_receipts WHERE jti = 'purgetest-r013';
SELECT count(*) AS receipts_with_contents FROM tenant_guard.purge_receipts r
 WHERE r::text LIKE '%example%' OR r::text LIKE '%account 1%';

-- unprotect: a partitioned table, with tombstones and history.
CREATE TABLE scratch (tenant_id int NOT NULL, id int, v text, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id);
CREATE TABLE scratch_501 PARTITION OF scratch FOR VALUES IN (501);
CREATE TABLE scratch_rest PARTITION OF scratch DEFAULT;
SELECT tenant_guard.protect('scratch');
INSERT INTO scratch VALUES (501, 1, 'a'), (501, 2, 'b'), (502, 1, 'c'), (502, 2, 'd');
DELETE FROM scratch WHERE tenant_id = 501 AND id = 1;
DELETE FROM scratch WHERE tenant_id = 502 AND id = 1;
CREATE VIEW scratch_state AS SELECT
    (SELECT count(*) FROM tenant_guard.protected_tables WHERE rel = 'scratch'::regclass) AS protected,
    (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'tenant_guard%'
        AND tgrelid IN (SELECT oid FROM pg_class WHERE relname LIKE 'scratch%' AND relnamespace = 'purgetest'::regnamespace)) AS triggers,
    (SELECT count(*) FROM tenant_guard.tombstones WHERE rel::text LIKE 'scratch%') AS tombstones,
    (SELECT count(*) FROM tenant_guard.change_log WHERE rel::text LIKE 'scratch%') AS history;
SELECT * FROM scratch_state;
-- Refusals: another table, two tables, none, rows or live, a purge token,
-- a table not protected, a tampered or expired token; an unprotect token
-- given to purge.
SELECT c AS refusal, try_unprotect(r, token(x)) FROM (VALUES
    ('other table', 'scratch', claims('{"act": "unprotect", "tables": ["purgetest.accounts"]}', ARRAY['tenant'])),
    ('two tables', 'scratch', claims('{"act": "unprotect", "tables": ["purgetest.scratch", "purgetest.accounts"]}', ARRAY['tenant'])),
    ('no tables', 'scratch', claims('{"act": "unprotect"}', ARRAY['tenant', 'tables'])),
    ('rows', 'scratch', claims('{"act": "unprotect", "tables": ["purgetest.scratch"], "rows": [{"id": 1}]}', ARRAY['tenant'])),
    ('live', 'scratch', claims('{"act": "unprotect", "tables": ["purgetest.scratch"], "live": true}', ARRAY['tenant'])),
    ('purge token', 'scratch', claims('{"tables": ["purgetest.scratch"]}')),
    ('not protected', 'plain', claims('{"act": "unprotect", "tables": ["purgetest.plain"]}', ARRAY['tenant'])),
    ('expired', 'scratch', claims(jsonb_build_object('act', 'unprotect', 'tables', '["purgetest.scratch"]'::jsonb,
                                                     'iat', now_s() - 600, 'exp', now_s() - 1), ARRAY['tenant']))) v(c, r, x);
SELECT token(claims('{"act": "unprotect", "tables": ["purgetest.scratch"], "jti": "purgetest-r017"}', ARRAY['tenant'])) AS tu \gset
SELECT try_purge(:'tu') AS unprotect_token_to_purge,
       try_unprotect('scratch', tamper(:'tu')) AS tampered;
SELECT * FROM scratch_state;
-- Success: no longer protected (nor its partitions, nor new ones); tombstones
-- and history kept; DELETE is no longer captured; TRUNCATE works.
SELECT tenant_guard.unprotect('scratch', :'tu');
SELECT * FROM scratch_state;
CREATE TABLE scratch_503 PARTITION OF scratch FOR VALUES IN (503);
SELECT * FROM scratch_state;
DELETE FROM scratch WHERE tenant_id = 501;
SELECT * FROM scratch_state;
SELECT sqlstate_of('TRUNCATE scratch') AS truncate;
-- The token is consumed; its jti is spent for purges too. A receipt is kept.
SELECT try_unprotect('scratch', :'tu') AS replay,
       try_purge(token(claims('{"jti": "purgetest-r017"}'))) AS jti_of_unprotect;
SELECT act, tenant, tables, row_keys, live_deleted, tombstones_deleted, history_deleted
  FROM tenant_guard.purge_receipts WHERE jti = 'purgetest-r017';

-- Privileges: nothing here is granted to PUBLIC (schema usage granted as in
-- the protect suite, so that the function's own privilege is what refuses).
GRANT USAGE ON SCHEMA tenant_guard TO regress_tg_app;
SELECT token(claims()) AS t5 \gset
SET ROLE regress_tg_app;
SELECT sqlstate_of(format('SELECT * FROM tenant_guard.purge(%L)', :'t5')) AS purge;
SELECT sqlstate_of($$SELECT tenant_guard.add_purge_key('app', 'x')$$) AS add_purge_key;
SELECT sqlstate_of($$SELECT tenant_guard.revoke_purge_key('key1')$$) AS revoke_purge_key;
SELECT sqlstate_of(format('SELECT tenant_guard.unprotect(%L, %L)', 'pg_class', :'t5')) AS unprotect;
SELECT sqlstate_of($$SELECT count(*) FROM tenant_guard.purge_receipts$$) AS read_receipts;
SELECT sqlstate_of($$SELECT count(*) FROM tenant_guard.purge_keys$$) AS read_keys;
RESET ROLE;
-- Erasure is complete: after the purge no table of the extension holds the
-- marker value the purged rows carried, in any image, key or column.
CREATE TABLE marker (tenant_id int NOT NULL, id int PRIMARY KEY, secret text);
SELECT tenant_guard.protect('marker');
INSERT INTO marker VALUES (509, 1, 'MARKER-4f1c9'), (509, 2, 'other MARKER-4f1c9 text'), (510, 3, 'not secret');
UPDATE marker SET secret = secret || '!' WHERE id = 1;
DELETE FROM marker WHERE id = 2;
CREATE FUNCTION marker_hits() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
    n bigint;
    total bigint := 0;
BEGIN
    FOR t IN SELECT c.oid::regclass FROM pg_class c
              WHERE c.relnamespace = 'tenant_guard'::regnamespace AND c.relkind = 'r' LOOP
        EXECUTE format('SELECT count(*) FROM %s x WHERE x::text LIKE %L', t, '%MARKER-4f1c9%') INTO n;
        total := total + n;
    END LOOP;
    RETURN total;
END $$;
SELECT marker_hits() > 0 AS marker_kept_before;
SELECT token(claims('{"tenant": "509", "live": true, "tables": ["purgetest.marker"], "jti": "purgetest-m1"}')) AS tm \gset
SELECT * FROM tenant_guard.purge(:'tm');
SELECT marker_hits() AS marker_left_after, (SELECT count(*) FROM marker) AS other_tenant_rows;
-- Tokens name their tables: one signed before a table took its name (a
-- rename of the table or of its schema, SET SCHEMA) does not reach it (TG017,
-- dry run too), and nothing is purged; one signed after does. Two tables'
-- names swapped by their owner between the signing and the use:
CREATE TABLE swap_a (tenant_id int NOT NULL, id int PRIMARY KEY);
CREATE TABLE swap_b (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('swap_a'), tenant_guard.protect('swap_b');
INSERT INTO swap_a VALUES (511, 1);
INSERT INTO swap_b VALUES (511, 2);
DELETE FROM swap_a;
DELETE FROM swap_b;
CREATE VIEW swap_state AS
SELECT p.rel::text, p.renamed_at IS NOT NULL AS renamed,
       (SELECT array_agg(t.pk ->> 'id' ORDER BY 1) FROM tenant_guard.tombstones t WHERE t.rel = p.rel) AS tombstones
  FROM tenant_guard.protected_table p WHERE p.rel::text LIKE '%swap%' OR p.rel::text = 'accounts' ORDER BY 1;
SELECT * FROM swap_state;
SELECT token(claims(jsonb_build_object('tenant', '511', 'tables', jsonb_build_array('purgetest.swap_a'),
                                       'iat', now_s() - 60))) AS swap_before,
       token(claims(jsonb_build_object('tenant', '511', 'tables', jsonb_build_array('purgetest.swap_a')),
                    ARRAY['iat'])) AS swap_no_iat \gset
-- A rename that is rolled back records nothing.
BEGIN;
ALTER TABLE accounts RENAME TO accounts_x;
ROLLBACK;
ALTER TABLE swap_a RENAME TO swap_tmp;
ALTER TABLE swap_b RENAME TO swap_a;
ALTER TABLE swap_tmp RENAME TO swap_b;
SELECT * FROM swap_state;
SELECT try_purge(:'swap_before') AS signed_before, try_purge(:'swap_before', true) AS dry_run,
       try_purge(:'swap_no_iat') AS without_iat;
SELECT * FROM swap_state;
-- Signed after the swap (iat one second ahead: renamed_at has fractions).
SELECT token(claims(jsonb_build_object('tenant', '511', 'tables', jsonb_build_array('purgetest.swap_a'),
                                       'iat', now_s() + 1))) AS swap_after \gset
SELECT * FROM tenant_guard.purge(:'swap_after');
SELECT * FROM swap_state;
-- Unprotect: a move to another schema, then a rename of that schema.
CREATE SCHEMA purgetest_moved;
SELECT token(claims(jsonb_build_object('act', 'unprotect', 'tables', jsonb_build_array('purgetest_moved.swap_b'),
                                       'iat', now_s() - 60), ARRAY['tenant'])) AS moved_before,
       token(claims(jsonb_build_object('act', 'unprotect', 'tables', jsonb_build_array('purgetest_renamed.swap_b'),
                                       'iat', now_s() - 60), ARRAY['tenant'])) AS schema_before \gset
UPDATE tenant_guard.protected_table SET renamed_at = NULL WHERE rel = 'swap_b'::regclass;
ALTER TABLE swap_b SET SCHEMA purgetest_moved;
SELECT renamed_at IS NOT NULL AS moved_recorded FROM tenant_guard.protected_table
 WHERE rel = 'purgetest_moved.swap_b'::regclass;
SELECT try_unprotect('purgetest_moved.swap_b', :'moved_before') AS moved;
UPDATE tenant_guard.protected_table SET renamed_at = NULL WHERE rel = 'purgetest_moved.swap_b'::regclass;
ALTER SCHEMA purgetest_moved RENAME TO purgetest_renamed;
SELECT renamed_at IS NOT NULL AS schema_rename_recorded FROM tenant_guard.protected_table
 WHERE rel = 'purgetest_renamed.swap_b'::regclass;
SELECT try_unprotect('purgetest_renamed.swap_b', :'schema_before') AS schema_renamed;
SELECT count(*) AS still_protected FROM tenant_guard.protected_tables WHERE rel = 'purgetest_renamed.swap_b'::regclass;
-- A name is taken when it commits: a rename in a transaction that stays
-- open across the signing (signed in the second after the rename, committed
-- two seconds later) does not reach the table (the attacker's report of
-- 0.12.0: renamed_at held the transaction's start). Nor does a table created
-- and protected under the name after the signing.
CREATE TABLE late_a (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('late_a');
BEGIN;
ALTER TABLE late_a RENAME TO late_b;
SELECT token(claims(jsonb_build_object('tenant', '511', 'tables', jsonb_build_array('purgetest.late_b'),
                    'iat', floor(extract(epoch FROM clock_timestamp()))::bigint + 1))) AS open_across \gset
SELECT pg_sleep(2.2);
COMMIT;
SELECT try_purge(:'open_across') AS renamed_in_an_open_transaction;
SELECT token(claims(jsonb_build_object('tenant', '511', 'tables', jsonb_build_array('purgetest.late_a'),
                                       'iat', now_s() - 60))) AS before_protect \gset
CREATE TABLE late_a (tenant_id int NOT NULL, id int PRIMARY KEY);
SELECT tenant_guard.protect('late_a');
SELECT try_purge(:'before_protect') AS protected_after_the_signing;
RESET search_path;
