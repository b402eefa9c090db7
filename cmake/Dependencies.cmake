# Every dependency comes from Debian 12's packages; scripts/setup.sh installs them.
# How each was found to work here: ../shared/DEPENDENCIES.md.

find_package(PkgConfig REQUIRED)
find_package(nlohmann_json 3.11 CONFIG REQUIRED)
find_package(tomlplusplus CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(simdjson CONFIG REQUIRED)
find_package(zstd CONFIG REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

if(CUSTODIAN_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
