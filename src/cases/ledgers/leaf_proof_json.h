// Leaves with their inclusion proofs, as JSON: one form wherever custodian hands one out
// (ledger.json in a package, `custodian ledger prove`, the API's pages of log entries), so
// that one verifier reads them all (docs/verifying.md).
#pragma once

#include <nlohmann/json.hpp>

#include "cases/ledgers/ledgers.h"

namespace custodian::cases {

// {"log", "index", "leaf", "proof", "tree_head"}: `leaf` is the leaf's bytes as a JSON string
// (what is hashed, exactly; never re-encoded), `proof` the RFC 9162 inclusion path in base64,
// `tree_head` the signed head it proves against (ledger/tree_head.h).
nlohmann::ordered_json LeafProofToJson(const LeafProof& proof);

// GET /api/v1/ledger/{audit,disclosures}/entries: {"tree_head", "entries": [{"index", "leaf",
// "proof"}]}, each entry's `leaf` and `proof` as LeafProofToJson writes them, against the
// page's `tree_head`; an audit entry also has "detail" (the JSON the workflow wrote, its compact
// serialization hashing to the leaf's detail_sha256; null once erased with its account).
nlohmann::ordered_json LogPageToJson(const LogPage& page);

}  // namespace custodian::cases
