#include "cli/db/connection.hpp"

#include "cli/cli_error.hpp"

#include <iostream>
#include <libpq-fe.h>

#include <chrono>
#include <cstring>
#include <sys/select.h>

namespace tg::cli {
namespace {

std::string field_of(const PGresult *result, int code) {
    const char *value = PQresultErrorField(result, code);
    return value ? value : "";
}

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace

PgError::PgError(std::string sqlstate, std::string message, std::string detail, std::string hint)
    : std::runtime_error(std::move(message)),
      sqlstate_(std::move(sqlstate)),
      detail_(std::move(detail)),
      hint_(std::move(hint)) {}

std::string PgError::describe() const {
    std::string text = "ERROR";
    if (!sqlstate_.empty()) text += " " + sqlstate_;
    text += ": " + std::string(what());
    if (!detail_.empty()) text += "\nDETAIL: " + detail_;
    if (!hint_.empty()) text += "\nHINT: " + hint_;
    return text;
}

void Result::free_result(pg_result *result) { PQclear(result); }
int Result::rows() const { return PQntuples(result_.get()); }
int Result::columns() const { return PQnfields(result_.get()); }
bool Result::is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) == 1; }
std::string Result::get(int row, int column) const {
    return std::string(PQgetvalue(result_.get(), row, column),
                       static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}
std::optional<std::string> Result::get_optional(int row, int column) const {
    if (is_null(row, column)) return std::nullopt;
    return get(row, column);
}
std::string Result::command_tuples() const { return PQcmdTuples(result_.get()); }
std::string Result::command_status() const { return PQcmdStatus(result_.get()); }

void Connection::Closer::operator()(pg_conn *conn) const { PQfinish(conn); }

Connection Connection::open(const std::string &dbname) {
    // expand_dbname: "dbname" may be a whole conninfo string or URI, as in psql.
    const char *keys[] = {"dbname", "fallback_application_name", nullptr};
    const char *values[] = {dbname.empty() ? nullptr : dbname.c_str(), "tenant-guard", nullptr};
    PGconn *raw = PQconnectdbParams(keys, values, 1);
    if (raw == nullptr) throw PgError("", "could not allocate a connection", "", "");
    Connection conn(raw);
    if (PQstatus(raw) != CONNECTION_OK) conn.throw_connection_error("could not connect to the database");
    // Server notices (a table owner's RAISE NOTICE in a trigger) through
    // std::cerr and its control-character filter, not libpq's own fprintf.
    PQsetNoticeProcessor(
        raw, [](void *, const char *message) { std::cerr << message << std::flush; }, nullptr);
    // Names in the command line's SQL resolve only in pg_catalog (pg_temp is
    // never searched for functions and operators): an operator or function
    // that a role created in a schema on the search path (public) would
    // otherwise be picked for its "=", and run with the operator's rights.
    conn.exec("SELECT pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', false)");
    // As pg_dump reads: a table whose row-level security policies apply to
    // the role is refused (42501), never read or written filtered. A policy's
    // expressions are the table owner's code and would run with the role's
    // rights, and a filtered export would look complete.
    conn.exec("SELECT pg_catalog.set_config('row_security', 'off', false)");
    // Values in the output form the extension spells tenants in (shape.cpp's
    // pin_output), whatever the role's or PGOPTIONS' settings: the tenant is
    // matched by its text (protected_catalog.cpp), and archives read back alike.
    conn.exec(
        "SELECT pg_catalog.set_config('DateStyle', 'ISO, MDY', false), "
        "pg_catalog.set_config('IntervalStyle', 'postgres', false), "
        "pg_catalog.set_config('extra_float_digits', '1', false), "
        "pg_catalog.set_config('bytea_output', 'hex', false)");
    return conn;
}

Connection::~Connection() = default;

void Connection::throw_connection_error(const std::string &context) {
    std::string message = trimmed(PQerrorMessage(conn_.get()));
    if (PQstatus(conn_.get()) == CONNECTION_BAD) {
        throw PgError("08001", context + ": " + message, "",
                      "give -d/--dbname (conninfo or URI) or set PGHOST, PGPORT, PGDATABASE, PGUSER");
    }
    throw PgError("", context + ": " + message, "", "");
}

Result Connection::checked(pg_result *raw) {
    if (raw == nullptr) throw_connection_error("the query failed");
    Result result(raw);
    const ExecStatusType status = PQresultStatus(raw);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_OUT ||
        status == PGRES_COPY_IN) {
        return result;
    }
    std::string message = field_of(raw, PG_DIAG_MESSAGE_PRIMARY);
    if (message.empty()) message = trimmed(PQresultErrorMessage(raw));
    if (message.empty()) message = trimmed(PQerrorMessage(conn_.get()));
    throw PgError(field_of(raw, PG_DIAG_SQLSTATE), message, field_of(raw, PG_DIAG_MESSAGE_DETAIL),
                  field_of(raw, PG_DIAG_MESSAGE_HINT));
}

namespace {

struct ParamArrays {
    std::vector<const char *> values;
    explicit ParamArrays(const Params &params) {
        for (const auto &p : params) values.push_back(p ? p->c_str() : nullptr);
    }
};

}  // namespace

Result Connection::exec(const std::string &sql, const Params &params) {
    if (params.empty()) return checked(PQexec(conn_.get(), sql.c_str()));
    const ParamArrays arrays(params);
    return checked(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                                arrays.values.data(), nullptr, nullptr, 0));
}

