# PGXS build of the tenant_guard backend module (C++17).
#   make && make install      build and install the extension
#   make installcheck         run the pg_regress suite against a running server
# The CLI, src/common unit tests and fuzz targets are built by CMake (CMakeLists.txt).

EXTENSION   = tenant_guard
MODULE_big  = tenant_guard
DATA        = $(wildcard tenant_guard--*.sql)
PGFILEDESC  = "tenant_guard - safe deletion and per-tenant recovery"

# The module links the pure C++ of src/common (token codec, Ed25519, SHA-256).
EXT_SRCS    = $(wildcard src/extension/*.cpp) $(wildcard src/common/*.cpp)
OBJS        = $(EXT_SRCS:.cpp=.o)

# Suites run in this order; each file in sql/ has its expected output in expected/.
REGRESS      = $(shell cat test/regress_suites)
REGRESS_OPTS = --inputdir=.

PG_CONFIG  ?= pg_config
PG_CPPFLAGS = -Isrc
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-register -Wno-unused-parameter \
              -Wno-missing-field-initializers -fno-omit-frame-pointer
SHLIB_LINK += -lstdc++ -lcrypto

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Debian's PG is built with LLVM; the bitcode rule ignores PG_CXXFLAGS (see ENGINEERING.md).
COMPILE.cxx.bc += $(PG_CXXFLAGS)

# Rebuild every object when a header changes (PGXS tracks no header dependencies).
$(OBJS): $(wildcard src/extension/*.hpp) $(wildcard src/common/*.hpp)
