// The 512-byte POSIX ustar header, so archives open with tar, bsdtar, 7-Zip or
// Python's tarfile. Sizes up to 8 GiB - 1 are written in octal as ustar
// requires; larger ones in the base-256 form of GNU tar and star, which every
// reader named above also understands.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tg::cli::tar {

inline constexpr std::size_t block_size = 512;
using Block = std::array<std::uint8_t, block_size>;

// Largest size the 11 octal digits of the ustar size field hold.
inline constexpr std::uint64_t max_octal_size = 077777777777ULL;
// Names longer than the ustar name field would need a prefix split or a pax
// record; the archive's own names never need either.
inline constexpr std::size_t max_name = 100;

struct Header {
    std::string name;
    char type = '0';  // '0' regular file, 'x' pax extended header, '5' directory …
    std::uint64_t size = 0;
    std::int64_t mtime = 0;
    std::uint32_t mode = 0644;
};

// Throws std::invalid_argument for a name that is empty, too long or not
// plain (the writer's own bug, never user input).
Block encode_header(const Header &header);

struct DecodeResult {
    std::optional<Header> header;  // empty for an all-zero (end-of-archive) block
    std::string error;             // non-empty: why the block is not a valid header
};
DecodeResult decode_header(const Block &block);

// Bytes of padding after `size` bytes of member data up to the next block.
inline std::uint64_t padding(std::uint64_t size) { return (block_size - size % block_size) % block_size; }

}  // namespace tg::cli::tar
