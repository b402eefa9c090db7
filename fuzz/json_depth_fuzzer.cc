// Fuzzes the depth guard every JSON document from outside passes (core/json_depth.h) against
// the strict reader and nlohmann's parser: what the guard lets through nests no deeper than
// the limit (the reader never finds it too deep, and nlohmann's recursive dump of it is safe),
// and what the reader accepts, the guard accepts. Any crash or broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_depth.h"
#include "core/json_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const custodian::Status guard = custodian::CheckJsonDepth(text);
  if (!guard.ok() && (!guard.IsInvalidArgument() ||
                      !guard.message().starts_with("/: nested deeper than 64 levels at "))) {
    std::abort();
  }
  custodian::JsonDocument doc;
  custodian::JsonSyntaxError error;
  const bool read = custodian::ParseJson(text, doc, error);
  if (read && !guard.ok()) std::abort();
  if (!read && guard.ok() && error.what == "nested deeper than 64 levels") std::abort();
  if (guard.ok()) {
    const auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    // What the guard passed is dumped (recursively, once a level) and still passes.
    if (!parsed.is_discarded() && !custodian::CheckJsonDepth(parsed.dump()).ok()) std::abort();
  }
  return 0;
}
