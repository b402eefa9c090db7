#include "reports/report_offline_verify.h"

#include <algorithm>
#include <map>
#include <string>

#include "core/base64.h"
#include "ledger/compact_range.h"
#include "ledger/disclosure_leaf.h"
#include "reports/report_counts.h"
#include "reports/report_json.h"

namespace custodian::reports {
namespace {

using json = nlohmann::json;

std::string Base64Of(const ledger::Digest& d) { return Base64Encode(std::span<const uint8_t>(d)); }
std::string Quoted(const std::string& s) { return json(s).dump(); }

// A head's log and signature, with the keys given (there is no instance to ask for more).
void CheckHead(const ledger::SignedTreeHead& head, std::string_view log, const std::string& at,
               std::span<const ledger::TrustedKey> keys, std::vector<ReportDifference>& out) {
  if (head.log != log) out.push_back({at + "/log", Quoted(head.log), Quoted(std::string(log))});
  const Status s = ledger::VerifyWithTrustedKeys(head, keys);
  if (s.IsNotFound()) {
    out.push_back({at + "/key_id", Quoted(head.key_id), "no ledger key given has this id"});
  } else if (!s.ok()) {
    out.push_back({at + "/signature", Quoted(Base64Encode(std::span<const uint8_t>(head.signature))),
                   "does not verify with ledger key " + head.key_id});
  }
}

// A leaf and where it was found, for the differences that name it.
struct GivenLeaf {
  std::string bytes;
  std::string where;  // "/leaves/3", "page 2 (line 40)/entries/3/leaf"
};

// The pages' leaves by index, each checked against its page's head.
std::map<uint64_t, GivenLeaf> LeavesOfPages(const std::vector<DisclosurePage>& pages,
                                            std::span<const ledger::TrustedKey> keys,
                                            std::vector<ReportDifference>& out) {
  std::map<uint64_t, GivenLeaf> leaves;
  for (const DisclosurePage& page : pages) {
    const std::string name = PageName(page);
    CheckHead(page.head, "disclosures", name + "/tree_head", keys, out);
    for (size_t i = 0; i < page.entries.size(); ++i) {
      const ProvenLeaf& e = page.entries[i];
      const std::string at = name + "/entries/" + std::to_string(i);
      if (!ledger::VerifyInclusion(e.index, page.head.size, ledger::LeafHash(e.leaf), page.head.root, e.proof).ok()) {
        out.push_back({at + "/proof", "",
                       "leaf " + std::to_string(e.index) + " is not in the page's head of " +
                           std::to_string(page.head.size) + " leaves: its proof does not lead to the head's root"});
        continue;
      }
      auto [it, added] = leaves.emplace(e.index, GivenLeaf{e.leaf, at + "/leaf"});
      if (!added && it->second.bytes != e.leaf) {
        out.push_back({at + "/leaf", "", "leaf " + std::to_string(e.index) + " differs from " + it->second.where});
      }
    }
  }
  return leaves;
}

// "3, 17-19": the indexes below `size` that `leaves` lacks, as ranges (the first few).
std::string Missing(const std::map<uint64_t, GivenLeaf>& leaves, uint64_t size, uint64_t& count) {
  std::string out;
  int ranges = 0;
  count = 0;
  for (uint64_t i = 0; i < size;) {
    if (leaves.count(i)) {
      ++i;
      continue;
    }
    const auto next = leaves.lower_bound(i);
    const uint64_t end = next == leaves.end() ? size : std::min(next->first, size);
    count += end - i;
    if (ranges++ < 5) {
      out += (out.empty() ? "" : ", ") + std::to_string(i) + (end - i > 1 ? "-" + std::to_string(end - 1) : "");
    } else if (ranges == 6) {
      out += ", …";
    }
    i = end;
  }
  return out;
}

}  // namespace

Result<OfflineReportCheck> VerifyReportOffline(const json& report,
                                               std::span<const ledger::TrustedKey> keys,
                                               const std::optional<std::vector<DisclosurePage>>& pages) {
  auto basis = ParseReport(report);
  if (!basis.ok()) return basis.status();
  if (!pages && !basis->leaves) {
    return Status::InvalidArgument(
        "/leaves_published: false: the report carries no leaves; give the disclosure log's "
        "entries (--leaves)");
  }
  OfflineReportCheck result;
  std::vector<ReportDifference>& out = result.check.differences;
  const uint64_t size = basis->tree_head.size;

  std::map<uint64_t, GivenLeaf> given;
  if (pages) {
    given = LeavesOfPages(*pages, keys, out);
  } else {
    for (size_t i = 0; i < basis->leaves->size(); ++i) {
      given.emplace(i, GivenLeaf{(*basis->leaves)[i], "/leaves/" + std::to_string(i)});
    }
  }
  uint64_t missing = 0;
  const std::string which = Missing(given, size, missing);
  result.leaves = size - missing;
  if (missing > 0) {
    out.push_back({"/tree_head/size", std::to_string(size),
                   "the leaves given lack " + std::to_string(missing) + " of them (" + which +
                       "): no count was recomputed"});
  } else {
    // The head's root from its leaves, then every count from them.
    ledger::CompactRange range;
    ReportLeaves leaves;
    for (auto it = given.begin(); it != given.end() && it->first < size; ++it) {
      range.Append(ledger::LeafHash(it->second.bytes));
      leaves.disclosure_bytes.push_back(it->second.bytes);
      auto leaf = ledger::ParseDisclosureLeaf(it->second.bytes);
      if (!leaf.ok()) {
        out.push_back({it->second.where, "", "not a disclosure leaf (" + leaf.status().message() +
                                                 "): left out of the counts"});
        continue;
      }
      leaves.disclosures.push_back(std::move(leaf).value());
    }
    if (range.Root() != basis->tree_head.root) {
      out.push_back({"/tree_head/root", Quoted(Base64Of(basis->tree_head.root)),
                     "the " + std::to_string(size) + " leaves given make " + Base64Of(range.Root())});
    }
    // The threshold and whether leaves are published are the report's own statements, which
    // its signature holds; no audit leaf is given, so the bands are not recounted.
    CountSettings settings;
    settings.suppress_below = basis->suppressed_below;
    settings.publish_leaves = basis->leaves_published;
    nlohmann::ordered_json recomputed = ReportToJson(CountReport(leaves, basis->period, settings));
    for (const char* given_field : {"period", "tree_head", "audit_tree_head", "national_security"}) {
      recomputed.erase(given_field);
    }
    std::vector<ReportDifference> counts;
    CompareReports(recomputed, report, counts);
    out.insert(out.begin(), counts.begin(), counts.end());
    result.recounted = true;
  }
  CheckHead(basis->tree_head, "disclosures", "/tree_head", keys, out);
  CheckHead(basis->audit_tree_head, "audit", "/audit_tree_head", keys, out);
  CheckReportSignature(report, basis->signature, keys, "given", out);
  return result;
}

}  // namespace custodian::reports
