// Fuzzes what `custodian ledger monitor` reads from outside besides tree heads: the server's
// consistency answers and the key file an outsider was handed. Any crash, sanitizer report or
// broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/proof_json.h"
#include "ledger/public_keys.h"

namespace {

// A refusal names the field at fault by its JSON pointer.
void CheckRefusal(const custodian::Status& s) {
  if (!s.IsInvalidArgument() || s.message().empty() || s.message()[0] != '/') std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto answer = custodian::ledger::ParseConsistencyAnswer(text);
  if (!answer.ok()) {
    CheckRefusal(answer.status());
  } else {
    // What is read is written back as it was read.
    auto again = custodian::ledger::ParseConsistencyAnswer(
        custodian::ledger::ConsistencyToJson(*answer).dump());
    if (!again.ok() || again->first != answer->first || again->second != answer->second ||
        again->proof != answer->proof) {
      std::abort();
    }
  }
  auto keys = custodian::ledger::ParseLedgerPublicKeys(text);
  if (!keys.ok()) {
    CheckRefusal(keys.status());
  } else {
    // Every key read names itself truly, and there is at least one.
    if (keys->empty()) std::abort();
    for (const auto& key : *keys) {
      if (key.key_id != custodian::ledger::KeyId(key.public_key)) std::abort();
    }
  }
  return 0;
}
