// Fuzzes the reading of signed tree heads, which come from whoever hands one over: a report,
// a peer, a command line. Any crash, sanitizer report or broken invariant is a bug.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ledger/tree_head.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto head = custodian::ledger::ParseTreeHead(text);
  // A refusal names the field at fault by its JSON pointer.
  if (!head.ok()) {
    const custodian::Status& s = head.status();
    if (!s.IsInvalidArgument() || s.message().empty() || s.message()[0] != '/') std::abort();
    return 0;
  }
  // What is read is written back as it was read, and checking it against a key never fails
  // for want of well-formed fields.
  auto again = custodian::ledger::ParseTreeHead(custodian::ledger::TreeHeadToJson(*head).dump());
  if (!again.ok() || again->log != head->log || again->size != head->size ||
      again->root != head->root || again->timestamp != head->timestamp ||
      again->key_id != head->key_id || again->signature != head->signature) {
    std::abort();
  }
  const std::array<uint8_t, custodian::ledger::kEd25519PublicKeyBytes> key{};
  const custodian::Status verified = custodian::ledger::Verify(*head, key);
  if (verified.ok() || (verified.message().rfind("/key_id", 0) != 0 &&
                            verified.message().rfind("/signature", 0) != 0)) {
    std::abort();
  }
  return 0;
}
