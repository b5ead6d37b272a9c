// libFuzzer target: the export archive reader (what `tenant-guard export
// --verify` and import run on a file) must never crash, hang, leak or throw
// anything but Failure, and the manifest and SHA256SUMS parsers nothing but
// ManifestError, whatever bytes they are given.
//
// The first input byte picks a mode (byte % 5), so the fuzzer is not stuck
// behind the tar header checksum or SHA-256:
//   0: the rest is an archive file, verified as it is;
//   1: the same, but every 512-byte block with the ustar magic gets its header
//      checksum fixed first, so mutated sizes, types and pax records get through;
//   2: the rest is manifest.json text for parse_manifest;
//   3: the rest is SHA256SUMS text for parse_checksums;
//   4: the rest is "<manifest.json>\0<part 1>\0<part 2>…": written here into a
//      well-formed archive (each part under the name the manifest gives it, a
//      correct SHA256SUMS), so the per-part checks of verify run.
// The reader takes a path, so the archive goes to one temporary file per process.
#include "cli/cli_error.hpp"
#include "cli/archive/export_archive.hpp"
#include "cli/file_io.hpp"
#include "cli/archive/manifest.hpp"
#include "cli/archive/tar_header.hpp"
#include "cli/archive/tar_writer.hpp"
#include "common/sha256.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace {

using namespace tg::cli;

class TempFile {
   public:
    TempFile() {
        char pattern[] = "/tmp/tg_fuzz_archive_XXXXXX";
        fd_ = ::mkstemp(pattern);
        if (fd_ < 0) {
            std::perror("mkstemp");
            std::abort();
        }
        path_ = pattern;
    }
    ~TempFile() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    TempFile(const TempFile &) = delete;
    TempFile &operator=(const TempFile &) = delete;

    const std::string &path() const { return path_; }

    // Empties the file and leaves the descriptor at offset 0 for writing.
    int rewind() {
        if (::ftruncate(fd_, 0) != 0 || ::lseek(fd_, 0, SEEK_SET) != 0) std::abort();
        return fd_;
    }

    void assign(std::string_view bytes) {
        write_all(rewind(), tg::common::ByteView(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size()),
                  path_);
    }

   private:
    int fd_ = -1;
    std::string path_;
};

TempFile &temp_file() {
    static TempFile file;
    return file;
}

// What export --verify does with the archive, plus the checks import adds.
void verify_file(const std::string &path) {
    try {
        const VerifyResult result = verify_archive(path, [](std::uint64_t) {});
        // A verdict is either "intact" or names at least one problem; without a
        // manifest there is no intact archive.
        if (!result.manifest && result.problems.empty()) std::abort();
        if (result.manifest && result.problems.empty() && result.checked.size() != result.manifest->parts().size()) {
            std::abort();
        }
    } catch (const Failure &) {
        // An unreadable file; the documented refusal.
    }
}

void fix_header_checksums(std::string &bytes) {
    for (std::size_t at = 0; at + tg::cli::tar::block_size <= bytes.size(); at += tg::cli::tar::block_size) {
        char *block = bytes.data() + at;
        if (std::memcmp(block + 257, "ustar", 5) != 0) continue;
        std::memset(block + 148, ' ', 8);
        unsigned sum = 0;
        for (std::size_t i = 0; i < tg::cli::tar::block_size; ++i) sum += static_cast<unsigned char>(block[i]);
        char digits[8];
        std::snprintf(digits, sizeof digits, "%06o", sum);
        std::memcpy(block + 148, digits, 7);  // six digits and a NUL, then the space left there
    }
}

void check_manifest(std::string_view text) {
    try {
        const Manifest manifest = parse_manifest(text);
        // What parse accepts, manifest_to_text must write so that it reads back the same.
        const std::string written = manifest_to_text(manifest);
        if (manifest_to_text(parse_manifest(written)) != written) std::abort();
    } catch (const ManifestError &) {}
}

void check_checksums(std::string_view text) {
    try {
        const auto sums = parse_checksums(text);
        // checksums_text takes (path, sha256) pairs, as the map holds them.
        const std::vector<std::pair<std::string, std::string>> entries(sums.begin(), sums.end());
        if (parse_checksums(checksums_text(entries)) != sums) std::abort();
    } catch (const ManifestError &) {}
}

bool plain_member_name(const std::string &name) {
    return !name.empty() && name.size() <= tg::cli::tar::max_name && name.find('\0') == std::string::npos;
}

void check_built_archive(std::string_view rest) {
    std::vector<std::string_view> pieces;
    for (;;) {
        const std::size_t nul = rest.find('\0');
        pieces.push_back(rest.substr(0, nul));
        if (nul == std::string_view::npos) break;
        rest.remove_prefix(nul + 1);
    }
    const std::string manifest_text(pieces[0]);
    std::vector<std::pair<std::string, std::string>> sums;
    TempFile &file = temp_file();
    BufferedWriter out(file.rewind(), file.path(), 64 << 10);
    tar::Writer tar(out);
    try {
        const Manifest manifest = parse_manifest(manifest_text);
        const auto parts = manifest.parts();
        for (std::size_t i = 0; i < parts.size() && i + 1 < pieces.size(); ++i) {
            if (!plain_member_name(parts[i]->path)) continue;
            tar.add(parts[i]->path, pieces[i + 1], 0);
            sums.emplace_back(parts[i]->path, tg::common::sha256_hex(pieces[i + 1]));
        }
    } catch (const ManifestError &) {
        // Written anyway: verify must say the same.
    }
    tar.add(std::string(manifest_name), manifest_text, 0);
    sums.emplace_back(std::string(manifest_name), tg::common::sha256_hex(manifest_text));
    tar.add(std::string(checksums_name), checksums_text(sums), 0);
    tar.finish();
    verify_file(file.path());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char *>(data + 1), size - 1);
    switch (data[0] % 5) {
        case 0:
            temp_file().assign(rest);
            verify_file(temp_file().path());
            break;
        case 1: {
            std::string bytes(rest);
            fix_header_checksums(bytes);
            temp_file().assign(bytes);
            verify_file(temp_file().path());
            break;
        }
        case 2:
            check_manifest(rest);
            break;
        case 3:
            check_checksums(rest);
            break;
        default:
            check_built_archive(rest);
            break;
    }
    return 0;
}
