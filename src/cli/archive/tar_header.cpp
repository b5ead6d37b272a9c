#include "cli/archive/tar_header.hpp"

#include <cstring>
#include <stdexcept>

namespace tg::cli::tar {
namespace {

// Field offsets and lengths of the ustar header (POSIX.1-1988).
namespace field {
constexpr std::size_t name = 0, mode = 100, uid = 108, gid = 116, size = 124, mtime = 136, chksum = 148, type = 156,
                      magic = 257, version = 263, uname = 265, gname = 297, prefix = 345;
}  // namespace field

void put_octal(Block &block, std::size_t offset, std::size_t length, std::uint64_t value) {
    // length - 1 digits and a terminating NUL.
    for (std::size_t i = length - 1; i-- > 0;) {
        block[offset + i] = static_cast<std::uint8_t>('0' + (value & 7));
        value >>= 3;
    }
    block[offset + length - 1] = 0;
}

void put_text(Block &block, std::size_t offset, std::string_view text) {
    std::memcpy(block.data() + offset, text.data(), text.size());
}

std::uint64_t checksum_of(const Block &block) {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < block_size; ++i) sum += (i >= field::chksum && i < field::chksum + 8) ? ' ' : block[i];
    return sum;
}

// Old tars summed signed chars; accept that too when reading.
std::int64_t signed_checksum_of(const Block &block) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < block_size; ++i) {
        sum += (i >= field::chksum && i < field::chksum + 8) ? ' ' : static_cast<std::int8_t>(block[i]);
    }
    return sum;
}

std::optional<std::uint64_t> get_number(const Block &block, std::size_t offset, std::size_t length) {
    if (block[offset] & 0x80) {                          // base-256, big endian, first byte's top bit is the marker
        if (block[offset] != 0x80) return std::nullopt;  // negative or too large for us
        std::uint64_t value = 0;
        for (std::size_t i = 1; i < length; ++i) {
            if (value >> 56) return std::nullopt;
            value = (value << 8) | block[offset + i];
        }
        return value;
    }
    std::size_t i = offset;
    const std::size_t end = offset + length;
    while (i < end && block[i] == ' ') ++i;
    std::uint64_t value = 0;
    bool any = false;
    for (; i < end && block[i] >= '0' && block[i] <= '7'; ++i) {
        if (value >> 60) return std::nullopt;
        value = value * 8 + (block[i] - '0');
        any = true;
    }
    for (; i < end; ++i) {
        if (block[i] != 0 && block[i] != ' ') return std::nullopt;
    }
    if (!any) return std::nullopt;
    return value;
}

std::string get_text(const Block &block, std::size_t offset, std::size_t length) {
    const auto *start = reinterpret_cast<const char *>(block.data() + offset);
    return std::string(start, strnlen(start, length));
}

}  // namespace

Block encode_header(const Header &header) {
    if (header.name.empty() || header.name.size() > max_name || header.name.find('\0') != std::string::npos) {
        throw std::invalid_argument("tar member name must be 1 to 100 bytes: \"" + header.name + "\"");
    }
    Block block{};
    put_text(block, field::name, header.name);
    put_octal(block, field::mode, 8, header.mode);
    put_octal(block, field::uid, 8, 0);
    put_octal(block, field::gid, 8, 0);
    if (header.size <= max_octal_size) {
        put_octal(block, field::size, 12, header.size);
    } else {
        block[field::size] = 0x80;
        std::uint64_t size = header.size;
        for (std::size_t i = 11; i >= 4; --i) {  // the low 8 bytes; the value fits in them
            block[field::size + i] = static_cast<std::uint8_t>(size & 0xff);
            size >>= 8;
        }
    }
    put_octal(block, field::mtime, 12, header.mtime < 0 ? 0 : static_cast<std::uint64_t>(header.mtime));
    block[field::type] = static_cast<std::uint8_t>(header.type);
    put_text(block, field::magic, std::string_view("ustar\0", 6));
    put_text(block, field::version, "00");
    put_text(block, field::uname, "tenant_guard");
    put_text(block, field::gname, "tenant_guard");
    // The checksum: six octal digits, NUL, space (what tar itself writes).
    put_octal(block, field::chksum, 7, checksum_of(block));
    block[field::chksum + 7] = ' ';
    return block;
}

DecodeResult decode_header(const Block &block) {
    DecodeResult result;
    bool all_zero = true;
    for (const auto byte : block) {
        if (byte != 0) {
            all_zero = false;
            break;
        }
    }
    if (all_zero) return result;

    const auto stored = get_number(block, field::chksum, 8);
    if (!stored) {
        result.error = "header checksum field is unreadable";
        return result;
    }
    const std::uint64_t computed = checksum_of(block);
    if (*stored != computed && static_cast<std::int64_t>(*stored) != signed_checksum_of(block)) {
        result.error = "header checksum mismatch (stored " + std::to_string(*stored) + ", computed " +
                       std::to_string(computed) + ")";
        return result;
    }
    if (std::memcmp(block.data() + field::magic, "ustar", 5) != 0) {
        result.error = "not a ustar header (magic missing)";
        return result;
    }
    const auto size = get_number(block, field::size, 12);
    if (!size) {
        result.error = "header size field is unreadable";
        return result;
    }
    Header header;
    header.name = get_text(block, field::name, 100);
    const std::string prefix = get_text(block, field::prefix, 155);
    if (!prefix.empty()) header.name = prefix + "/" + header.name;
    header.type = block[field::type] == 0 ? '0' : static_cast<char>(block[field::type]);
    header.size = *size;
    header.mtime = static_cast<std::int64_t>(get_number(block, field::mtime, 12).value_or(0));
    header.mode = static_cast<std::uint32_t>(get_number(block, field::mode, 8).value_or(0));
    result.header = std::move(header);
    return result;
}

}  // namespace tg::cli::tar
