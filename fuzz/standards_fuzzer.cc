// Fuzzes the standards loader: a service edits its own file, and a bad edit must be
// refused with a message, never crash custodian.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/standards.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = custodian::LoadStandards(text, "fuzz.toml");
  if (!r.ok() && r.status().message().rfind("fuzz.toml", 0) != 0) std::abort();
  return 0;
}
