// The registry of protected tables (tenant_guard.protected_table) and the
// triggers that protection installs. C++ over SPI: call inside spi::Session.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "extension/boundary.hpp"
#include "extension/registration.hpp"

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

// The registration (registration.hpp) covering relid, itself or a partition
// ancestor; false when no protected table covers it. Opens its own SPI session.
bool find_registration(Oid relid, Registration *out);

// Whether relid's trigger called name is one protect() installed: it runs a
// function of schema tenant_guard, under one of the names protect() gives
// (which install_triggers never lets another trigger hold). A table owner's
// own trigger called tenant_guard_x, or a capture() trigger someone else
// attached, is not.
bool is_extension_trigger(Oid relid, const char *name);

// Creates the capture triggers of `table` on relation target (the table itself
// or one of its partitions), enabled ALWAYS, unless they exist already. A
// trigger of one of those names that tenant_guard did not make (another
// function, other arguments) is refused (55000), never taken for its own.
void install_triggers(const ProtectedTable &table, Oid target);

// Sets own_ddl_running (registration.hpp) for the lifetime of the scope.
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
