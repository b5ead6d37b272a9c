-- Privileges: no role gains a privilege through tenant_guard. Application
-- roles get nothing on the storage: the capture triggers write it through the
-- table AM, without permission checks, and the management functions read it
-- as the extension owner. EXECUTE on the management functions and SELECT on
-- the views are the DBA's to grant (README, "Privileges"). Last, so that it
-- covers every object the files before it made.
REVOKE ALL ON ALL TABLES IN SCHEMA tenant_guard FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA tenant_guard FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA tenant_guard FROM PUBLIC;

-- What PUBLIC keeps.
-- The statement-level trigger functions (capture, statement_start,
-- refuse_truncate) are for the triggers protect() installs as the extension
-- owner; nobody else may attach them. flag_delete and capture_applied keep
-- EXECUTE for PUBLIC: they are row triggers, which PostgreSQL clones onto new
-- and attached partitions as the role that creates them. Each of them refuses
-- to act for any trigger protect() did not install, in any case.
GRANT EXECUTE ON FUNCTION tenant_guard.flag_delete(), tenant_guard.capture_applied() TO PUBLIC;
-- tenant_checksum reads as its caller: only the tenant column's name is
-- read with the extension's rights.
GRANT EXECUTE ON FUNCTION tenant_guard._tenant_column(regclass) TO PUBLIC;
-- tenant_guard.actor and tenant_guard.tenant are every role's to set. Granted
-- by name so that CREATE FUNCTION ... SET and ALTER ROLE ... SET of them work
-- in a session that has not loaded the module yet (PostgreSQL then knows them
-- only as placeholders, which need this privilege). tenant_guard.tenant is
-- PGC_SUSET all the same: a DBA who wants a pin a role cannot change revokes
-- this grant and pins the role with ALTER ROLE ... SET. The settings that
-- weaken a guard (tenant_guard.max_tenants_per_statement, allow_truncate,
-- max_token_lifetime) are not granted: a superuser grants them to the roles
-- that may (GRANT SET ON PARAMETER).
GRANT SET ON PARAMETER tenant_guard.actor, tenant_guard.tenant TO PUBLIC;
