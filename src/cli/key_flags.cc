#include "cli/key_flags.h"

#include "cli/file_input.h"
#include "core/file_system.h"
#include "production/package_verifier.h"

namespace custodian {

Result<std::vector<ledger::TrustedKey>> KeysFrom(const std::string& arg, const char* flag,
                                                 std::string_view purpose) {
  const auto refused = [&](const std::string& why) {
    return Status::InvalidArgument(std::string(flag) + ": " + why);
  };
  std::string text = arg;
  if (arg == "-" || PosixFileSystem().Exists(arg)) {
    auto read = ReadInput(arg, ledger::kMaxPublicKeysJsonBytes);
    if (!read.ok()) return refused(read.status().message());
    if (read->size() > ledger::kMaxPublicKeysJsonBytes) return refused(arg + ": larger than 1 MiB");
    text = *read;
  }
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    auto keys = ledger::ParsePublicKeys(text, purpose);
    if (!keys.ok()) return refused(keys.status().message());
    return keys;
  }
  auto key = production::ParsePublicKey(text);
  if (!key.ok()) {
    return refused(text == arg ? "no such file, and not a key (base64 of 32 bytes, a file holding it, "
                                 "or the keys document GET /api/v1/keys serves)"
                               : key.status().message());
  }
  return std::vector<ledger::TrustedKey>{{ledger::KeyId(*key), *key}};
}

}  // namespace custodian
