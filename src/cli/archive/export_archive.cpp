#include "cli/archive/export_archive.hpp"

#include "common/sha256.hpp"
#include "cli/archive/csv_records.hpp"
#include "cli/cli_error.hpp"

#include <set>

namespace tg::cli {
namespace {

constexpr std::size_t max_manifest_bytes = 64u << 20;

std::string describe(const Manifest &manifest, const std::string &path) {
    for (const auto &table : manifest.tables) {
        if (table.part.path == path) return path + " (table " + table.display_name() + ")";
    }
    for (const auto &extra : manifest.extras) {
        if (extra.part.path == path) return path + " (" + extra.kind + ")";
    }
    return path;
}

}  // namespace

ExportArchive::ExportArchive(const std::string &path) : reader_(path), index_(reader_.index()) {}

const tar::Member *ExportArchive::find(const std::string &name) const {
    for (const auto &member : index_.members) {
        if (member.name == name) return &member;
    }
    return nullptr;
}

Manifest ExportArchive::read_manifest(std::vector<std::string> &problems) const {
    const std::string name(manifest_name);
    const tar::Member *member = find(name);
    if (member == nullptr) {
        if (index_.members.empty() && !index_.damage.empty() && index_.damage.find("damaged header") == 0) {
            throw Failure(path() + " is not a tar archive: " + index_.damage);
        }
        if (!index_.damage.empty()) throw Failure(name + " is missing because the " + index_.damage);
        throw Failure(name + " is missing: " + path() + " is not a tenant-guard export archive");
    }
    if (member->truncated()) {
        throw Failure(name + " is truncated: " + std::to_string(member->available) + " of " +
                      std::to_string(member->size) + " bytes present");
    }
    const std::string text = reader_.read_all(*member, max_manifest_bytes);
    const std::string actual = tg::common::sha256_hex(text);
    const tar::Member *sums_member = find(std::string(checksums_name));
    if (sums_member == nullptr || sums_member->truncated()) {
        // The tar damage behind it, if any, is reported by structure_problems.
        problems.push_back(std::string(checksums_name) + " is " + (sums_member ? "truncated" : "missing") + ": " +
                           name + " cannot be checked against it");
    } else {
        try {
            const auto sums = parse_checksums(reader_.read_all(*sums_member, max_manifest_bytes));
            const auto it = sums.find(name);
            if (it == sums.end()) {
                problems.push_back(std::string(checksums_name) + " has no line for " + name);
            } else if (it->second != actual) {
                // A manifest that fails its checksum cannot be trusted for
                // anything else: every other check depends on it.
                throw Failure(name + ": SHA-256 mismatch: expected " + it->second + " (from " +
                              std::string(checksums_name) + "), actual " + actual + ": the manifest is damaged");
            }
        } catch (const ManifestError &error) {
            problems.push_back(error.what());
        }
    }
    try {
        return parse_manifest(text);
    } catch (const ManifestError &error) {
        throw Failure(error.what());
    }
}

std::vector<std::string> ExportArchive::structure_problems(const Manifest &manifest) const {
    std::vector<std::string> problems;
    std::set<std::string> listed{std::string(manifest_name), std::string(checksums_name)};
    for (const Part *part : manifest.parts()) {
        listed.insert(part->path);
        const tar::Member *member = find(part->path);
        const std::string what = describe(manifest, part->path);
        if (member == nullptr) {
            problems.push_back(what + ": missing from the archive");
        } else if (member->truncated()) {
            problems.push_back(what + ": truncated: " + std::to_string(member->available) + " of " +
                               std::to_string(member->size) + " bytes present (the manifest says " +
                               std::to_string(part->bytes) + ")");
        } else if (member->size != part->bytes) {
            problems.push_back(what + ": size mismatch: expected " + std::to_string(part->bytes) + " bytes, actual " +
                               std::to_string(member->size));
        }
    }
    std::set<std::string> seen;
    for (const auto &member : index_.members) {
        if (!listed.count(member.name)) problems.push_back(member.name + ": in the archive but not in the manifest");
        if (!seen.insert(member.name).second) problems.push_back(member.name + ": present twice in the archive");
    }
    if (!index_.damage.empty()) {
        problems.push_back(index_.damage);
    }
    return problems;
}

StreamedPart ExportArchive::stream(const tar::Member &member,
                                   const std::function<void(tg::common::ByteView)> &sink) const {
    tg::common::Sha256Stream sha;
    CsvRecordCounter counter;
    StreamedPart result;
    reader_.stream(member, [&](tg::common::ByteView chunk) {
        sha.update(chunk);
        counter.feed(chunk);
        result.bytes += chunk.size();
        if (sink) sink(chunk);
    });
    result.sha256 = sha.finish_hex();
    result.records = counter.records();
    result.complete = counter.complete();
    return result;
}

std::string compare_part(const Part &expected, const StreamedPart &actual) {
    if (actual.bytes != expected.bytes) {
        return "size mismatch: expected " + std::to_string(expected.bytes) + " bytes, actual " +
               std::to_string(actual.bytes);
    }
    if (actual.sha256 != expected.sha256) {
        return "SHA-256 mismatch: expected " + expected.sha256 + ", actual " + actual.sha256;
    }
    // The checksum matched, so these can only differ if the manifest was
    // written wrong; checked anyway, since import relies on them.
    if (!actual.complete) return "the data does not end with a whole CSV record";
    const std::uint64_t rows = actual.records == 0 ? 0 : actual.records - 1;  // minus the header line
    if (actual.records == 0 || rows != expected.rows) {
        return "row count mismatch: expected " + std::to_string(expected.rows) + ", actual " + std::to_string(rows);
    }
    return "";
}

VerifyResult verify_archive(const std::string &path, const std::function<void(std::uint64_t)> &on_bytes) {
    VerifyResult result;
    const ExportArchive archive(path);
    try {
        result.manifest = archive.read_manifest(result.problems);
    } catch (const Failure &error) {
        result.problems.insert(result.problems.begin(), error.what());
        if (!archive.index().damage.empty() &&
            std::string(error.what()).find(archive.index().damage) == std::string::npos) {
            result.problems.push_back(archive.index().damage);
        }
        return result;
    }
    for (auto &problem : archive.structure_problems(*result.manifest)) result.problems.push_back(std::move(problem));

    std::uint64_t done = 0;
    for (const Part *part : result.manifest->parts()) {
        const tar::Member *member = archive.find(part->path);
        if (member == nullptr || member->truncated() || member->size != part->bytes) continue;  // reported above
        const StreamedPart streamed = archive.stream(*member, [&](tg::common::ByteView chunk) {
            done += chunk.size();
            if (on_bytes) on_bytes(done);
        });
        const std::string problem = compare_part(*part, streamed);
        std::string what = describe(*result.manifest, part->path);
        if (problem.empty()) {
            result.checked.push_back(what + ": " + std::to_string(part->rows) + " rows, sha256 " + part->sha256);
            result.rows += part->rows;
        } else {
            result.problems.push_back(what + ": " + problem);
        }
    }
    return result;
}

}  // namespace tg::cli
