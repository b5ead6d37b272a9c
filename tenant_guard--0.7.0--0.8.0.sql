-- tenant_guard 0.7.0 -> 0.8.0: undelete_conflicts(), what undelete_where
-- with on_conflict 'error' would refuse, read without restoring (the plan of
-- tenant-guard recover, which took a dry run of the whole restore before).
\echo Use "ALTER EXTENSION tenant_guard UPDATE TO '0.8.0'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- 55_undo.sql
-- ---------------------------------------------------------------------------
CREATE FUNCTION tenant_guard.undelete_conflicts(since timestamptz DEFAULT NULL,
                                                until timestamptz DEFAULT NULL,
                                                actor text DEFAULT NULL,
                                                application_name text DEFAULT NULL,
                                                xid xid8 DEFAULT NULL,
                                                tenants text[] DEFAULT NULL)
RETURNS TABLE (tenant text, rel regclass, conflicts bigint)
AS 'MODULE_PATHNAME', 'tg_undelete_conflicts'
LANGUAGE C CALLED ON NULL INPUT STABLE;

-- As every function of the schema (90_privileges.sql): the DBA grants it.
REVOKE EXECUTE ON FUNCTION tenant_guard.undelete_conflicts(timestamptz, timestamptz, text, text, xid8, text[])
    FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- Tombstone keys nulled by a retyped key column. In 0.6.0 and 0.7.0,
-- ALTER COLUMN ... TYPE of a primary-key column converted a tombstone's key
-- from the tombstone's own image, which a tombstone written since 0.6.0 does
-- not hold (its image is its deletion's change-log entry): the key became
-- {"id": null} while the image was converted right. A key column is never
-- null, so such a key is taken again from the image. Only those tombstones
-- are written.
-- ---------------------------------------------------------------------------
UPDATE tenant_guard.tombstone_data t
   SET pk = (SELECT pg_catalog.jsonb_object_agg(k.name, c.old_row OPERATOR(pg_catalog.->) k.name)
               FROM pg_catalog.jsonb_object_keys(t.pk) AS k(name))
  FROM tenant_guard.change_log_data c
 WHERE t.row_data IS NULL AND c.xid = t.xid AND c.seq = t.tombstone_id
   AND EXISTS (SELECT FROM pg_catalog.jsonb_each(t.pk) AS e(name, value)
                WHERE e.value OPERATOR(pg_catalog.=) 'null'::jsonb)
   AND NOT EXISTS (SELECT FROM pg_catalog.jsonb_object_keys(t.pk) AS k(name)
                    WHERE coalesce(c.old_row OPERATOR(pg_catalog.->) k.name, 'null'::jsonb)
                          OPERATOR(pg_catalog.=) 'null'::jsonb);
