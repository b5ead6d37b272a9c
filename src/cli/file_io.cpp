#include "cli/file_io.hpp"

#include "cli/cli_error.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tg::cli {

void throw_errno(const std::string &what, const std::string &path) {
    throw Failure(what + " " + path + ": " + std::strerror(errno));
}

Fd::~Fd() {
    if (fd_ >= 0) ::close(fd_);
}

Fd &Fd::operator=(Fd &&other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

int Fd::release() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd;
}

void Fd::close(const std::string &path) {
    const int fd = release();
    if (fd >= 0 && ::close(fd) != 0) throw_errno("could not close", path);
}

Fd open_for_reading(const std::string &path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno("could not open", path);
    return Fd(fd);
}

Fd create_new(const std::string &path, int mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw_errno("could not create", path);
    // The umask may have widened nothing but may have narrowed; a key must be
    // exactly what was asked (0600), whatever the umask.
    if (::fchmod(fd, static_cast<mode_t>(mode)) != 0) throw_errno("could not set the mode of", path);
    return Fd(fd);
}

void write_all(int fd, tg::common::ByteView data, const std::string &path) {
    const std::uint8_t *p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("could not write", path);
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void sync_file(int fd, const std::string &path) {
    if (::fsync(fd) != 0) throw_errno("could not fsync", path);
}

void sync_parent_directory(const std::string &path) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_errno("could not open directory", dir);
    Fd owned(fd);
    sync_file(fd, dir);
}

std::string read_small_file(const std::string &path, std::size_t max_bytes) {
    Fd fd = open_for_reading(path);
    return read_small_file(fd.get(), path, max_bytes);
}

std::string read_small_file(int fd, const std::string &path, std::size_t max_bytes) {
    std::string text;
    char chunk[8192];
    for (;;) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("could not read", path);
        }
        if (n == 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
        if (text.size() > max_bytes) {
            throw Failure(path + " is larger than " + std::to_string(max_bytes) + " bytes; is it the right file?");
        }
    }
    return text;
}

void replace_file_atomically(const std::string &path, std::string_view text, int mode) {
    const std::string temp = path + ".tmp";
    ::unlink(temp.c_str());  // a leftover of an interrupted run is never meaningful
    Fd fd = create_new(temp, mode);
    write_all(fd.get(), text, temp);
    sync_file(fd.get(), temp);
    fd.close(temp);
    if (::rename(temp.c_str(), path.c_str()) != 0) throw_errno("could not rename " + temp + " to", path);
    sync_parent_directory(path);
}

bool path_exists(const std::string &path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0;
}

BufferedWriter::BufferedWriter(int fd, std::string path, std::size_t buffer_size)
    : fd_(fd), path_(std::move(path)), buffer_(buffer_size) {}

void BufferedWriter::write(tg::common::ByteView data) {
    if (data.size() >= buffer_.size()) {
        flush();
        write_all(fd_, data, path_);
    } else {
        if (used_ + data.size() > buffer_.size()) flush();
        std::memcpy(buffer_.data() + used_, data.data(), data.size());
        used_ += data.size();
    }
    position_ += data.size();
}

void BufferedWriter::flush() {
    if (used_ == 0) return;
    write_all(fd_, tg::common::ByteView(buffer_.data(), used_), path_);
    used_ = 0;
}

void BufferedWriter::patch(std::uint64_t offset, tg::common::ByteView data) {
    flush();
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_errno("could not write", path_);
        }
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace tg::cli
