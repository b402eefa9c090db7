#include "vault/format_version.h"

#include <charconv>
#include <string_view>

namespace custodian::vault {
namespace {

constexpr std::string_view kPrefix = "custodian vault format ";

std::string FormatPath(const std::string& dir) { return dir + "/vault/FORMAT"; }

}  // namespace

Result<int> ReadVaultFormat(FileSystem& fs, const std::string& dir) {
  const std::string path = FormatPath(dir);
  if (!fs.Exists(path)) return 1;
  auto text = fs.ReadAll(path);
  if (!text.ok()) return text.status();
  std::string_view t(*text);
  int version = 0;
  const bool framed = t.starts_with(kPrefix) && t.ends_with('\n');
  const std::string_view digits = framed ? t.substr(kPrefix.size(), t.size() - kPrefix.size() - 1) : "";
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
  if (!framed || digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      version < 1) {
    return Status::Corruption(path + ": line 1: not \"" + std::string(kPrefix) + "N\"");
  }
  if (version > kVaultFormat) {
    return Status::FailedPrecondition(path + ": the vault is of format " + std::to_string(version) +
                                      ", written by a newer custodian; this one reads formats 1 to " +
                                      std::to_string(kVaultFormat));
  }
  return version;
}

Status WriteVaultFormat(FileSystem& fs, const std::string& dir) {
  return fs.WriteAtomically(FormatPath(dir), std::string(kPrefix) + std::to_string(kVaultFormat) + "\n");
}

}  // namespace custodian::vault
