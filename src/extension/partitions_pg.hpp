// What the ddl_command_end event trigger of partitions.cpp reads of the
// command's parse tree (PostgreSQL side, partitions_pg.cpp).
#pragma once
#include "extension/pg/guarded.hpp"

namespace tg::pg {

struct DdlCommandEnd {
    bool is_event_trigger;  // called as an event trigger at all
    bool adds_partition;    // CREATE TABLE ... PARTITION OF, ATTACH PARTITION
    bool adds_column;       // ALTER TABLE ... ADD COLUMN
};
DdlCommandEnd ddl_command_end(FunctionCallInfo fcinfo) noexcept;

}  // namespace tg::pg
