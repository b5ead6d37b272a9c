// Distributed and reference tables of Citus are refused until tenant_guard
// has a Citus mode: their rows live on workers, where protect() installs no
// triggers, undelete and purge would see nothing and the blast-radius limit
// would hold per shard only. Citus is recognised by its catalog
// (pg_catalog.pg_dist_partition), so the module does not depend on it.
// C++ over SPI: call inside spi::Session.
#pragma once
#include "extension/boundary.hpp"

namespace tg::citus {

// Refuses (0A000) when relid is a Citus distributed, reference or local table.
void refuse_citus_table(Oid relid, const char *operation);

}  // namespace tg::citus
