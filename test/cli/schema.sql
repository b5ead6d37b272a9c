-- The schema of the command-line tests: three tables in a foreign-key chain
-- (accounts <- orders <- lines) whose oids run against that order (the
-- children are created first, the keys added afterwards), so an import that
-- followed creation order instead of the foreign keys would fail.
CREATE EXTENSION IF NOT EXISTS tenant_guard;

CREATE TABLE lines (
    tenant_id int NOT NULL,
    id        int NOT NULL,
    order_id  int NOT NULL,
    qty       int,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE orders (
    tenant_id  int NOT NULL,
    id         int NOT NULL,
    account_id int NOT NULL,
    note       text,
    PRIMARY KEY (tenant_id, id)
);
CREATE TABLE accounts (
    tenant_id int NOT NULL,
    id        int GENERATED ALWAYS AS IDENTITY,
    name      text NOT NULL,
    balance   numeric(12,2),
    opened_at timestamptz NOT NULL DEFAULT now(),
    tags      text[],
    meta      jsonb,
    doc       bytea,
    PRIMARY KEY (tenant_id, id)
);
ALTER TABLE orders ADD FOREIGN KEY (tenant_id, account_id) REFERENCES accounts;
ALTER TABLE lines ADD FOREIGN KEY (tenant_id, order_id) REFERENCES orders ON DELETE CASCADE;

SELECT tenant_guard.protect('lines') IS NULL AS protected;
SELECT tenant_guard.protect('orders') IS NULL AS protected;
SELECT tenant_guard.protect('accounts') IS NULL AS protected;
