#include "cases/disclosure_log.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/category.h"
#include "core/sha256.h"
#include "policy/request_parser.h"
#include "policy/targets.h"

namespace custodian::cases {

inline constexpr std::string_view kNationalSecurityLetter = "national_security_letter";

std::string CasePseudonym(const vault::SecretKey& key, const std::string& case_id) {
  uint8_t out[16];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(case_id.data()),
                     case_id.size(), key.data(), vault::kKeyBytes);
  return HexEncode(out, sizeof out);
}

bool InDisclosureLog(const CaseRecord& c) { return c.process_type != kNationalSecurityLetter; }

Result<std::optional<uint64_t>> Disclose(CaseTx& tx, const CaseRecord& c,
                                         ledger::DisclosureKind kind, std::string_view outcome,
                                         Date today, const vault::SecretKey& pseudonym_key,
                                         const std::optional<ProductionFacts>& production) {
  if (!InDisclosureLog(c)) return std::optional<uint64_t>();
  auto request = tx.LatestRequest(c.id);
  if (!request.ok()) return request.status();
  const ParsedRequest parsed = ParseRequest(request->document);
  if (!parsed.ok()) {
    return Status::Internal("case " + c.id + ": its stored request no longer parses");
  }
  const Request& r = parsed.request;
  const auto decisions = tx.Decisions(c.id);
  if (decisions.empty()) return Status::Internal("case " + c.id + ": no decision stored");
  const auto decision = nlohmann::json::parse(decisions.back().document);

  ledger::DisclosureLeaf leaf;
  leaf.case_pseudonym = CasePseudonym(pseudonym_key, c.id);
  leaf.kind = kind;
  leaf.received = c.received_at.UtcDate();
  leaf.date = today;
  leaf.country = r.requester.country;
  leaf.agency_type = std::string(NameOf(r.requester.agency_type, kAgencyTypeNames));
  leaf.process_type = c.process_type;
  leaf.emergency = c.emergency;
  leaf.preservation = c.preservation;
  // The categories in scope: the reviewer's narrowing, else the authorized, else the asked.
  std::set<std::string> categories;
  const nlohmann::json* scope = nullptr;
  nlohmann::json narrowed;
  if (c.review_scope) {
    narrowed = nlohmann::json::parse(*c.review_scope);
    if (narrowed.contains("categories")) scope = &narrowed;
  }
  if (!scope && decision["authorized"].is_object()) scope = &decision["authorized"];
  if (scope) {
    for (const auto& name : (*scope)["categories"]) categories.insert(name.get<std::string>());
  } else {
    for (Category cat : r.categories) categories.insert(std::string(CategoryName(cat)));
  }
  leaf.categories.assign(categories.begin(), categories.end());
  leaf.targets = static_cast<int64_t>(DistinctTargets(r.targets).size());
  leaf.outcome = std::string(outcome);
  leaf.narrowed = decisions.back().action == "produce_narrowed" || c.review_scope.has_value();
  // An order applies while it has no end or its end is after the leaf's date.
  if (auto order = tx.LatestNondisclosure(c.id)) {
    leaf.nondisclosure = !order->until || today < *order->until;
  } else if (r.nondisclosure && r.nondisclosure->ordered.value_or(false)) {
    leaf.nondisclosure = !r.nondisclosure->until || leaf.received < *r.nondisclosure->until;
  }
  if (production) {
    leaf.accounts_with_data = production->accounts_with_data;
    leaf.manifest_sha256 = production->manifest_sha256;
  }
  auto index = tx.AppendDisclosure(ledger::DisclosureLeafBytes(leaf));
  if (!index.ok()) return index.status();
  return std::optional<uint64_t>(*index);
}

}  // namespace custodian::cases
