-- oltp.sh, variant "ref": the PL/pgSQL reference row trigger (reference_trigger.sql)
-- with its log and tombstone tables (reference_tables.sql, without the bulk
-- benchmark's text pool), attached to :"tbl".
\ir reference_tables.sql
\ir reference_trigger.sql
\ir variant_plpgsql.sql
