// Writes a ustar archive member by member, streaming: a member's header is
// written with size 0 first and patched once its data has been written, so
// data of unknown size (a COPY in progress) never has to be held or spooled.
// The output must therefore be a regular file, not a pipe.
#pragma once

#include "cli/file_io.hpp"
#include "cli/archive/tar_header.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tg::cli::tar {

class Writer {
   public:
    explicit Writer(BufferedWriter &out) : out_(out) {}

    void begin(const std::string &name, std::int64_t mtime);
    void write(tg::common::ByteView data);
    // Patches the header with the real size, pads to the block; returns the size.
    std::uint64_t end();

    // A whole small member in one call.
    void add(const std::string &name, std::string_view content, std::int64_t mtime);

    // The end-of-archive marker (two zero blocks); flushes.
    void finish();

   private:
    BufferedWriter &out_;
    Header current_;
    std::uint64_t header_offset_ = 0;
    bool open_ = false;
};

}  // namespace tg::cli::tar
