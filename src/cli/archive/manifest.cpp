#include "cli/archive/manifest.hpp"

#include "common/strict_json.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace tg::cli {
namespace {

using nlohmann::json;
// Written in a fixed, readable order (format first); read in any order.
using nlohmann::ordered_json;

[[noreturn]] void bad(const std::string &where, const std::string &what) {
    throw ManifestError(manifest_name.data() + std::string(": ") + where + ": " + what);
}

const json &field(const json &object, const std::string &where, const char *key) {
    const auto it = object.find(key);
    if (it == object.end()) bad(where.empty() ? key : where + "." + key, "missing");
    return *it;
}

std::string path_of(const std::string &where, const char *key) { return where.empty() ? key : where + "." + key; }

std::string text_field(const json &object, const std::string &where, const char *key, bool allow_empty = false) {
    const json &value = field(object, where, key);
    if (!value.is_string()) bad(path_of(where, key), "must be a string");
    const auto text = value.get<std::string>();
    if (text.empty() && !allow_empty) bad(path_of(where, key), "must not be empty");
    return text;
}

std::uint64_t count_field(const json &object, const std::string &where, const char *key) {
    const json &value = field(object, where, key);
    if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0)) {
        bad(path_of(where, key), "must be a non-negative integer");
    }
    return value.get<std::uint64_t>();
}

bool is_sha256_hex(const std::string &text) {
    if (text.size() != 64) return false;
    for (const char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

ordered_json part_to_json(const Part &part) {
    return ordered_json{{"path", part.path}, {"rows", part.rows}, {"bytes", part.bytes}, {"sha256", part.sha256}};
}

Part part_from_json(const json &object, const std::string &where) {
    if (!object.is_object()) bad(where, "must be an object");
    Part part;
    part.path = text_field(object, where, "path");
    part.rows = count_field(object, where, "rows");
    part.bytes = count_field(object, where, "bytes");
    part.sha256 = text_field(object, where, "sha256");
    if (!is_sha256_hex(part.sha256)) bad(where + ".sha256", "must be 64 lower-case hex digits");
    return part;
}

std::vector<std::string> names_from_json(const json &value, const std::string &where) {
    if (!value.is_array() || value.empty()) bad(where, "must be a non-empty array of names");
    std::vector<std::string> names;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string() || value[i].get<std::string>().empty()) {
            bad(where + "[" + std::to_string(i) + "]", "must be a non-empty string");
        }
        names.push_back(value[i].get<std::string>());
    }
    return names;
}

}  // namespace

std::vector<const Part *> Manifest::parts() const {
    std::vector<const Part *> all;
    for (const auto &table : tables) all.push_back(&table.part);
    for (const auto &extra : extras) all.push_back(&extra.part);
    return all;
}

