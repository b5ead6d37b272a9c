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
-- tenant_checksum reads as its caller: only the tenant column's name and
-- the primary key's columns are read with the extension's rights
-- (_tenant_cast_type reads the catalog, as its caller, for it and the CLI). The trash view calls _pinned_tenant(),
-- and the functions a view calls are checked against whoever reads it.
GRANT EXECUTE ON FUNCTION tenant_guard._tenant_column(regclass), tenant_guard._key_columns(regclass),
    tenant_guard._tenant_cast_type(regclass), tenant_guard._pinned_tenant() TO PUBLIC;
-- tenant_guard.actor and tenant_guard.tenant are every role's to set. Granted
-- by name so that CREATE FUNCTION ... SET and ALTER ROLE ... SET of them work
-- in a session that has not loaded the module yet (PostgreSQL then knows them
-- only as placeholders, which need this privilege). tenant_guard.tenant is
-- PGC_SUSET all the same: a DBA who wants a pin a role cannot change revokes
-- this grant and pins the role with ALTER ROLE ... SET. Parameter privileges
-- are the cluster's, not a database's: granted only where the cluster holds
-- none for these two yet (its first CREATE EXTENSION, or a cluster that never
-- had them), so that creating the extension in another database, or
-- restoring a dump into a cluster that got the DBA's grants back from
-- pg_dumpall -g, never undoes such a REVOKE. The settings that weaken a guard
-- (tenant_guard.max_tenants_per_statement, allow_truncate,
-- max_token_lifetime) are not granted: a superuser grants them to the roles
-- that may (GRANT SET ON PARAMETER).
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_parameter_acl
                    WHERE parname OPERATOR(pg_catalog.=) ANY ('{tenant_guard.actor,tenant_guard.tenant}'::text[])) THEN
        GRANT SET ON PARAMETER tenant_guard.actor, tenant_guard.tenant TO PUBLIC;
    ELSIF NOT pg_catalog.has_parameter_privilege('public', 'tenant_guard.tenant', 'SET') THEN
        RAISE NOTICE 'SET on tenant_guard.tenant is not granted to PUBLIC in this cluster: roles pinned with ALTER ROLE ... SET tenant_guard.tenant cannot change their pin';
    END IF;
END
$$;
