#include "cli/archive/tar_reader.hpp"

#include "cli/cli_error.hpp"
#include "cli/archive/tar_header.hpp"

#include <algorithm>
#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace tg::cli::tar {
namespace {

// Values of a pax extended header ("<len> <key>=<value>\n" records) that
// change the next member: path and size. Others are ignored, as tar does.
// (A size of no_size means none was given; std::optional here trips GCC 12's
// maybe-uninitialized warning.)
constexpr std::uint64_t no_size = ~0ULL;

void apply_pax(const std::string &records, std::string &path, std::uint64_t &size) {
    std::size_t pos = 0;
    while (pos < records.size()) {
        const std::size_t space = records.find(' ', pos);
        if (space == std::string::npos) return;
        std::uint64_t length = 0;
        for (std::size_t i = pos; i < space; ++i) {
            if (records[i] < '0' || records[i] > '9') return;
            length = length * 10 + static_cast<std::uint64_t>(records[i] - '0');
        }
        // The record must fit in what is left (compared without pos + length,
        // which a huge length wraps around) and hold its length, space and '\n'.
        if (length > records.size() - pos || length < space - pos + 2) return;
        const std::string record = records.substr(space + 1, pos + length - space - 2);  // minus '\n'
        const std::size_t eq = record.find('=');
        if (eq != std::string::npos) {
            const std::string key = record.substr(0, eq);
            const std::string value = record.substr(eq + 1);
            if (key == "path") path = value;
            if (key == "size") {
                try {
                    size = std::stoull(value);
                } catch (const std::exception &) {}
            }
        }
        pos += length;
    }
}

std::string at(std::uint64_t offset) { return "at byte offset " + std::to_string(offset); }

}  // namespace

Reader::Reader(const std::string &path) : path_(path), fd_(open_for_reading(path)) {
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) throw_errno("could not stat", path);
    if (!S_ISREG(st.st_mode)) throw Failure(path + " is not a regular file");
    file_size_ = static_cast<std::uint64_t>(st.st_size);
}

void Reader::read_at(std::uint64_t offset, std::uint8_t *buffer, std::size_t length) const {
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(fd_.get(), buffer + done, length - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("could not read", path_);
        }
        if (n == 0) throw Failure(path_ + " changed while being read (shorter than before)");
        done += static_cast<std::size_t>(n);
    }
}

Index Reader::index() const {
    Index index;
    std::uint64_t offset = 0;
    std::string pax_path;
    std::uint64_t pax_size = no_size;
    const auto after_last = [&]() {
        return index.members.empty() ? std::string("at the start of the archive")
                                     : "after member " + index.members.back().name;
    };
    for (;;) {
        if (offset == file_size_) {
            index.damage = "archive ends without the end-of-archive marker " + after_last() + " (" + at(offset) +
                           "): it is truncated";
            return index;
        }
        if (offset + block_size > file_size_) {
            index.damage = "archive ends inside a header " + after_last() + " (" + at(offset) + ", " +
                           std::to_string(file_size_ - offset) + " of 512 bytes present): it is truncated";
            return index;
        }
        Block block;
        read_at(offset, block.data(), block_size);
        const DecodeResult decoded = decode_header(block);
        if (!decoded.error.empty()) {
            index.damage = "damaged header " + after_last() + " (" + at(offset) + "): " + decoded.error;
            return index;
        }
        if (!decoded.header) {
            // One zero block is the marker's start; tar writes two, but some
            // writers pad differently, so one is accepted as the end.
            index.has_end_marker = true;
            return index;
        }
        Header header = *decoded.header;
        const std::uint64_t data_offset = offset + block_size;
        if (pax_size != no_size) header.size = pax_size;
        const std::uint64_t present = data_offset >= file_size_ ? 0 : std::min(header.size, file_size_ - data_offset);
        if (header.type == 'x' || header.type == 'g') {
            if (present < header.size) {
                index.damage = "archive ends inside a pax header (" + at(offset) + "): it is truncated";
                return index;
            }
            if (header.type == 'x' && header.size <= 1 << 20) {
                std::string records(static_cast<std::size_t>(header.size), '\0');
                read_at(data_offset, reinterpret_cast<std::uint8_t *>(records.data()), records.size());
                apply_pax(records, pax_path, pax_size);
            }
            offset = data_offset + header.size + padding(header.size);
            continue;
        }
        if (!pax_path.empty()) header.name = pax_path;
        pax_path.clear();
        pax_size = no_size;
        if (header.type == '0' || header.type == '7') {
            index.members.push_back(Member{header.name, '0', header.size, offset, data_offset, present});
        }
        if (present < header.size) {
            index.damage = "archive is truncated inside member " + header.name + ": " + std::to_string(present) +
                           " of " + std::to_string(header.size) + " bytes present";
            return index;
        }
        offset = data_offset + header.size + padding(header.size);
        if (offset > file_size_) offset = file_size_;  // padding cut off: reported at the next round
    }
}

void Reader::stream(const Member &member, const std::function<void(tg::common::ByteView)> &sink) const {
    std::vector<std::uint8_t> buffer(1 << 20);
    std::uint64_t done = 0;
    while (done < member.available) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), member.available - done));
        read_at(member.data_offset + done, buffer.data(), n);
        sink(tg::common::ByteView(buffer.data(), n));
        done += n;
    }
}

std::string Reader::read_all(const Member &member, std::size_t max_bytes) const {
    if (member.available > max_bytes) {
        throw Failure(member.name + " in " + path_ + " is " + std::to_string(member.available) +
                      " bytes, more than the " + std::to_string(max_bytes) + " expected");
    }
    std::string text(static_cast<std::size_t>(member.available), '\0');
    read_at(member.data_offset, reinterpret_cast<std::uint8_t *>(text.data()), text.size());
    return text;
}

}  // namespace tg::cli::tar
