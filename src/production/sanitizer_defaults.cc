// The sanitizers' defaults for production_test, server_test and, in a sanitized build, the custodian binary: the hooks below are weak symbols that
// AddressSanitizer and LeakSanitizer call, if the binary defines them, before reading
// ASAN_OPTIONS and LSAN_OPTIONS (which still override them). Why each is needed:
// lsan_suppressions.txt. Without sanitizers nothing calls them.
#include <string_view>

namespace custodian::embedded {
extern const std::string_view lsan_suppressions;  // lsan_suppressions.txt
}  // namespace custodian::embedded

extern "C" const char* __asan_default_options() { return "fast_unwind_on_malloc=0"; }

extern "C" const char* __lsan_default_suppressions() {
  return custodian::embedded::lsan_suppressions.data();  // ends in a NUL
}