std::string manifest_to_text(const Manifest &manifest) {
    ordered_json tables = ordered_json::array();
    for (const auto &table : manifest.tables) {
        ordered_json columns = ordered_json::array();
        for (const auto &column : table.columns) {
            columns.push_back({{"name", column.name}, {"type", column.type}, {"not_null", column.not_null}});
        }
        tables.push_back({{"schema", table.schema},
                          {"name", table.name},
                          {"tenant_column", table.tenant_column},
                          {"delete_mode", table.delete_mode},
                          {"primary_key", table.primary_key},
                          {"columns", columns},
                          {"part", part_to_json(table.part)}});
    }
    ordered_json extras = ordered_json::array();
    for (const auto &extra : manifest.extras) {
        extras.push_back({{"kind", extra.kind}, {"columns", extra.columns}, {"part", part_to_json(extra.part)}});
    }
    const ordered_json out = {
        {"format", archive_format_name},
        {"format_version", manifest.format_version},
        {"created_by", manifest.created_by},
        {"source",
         {{"database_id", manifest.database_id},
          {"server_version", manifest.server_version},
          {"extension_version", manifest.extension_version}}},
        {"tenant", manifest.tenant},
        {"snapshot",
         {{"time", manifest.snapshot_time},
          {"isolation", "repeatable read, read only"},
          {"pg_snapshot", manifest.snapshot}}},
        {"data",
         {{"format", "csv"},
          {"header", true},
          {"encoding", "UTF8"},
          {"null", "an unquoted empty field; an empty string is \"\""},
          {"settings", manifest.settings}}},
        {"tables", tables},
        {"extras", extras},
    };
    // error_handler replace: a table or column name is valid UTF-8 in a UTF8
    // database; the handler only keeps a broken name from aborting the export.
    return out.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

Manifest parse_manifest(std::string_view text) {
    json root;
    try {
        root = tg::common::parse_strict_json(text);
    } catch (const tg::common::StrictJsonError &error) {
        throw ManifestError(std::string(manifest_name) + " is not valid JSON: " + error.what());
    }
    if (!root.is_object()) bad("top level", "must be an object");
    if (text_field(root, "", "format") != archive_format_name) {
        bad("format", "is not \"" + std::string(archive_format_name) + "\": not a tenant-guard export");
    }
    const json &version = field(root, "", "format_version");
    if (!version.is_number_integer()) bad("format_version", "must be an integer");
    if (version != archive_format_version) {
        bad("format_version",
            "is " + version.dump() + "; this tenant-guard reads version " + std::to_string(archive_format_version));
    }
    Manifest manifest;
    manifest.format_version = archive_format_version;
    manifest.created_by = text_field(root, "", "created_by", true);
    const json &source = field(root, "", "source");
    if (!source.is_object()) bad("source", "must be an object");
    manifest.database_id = text_field(source, "source", "database_id");
    manifest.server_version = text_field(source, "source", "server_version", true);
    manifest.extension_version = text_field(source, "source", "extension_version", true);
    manifest.tenant = text_field(root, "", "tenant");
    const json &snapshot = field(root, "", "snapshot");
    if (!snapshot.is_object()) bad("snapshot", "must be an object");
    manifest.snapshot_time = text_field(snapshot, "snapshot", "time");
    manifest.snapshot = text_field(snapshot, "snapshot", "pg_snapshot", true);
    const json &data = field(root, "", "data");
    if (!data.is_object()) bad("data", "must be an object");
    if (text_field(data, "data", "format") != "csv") bad("data.format", "must be \"csv\"");
    if (text_field(data, "data", "encoding") != "UTF8") bad("data.encoding", "must be \"UTF8\"");
    const json &settings = field(data, "data", "settings");
    if (!settings.is_object()) bad("data.settings", "must be an object");
    for (const auto &[key, value] : settings.items()) {
        if (!value.is_string()) bad("data.settings." + key, "must be a string");
        manifest.settings[key] = value.get<std::string>();
    }

    const json &tables = field(root, "", "tables");
    if (!tables.is_array()) bad("tables", "must be an array");
    for (std::size_t i = 0; i < tables.size(); ++i) {
        const std::string where = "tables[" + std::to_string(i) + "]";
        const json &t = tables[i];
        if (!t.is_object()) bad(where, "must be an object");
        TableEntry table;
        table.schema = text_field(t, where, "schema");
        table.name = text_field(t, where, "name");
        table.tenant_column = text_field(t, where, "tenant_column");
        table.delete_mode = text_field(t, where, "delete_mode", true);
        table.primary_key = names_from_json(field(t, where, "primary_key"), where + ".primary_key");
        const json &columns = field(t, where, "columns");
        if (!columns.is_array() || columns.empty()) bad(where + ".columns", "must be a non-empty array");
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const std::string cw = where + ".columns[" + std::to_string(c) + "]";
            if (!columns[c].is_object()) bad(cw, "must be an object");
            Column column;
            column.name = text_field(columns[c], cw, "name");
            column.type = text_field(columns[c], cw, "type");
            const json &not_null = field(columns[c], cw, "not_null");
            if (!not_null.is_boolean()) bad(cw + ".not_null", "must be true or false");
            column.not_null = not_null.get<bool>();
            table.columns.push_back(std::move(column));
        }
        bool has_tenant_column = false;
        for (const auto &column : table.columns) has_tenant_column |= column.name == table.tenant_column;
        if (!has_tenant_column) bad(where + ".columns", "do not include the tenant column " + table.tenant_column);
        table.part = part_from_json(field(t, where, "part"), where + ".part");
        manifest.tables.push_back(std::move(table));
    }
    const json &extras = field(root, "", "extras");
    if (!extras.is_array()) bad("extras", "must be an array");
    for (std::size_t i = 0; i < extras.size(); ++i) {
        const std::string where = "extras[" + std::to_string(i) + "]";
        if (!extras[i].is_object()) bad(where, "must be an object");
        ExtraEntry extra;
        extra.kind = text_field(extras[i], where, "kind");
        extra.columns = names_from_json(field(extras[i], where, "columns"), where + ".columns");
        extra.part = part_from_json(field(extras[i], where, "part"), where + ".part");
        manifest.extras.push_back(std::move(extra));
    }
    // Two entries sharing a member would let one part stand in for another.
    std::map<std::string, int> seen;
    for (const Part *part : manifest.parts()) {
        if (++seen[part->path] > 1) bad("parts", "member " + part->path + " is listed twice");
        if (part->path == manifest_name || part->path == checksums_name) bad("parts", "a part is named " + part->path);
    }
    return manifest;
}

std::string checksums_text(const std::vector<std::pair<std::string, std::string>> &entries) {
    std::string text;
    for (const auto &[path, sha] : entries) text += sha + "  " + path + "\n";
    return text;
}

std::map<std::string, std::string> parse_checksums(std::string_view text) {
    std::map<std::string, std::string> sums;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        ++line_no;
        const std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) {
            throw ManifestError(std::string(checksums_name) + ": line " + std::to_string(line_no) +
                                " has no line end (file cut short)");
        }
        const std::string line(text.substr(pos, end - pos));
        pos = end + 1;
        if (line.size() < 67 || line.compare(64, 2, "  ") != 0 || !is_sha256_hex(line.substr(0, 64))) {
            throw ManifestError(std::string(checksums_name) + ": line " + std::to_string(line_no) +
                                " is not \"<sha256>  <name>\"");
        }
        sums[line.substr(66)] = line.substr(0, 64);
    }
    return sums;
}

std::string part_name_for(std::size_t index, const std::string &schema, const std::string &table) {
    char number[16];
    std::snprintf(number, sizeof number, "%02zu", index);
    std::string safe;
    for (const char c : schema + "." + table) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-' || c == '.';
        safe += plain ? c : '_';
    }
    const std::string head = std::string("data/") + number + "_";
    const std::string tail = ".csv";
    const std::size_t room = 100 - head.size() - tail.size();
    if (safe.size() > room) safe.resize(room);
    return head + safe + tail;
}

}  // namespace tg::cli
