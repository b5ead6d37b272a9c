// manifest.json of an export archive: what the archive holds and how to check
// it (format version, source, tenant, snapshot, each table with its columns
// and types, each part with its row count, size and SHA-256). Written as the
// last data member, because the checksums are known only then; SHA256SUMS
// (sha256sum -c format) follows it and covers it.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tg::cli {

inline constexpr int archive_format_version = 1;
inline constexpr std::string_view archive_format_name = "tenant_guard.export";
inline constexpr std::string_view manifest_name = "manifest.json";
inline constexpr std::string_view checksums_name = "SHA256SUMS";

class ManifestError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

struct Column {
    std::string name;
    std::string type;  // format_type(), e.g. "numeric(10,2)"
    bool not_null = false;
};

struct Part {
    std::string path;  // member name in the archive
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
    std::string sha256;  // lower-case hex
};

struct TableEntry {
    std::string schema;
    std::string name;
    std::string tenant_column;
    std::string delete_mode;
    std::vector<std::string> primary_key;
    std::vector<Column> columns;  // the columns of the part, in its order
    Part part;

    std::string display_name() const { return schema + "." + name; }
};

// Parts that are kept for the record and not imported (history, tombstones).
struct ExtraEntry {
    std::string kind;
    std::vector<std::string> columns;
    Part part;
};

struct Manifest {
    int format_version = archive_format_version;
    std::string created_by;
    std::string database_id;
    std::string server_version;
    std::string extension_version;
    std::string tenant;
    std::string snapshot_time;
    std::string snapshot;                         // pg_current_snapshot() of the export transaction
    std::map<std::string, std::string> settings;  // session settings the data was written under
    std::vector<TableEntry> tables;
    std::vector<ExtraEntry> extras;

    std::vector<const Part *> parts() const;
};

std::string manifest_to_text(const Manifest &manifest);

// Refuses anything but a manifest this version can read, naming the field
// at fault ("tables[2].part.sha256: …"). Throws ManifestError.
Manifest parse_manifest(std::string_view text);

// "<sha256>  <path>\n" per entry, as sha256sum writes it.
std::string checksums_text(const std::vector<std::pair<std::string, std::string>> &entries);
// path → sha256; throws ManifestError naming the bad line.
std::map<std::string, std::string> parse_checksums(std::string_view text);

// A member name for a table's data: "data/NN_schema.table.csv", with bytes
// other than letters, digits, '_', '-' and '.' replaced by '_' and shortened
// to fit a ustar name; the manifest maps it back to the table.
std::string part_name_for(std::size_t index, const std::string &schema, const std::string &table);

}  // namespace tg::cli
