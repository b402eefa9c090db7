#include "cases/ledgers/leaf_proof_json.h"

#include <span>

#include "cases/ledgers/ledger_store.h"
#include "core/base64.h"
#include "ledger/proof_json.h"

namespace custodian::cases {
namespace {

nlohmann::ordered_json HeadJson(const ledger::SignedTreeHead& head) {
  return nlohmann::ordered_json::parse(ledger::TreeHeadToJson(head).dump());
}

}  // namespace

nlohmann::ordered_json LeafProofToJson(const LeafProof& proof) {
  return {{"log", proof.log},
          {"index", proof.index},
          {"leaf", proof.leaf},
          {"proof", ledger::ProofToJson(proof.proof)},
          {"tree_head", HeadJson(proof.head)}};
}

nlohmann::ordered_json LogPageToJson(const LogPage& page) {
  const bool audit = page.head.log == kAuditLog;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const ProvenEntry& e : page.entries) {
    nlohmann::ordered_json entry = {{"index", e.index}, {"leaf", e.leaf}, {"proof", ledger::ProofToJson(e.proof)}};
    if (audit) {
      // Details are JSON as the workflow wrote them; kept as text if one ever is not.
      nlohmann::ordered_json detail;
      if (e.detail) {
        detail = nlohmann::ordered_json::parse(*e.detail, nullptr, false);
        if (detail.is_discarded()) detail = *e.detail;
      }
      entry["detail"] = std::move(detail);
    }
    entries.push_back(std::move(entry));
  }
  return {{"tree_head", HeadJson(page.head)}, {"entries", std::move(entries)}};
}

}  // namespace custodian::cases