Result Connection::exec_watched(const std::string &sql, const Params &params, const std::function<void()> &tick) {
    const ParamArrays arrays(params);
    if (PQsendQueryParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr, arrays.values.data(),
                          nullptr, nullptr, 0) != 1) {
        throw_connection_error("could not send the query");
    }
    const int socket = PQsocket(conn_.get());
    for (;;) {
        if (PQconsumeInput(conn_.get()) != 1) throw_connection_error("the connection was lost");
        if (!PQisBusy(conn_.get())) break;
        fd_set readable;
        FD_ZERO(&readable);
        FD_SET(socket, &readable);
        timeval wait{0, 200 * 1000};
        ::select(socket + 1, &readable, nullptr, nullptr, &wait);
        if (tick) tick();
    }
    // One statement: one result, then NULL.
    std::optional<Result> first;
    std::optional<PgError> error;
    while (PGresult *raw = PQgetResult(conn_.get())) {
        try {
            Result result = checked(raw);
            if (!first) first.emplace(std::move(result));
        } catch (const PgError &e) {
            if (!error) error = e;
        }
    }
    if (error) throw *error;
    if (!first) throw PgError("", "the server returned no result", "", "");
    return std::move(*first);
}

std::string Connection::literal(std::string_view value) {
    char *quoted = PQescapeLiteral(conn_.get(), value.data(), value.size());
    if (quoted == nullptr) throw_connection_error("could not quote a value");
    std::string text(quoted);
    PQfreemem(quoted);
    return text;
}

std::uint64_t Connection::copy_out(const std::string &sql, const std::function<void(tg::common::ByteView)> &sink) {
    {
        Result started = checked(PQexec(conn_.get(), sql.c_str()));
        if (PQresultStatus(started.raw()) != PGRES_COPY_OUT) throw PgError("", "COPY did not start: " + sql, "", "");
    }
    for (;;) {
        char *buffer = nullptr;
        const int length = PQgetCopyData(conn_.get(), &buffer, 0);
        if (length > 0) {
            // Free the buffer even if the sink throws (disk full …).
            std::unique_ptr<char, void (*)(void *)> owned(buffer, PQfreemem);
            sink(
                tg::common::ByteView(reinterpret_cast<const std::uint8_t *>(buffer), static_cast<std::size_t>(length)));
            continue;
        }
        if (length == -2) throw_connection_error("COPY failed");
        break;  // -1: done, the final result follows
    }
    return copy_result();
}

// Reads the results that follow a COPY (all of them, so the connection is
// ready again) and returns its row count, or throws its first error.
std::uint64_t Connection::copy_result() {
    std::uint64_t rows = 0;
    std::optional<PgError> error;
    while (PGresult *raw = PQgetResult(conn_.get())) {
        try {
            Result result = checked(raw);
            rows = std::stoull("0" + result.command_tuples());
        } catch (const PgError &e) {
            if (!error) error = e;
        }
    }
    if (error) throw *error;
    return rows;
}

void Connection::copy_in_begin(const std::string &sql) {
    Result started = checked(PQexec(conn_.get(), sql.c_str()));
    if (PQresultStatus(started.raw()) != PGRES_COPY_IN) throw PgError("", "COPY did not start: " + sql, "", "");
}

void Connection::copy_in_send(tg::common::ByteView data) {
    if (data.empty()) return;
    if (PQputCopyData(conn_.get(), reinterpret_cast<const char *>(data.data()), static_cast<int>(data.size())) != 1) {
        throw_connection_error("COPY failed while sending data");
    }
}

std::uint64_t Connection::copy_in_end() {
    if (PQputCopyEnd(conn_.get(), nullptr) != 1) throw_connection_error("COPY failed at its end");
    return copy_result();
}

void Connection::copy_in_abort(const std::string &reason) {
    PQputCopyEnd(conn_.get(), reason.c_str());
    while (PGresult *raw = PQgetResult(conn_.get())) PQclear(raw);
}

int Connection::server_version() const { return PQserverVersion(conn_.get()); }

bool Connection::ready() const {
    return PQstatus(conn_.get()) == CONNECTION_OK && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE;
}

std::unique_ptr<CancelHandle> Connection::cancel_handle() {
    PGcancel *cancel = PQgetCancel(conn_.get());
    if (cancel == nullptr) throw_connection_error("could not prepare a cancel request");
    return std::make_unique<CancelHandle>(cancel);
}

CancelHandle::~CancelHandle() { PQfreeCancel(cancel_); }

bool CancelHandle::cancel() {
    char error[256];
    return PQcancel(cancel_, error, sizeof error) == 1;
}

Transaction::Transaction(Connection &conn, const std::string &begin_sql) : conn_(conn) { conn_.exec(begin_sql); }

Transaction::~Transaction() {
    if (!open_) return;
    try {
        conn_.exec("ROLLBACK");
    } catch (...) {
        // The connection is gone or broken: the server rolls back by itself.
    }
}

void Transaction::commit() {
    open_ = false;
    // COMMIT of a transaction that failed earlier "succeeds" as ROLLBACK.
    const Result result = conn_.exec("COMMIT");
    if (result.command_status() != "COMMIT") {
        throw PgError("40000", "the transaction was rolled back instead of committed", "", "");
    }
}

}  // namespace tg::cli
