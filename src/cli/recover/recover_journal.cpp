#include "cli/recover/recover_journal.hpp"

#include "common/sha256.hpp"
#include "cli/cli_error.hpp"

#include <cerrno>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tg::cli {
namespace {

using Json = nlohmann::ordered_json;

void lock_exclusively(int fd, const std::string &path) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return;
    if (errno == EWOULDBLOCK) {
        throw Failure("journal " + path + " is in use by another tenant-guard recover (wait for it to end)");
    }
    throw_errno("could not lock", path);
}

JournalHeader header_from(const Json &line) {
    JournalHeader header;
    header.database_id = line.at("database_id").get<std::string>();
    header.filter = filter_from_json(line.at("filter"));
    header.window = filter_from_json(line.at("window"));
    header.created_at = line.at("created_at").get<std::string>();
    for (const auto &t : line.at("tenants")) {
        header.tenants.push_back(PlannedTenant{t.at("tenant").get<std::string>(), t.at("rows").get<std::uint64_t>(),
                                               t.at("tables").get<std::vector<std::string>>()});
    }
    return header;
}

TenantOutcome tenant_from(const Json &line) {
    TenantOutcome tenant;
    tenant.tenant = line.at("tenant").get<std::string>();
    tenant.finished_at = line.at("finished_at").get<std::string>();
    tenant.status = TenantStatus::restored_earlier;
    for (const auto &t : line.at("tables")) tenant.tables.push_back(table_from_json(t));
    return tenant;
}

}  // namespace

std::string default_journal_name(const std::string &database_id, const DeletionFilter &filter) {
    const std::string key = database_id + '\n' + filter_to_json(filter).dump();
    return "tenant-guard-recover-" + tg::common::sha256_hex(key).substr(0, 16) + ".journal";
}

std::string header_line(const JournalHeader &h) {
    Json tenants = Json::array();
    for (const auto &t : h.tenants) tenants.push_back({{"tenant", t.tenant}, {"rows", t.rows}, {"tables", t.tables}});
    return Json{{"format", journal_format},
                {"version", journal_version},
                {"database_id", h.database_id},
                {"filter", filter_to_json(h.filter)},
                {"window", filter_to_json(h.window)},
                {"created_at", h.created_at},
                {"tenants", tenants}}
               .dump() +
           "\n";
}

std::string tenant_line(const TenantOutcome &t) {
    Json tables = Json::array();
    for (const auto &table : t.tables) tables.push_back(table_to_json(table));
    return Json{{"tenant", t.tenant}, {"finished_at", t.finished_at}, {"tables", tables}}.dump() + "\n";
}

// A journal decides what a run restores (its window) and skips (the tenants
// it lists): only one of this user's own, that no one else may write, is
// taken. Someone who can write to the directory would otherwise plant one
// (its name is computed from the database and the filter) or a symbolic link
// (the attacker's report of 0.13.0).
static void refuse_foreign_journal(int fd, const std::string &path) {
    struct stat st;
    if (::fstat(fd, &st) != 0) throw_errno("could not inspect the journal", path);
    std::string problem;
    if (!S_ISREG(st.st_mode))
        problem = "is not a regular file";
    else if (st.st_uid != ::geteuid())
        problem = "belongs to another user (uid " + std::to_string(st.st_uid) + ")";
    else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        problem = "may be written by other users";
    if (problem.empty()) return;
    throw Failure("journal " + path + " " + problem +
                  ": refused, nothing restored (a journal says what a run restores and skips)\n"
                  "HINT: check who made it; remove it, or run in a directory only you can write to");
}

std::optional<Journal> Journal::open_existing(const std::string &path) {
    const int raw = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
    if (raw < 0) {
        if (errno == ENOENT) return std::nullopt;
        if (errno == ELOOP)
            throw Failure("journal " + path +
                          " is a symbolic link: refused, nothing restored\n"
                          "HINT: check who made it; remove it, or run in a directory only you can write to");
        throw_errno("could not open the journal", path);
    }
    Journal journal(path, Fd(raw));
    refuse_foreign_journal(journal.fd_.get(), path);
    lock_exclusively(journal.fd_.get(), path);
    const std::string text = read_small_file(journal.fd_.get(), path, std::size_t(1) << 30);
    std::size_t start = 0;
    std::size_t good_end = 0;  // the end of the last whole line read
    int number = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        const bool last = end == std::string::npos || end + 1 == text.size();
        const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
        start = end == std::string::npos ? text.size() : end + 1;
        ++number;
        const std::string where = path + " line " + std::to_string(number);
        Json value;
        try {
            value = Json::parse(line);
        } catch (const Json::exception &) {
            // Only the line being appended when a run was killed may be torn.
            if (last && number > 1) {
                // Cut it off, or the next entry would be appended to it.
                if (::ftruncate(journal.fd_.get(), static_cast<off_t>(good_end)) != 0) {
                    throw_errno("could not cut the torn last line off", path);
                }
                sync_file(journal.fd_.get(), path);
                journal.notes_.push_back("ignored the torn last line of " + where +
                                         " (a run was killed while writing it)");
                break;
            }
            throw Failure("journal " + where + " is not JSON: the journal is damaged (nothing restored)");
        }
        try {
            if (number == 1) {
                if (value.value("format", "") != journal_format || value.value("version", 0) != journal_version) {
                    throw Failure("");
                }
                journal.header_ = header_from(value);
            } else {
                journal.earlier_.push_back(tenant_from(value));
            }
        } catch (const Json::exception &) {
            throw Failure("journal " + where + " is malformed (nothing restored)");
        } catch (const Failure &error) {
            throw Failure(path + " is not a tenant-guard recover journal (format " + journal_format + " version " +
                          std::to_string(journal_version) + ")" +
                          (std::string(error.what()).empty() ? "" : ": " + std::string(error.what())));
        }
        good_end = start;
    }
    if (number == 0) throw Failure("journal " + path + " is empty: remove it to plan anew");
    if (good_end == text.size() && text.back() != '\n') {
        write_all(journal.fd_.get(), "\n", path);  // a whole last line that lost its newline
        sync_file(journal.fd_.get(), path);
    }
    return journal;
}

Journal Journal::create(const std::string &path, const JournalHeader &header) {
    if (path_exists(path)) throw Failure("journal " + path + " exists already");
    const std::string temp = path + ".tmp";
    ::unlink(temp.c_str());  // a leftover of a run killed while creating it
    Fd fd = create_new(temp, 0600);
    lock_exclusively(fd.get(), temp);
    write_all(fd.get(), header_line(header), temp);
    sync_file(fd.get(), temp);
    // link() refuses an existing path (rename() would replace it).
    if (::link(temp.c_str(), path.c_str()) != 0) throw_errno("could not create the journal", path);
    ::unlink(temp.c_str());
    sync_parent_directory(path);
    // Appends from here on, through the same descriptor (the lock stays).
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_APPEND) != 0) throw_errno("could not reopen", path);
    Journal journal(path, std::move(fd));
    journal.header_ = header;
    return journal;
}

void Journal::record(const TenantOutcome &tenant) {
    const std::string line = tenant_line(tenant);
    const std::lock_guard<std::mutex> guard(*lock_);
    write_all(fd_.get(), line, path_);
    sync_file(fd_.get(), path_);
}

}  // namespace tg::cli
