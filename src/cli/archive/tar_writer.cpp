#include "cli/archive/tar_writer.hpp"

#include <stdexcept>

namespace tg::cli::tar {

void Writer::begin(const std::string &name, std::int64_t mtime) {
    if (open_) throw std::logic_error("tar member " + current_.name + " is still open");
    current_ = Header{name, '0', 0, mtime, 0644};
    header_offset_ = out_.position();
    out_.write(encode_header(current_));  // validates the name now, before any data
    open_ = true;
}

void Writer::write(tg::common::ByteView data) {
    if (!open_) throw std::logic_error("tar write outside a member");
    out_.write(data);
    current_.size += data.size();
}

std::uint64_t Writer::end() {
    if (!open_) throw std::logic_error("tar end outside a member");
    static const Block zeros{};
    out_.write(tg::common::ByteView(zeros.data(), static_cast<std::size_t>(padding(current_.size))));
    out_.patch(header_offset_, encode_header(current_));
    open_ = false;
    return current_.size;
}

void Writer::add(const std::string &name, std::string_view content, std::int64_t mtime) {
    begin(name, mtime);
    write(content);
    end();
}

void Writer::finish() {
    if (open_) throw std::logic_error("tar member " + current_.name + " is still open");
    static const Block zeros{};
    out_.write(zeros);
    out_.write(zeros);
    out_.flush();
}

}  // namespace tg::cli::tar
