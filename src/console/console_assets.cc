#include "console/console_assets.h"

// The embedded files and the table's rows, as src/console/CMakeLists.txt lists the files.
namespace custodian::embedded {
#include "console_asset_symbols.inc"
}

namespace custodian::console {
namespace {

constexpr std::string_view kHtml = "text/html; charset=utf-8";
constexpr std::string_view kCss = "text/css; charset=utf-8";
constexpr std::string_view kScript = "text/javascript; charset=utf-8";

}  // namespace

std::span<const Asset> Assets() {
  static const Asset assets[] = {
#include "console_asset_rows.inc"
  };
  return assets;
}

}  // namespace custodian::console
