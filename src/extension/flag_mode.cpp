// delete_mode 'flag': a BEFORE DELETE ... FOR EACH ROW trigger turns the
// DELETE of a row into an UPDATE of its flag column (now() for timestamptz,
// true for boolean), made as the table's owner, and skips the delete. The row stays; the UPDATE is
// captured like any other. As PostgreSQL reports for a DELETE that a trigger
// skipped, the statement reports 0 rows, RETURNING returns nothing and
// ON DELETE CASCADE does not fire.
#include "extension/pg.hpp"
#include "extension/catalog.hpp"
#include "extension/module.hpp"
#include "extension/running_query.hpp"
#include "extension/shape.hpp"
#include "extension/search_path.hpp"

extern "C" {
#include "parser/parsetree.h"
}

namespace {

// "UPDATE ONLY rel SET flag = ... WHERE ctid = $1 AND <not flagged yet>":
// a row deleted twice keeps the time of its first deletion.
char *flag_update_sql(Relation rel, const char *flag_column, bool is_boolean) {
    const char *flag = quote_identifier(flag_column);
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfo(
        &sql, "UPDATE ONLY %s SET %s = %s WHERE ctid = $1 AND %s",
        quote_qualified_identifier(get_namespace_name(RelationGetNamespace(rel)), RelationGetRelationName(rel)), flag,
        is_boolean ? "true" : "now()", flag);
    appendStringInfoString(&sql, is_boolean ? " IS NOT TRUE" : " IS NULL");
    return sql.data;
}

// How the statement being run changes the table of a partition: a BEFORE
// DELETE trigger of a partition also fires when an UPDATE moves a row out of
// it (PostgreSQL tells the trigger nothing of it). The statement's ModifyTable
// nodes (its own and its writable CTEs') aimed at the partition or a table
// above it say which it is.
enum class PartitionDelete { deletes, moves, either };

PartitionDelete what_deletes(Relation partition) {
    const QueryDesc *query = tg::running_query::innermost();
    if (!partition->rd_rel->relispartition || !query || !query->plannedstmt) return PartitionDelete::deletes;
    const PlannedStmt *stmt = query->plannedstmt;
    List *above = get_partition_ancestors(RelationGetRelid(partition));
    above = lappend_oid(above, RelationGetRelid(partition));
    bool deletes = false, updates = false;
    auto look = [&](Plan *plan) {
        if (!plan || !IsA(plan, ModifyTable)) return;
        auto *mt = reinterpret_cast<ModifyTable *>(plan);
        Index target = mt->rootRelation != 0 ? mt->rootRelation : mt->nominalRelation;
        if (target == 0 || !list_member_oid(above, rt_fetch(target, stmt->rtable)->relid)) return;
        if (mt->operation == CMD_DELETE) deletes = true;
        if (mt->operation == CMD_UPDATE) updates = true;
        // A MERGE deletes by its DELETE actions and moves by its UPDATE ones
        // (before the fix of the attacker's report of 0.13.0 every MERGE
        // counted as a move, and WHEN MATCHED THEN DELETE erased the row).
        if (mt->operation == CMD_MERGE) {
            ListCell *lists, *each;
            foreach (lists, mt->mergeActionLists)
                foreach (each, static_cast<List *>(lfirst(lists))) {
                    CmdType action = static_cast<MergeAction *>(lfirst(each))->commandType;
                    if (action == CMD_DELETE) deletes = true;
                    if (action == CMD_UPDATE) updates = true;
                }
        }
    };
    look(stmt->planTree);
    ListCell *lc;
    foreach (lc, stmt->subplans) look(static_cast<Plan *>(lfirst(lc)));
    if (updates && deletes) return PartitionDelete::either;
    return updates ? PartitionDelete::moves : PartitionDelete::deletes;
}

}  // namespace

TG_PG_FUNCTION(tg_flag_delete) {
    auto *td = reinterpret_cast<TriggerData *>(fcinfo->context);
    if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event) ||
        !TRIGGER_FIRED_BY_DELETE(td->tg_event))
        ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("tenant_guard.flag_delete() must be a BEFORE DELETE ... FOR EACH ROW trigger")));
    tg::RelShape *shape = tg::shape_for(td->tg_relation, td->tg_trigger);
    tg::verify_trigger(shape, td->tg_relation, td->tg_trigger, tg::catalog::trigger_flag_delete);
    if (tg::purge_silence) {
        TupleTableSlot *slot = td->tg_trigslot;
        slot_getallattrs(slot);
        bool silenced = false;
        tg::with_pinned_output(shape, [&] {  // tenant and key spelled as capture writes them
            silenced = tg::is_silenced_row(RelationGetRelid(td->tg_relation), tg::tenant_text(shape, slot),
                                           tg::pk_image(shape, slot));
        });
        if (silenced) return PointerGetDatum(td->tg_trigtuple);  // a row the running purge erases: it goes for good
    }
    // An UPDATE moving the row to another partition: the row goes there, and
    // the capture logs the move as the update it is (before 0.13.0 the row
    // was flagged and the update dropped, also for a role without DELETE).
    switch (what_deletes(td->tg_relation)) {
        case PartitionDelete::moves:
            return PointerGetDatum(td->tg_trigtuple);
        case PartitionDelete::either:
            ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                            errmsg("cannot tell a delete from a move of a row of \"%s\" in this statement",
                                   RelationGetRelationName(td->tg_relation)),
                            errdetail("The statement both updates and deletes rows of a table in delete_mode "
                                      "'flag', and PostgreSQL does not say which of the two removes this row "
                                      "from its partition."),
                            errhint("Run the DELETE and the UPDATE as separate statements.")));
        case PartitionDelete::deletes:
            break;
    }
    // The flag column as the registry names it, never as the trigger's arguments do.
    const char *flag_column = NameStr(shape->flag_column);
    bool is_boolean = shape->flag_is_boolean;
    char *sql = flag_update_sql(td->tg_relation, flag_column, is_boolean);
    Oid types[1] = {TIDOID};
    Datum values[1] = {PointerGetDatum(&td->tg_trigtuple->t_self)};
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    // The caller was allowed to DELETE this row; the flag is written as the
    // table's owner, restricted, so a DELETE needs no UPDATE privilege and
    // the owner's triggers do not run with the caller's rights.
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    tg::refuse_temp_objects("flag a deleted row", saved_user, td->tg_relation->rd_rel->relowner);
    SetUserIdAndSecContext(td->tg_relation->rd_rel->relowner,
                           saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    volatile int rc = 0;
    PG_TRY();
    {
        rc = tg::with_pinned_search_path(
            [&] { return SPI_execute_with_args(sql, 1, types, values, nullptr, false, 0); });
    }
    PG_FINALLY();
    { SetUserIdAndSecContext(saved_user, saved_context); }
    PG_END_TRY();
    if (rc != SPI_OK_UPDATE)
        elog(ERROR, "tenant_guard: could not flag a deleted row of \"%s\"", RelationGetRelationName(td->tg_relation));
    SPI_finish();
    return PointerGetDatum(nullptr);  // skip the physical delete
}
