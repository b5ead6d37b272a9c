// libpq, owned: a connection and results that free themselves, server errors
// as exceptions that keep the SQLSTATE, detail and hint, and the two COPY
// directions as streams (constant memory whatever the row count).
#pragma once

#include "common/bytes.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;
struct pg_cancel;

namespace tg::cli {

// An error the server (or libpq) reported. what() is the primary message.
class PgError : public std::runtime_error {
   public:
    PgError(std::string sqlstate, std::string message, std::string detail, std::string hint);
    const std::string &sqlstate() const { return sqlstate_; }
    const std::string &detail() const { return detail_; }
    const std::string &hint() const { return hint_; }
    // "ERROR TG014: …" plus DETAIL/HINT lines, for the terminal.
    std::string describe() const;

   private:
    std::string sqlstate_, detail_, hint_;
};

class Result {
   public:
    explicit Result(pg_result *result) : result_(result, &free_result) {}
    int rows() const;
    int columns() const;
    bool is_null(int row, int column) const;
    std::string get(int row, int column) const;  // "" for NULL
    std::optional<std::string> get_optional(int row, int column) const;
    std::string command_tuples() const;
    std::string command_status() const;
    pg_result *raw() const { return result_.get(); }

   private:
    static void free_result(pg_result *result);
    std::unique_ptr<pg_result, void (*)(pg_result *)> result_;
};

using Params = std::vector<std::optional<std::string>>;

// Asks the server to cancel whatever a connection is running (PQcancel): may
// be used from another thread than the connection's, while it waits.
class CancelHandle {
   public:
    explicit CancelHandle(pg_cancel *cancel) : cancel_(cancel) {}
    ~CancelHandle();
    CancelHandle(const CancelHandle &) = delete;
    CancelHandle &operator=(const CancelHandle &) = delete;
    // False when the request could not be sent (the statement may still end by itself).
    bool cancel();

   private:
    pg_cancel *cancel_;
};

class Connection {
   public:
    // dbname: conninfo or URI ("" = environment). Throws PgError (08001).
    static Connection open(const std::string &dbname);
    Connection(Connection &&) noexcept = default;
    Connection &operator=(Connection &&) noexcept = default;
    ~Connection();

    Result exec(const std::string &sql, const Params &params = {});
    // exec while calling `tick` a few times a second (progress of one long call).
    Result exec_watched(const std::string &sql, const Params &params, const std::function<void()> &tick);

    // A string literal for SQL text, quoted for this connection's settings.
    std::string literal(std::string_view value);

    // COPY … TO STDOUT: each chunk of data goes to sink; returns the row count.
    std::uint64_t copy_out(const std::string &sql, const std::function<void(tg::common::ByteView)> &sink);

    // COPY … FROM STDIN: begin, send chunks, end (returns the row count).
    void copy_in_begin(const std::string &sql);
    void copy_in_send(tg::common::ByteView data);
    std::uint64_t copy_in_end();
    // Aborts a COPY in progress (the server rolls it back with an error).
    void copy_in_abort(const std::string &reason);

    int server_version() const;
    // Connected and outside any transaction: ready for the next one.
    bool ready() const;
    std::unique_ptr<CancelHandle> cancel_handle();

   private:
    explicit Connection(pg_conn *conn) : conn_(conn) {}
    Result checked(pg_result *result);
    std::uint64_t copy_result();
    [[noreturn]] void throw_connection_error(const std::string &context);

    struct Closer {
        void operator()(pg_conn *conn) const;
    };
    std::unique_ptr<pg_conn, Closer> conn_;
};

// A transaction that rolls back unless committed: any exception leaves the
// database as it was.
class Transaction {
   public:
    Transaction(Connection &conn, const std::string &begin_sql = "BEGIN");
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;
    void commit();

   private:
    Connection &conn_;
    bool open_ = true;
};

}  // namespace tg::cli
