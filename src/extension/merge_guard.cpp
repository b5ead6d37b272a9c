#include "extension/pg.hpp"
#include "extension/merge_guard.hpp"

#include "extension/catalog.hpp"
#include "extension/catalog_names.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "nodes/execnodes.h"
#include "utils/lsyscache.h"
}

namespace tg::merge_guard {

namespace {

bool has_update_action(const ModifyTable *plan) {
    ListCell *actions, *action;
    foreach (actions, plan->mergeActionLists)
        foreach (action, (List *)lfirst(actions))
            if (((MergeAction *)lfirst(action))->commandType == CMD_UPDATE) return true;
    return false;
}

// tenant_guard's UPDATE capture trigger is on rel (its name, and its function
// in the extension's schema; no lookup that fails once the extension is gone).
bool captures_updates(Relation rel) {
    if (!rel->trigdesc) return false;
    Oid schema = get_namespace_oid(catalog::schema_name, true);
    if (!OidIsValid(schema)) return false;
    for (int i = 0; i < rel->trigdesc->numtriggers; i++) {
        const Trigger &t = rel->trigdesc->triggers[i];
        if (strcmp(t.tgname, catalog::trigger_update) == 0 && get_func_namespace(t.tgfoid) == schema) return true;
    }
    return false;
}

}  // namespace

void refuse_unrecorded_moves(const QueryDesc *query) {
    if (query->operation != CMD_MERGE || !query->planstate || !IsA(query->planstate, ModifyTableState)) return;
    const auto *state = reinterpret_cast<const ModifyTableState *>(query->planstate);
    const auto *plan = reinterpret_cast<const ModifyTable *>(state->ps.plan);
    ResultRelInfo *target = state->rootResultRelInfo;
    if (!target || !has_update_action(plan)) return;
    Relation rel = target->ri_RelationDesc;
    if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE || !captures_updates(rel)) return;
    ereport(ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("MERGE ... UPDATE on protected partitioned table \"%s\" is not supported",
                    catalog::qualified_rel_name(RelationGetRelid(rel))),
             errdetail("PostgreSQL does not report the rows a MERGE moves to another partition to the statement's "
                       "triggers, so tenant_guard could neither record nor check them; nothing was changed."),
             errhint("Use UPDATE for the matched rows and INSERT ... ON CONFLICT or INSERT for the others, or MERGE "
                     "into the partition itself.")));
}

}  // namespace tg::merge_guard
