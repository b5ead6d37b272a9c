// Where a tombstone's row image is: stored once (issue 15, 0.6.0). A
// tombstone written by 0.6.0 has row_data NULL, and its image is the old_row
// of the change-log entry that deleted the row (same xid, seq =
// tombstone_id), which the change stream, rewind and migrations read as well.
// A tombstone has an image of its own when an earlier version or an import
// wrote it, or when prune() dropped the log segment of its deletion (it
// moves the images of live tombstones into them first). The views
// tombstones and trash (25_tombstones.sql, 55_undo.sql) spell the same in
// SQL. Plain C++, for SQL text.
#pragma once
#include <string>

namespace tg {

// SQL: the image of the tombstone row alias t of tenant_guard.tombstone_data.
inline std::string tombstone_image(const std::string &t) {
    return "coalesce(" + t +
           ".row_data, (SELECT deleted_by_log.old_row FROM tenant_guard.change_log_data deleted_by_log " +
           "WHERE deleted_by_log.xid = " + t + ".xid AND deleted_by_log.seq = " + t + ".tombstone_id))";
}

// SQL to follow the FROM item of tombstone row alias t: the lateral column
// image_alias.image, its image looked up once per tombstone however often
// the query reads it (OFFSET 0 keeps the planner from flattening the
// subquery into one lookup per use).
inline std::string tombstone_image_join(const std::string &t, const std::string &image_alias) {
    return " CROSS JOIN LATERAL (SELECT " + tombstone_image(t) + " OFFSET 0) AS " + image_alias + "(image)";
}

}  // namespace tg
