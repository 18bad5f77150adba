# Shim: Debian 12's libre2-dev ships no CMake package config. Guarded, because gRPC's own config
# looks for re2 again (through its Findre2 module) after the server's find_package(re2).
find_library(RE2_LIB re2 REQUIRED)
if(NOT TARGET re2::re2)
  add_library(re2::re2 UNKNOWN IMPORTED)
  set_target_properties(re2::re2 PROPERTIES IMPORTED_LOCATION ${RE2_LIB})
endif()
set(re2_FOUND TRUE)
