#include "extension/column_history.hpp"

#include "extension/column_history_pg.hpp"
#include "extension/errors.hpp"
#include "extension/history_entries.hpp"
#include "extension/pg/catalog_calls.hpp"
#include "extension/restore_rights.hpp"
#include "extension/schema_constants.hpp"
#include "extension/spi.hpp"

namespace tg {

void record_column_values(const registry::ProtectedTable &table, Oid relid, const std::vector<std::string> &columns) {
    if (columns.empty()) return;
    // The plain tables that hold the rows: relid itself, or its leaf partitions.
    pg::OidList all = pg::plain_tables_of(relid);
    std::vector<Oid> leaves(all.items, all.items + all.count);
    std::vector<registry::Registration> registrations(leaves.size());
    for (size_t i = 0; i < leaves.size(); i++)
        if (!registry::find_registration(leaves[i], &registrations[i]))
            throw Error(ERRCODE_INTERNAL_ERROR, "tenant_guard: " + spi::qualified_name(leaves[i]) +
                                                    " is not covered by protected table " +
                                                    spi::qualified_name(table.relid));
    std::vector<const char *> names;
    for (const auto &c : columns) names.push_back(c.c_str());
    // Values of the owner's types are the owner's code: built as the table's owner, restricted.
    AsTableOwner owner(relid);
    column_history_pg::record_leaves(leaves.data(), registrations.data(), (int)leaves.size(), names.data(),
                                     (int)names.size());
}

void rename_image_key(const registry::ProtectedTable &table, const std::string &from, const std::string &to) {
    // The value's key $2 becomes $3, and its exact text's key (a json or
    // jsonb column's) $4 becomes $5.
    auto move = [](const std::string &image, const char *from, const char *to) {
        return "CASE WHEN " + image + " ? " + from + " THEN (" + image + " - " + from + ") || jsonb_build_object(" +
               to + ", " + image + " -> " + from + ") ELSE " + image + " END";
    };
    auto moved = [&](const std::string &image) { return move(move(image, "$2", "$3"), "$4", "$5"); };
    auto holds = [](const std::string &image) { return image + " ? $2 OR " + image + " ? $4"; };
    std::vector<spi::Arg> args = {{INT4OID, datum::from_int32(table.table_id)},
                                  spi::text_arg(from),
                                  spi::text_arg(to),
                                  spi::text_arg(from + schema::exact_text_suffix),
                                  spi::text_arg(to + schema::exact_text_suffix)};
    spi::Session session;
    explode_entries(table);
    spi::AsExtensionOwner owner;
    spi::exec("UPDATE tenant_guard.tombstone_data t SET row_data = " + moved("t.row_data") + ", pk = " + moved("t.pk") +
                  " WHERE t.table_id = $1 AND (" + holds("t.row_data") + " OR t.pk ? $2)",
              args);
    spi::exec("UPDATE tenant_guard.change_log_data c SET old_row = " + moved("c.old_row") +
                  ", new_row = " + moved("c.new_row") + ", pk = " + moved("c.pk") + " WHERE c.table_id = $1 AND (" +
                  holds("c.old_row") + " OR " + holds("c.new_row") + " OR c.pk ? $2)",
              args);
}

std::string dropped_column_key(const std::string &name, AttrNumber attnum) {
    return name + "#dropped" + std::to_string(attnum);
}

void refuse_kept_key(const registry::ProtectedTable &table, const std::string &column) {
    if (column.find('#') == std::string::npos) return;
    const std::string suffix = schema::exact_text_suffix;
    if (column.size() >= suffix.size() && column.compare(column.size() - suffix.size(), suffix.size(), suffix) == 0)
        throw Error(sqlstate::hard_delete,
                    "cannot name a column \"" + column + "\" in protected table " + spi::qualified_name(table.relid) +
                        ": row images keep a json or jsonb column's exact text under a key ending in \"" + suffix +
                        "\"",
                    "", "Choose another name.");
    uint64 n;
    {
        spi::AsExtensionOwner owner;
        n = spi::exec(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM tenant_guard.tombstone_data t "
            "                        WHERE t.table_id = $1 AND t.row_data ? $2) "
            "   OR EXISTS (SELECT 1 FROM " +
                change_rows() +
                " c "
                "               WHERE c.table_id = $1 AND (c.old_row ? $2 OR c.new_row ? $2))",
            {{INT4OID, datum::from_int32(table.table_id)}, spi::text_arg(column)});
    }
    if (n)
        throw Error(sqlstate::hard_delete,
                    "cannot name a column \"" + column + "\" in protected table " + spi::qualified_name(table.relid) +
                        ": its history keeps other values under that key",
                    "Tombstones and changes keep the values of a dropped or retyped column under such a key; a column "
                    "of that name would overwrite them or take them.",
                    "Choose another name.");
}

}  // namespace tg
