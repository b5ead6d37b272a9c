-- Step 1c. Install tenant_guard and protect the four tables with the defaults:
-- tenant column tenant_id, delete mode 'tombstone'. Children are protected
-- before their parents, so at no moment does a protected table cascade into
-- an unprotected one (protect() would rightly warn about that).

CREATE EXTENSION tenant_guard;

\o /dev/null
SELECT tenant_guard.protect('comments');
SELECT tenant_guard.protect('issues');
SELECT tenant_guard.protect('projects');
SELECT tenant_guard.protect('sites');
\o

SELECT rel, tenant_column, delete_mode, protected_by
  FROM tenant_guard.protected_tables
 ORDER BY rel::text;
