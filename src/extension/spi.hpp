// SPI for the management functions (C++ side, owning objects): every call
// goes through the guarded functions of pg/spi_calls.hpp, so a PostgreSQL
// error surfaces as PgErrorPending and the C++ objects on the stack are
// destroyed properly on the way out.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "extension/boundary.hpp"
#include "extension/pg/spi_calls.hpp"

namespace tg::spi {

// One query parameter.
struct Arg {
    Oid type;
    Datum value;
    bool is_null = false;
};

inline Arg null_arg(Oid type) { return Arg{type, (Datum)0, true}; }
Arg text_arg(const std::string &s);
Arg text_arg_or_null(const char *s);

// SPI_connect / SPI_finish for one scope.
class Session {
   public:
    Session();
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;
};

// Runs sql (with $n parameters); returns SPI_processed. Rows in SPI_tuptable.
// Never read-only: each statement sees what the previous ones wrote.
uint64 exec(const std::string &sql, std::initializer_list<Arg> args = {});
uint64 exec(const std::string &sql, const std::vector<Arg> &args);

// A cursor over sql, as exec runs it; read it with pg::spi_fetch and close
// it with pg::spi_close_cursor (pg/spi_calls.hpp); scroll: see spi_open_cursor.
Portal open_cursor(const std::string &sql, const std::vector<Arg> &args, bool scroll = false);

// Accessors for row r, column c (1-based) of SPI_tuptable.
bool is_null(uint64 r, int c);
Datum datum(uint64 r, int c);
std::string text(uint64 r, int c);  // output form; "" when NULL
int64 int64_at(uint64 r, int c);

// Switches the current user to the extension owner for the scope: the
// extension's own tables are readable only by it.
class AsExtensionOwner {
   public:
    AsExtensionOwner();
    ~AsExtensionOwner();
    AsExtensionOwner(const AsExtensionOwner &) = delete;
    AsExtensionOwner &operator=(const AsExtensionOwner &) = delete;

   private:
    pg::UserContext saved_;
};

// Switches the current user to role for the scope; restricted: as PostgreSQL
// runs maintenance as a table's owner (no SET ROLE, no temp tables), and
// every setting the role's code changes meanwhile (a trigger's set_config(...,
// false) included) is thrown away at the end of the scope, as REFRESH
// MATERIALIZED VIEW does: nothing of it reaches the caller's session.
class AsRole {
   public:
    AsRole(Oid role, bool restricted);
    ~AsRole();
    AsRole(const AsRole &) = delete;
    AsRole &operator=(const AsRole &) = delete;

   private:
    pg::UserContext saved_;
    int guc_level_ = 0;  // restricted: the GUC nesting level its settings live in
};

// Settings for the statements of a scope, at a GUC nesting level of their
// own: popped at the end of the scope; after an error, by the
// (sub)transaction's abort.
class SettingsScope {
   public:
    ~SettingsScope();
    SettingsScope(const SettingsScope &) = delete;
    SettingsScope &operator=(const SettingsScope &) = delete;

   protected:
    explicit SettingsScope(int level) : level_(level) {}

   private:
    int level_;
};

// The output (and image input) settings of row images (pin_output_settings):
// undelete, rewind and purge compare, key and read values as the images spell
// them, whatever the caller's session says.
class PinnedOutputSettings : public SettingsScope {
   public:
    PinnedOutputSettings();
};

// One setting (enable_seqscan off, say).
class PinnedSetting : public SettingsScope {
   public:
    PinnedSetting(const char *name, const char *value);
};

// An array Datum of items of type (for array parameters).
Datum array_of(const std::vector<Datum> &items, Oid type);

// Quoting for SQL text built in C++.
std::string quote_ident(const std::string &s);
std::string quote_literal(const std::string &s);
std::string qualified_name(Oid relid);  // "schema"."table"

// The first column of the first row of a query run in a subtransaction that
// is rolled back; nullopt when the query fails (its error is discarded).
std::optional<std::string> try_text(const std::string &sql, const std::vector<Arg> &args);

// The relation a (possibly qualified, possibly malformed) name denotes, or
// InvalidOid: names from tokens are data, never a reason for a syntax error.
Oid relation_named(const std::string &name);

}  // namespace tg::spi
