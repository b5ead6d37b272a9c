// An export archive opened for reading (export --verify and import): the tar
// index, the manifest checked against SHA256SUMS, and each part streamed with
// its SHA-256, size and CSV record count taken on the way — so a part is
// checked while it is used, and a damaged archive is described precisely.
#pragma once

#include "common/bytes.hpp"
#include "cli/archive/manifest.hpp"
#include "cli/archive/tar_reader.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tg::cli {

struct StreamedPart {
    std::string sha256;
    std::uint64_t bytes = 0;
    std::uint64_t records = 0;  // CSV records, the header line included
    bool complete = true;       // ends after a whole record
};

class ExportArchive {
   public:
    explicit ExportArchive(const std::string &path);

    const std::string &path() const { return reader_.path(); }
    const tar::Index &index() const { return index_; }
    const tar::Member *find(const std::string &name) const;

    // The manifest, checked against SHA256SUMS. Throws Failure when there is
    // no readable manifest; problems that leave it usable (SHA256SUMS missing)
    // go to `problems`.
    Manifest read_manifest(std::vector<std::string> &problems) const;

    // Everything that can be found without reading the data: parts missing,
    // cut short or of another size than the manifest says, members that the
    // manifest does not list, damage in the tar structure.
    std::vector<std::string> structure_problems(const Manifest &manifest) const;

    StreamedPart stream(const tar::Member &member, const std::function<void(tg::common::ByteView)> &sink) const;

   private:
    tar::Reader reader_;
    tar::Index index_;
};

// "" when the streamed data is what the manifest promised, else the first
// difference with expected and actual values.
std::string compare_part(const Part &expected, const StreamedPart &actual);

struct VerifyResult {
    std::optional<Manifest> manifest;
    std::vector<std::string> problems;
    std::vector<std::string> checked;  // one line per good part
    std::uint64_t rows = 0;
};

// export --verify: every check there is, without a database. `on_bytes` is
// called with the number of bytes read so far (progress).
VerifyResult verify_archive(const std::string &path, const std::function<void(std::uint64_t)> &on_bytes);

}  // namespace tg::cli
