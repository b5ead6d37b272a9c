-- Session settings for every variant (identical, so the variants stay comparable).
-- tenant_guard refuses UPDATE/DELETE statements that touch several tenants unless
-- max_tenants_per_statement = 0; the bench's statements touch all 100 tenants.
-- Ignored where the setting does not exist (yet).
DO $$
BEGIN
    PERFORM set_config('tenant_guard.max_tenants_per_statement', '0', false);
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'could not set tenant_guard.max_tenants_per_statement: %', SQLERRM;
END
$$;
