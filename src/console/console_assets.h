// The console's files as the server serves them: each at its path, with its media type.
#pragma once

#include <span>
#include <string_view>

namespace custodian::console {

struct Asset {
  std::string_view path;  // "/" for the page itself, "/console/…" for the rest
  std::string_view media_type;
  std::string_view bytes;
};

std::span<const Asset> Assets();

}  // namespace custodian::console
