# Every dependency comes from Debian 12's packages; scripts/setup.sh installs them.
# How each was found to work here: docs/dependencies.md.

find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(simdjson CONFIG REQUIRED)
find_package(zstd CONFIG REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(MAXMINDDB REQUIRED IMPORTED_TARGET libmaxminddb)
# Debian's cpp-httplib is a compiled library: its pkg-config flags must match the library's
# (docs/dependencies.md), or the program aborts at run time.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# The server does TLS itself (server/connection.h), with the OpenSSL httplib is built on.
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)
# Alerts by e-mail: libcurl's SMTP client (STARTTLS, authentication), not one of our own.
pkg_check_modules(LIBCURL REQUIRED IMPORTED_TARGET libcurl)
# The production package (zip); pkg-config, since libzip's CMake config also wants its tools.
pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
# The business record's PDF: Pango lays out text in any script and cairo writes it; cairo-png
# lets the tests read back a page that pdftoppm rendered.
pkg_check_modules(PANGOCAIRO REQUIRED IMPORTED_TARGET pangocairo cairo-pdf cairo-png)

if(CUSTODIAN_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()

# The case store: SQLite and PostgreSQL through SOCI. Debian's libsoci-dev ships neither a
# CMake config nor a .pc file, and its headers need Boost's (docs/dependencies.md).
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)
add_library(SOCI::core UNKNOWN IMPORTED)
set_target_properties(SOCI::core PROPERTIES IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
                      INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR}")
target_link_libraries(SOCI::core INTERFACE Boost::headers ${CMAKE_DL_LIBS})
# Debian's SOCI does not export the type information UBSan's vptr check needs for its
# classes: code that includes SOCI's headers is built without that one check.
if(CUSTODIAN_SANITIZE MATCHES "undefined" OR CUSTODIAN_FUZZ)
  target_compile_options(SOCI::core INTERFACE -fno-sanitize=vptr)
endif()
add_library(SOCI::sqlite3 UNKNOWN IMPORTED)
set_target_properties(SOCI::sqlite3 PROPERTIES IMPORTED_LOCATION "${SOCI_SQLITE3_LIBRARY}")
target_link_libraries(SOCI::sqlite3 INTERFACE SOCI::core SQLite::SQLite3)
add_library(SOCI::postgresql UNKNOWN IMPORTED)
set_target_properties(SOCI::postgresql PROPERTIES IMPORTED_LOCATION "${SOCI_POSTGRESQL_LIBRARY}")
target_link_libraries(SOCI::postgresql INTERFACE SOCI::core PostgreSQL::PostgreSQL)
