-- Shape "narrow": 6 columns. psql variable :tbl names the table.
CREATE TABLE :"tbl" (
    id         bigint PRIMARY KEY,
    tenant_id  int NOT NULL,
    name       text,
    qty        int,
    price      numeric(12,2),
    updated_at timestamptz
);
