// export: one tenant's rows from every protected table, read in one
// REPEATABLE READ READ ONLY transaction (one snapshot for all tables), each
// table streamed by COPY … TO STDOUT straight into a tar member while its
// SHA-256 and row count are taken. The archive is written as FILE.partial and
// renamed when complete, so FILE is never a half-written archive.
#include "cli/commands/commands.hpp"

#include "cli/db/protected_catalog.hpp"
#include "common/sha256.hpp"
#include "cli/archive/csv_records.hpp"
#include "cli/cli_error.hpp"
#include "cli/file_io.hpp"
#include "cli/archive/manifest.hpp"
#include "cli/db/connection.hpp"
#include "cli/progress.hpp"
#include "cli/db/data_settings.hpp"
#include "cli/db/sql_text.hpp"
#include "cli/archive/tar_writer.hpp"
#include "cli/text_table.hpp"

#include <cstdio>
#include <iostream>
#include <unistd.h>

#ifndef TG_CLI_VERSION
#define TG_CLI_VERSION "unknown"
#endif

namespace tg::cli {
namespace {

struct PartWriter {
    tar::Writer &tar;
    Connection &conn;
    Progress &progress;
    std::int64_t mtime;

    Part write(const std::string &member, const std::string &query) {
        tar.begin(member, mtime);
        tg::common::Sha256Stream sha;
        CsvRecordCounter counter;
        const std::uint64_t rows = conn.copy_out(
            "COPY (" + query + ") TO STDOUT WITH (FORMAT csv, HEADER true)", [&](tg::common::ByteView chunk) {
                tar.write(chunk);
                sha.update(chunk);
                // Rows are the records after the header line.
                const std::uint64_t before = counter.records() > 0 ? counter.records() - 1 : 0;
                counter.feed(chunk);
                const std::uint64_t after = counter.records() > 0 ? counter.records() - 1 : 0;
                progress.add_rows(after - before);
            });
        Part part;
        part.path = member;
        part.bytes = tar.end();
        part.sha256 = sha.finish_hex();
        part.rows = rows;
        // The header line plus one record per row: anything else means the
        // CSV could not be read back row for row.
        if (counter.records() != rows + 1 || !counter.complete()) {
            throw Failure(member + ": the server sent " + std::to_string(rows) + " rows but " +
                          std::to_string(counter.records()) + " CSV records");
        }
        return part;
    }
};

std::string select_table_rows(Connection &conn, const ProtectedTable &table, const std::string &tenant) {
    std::string sql = "SELECT " + column_list(table.copy_columns()) + " FROM " + table.sql_name() + " WHERE " +
                      tenant_condition(conn, table, tenant);
    if (!table.primary_key.empty()) sql += " ORDER BY " + column_list(table.primary_key);
    return sql;
}

}  // namespace

int run_export(const Options &o) {
    if (path_exists(o.out) && !o.force) {
        throw Failure(o.out + " already exists; choose another --out or add --force to replace it");
    }
    Connection conn = Connection::open(o.dbname);
    apply_data_settings(conn);
    Transaction tx(conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");

    // The first statement of the transaction takes its snapshot: the time
    // recorded is that statement's.
    const Result info = conn.exec(R"SQL(
        SELECT tenant_guard.database_id(),
               to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               extract(epoch FROM statement_timestamp())::bigint,
               current_setting('server_version'),
               (SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'tenant_guard'),
               pg_current_snapshot()::text)SQL");
    Manifest manifest;
    manifest.created_by = std::string("tenant-guard ") + TG_CLI_VERSION;
    manifest.database_id = info.get(0, 0);
    manifest.snapshot_time = info.get(0, 1);
    const std::int64_t mtime = std::stoll(info.get(0, 2));
    manifest.server_version = info.get(0, 3);
    manifest.extension_version = info.get(0, 4);
    manifest.snapshot = info.get(0, 5);
    manifest.tenant = o.tenant;
    manifest.settings = data_settings();

    const Catalog catalog = load_catalog(conn);
    if (catalog.tables.empty()) throw Failure("the database has no protected tables: nothing to export");

    const std::string partial = o.out + ".partial";
    ::unlink(partial.c_str());  // a leftover of an interrupted export
    Fd fd = create_new(partial, 0644);
    bool finished = false;
    struct Cleanup {
        const std::string &path;
        bool &finished;
        ~Cleanup() {
            if (!finished) ::unlink(path.c_str());
        }
    } cleanup{partial, finished};

    BufferedWriter out(fd.get(), partial);
    tar::Writer tar(out);
    Progress progress("export", stderr_is_terminal());
    PartWriter writer{tar, conn, progress, mtime};

    std::size_t index = 0;
    for (const auto &table : catalog.tables) {
        progress.set_subject(table.display_name());
        TableEntry entry;
        entry.schema = table.schema;
        entry.name = table.name;
        entry.tenant_column = table.tenant_column;
        entry.delete_mode = table.delete_mode;
        entry.primary_key = table.primary_key;
        for (const auto &column : table.columns) {
            if (!column.generated) entry.columns.push_back(Column{column.name, column.type, column.not_null});
        }
        entry.part =
            writer.write(part_name_for(++index, table.schema, table.name), select_table_rows(conn, table, o.tenant));
        manifest.tables.push_back(std::move(entry));
    }
    const std::string tenant_literal = conn.literal(o.tenant);
    if (o.with_history) {
        progress.set_subject("history");
        ExtraEntry extra{
            "history",
            {"seq", "rel", "op", "pk", "old_row", "new_row", "xid", "changed_at", "changed_by", "actor", "origin"},
            {}};
        extra.part = writer.write("history.csv", "SELECT " + column_list(extra.columns) +
                                                     " FROM (SELECT seq, rel::text AS rel, op, pk, old_row, new_row, "
                                                     "xid, changed_at, changed_by, actor, origin "
                                                     "FROM tenant_guard.change_log WHERE tenant = " +
                                                     tenant_literal + ") AS h ORDER BY seq");
        manifest.extras.push_back(std::move(extra));
    }
    if (o.with_tombstones) {
        progress.set_subject("tombstones");
        ExtraEntry extra{
            "tombstones", {"tombstone_id", "rel", "pk", "row_data", "deleted_at", "deleted_by", "xid"}, {}};
        extra.part = writer.write("tombstones.csv",
                                  "SELECT tombstone_id, rel::text AS rel, pk, row_data, deleted_at, "
                                  "deleted_by, xid FROM tenant_guard.tombstones WHERE tenant = " +
                                      tenant_literal + " ORDER BY tombstone_id");
        manifest.extras.push_back(std::move(extra));
    }

    const std::string manifest_text = manifest_to_text(manifest);
    std::vector<std::pair<std::string, std::string>> sums;
    for (const Part *part : manifest.parts()) sums.emplace_back(part->path, part->sha256);
    sums.emplace_back(std::string(manifest_name), tg::common::sha256_hex(manifest_text));
    tar.add(std::string(manifest_name), manifest_text, mtime);
    tar.add(std::string(checksums_name), checksums_text(sums), mtime);
    tar.finish();
    sync_file(fd.get(), partial);
    fd.close(partial);
    tx.commit();
    if (::rename(partial.c_str(), o.out.c_str()) != 0) throw_errno("could not rename " + partial + " to", o.out);
    finished = true;
    sync_parent_directory(o.out);
    const double seconds = progress.elapsed_seconds();
    progress.done();

    TextTable summary{{"table", "rows", "bytes", "part"}, {false, true, true, false}, {}};
    std::uint64_t rows = 0;
    for (const auto &table : manifest.tables) {
        summary.rows.push_back(
            {table.display_name(), with_thousands(table.part.rows), with_thousands(table.part.bytes), table.part.path});
        rows += table.part.rows;
    }
    for (const auto &extra : manifest.extras) {
        summary.rows.push_back({"(" + extra.kind + ")", with_thousands(extra.part.rows),
                                with_thousands(extra.part.bytes), extra.part.path});
    }
    std::cout << render(summary) << "exported tenant " << o.tenant << ": " << with_thousands(rows) << " rows from "
              << manifest.tables.size() << " tables in " << format_seconds(seconds) << " (" << rate(rows, seconds)
              << " rows/s), snapshot " << manifest.snapshot_time << " -> " << o.out << "\n";
    return exit_ok;
}

}  // namespace tg::cli
