-- Variant "plpgsql": the reference row trigger (reference_trigger.sql).
CREATE TRIGGER bench_ref_capture
    AFTER INSERT OR UPDATE OR DELETE ON :"tbl"
    FOR EACH ROW EXECUTE FUNCTION bench_ref_capture('tenant_id', 'id');
