// The ledgers: heads, consistency proofs and the signing keys for anyone (a head is a public
// commitment, and whoever checks one needs no account); the audit log itself for auditors.
#include "server/routes.h"

#include "cases/ledgers/leaf_proof_json.h"
#include "cases/ledgers/ledger_store.h"
#include "ledger/proof_json.h"
#include "ledger/tree_head.h"
#include "server/answers.h"
#include "server/query_parameters.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

// Bounds what one answer costs the server: a page of heads, a page of proved audit entries.
constexpr uint64_t kMaxHeadsPerPage = 1000;
constexpr uint64_t kMaxAuditEntriesPerPage = 500;
constexpr uint64_t kDefaultAuditEntriesPerPage = 100;
// Tree sizes and indexes beyond this are not stored (the store's integers are signed).
constexpr uint64_t kMaxTreeSize = uint64_t{1} << 62;

// A signed tree head as the API sends it (tree_head.h's JSON).
json HeadJson(const ledger::SignedTreeHead& head) { return json(ledger::TreeHeadToJson(head)); }

// False, with the 404 problem sent, for a log other than audit and disclosures.
bool KnownLog(httplib::Response& res, const std::string& log) {
  if (cases::CheckLogName(log).ok()) return true;
  SendProblem(res, {404, "not-found", "No such resource",
                    "No such log: the logs are audit and disclosures.", ""});
  return false;
}

}  // namespace

void AddLedgerRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/ledger/{log}/head", Public(), [api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const std::string log = req.matches[1];
    if (!KnownLog(res, log)) return;
    auto head = api.ledgers.LatestHead(log);
    if (!head.ok()) return Fail(res, head.status());
    Send(res, 200, HeadJson(*head));
  });
  router.Get("/api/v1/ledger/{log}/heads", Public(), [api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const std::string log = req.matches[1];
    if (!KnownLog(res, log)) return;
    const auto from = NumberParameter(req, res, "from", 0, 0, kMaxTreeSize);
    if (!from) return;
    auto heads = api.ledgers.Heads(log, *from, kMaxHeadsPerPage);
    if (!heads.ok()) return Fail(res, heads.status());
    json out = json::array();
    for (const ledger::SignedTreeHead& h : *heads) out.push_back(HeadJson(h));
    Send(res, 200, {{"heads", out}});
  });
  router.Get("/api/v1/ledger/{log}/consistency", Public(), [api](const httplib::Request& req, httplib::Response& res, const Caller&) {
    const std::string log = req.matches[1];
    if (!KnownLog(res, log)) return;
    // A proof from the empty tree proves nothing (merkle.h): sizes start at 1.
    const auto first = NumberParameter(req, res, "first", std::nullopt, 1, kMaxTreeSize);
    if (!first) return;
    const auto second = NumberParameter(req, res, "second", std::nullopt, 1, kMaxTreeSize);
    if (!second) return;
    if (*first > *second) return SendProblem(res, ParameterProblem("first", "larger than second"));
    auto proof = api.ledgers.Consistency(log, *first, *second);
    if (!proof.ok()) return Fail(res, proof.status());
    Send(res, 200, ledger::ConsistencyToJson({*first, *second, *proof}));
  });
  router.Get("/api/v1/keys", Public(), [api](const httplib::Request&, httplib::Response& res, const Caller&) {
    json out = json::object();
    for (std::string_view purpose : {cases::kLedgerKey, cases::kProductionKey}) {
      auto keys = api.signing_keys.Keys(purpose);
      if (!keys.ok()) return Fail(res, keys.status());
      json list = json::array();
      for (const cases::PublicSigningKey& k : *keys) list.push_back(cases::PublicKeyToJson(k));
      out[std::string(purpose)] = list;
    }
    Send(res, 200, out);
  });
  // A log's entries with their proofs (cases/leaf_proof_json.h): the audit log for auditors,
  // the disclosure log (pseudonymous) for auditors and outside auditors, who recount reports
  // from it.
  for (const auto& [name, access] : {std::pair{cases::kAuditLog, Staff({Role::kAuditor})},
                                     std::pair{cases::kDisclosureLog, Auditors()}}) {
    const std::string_view log = name;
    router.Get("/api/v1/ledger/" + std::string(log) + "/entries", access, [api, log](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      const auto start = NumberParameter(req, res, "start", 0, 0, kMaxTreeSize);
      if (!start) return;
      const auto count = NumberParameter(req, res, "count", kDefaultAuditEntriesPerPage, 1,
                                         kMaxAuditEntriesPerPage);
      if (!count) return;
      auto page = api.ledgers.ProveEntries(log, *start, *count, caller.name);
      if (!page.ok()) return Fail(res, page.status());
      Send(res, 200, cases::LogPageToJson(*page));
    });
  }
}

}  // namespace custodian::server
