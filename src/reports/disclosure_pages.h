// The disclosure leaves an outside auditor holds, as the API hands them out: pages of
// GET /api/v1/ledger/disclosures/entries ({"tree_head", "entries": [{"index", "leaf",
// "proof"}]}, cases/leaf_proof_json.h), one after another in one file, as `curl … >> FILE`
// leaves them (white space between pages, nothing else). Read strictly, for `custodian report
// verify --leaves` (report_offline_verify.h). Pure functions: safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"

namespace custodian::reports {

// A file of pages is at most this large: the leaves of a few hundred thousand requests.
inline constexpr size_t kMaxDisclosurePagesBytes = size_t{1} << 30;

struct ProvenLeaf {
  uint64_t index = 0;
  std::string leaf;  // the leaf's bytes
  std::vector<ledger::Digest> proof;  // in the tree of its page's head
};

struct DisclosurePage {
  size_t number = 0;  // 1-based, in the file
  size_t line = 0;    // where it begins in the file
  ledger::SignedTreeHead head;
  std::vector<ProvenLeaf> entries;
};

// "page 2 (line 40)": how messages and differences name a page.
std::string PageName(const DisclosurePage& page);

// Reads every page of `text`, at least one. InvalidArgument names the page, its line and the
// field as a JSON pointer into it: "page 2 (line 40): /entries/3/leaf: not a string", or where
// the text is not JSON: "page 1 (line 1): /entries: not valid JSON at 3:7: …", "line 9: not a
// page (a JSON object)". A page of another log than disclosures is refused at /tree_head/log.
// Neither signatures nor proofs are checked here: that is the verifier's job.
Result<std::vector<DisclosurePage>> ParseDisclosurePages(std::string_view text);

}  // namespace custodian::reports
