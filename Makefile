# PGXS build of the tenant_guard backend module (C++17).
#   make && make install      build and install the extension (make builds the
#                             install script from schema/ too)
#   make installcheck         the pg_regress suites and the isolation specs against a running server
#                             and the installed extension (PGXS convention); its settings may be
#                             the defaults, the suites pass with or without track_commit_timestamp
#   make check                the same on a temporary instance with test/regress.conf, of this
#                             build, without installing it (run it on its own, as a non-root user)
# The CLI, src/common unit tests and fuzz targets are built by CMake (CMakeLists.txt).

EXTENSION   = tenant_guard
MODULE_big  = tenant_guard
# The install script of the current version is built from schema/*.sql, the
# schema in its current form by feature, in file-name order, with the
# constants of src/extension/schema_constants.hpp (as pgvector and pg_cron
# build theirs); it is not committed. The update scripts
# tenant_guard--A--B.sql and 0.1.0's install script are history, installed as
# they are, so that ALTER EXTENSION ... UPDATE works from every version.
EXTVERSION       = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" tenant_guard.control)
CURRENT_SCRIPT   = tenant_guard--$(EXTVERSION).sql
SCHEMA_FILES     = $(sort $(wildcard schema/*.sql))
SCHEMA_CONSTANTS = src/extension/schema_constants.hpp
DATA_built  = $(CURRENT_SCRIPT)
# (Named, not every tenant_guard--*.sql: the script an earlier build made for
# an earlier default_version is no history; make clean removes it.)
DATA        = tenant_guard--0.1.0.sql $(wildcard tenant_guard--*--*.sql)
PGFILEDESC  = "tenant_guard - safe deletion and per-tenant recovery"

# The module links the pure C++ of src/common (token codec, Ed25519, SHA-256).
EXT_SRCS    = $(wildcard src/extension/*.cpp) $(wildcard src/extension/pg/*.cpp) $(wildcard src/common/*.cpp)
OBJS        = $(EXT_SRCS:.cpp=.o)

# Suites run in this order; each file in sql/ has its expected output in expected/.
REGRESS      = $(shell cat test/regress_suites)
REGRESS_OPTS = --inputdir=.
# Isolation specs: test/isolation/specs/*.spec, expected output in test/isolation/expected.
ISOLATION      = $(notdir $(basename $(wildcard test/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test/isolation

PG_CONFIG  ?= pg_config
PG_CPPFLAGS = -Isrc
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-register -Wno-unused-parameter \
              -Wno-missing-field-initializers -fno-omit-frame-pointer
# WERROR=1 (the test command sets it): any warning fails the build.
ifeq ($(WERROR),1)
PG_CXXFLAGS += -Werror
endif
SHLIB_LINK += -lstdc++ -lcrypto
EXTRA_CLEAN = tmp_install $(CURRENT_SCRIPT) $(filter-out $(DATA),$(wildcard tenant_guard--*.sql))

ifeq ($(MAKECMDGOALS),check)
# PGXS's own check only says it is not supported; this one is defined without
# pgxs.mk (a second recipe for the target would draw make's warning). It
# builds and installs into ./tmp_install (make install DESTDIR=...), which
# test/temp_install.sh completes into a private copy of the server, and runs
# the suites and specs on temporary instances of it, as pg_cron's make check
# does: --temp-instance with --temp-config=test/regress.conf.
PG_BINDIR     := $(shell $(PG_CONFIG) --bindir)
PGXS_TOP      := $(dir $(shell $(PG_CONFIG) --pgxs))../..
TMP_ROOT      := $(CURDIR)/tmp_install
TEMP_INSTANCE  = --temp-config=test/regress.conf --bindir='$(TMP_ROOT)$(PG_BINDIR)'

.PHONY: check
check:
	$(MAKE) all
	rm -rf tmp_install
	$(MAKE) install DESTDIR='$(TMP_ROOT)' >/dev/null
	PG_CONFIG='$(PG_CONFIG)' test/temp_install.sh '$(TMP_ROOT)'
	$(PGXS_TOP)/src/test/regress/pg_regress --temp-instance=./tmp_check $(TEMP_INSTANCE) \
	    $(REGRESS_OPTS) --dbname=contrib_regression $(REGRESS)
	$(PGXS_TOP)/src/test/isolation/pg_isolation_regress --temp-instance=./tmp_check_iso $(TEMP_INSTANCE) \
	    --outputdir=output_iso $(ISOLATION_OPTS) --dbname=isolation_regression $(ISOLATION)
else
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Debian's PG is built with LLVM; the bitcode rule ignores PG_CXXFLAGS (see ENGINEERING.md).
COMPILE.cxx.bc += $(PG_CXXFLAGS)

# Rebuild every object when a header changes (PGXS tracks no header dependencies).
$(OBJS): $(wildcard src/extension/*.hpp) $(wildcard src/common/*.hpp)

$(CURRENT_SCRIPT): $(SCHEMA_FILES) $(SCHEMA_CONSTANTS) scripts/build_install_script.sh tenant_guard.control
	bash scripts/build_install_script.sh $@ $(EXTVERSION) $(SCHEMA_CONSTANTS) $(SCHEMA_FILES)
endif

# Header dependencies, coarse but never stale: an edited header rebuilds
# every object (and bitcode file) of the module. (-MMD cannot tell PGXS's
# object and bitcode rules apart: both would write the same .d file.)
EXT_HEADERS = $(wildcard src/extension/*.hpp src/extension/pg/*.hpp src/common/*.hpp)
$(OBJS) $(OBJS:.o=.bc): $(EXT_HEADERS)
