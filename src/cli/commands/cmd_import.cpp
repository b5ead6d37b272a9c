// import: an export archive back into a database, in one transaction marked
// with tenant_guard.begin_import() (the captured rows get origin 'import'),
// parents before children as the target's foreign keys require. Every check
// that can refuse comes before the first row is written; each part is
// checked (size, SHA-256, rows) while it streams into COPY, and a mismatch
// rolls everything back.
#include "cli/commands/commands.hpp"

#include "cli/db/protected_catalog.hpp"
#include "cli/archive/csv_records.hpp"
#include "cli/cli_error.hpp"
#include "cli/archive/export_archive.hpp"
#include "cli/db/connection.hpp"
#include "cli/progress.hpp"
#include "cli/db/data_settings.hpp"
#include "cli/db/sql_text.hpp"
#include "cli/text_table.hpp"

#include <iostream>
#include <map>

namespace tg::cli {
namespace {

struct Planned {
    const TableEntry *entry;
    const ProtectedTable *target;
};

std::string bullet_list(const std::vector<std::string> &lines) {
    std::string text;
    for (const auto &line : lines) text += "\n  - " + line;
    return text;
}

void check_archive(const ExportArchive &archive, const Manifest &manifest, std::vector<std::string> problems) {
    for (auto &problem : archive.structure_problems(manifest)) problems.push_back(std::move(problem));
    if (!problems.empty()) {
        throw Failure("refused: " + archive.path() + " is damaged (nothing imported):" + bullet_list(problems) +
                      "\nRun tenant-guard export --verify " + archive.path() + " for the full report.");
    }
}

// Matches each archived table to a protected table of the target, or says
// why it cannot.
std::vector<Planned> plan(Connection &conn, const Catalog &catalog, const Manifest &manifest) {
    std::vector<std::string> refusals;
    std::map<const TableEntry *, const ProtectedTable *> matched;
    for (const auto &entry : manifest.tables) {
        const ProtectedTable *target = nullptr;
        for (const auto &table : catalog.tables) {
            if (table.schema == entry.schema && table.name == entry.name) target = &table;
        }
        if (target == nullptr) {
            const Result exists =
                conn.exec("SELECT to_regclass($1) IS NOT NULL", {qualified_name(entry.schema, entry.name)});
            refusals.push_back(entry.display_name() +
                               (exists.get(0, 0) == "t" ? ": exists in the target but is not protected by tenant_guard"
                                                        : ": no such table in the target"));
            continue;
        }
        if (target->tenant_column != entry.tenant_column) {
            refusals.push_back(entry.display_name() + ": the tenant column is " + target->tenant_column +
                               " in the target, " + entry.tenant_column + " in the archive");
        }
        for (const auto &column : entry.columns) {
            const CatalogColumn *found = target->column(column.name);
            if (found == nullptr) {
                refusals.push_back(entry.display_name() + ": column " + column.name + " (" + column.type +
                                   ") is missing in the target");
            } else if (found->generated) {
                refusals.push_back(entry.display_name() + ": column " + column.name +
                                   " is a generated column in the target");
            } else if (found->type != column.type) {
                std::cerr << "tenant-guard import: note: " << entry.display_name() << "." << column.name << " is "
                          << found->type << " in the target, " << column.type << " in the archive\n";
            }
        }
        matched[&entry] = target;
    }
    if (!refusals.empty()) {
        throw Failure("refused: the target database does not match the archive (nothing imported):" +
                      bullet_list(refusals));
    }
    // The target's foreign keys decide the order, not the source's.
    std::vector<Planned> ordered;
    for (const auto &table : catalog.tables) {
        for (const auto &[entry, target] : matched) {
            if (target == &table) ordered.push_back(Planned{entry, target});
        }
    }
    return ordered;
}

// The new tenant, written into the tenant column (whose type's input, a
// domain's CHECK too, runs as the importer, as for every imported value).
std::string tenant_value(Connection &conn, const ProtectedTable &table, const std::string &tenant) {
    return table.tenant_type.empty() ? conn.literal(tenant) : conn.literal(tenant) + "::" + table.tenant_type;
}

void refuse_if_tenant_has_rows(Connection &conn, const std::vector<Planned> &tables, const std::string &tenant,
                               bool renamed) {
    std::vector<std::string> occupied;
    for (const auto &p : tables) {
        const Result r = conn.exec("SELECT EXISTS (SELECT 1 FROM " + p.target->sql_name() + " WHERE " +
                                   tenant_condition(conn, *p.target, tenant) + ")");
        if (r.get(0, 0) == "t") occupied.push_back(p.target->display_name());
    }
    if (occupied.empty()) return;
    std::string tables_text;
    for (const auto &name : occupied) tables_text += (tables_text.empty() ? "" : ", ") + name;
    throw Failure("refused: tenant " + tenant + " already has rows in the target (nothing imported): " + tables_text +
                  (renamed ? "\nHINT: name an empty tenant with --as-tenant"
                           : "\nHINT: import under another, empty tenant with --as-tenant NEW"));
}

// Refuses a part whose rows are not all of the archive's tenant: the
// manifest names the tenant, the rows say it themselves, and an archive is
// the supplier's word (its checksums too). Before 0.13.0 such rows were
// copied in as they were, into tenants that had rows already: import never
// merges (the attacker's report of 0.13.0).
void refuse_other_tenants(Connection &conn, const Planned &p, const std::string &stage,
                          const std::string &archive_tenant) {
    const Result r = conn.exec("SELECT count(*) FROM " + stage + " WHERE NOT coalesce(" +
                               tenant_condition(conn, *p.target, archive_tenant) + ", false)");
    if (r.get(0, 0) == "0") return;
    throw Failure("refused: " + p.entry->part.path + " (table " + p.entry->display_name() + "): " + r.get(0, 0) +
                  " rows are not of the archive's tenant " + archive_tenant + " (nothing imported)");
}

// Streams one part into COPY, checking it on the way; returns rows inserted.
// The rows go through a temporary table first, where their tenant is checked
// (or, with --as-tenant, replaced).
std::uint64_t import_part(Connection &conn, const ExportArchive &archive, const Planned &p,
                          const std::string &archive_tenant, const std::optional<std::string> &as_tenant,
                          Progress &progress) {
    const TableEntry &entry = *p.entry;
    std::vector<std::string> columns;
    for (const auto &column : entry.columns) columns.push_back(column.name);
    // HEADER MATCH (PostgreSQL 15): the part's header line must name exactly
    // these columns, in this order.
    const std::string header = conn.server_version() >= 150000 ? "MATCH" : "true";
    const std::string stage = "tg_import_stage";
    conn.exec("CREATE TEMP TABLE " + quote_ident(stage) + " AS SELECT " + column_list(columns) + " FROM " +
              p.target->sql_name() + " WITH NO DATA");
    const std::string destination = "pg_temp." + quote_ident(stage);
    const tar::Member *member = archive.find(entry.part.path);
    conn.copy_in_begin("COPY " + destination + " (" + column_list(columns) + ") FROM STDIN WITH (FORMAT csv, HEADER " +
                       header + ")");
    StreamedPart streamed;
    try {
        CsvRecordCounter counter;
        streamed = archive.stream(*member, [&](tg::common::ByteView chunk) {
            conn.copy_in_send(chunk);
            // Rows are the records after the header line.
            const std::uint64_t before = counter.records() > 0 ? counter.records() - 1 : 0;
            counter.feed(chunk);
            const std::uint64_t after = counter.records() > 0 ? counter.records() - 1 : 0;
            progress.add_rows(after - before);
        });
        const std::string problem = compare_part(entry.part, streamed);
        if (!problem.empty()) {
            throw Failure("refused: " + entry.part.path + " (table " + entry.display_name() + "): " + problem +
                          " (nothing imported)");
        }
    } catch (...) {
        conn.copy_in_abort("tenant-guard: import aborted");
        throw;
    }
    conn.copy_in_end();
    refuse_other_tenants(conn, p, destination, archive_tenant);
    std::string select;
    for (const auto &column : columns) {
        if (!select.empty()) select += ", ";
        select += as_tenant && column == p.target->tenant_column ? tenant_value(conn, *p.target, *as_tenant)
                                                                 : quote_ident(column);
    }
    // OVERRIDING SYSTEM VALUE: identity columns keep the archived values.
    const Result inserted = conn.exec("INSERT INTO " + p.target->sql_name() + " (" + column_list(columns) +
                                      ") OVERRIDING SYSTEM VALUE SELECT " + select + " FROM " + destination);
    const std::uint64_t rows = std::stoull("0" + inserted.command_tuples());
    conn.exec("DROP TABLE " + destination);
    if (rows != entry.part.rows) {
        throw Failure("refused: " + entry.display_name() + ": " + std::to_string(rows) +
                      " rows inserted, the manifest says " + std::to_string(entry.part.rows) + " (nothing imported)");
    }
    return rows;
}

}  // namespace

int run_import(const Options &o) {
    const ExportArchive archive(o.archive);
    std::vector<std::string> manifest_problems;
    const Manifest manifest = archive.read_manifest(manifest_problems);
    check_archive(archive, manifest, manifest_problems);
    const std::string tenant = o.as_tenant.value_or(manifest.tenant);

    Connection conn = Connection::open(o.dbname);
    apply_data_settings(conn);
    Transaction tx(conn);
    const Catalog catalog = load_catalog(conn);
    const std::vector<Planned> tables = plan(conn, catalog, manifest);
    refuse_if_tenant_has_rows(conn, tables, tenant, o.as_tenant.has_value());
    for (const auto &name : catalog.cycle) {
        std::cerr << "tenant-guard import: note: " << name
                  << " is on a foreign-key cycle; its constraints must be DEFERRABLE for any load order to work\n";
    }

    conn.exec("SELECT tenant_guard.begin_import()");
    Progress progress("import", stderr_is_terminal());
    TextTable summary{{"table", "rows"}, {false, true}, {}};
    std::uint64_t total = 0;
    for (const auto &p : tables) {
        progress.set_subject(p.target->display_name());
        const std::uint64_t rows = import_part(conn, archive, p, manifest.tenant, o.as_tenant, progress);
        summary.rows.push_back({p.target->display_name(), with_thousands(rows)});
        total += rows;
    }
    tx.commit();
    const double seconds = progress.elapsed_seconds();
    progress.done();

    std::cout << render(summary) << "imported tenant " << manifest.tenant;
    if (o.as_tenant) std::cout << " as tenant " << *o.as_tenant;
    std::cout << ": " << with_thousands(total) << " rows into " << tables.size() << " tables in "
              << format_seconds(seconds) << " (" << rate(total, seconds)
              << " rows/s), recorded in the change log with origin 'import'\n";
    for (const auto &extra : manifest.extras) {
        std::cout << "note: " << extra.part.path << " (" << extra.kind
                  << ") stays in the archive for the record; import restores live rows only\n";
    }
    return exit_ok;
}

}  // namespace tg::cli
