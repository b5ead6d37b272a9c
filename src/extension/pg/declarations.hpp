// What the C++ side of the module (files that own C++ objects) may know of
// PostgreSQL: its plain value types, opaque handles and constants, and no
// function. Everything it asks of PostgreSQL goes through the functions of
// the headers in src/extension/pg/ (and the *_pg.hpp files beside their
// features), which run PostgreSQL under pg_guard and so never longjmp past a
// C++ destructor. The types here are PostgreSQL's own, spelled again;
// pg/wall_check.cpp makes the compiler compare each with the server's headers.
#pragma once

#include <cstddef>
#include <cstdint>

typedef signed char int8;
typedef signed short int16;
typedef signed int int32;
typedef long int int64;
typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long int uint64;
typedef uint32 bits32;
typedef unsigned int Oid;
typedef uintptr_t Datum;
typedef uint32 TransactionId;
typedef int64 TimestampTz;
typedef int16 AttrNumber;
typedef uint32 AclMode;

struct FunctionCallInfoBaseData;
typedef struct FunctionCallInfoBaseData *FunctionCallInfo;
struct ErrorData;
struct PortalData;
typedef struct PortalData *Portal;
struct SPITupleTable;

// Constants rather than macros, so that PostgreSQL's own macros of the same
// names may follow them (pg/wall_check.cpp includes both).
#ifndef InvalidOid
constexpr Oid InvalidOid = 0;
#endif
#ifndef OidIsValid
constexpr bool OidIsValid(Oid objectId) { return objectId != InvalidOid; }
#endif

// Privilege bits (nodes/parsenodes.h).
#ifndef ACL_INSERT
constexpr AclMode ACL_INSERT = 1 << 0;
constexpr AclMode ACL_SELECT = 1 << 1;
constexpr AclMode ACL_UPDATE = 1 << 2;
constexpr AclMode ACL_DELETE = 1 << 3;
constexpr AclMode ACL_TRUNCATE = 1 << 4;
constexpr AclMode ACL_REFERENCES = 1 << 5;
constexpr AclMode ACL_TRIGGER = 1 << 6;
#endif

// SQLSTATEs (utils/errcodes.h, which holds constants only), type OIDs
// (catalog/pg_type_d.h) and relation kinds (RELKIND_*, catalog/pg_class_d.h),
// generated, constants only: headers of plain macros, no declaration of a
// function.
#ifndef MAKE_SQLSTATE
#define PGSIXBIT(ch) (((ch) - '0') & 0x3F)
#define MAKE_SQLSTATE(ch1, ch2, ch3, ch4, ch5) \
    (PGSIXBIT(ch1) + (PGSIXBIT(ch2) << 6) + (PGSIXBIT(ch3) << 12) + (PGSIXBIT(ch4) << 18) + (PGSIXBIT(ch5) << 24))
#include "utils/errcodes.h"
#endif
#include "catalog/pg_class_d.h"
#include "catalog/pg_type_d.h"

namespace tg {

// fmgr's Pg_finfo_record (version-1 calling convention), for TG_FUNCTION.
struct FunctionInfoRecord {
    int api_version;
};

}  // namespace tg

namespace tg::datum {

// The Datum conversions of postgres.h for by-value types (64-bit Datum).
constexpr Datum from_oid(Oid v) { return (Datum)v; }
constexpr Datum from_bool(bool v) { return (Datum)(v ? 1 : 0); }
constexpr Datum from_int16(int16 v) { return (Datum)v; }
constexpr Datum from_int32(int32 v) { return (Datum)v; }
constexpr Datum from_int64(int64 v) { return (Datum)v; }
inline Datum from_pointer(const void *p) { return (Datum)p; }
constexpr Oid to_oid(Datum d) { return (Oid)d; }
constexpr bool to_bool(Datum d) { return (bool)((d & 0xFF) != 0); }
constexpr int16 to_int16(Datum d) { return (int16)d; }
constexpr int32 to_int32(Datum d) { return (int32)d; }
constexpr int64 to_int64(Datum d) { return (int64)d; }

}  // namespace tg::datum
