// The compiler compares what pg/declarations.hpp spells again of PostgreSQL
// with the server's own headers: a type or constant that drifts (another
// server version, another platform) fails the build here.
#include "extension/pg.hpp"
#include "extension/pg/declarations.hpp"

namespace {

// A typedef of declarations.hpp that differs from the server's fails to
// compile here already (conflicting declaration); the rest is asserted.
static_assert(sizeof(Datum) == 8, "the module assumes 64-bit by-value Datums (int8, float8, timestamptz)");
static_assert(tg::datum::from_oid(42) == ObjectIdGetDatum(42));
static_assert(tg::datum::from_int64(-7) == Int64GetDatum(-7));
static_assert(tg::datum::from_int32(-7) == Int32GetDatum(-7));
static_assert(tg::datum::from_int16(-7) == Int16GetDatum(-7));
static_assert(tg::datum::from_bool(true) == BoolGetDatum(true));
static_assert(tg::datum::to_int32(Int32GetDatum(-7)) == -7);
static_assert(tg::datum::to_int16(Int16GetDatum(-7)) == -7);
static_assert(ACL_INSERT == (1 << 0) && ACL_SELECT == (1 << 1) && ACL_UPDATE == (1 << 2) && ACL_DELETE == (1 << 3));
static_assert(sizeof(tg::FunctionInfoRecord) == sizeof(Pg_finfo_record) &&
              offsetof(tg::FunctionInfoRecord, api_version) == offsetof(Pg_finfo_record, api_version));

}  // namespace
