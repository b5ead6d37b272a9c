-- Signed purge and unprotect: the only ways to delete for good (purge: a
-- tenant, some of its tables or rows, live rows, tombstones and history) and
-- to end protection (unprotect), each authorised by an offline-signed,
-- expiring, single-use Ed25519 token; the database holds public keys only.
-- Every use leaves a receipt (never row contents).
-- C++: src/extension/tokens.cpp (add_purge_key, revoke_purge_key,
-- database_id, sign_token, the token checks), purge.cpp, unprotect.cpp,
-- token_bridge.cpp and src/common/ (token codec, claims, Ed25519).

-- Public keys of the offline Ed25519 keys that sign purge and unprotect tokens.
CREATE TABLE tenant_guard.purge_key (
    key_id     text PRIMARY KEY,
    public_key text NOT NULL,
    added_at   timestamptz NOT NULL DEFAULT now(),
    added_by   text NOT NULL DEFAULT session_user,
    revoked_at timestamptz
);

-- Every token id ever used: a token works once.
CREATE TABLE tenant_guard.used_token (
    jti     text PRIMARY KEY,
    key_id  text NOT NULL,
    used_at timestamptz NOT NULL DEFAULT now()
);

-- What each purge or unprotect did and on whose authority; never row
-- contents. Receipts of expiry by policy (act 'expire', 70_retention.sql)
-- have no token: jti, key_id and token_sha256 are NULL there.
CREATE SEQUENCE tenant_guard.receipt_id_seq;
CREATE TABLE tenant_guard.purge_receipt (
    receipt_id         bigint PRIMARY KEY DEFAULT nextval('tenant_guard.receipt_id_seq'),
    jti                text,
    key_id             text,
    act                text NOT NULL,
    tenant             text,
    tables             text[] NOT NULL,
    row_keys           jsonb,
    live_deleted       bigint NOT NULL,
    tombstones_deleted bigint NOT NULL,
    history_deleted    bigint NOT NULL,
    reason             text NOT NULL,
    purged_at          timestamptz NOT NULL DEFAULT now(),
    purged_by          text NOT NULL DEFAULT session_user,
    token_sha256       text
);
ALTER SEQUENCE tenant_guard.receipt_id_seq OWNED BY tenant_guard.purge_receipt.receipt_id;

SELECT pg_catalog.pg_extension_config_dump('tenant_guard.purge_key', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.used_token', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.purge_receipt', '');
SELECT pg_catalog.pg_extension_config_dump('tenant_guard.receipt_id_seq', '');

CREATE VIEW tenant_guard.purge_keys AS
SELECT key_id, public_key, added_at, added_by, revoked_at FROM tenant_guard.purge_key;

CREATE VIEW tenant_guard.purge_receipts AS
SELECT receipt_id, jti, key_id, act, tenant, tables, row_keys, live_deleted, tombstones_deleted,
       history_deleted, reason, purged_at, purged_by, token_sha256
  FROM tenant_guard.purge_receipt;

CREATE FUNCTION tenant_guard.add_purge_key(key_id text, public_key text)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_add_purge_key'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.revoke_purge_key(key_id text)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_revoke_purge_key'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

-- <system identifier>/<database name>: what a token names in its claim "db".
CREATE FUNCTION tenant_guard.database_id()
RETURNS text
AS 'MODULE_PATHNAME', 'tg_database_id'
LANGUAGE C STRICT STABLE;

-- Signs any JSON object with a PKCS#8 PEM private key: for tests and
-- automation. In production tokens are signed offline (`tenant-guard token`),
-- without the key ever reaching the database.
CREATE FUNCTION tenant_guard.sign_token(claims jsonb, private_key text)
RETURNS text
AS 'MODULE_PATHNAME', 'tg_sign_token'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.purge(token text, dry_run boolean DEFAULT false)
RETURNS TABLE (rel regclass, live_deleted bigint, tombstones_deleted bigint, history_deleted bigint)
AS 'MODULE_PATHNAME', 'tg_purge'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;

CREATE FUNCTION tenant_guard.unprotect(rel regclass, token text)
RETURNS void
AS 'MODULE_PATHNAME', 'tg_unprotect'
LANGUAGE C CALLED ON NULL INPUT VOLATILE;
