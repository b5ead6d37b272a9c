-- Variant "tenant_guard": protect with the defaults (tenant column tenant_id,
-- delete_mode tombstone). CREATE EXTENSION is done once, in capture.sh.
SELECT tenant_guard.protect(:'tbl'::regclass);
