// The registry of protected tables (tenant_guard.protected_table) and the
// triggers that protection installs. C++ over SPI: call inside spi::Session.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "extension/pg.hpp"

namespace tg::registry {

struct ProtectedTable {
    int32 table_id = 0;
    Oid relid = InvalidOid;
    std::string tenant_column;
    std::string delete_mode;  // "tombstone" | "flag"
    std::string flag_column;  // empty when none
    bool active = false;      // false once unprotected (history kept)
};

// Every table currently protected.
std::vector<ProtectedTable> active_tables();
// The registry row of relid, protected now or in the past.
std::optional<ProtectedTable> find(Oid relid);
// The active protected table that covers relid: itself or a partition ancestor.
std::optional<ProtectedTable> covering(Oid relid, const std::vector<ProtectedTable> &active);

// Creates the capture triggers of `table` on relation target (the table itself
// or one of its partitions), enabled ALWAYS, unless they exist already.
void install_triggers(const ProtectedTable &table, Oid target);

// While true, the DDL event triggers leave commands alone (the extension's own
// DDL: installing or dropping its triggers).
extern bool own_ddl_running;

// Sets own_ddl_running for the lifetime of the scope.
class OwnDdlScope {
   public:
    OwnDdlScope() : saved_(own_ddl_running) { own_ddl_running = true; }
    ~OwnDdlScope() { own_ddl_running = saved_; }
    OwnDdlScope(const OwnDdlScope &) = delete;
    OwnDdlScope &operator=(const OwnDdlScope &) = delete;

   private:
    bool saved_;
};

}  // namespace tg::registry
