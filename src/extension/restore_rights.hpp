// Who writes rows back into a user's table. undelete and rewind first check
// that the caller may do what it asks (its own privileges on the table, no
// row-level security it would escape), then run their DML as the table's
// owner under SECURITY_RESTRICTED_OPERATION, as PostgreSQL runs VACUUM or
// REFRESH MATERIALIZED VIEW: the owner's triggers, defaults and domain checks
// never run with the privileges of the DBA or operator who restores.
// purge runs as the owner too, but the token, not the caller, authorises it.
//
// Rule for every statement the extension runs: a statement that touches a
// user's table or evaluates values of its types runs as that table's owner
// (restricted); one that touches the extension's tables runs as the
// extension owner; none does both.
#pragma once
#include <string>
#include <vector>

#include "extension/boundary.hpp"
#include "extension/spi.hpp"

namespace tg {

// The table's owner (pg_class.relowner).
Oid relation_owner(Oid relid);

// Throws 42501 unless the calling role holds every privilege in modes on
// relid and no row-level security policy restricts it there. operation names
// what needs them ("undelete", "rewind").
void require_privileges(Oid relid, AclMode modes, const char *operation);

// Throws TG003 when row-level security applies to relid's owner itself
// (FORCE ROW LEVEL SECURITY): what tenant_guard does as the owner would see
// only the rows a policy lets through, and silently leave the rest.
void refuse_forced_row_security(Oid relid, const char *operation);

// PostgreSQL refuses to queue a deferred trigger event in a security-
// restricted operation ("cannot fire deferred trigger within security-
// restricted operation"): a DEFERRABLE INITIALLY DEFERRED foreign key (every
// foreign key Django creates) or a deferred constraint trigger would fail
// every write tenant_guard makes as a table's owner. Call as the caller,
// before writing relid as its owner: the deferrable constraints of relid and
// the foreign keys that reference it are made IMMEDIATE for the transaction
// (SET CONSTRAINTS ... IMMEDIATE; the caller's own pending checks of them run
// then, as the caller). Returns those that were declared INITIALLY
// DEFERRED, for defer_again() once the writes are done; after an error the
// (sub)transaction's abort restores the previous state.
std::vector<std::string> make_constraints_immediate(Oid relid);
void defer_again(const std::vector<std::string> &constraints);

// The same in two steps, for an operation that writes a table many times
// (undelete_where, tenant after tenant): which constraints (read once), then
// making them immediate (each time).
struct DeferrableConstraints {
    std::vector<std::string> all;       // deferrable: made IMMEDIATE
    std::vector<std::string> deferred;  // of those, declared INITIALLY DEFERRED
};
DeferrableConstraints deferrable_constraints(Oid relid);
// Returns constraints.deferred, as make_constraints_immediate does.
std::vector<std::string> make_constraints_immediate(const DeferrableConstraints &constraints);

// The current user is relid's owner, restricted, for the scope.
class AsTableOwner {
   public:
    explicit AsTableOwner(Oid relid) : role_(relation_owner(relid), true) {}

   private:
    spi::AsRole role_;
};

}  // namespace tg
