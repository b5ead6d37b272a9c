-- Variant "plpgsql_stmt": the statement-level reference (reference_trigger.sql),
-- one trigger per event, each with its transition tables.
CREATE TRIGGER bench_ref_ins AFTER INSERT ON :"tbl" REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bench_ref_capture_stmt('tenant_id', 'id');
CREATE TRIGGER bench_ref_upd AFTER UPDATE ON :"tbl" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bench_ref_capture_stmt('tenant_id', 'id');
CREATE TRIGGER bench_ref_del AFTER DELETE ON :"tbl" REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION bench_ref_capture_stmt('tenant_id', 'id');
