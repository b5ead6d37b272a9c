#define TG_IMPLEMENTS_GUARDED_CALLS
#include "extension/pg.hpp"
#include "extension/partitions_pg.hpp"

namespace tg::pg {

namespace {

bool adds_partition(Node *parsetree) {
    if (IsA(parsetree, CreateStmt)) return castNode(CreateStmt, parsetree)->partbound != nullptr;
    if (IsA(parsetree, CreateSchemaStmt)) {  // CREATE SCHEMA s CREATE TABLE ... PARTITION OF ...
        ListCell *lc;
        foreach (lc, castNode(CreateSchemaStmt, parsetree)->schemaElts)
            if (adds_partition(static_cast<Node *>(lfirst(lc)))) return true;
        return false;
    }
    if (!IsA(parsetree, AlterTableStmt)) return false;
    ListCell *lc;
    foreach (lc, castNode(AlterTableStmt, parsetree)->cmds)
        if (static_cast<AlterTableCmd *>(lfirst(lc))->subtype == AT_AttachPartition) return true;
    return false;
}

bool adds_column(Node *parsetree) {
    if (!IsA(parsetree, AlterTableStmt)) return false;
    ListCell *lc;
    foreach (lc, castNode(AlterTableStmt, parsetree)->cmds)
        if (static_cast<AlterTableCmd *>(lfirst(lc))->subtype == AT_AddColumn) return true;
    return false;
}

}  // namespace

// Reads the parse tree only (castNode asserts, never raises, in a build
// without assertions): cannot fail.
DdlCommandEnd ddl_command_end(FunctionCallInfo fcinfo) noexcept {
    DdlCommandEnd d{};
    d.is_event_trigger = CALLED_AS_EVENT_TRIGGER(fcinfo);
    if (!d.is_event_trigger) return d;
    Node *parsetree = reinterpret_cast<EventTriggerData *>(fcinfo->context)->parsetree;
    d.adds_partition = adds_partition(parsetree);
    d.adds_column = adds_column(parsetree);
    return d;
}

}  // namespace tg::pg
