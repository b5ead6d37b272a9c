// Reads a ustar archive from a file: an index of its members (headers only,
// data skipped by offset), then any member's data streamed in chunks. Damage
// is reported precisely: which header, at which offset, which member is cut
// short and how much of it is there.
#pragma once

#include "common/bytes.hpp"
#include "cli/file_io.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tg::cli::tar {

struct Member {
    std::string name;
    char type = '0';
    std::uint64_t size = 0;  // as the header says
    std::uint64_t header_offset = 0;
    std::uint64_t data_offset = 0;
    std::uint64_t available = 0;  // data bytes actually present (< size: truncated)
    bool truncated() const { return available < size; }
};

struct Index {
    std::vector<Member> members;  // regular files only, in archive order
    // Empty when the archive is whole. Otherwise the first problem found;
    // members before it are listed (the last one possibly truncated).
    std::string damage;
    bool has_end_marker = false;
};

class Reader {
   public:
    explicit Reader(const std::string &path);

    const std::string &path() const { return path_; }
    std::uint64_t file_size() const { return file_size_; }

    Index index() const;

    // Calls sink with consecutive chunks of the member's present data.
    void stream(const Member &member, const std::function<void(tg::common::ByteView)> &sink) const;
    std::string read_all(const Member &member, std::size_t max_bytes) const;

   private:
    void read_at(std::uint64_t offset, std::uint8_t *buffer, std::size_t length) const;

    std::string path_;
    Fd fd_;
    std::uint64_t file_size_ = 0;
};

}  // namespace tg::cli::tar
