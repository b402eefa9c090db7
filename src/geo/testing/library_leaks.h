// Test-only: a scope in which LeakSanitizer ignores new allocations, for opening corrupt MMDB
// files. libmaxminddb 1.7.1 (Debian 12) refuses a file whose metadata "languages" array fails
// to decode but does not free the list it had decoded (MMDB_get_entry_data_list hands one
// back even when it fails, and that path of the metadata reader does not free it): about
// 4.6 KB, once per refused file.
// The leak is the library's; leaks of custodian's own code are checked everywhere else.
// Without a sanitizer this does nothing. Not thread-safe: LeakSanitizer's switch is per
// thread, so use it on the thread that opens.
#pragma once

#if defined(CUSTODIAN_ASAN)
#include <sanitizer/lsan_interface.h>
#endif

namespace custodian::geo {

class IgnoreLibraryLeaks {
 public:
#if defined(CUSTODIAN_ASAN)
  IgnoreLibraryLeaks() { __lsan_disable(); }
  ~IgnoreLibraryLeaks() { __lsan_enable(); }
#else
  // User-provided, so that a variable holding the scope does not count as unused.
  IgnoreLibraryLeaks() {}
  ~IgnoreLibraryLeaks() {}
#endif
  IgnoreLibraryLeaks(const IgnoreLibraryLeaks&) = delete;
  IgnoreLibraryLeaks& operator=(const IgnoreLibraryLeaks&) = delete;
};

}  // namespace custodian::geo
