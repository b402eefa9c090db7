// The workflow's production steps (docs/production.md): an approved case whose notice wait is
// over starts a production — its targets resolved to accounts in the vault, each resolution
// audited, a reverse lookup over the cap sent back to review — and the grant the producer
// reads with; finishing records the production and its disclosure leaf with the case's move.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>
#include <soci/soci.h>

#include "cases/disclosure_log.h"
#include "cases/ledgers/audit_detail.h"
#include "cases/ledgers/read_audit.h"
#include "cases/narrowing.h"
#include "cases/store/sql_rows.h"
#include "cases/workflow.h"
#include "policy/request_parser.h"
#include "policy/targets.h"

namespace custodian::cases {
namespace {

constexpr int64_t kGrantMicros = 6 * kMicrosPerHour;  // a production reads for this long at most

}  // namespace

Result<ProductionStart> Workflow::StartProduction(const std::string& id, const Actor& actor) {
  ProductionStart start;
  InstanceStandards::Shared standards;  // the case's decision's
  // First, in one transaction: the case may be produced, and the production is recorded.
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    CaseTx tx(sql);
    auto c = tx.GetCase(id);
    if (!c.ok()) return c.status();
    const Timestamp now = clock_.Now();
    // The user was told and the wait is over: nothing else ends it, so producing does.
    if (c->state == CaseState::kAwaitingNotice) {
      if (Status st = EndNoticeWait(tx, *c, actor); !st.ok()) return st;
    }
    if (c->state != CaseState::kApproved && c->state != CaseState::kProducing) {
      return Status::FailedPrecondition("case " + id + ": only an approved case is produced (it is " +
                                        std::string(CaseStateName(c->state)) + ")");
    }
    if (c->preservation) {
      return Status::FailedPrecondition("case " + id + ": a preservation discloses nothing");
    }
    if (!c->requester_verified) {
      return Status::FailedPrecondition("case " + id + ": the requester is not verified");
    }
    auto request = tx.LatestRequest(id);
    if (!request.ok()) return request.status();
    const ParsedRequest parsed = ParseRequest(request->document);
    if (!parsed.ok()) return Status::Corruption("case store: case " + id + "'s request no longer parses");
    const auto decisions = tx.Decisions(id);
    auto scope = EffectiveScope(decisions.back().document, c->review_scope);
    if (!scope.ok()) return scope.status();
    start.request = parsed.request;
    start.scope = *scope;
    start.standards_sha256 = decisions.back().standards_sha256;
    auto decided_under = standards_.Find(sql, start.standards_sha256);
    if (!decided_under.ok()) return decided_under.status();
    standards = *decided_under;
    start.production_id = tx.NewProductionId(std::stoi(FormatDate(now.UtcDate()).substr(0, 4)));
    if (Status st = tx.InsertProduction({start.production_id, id, ProductionState::kProducing, now,
                                         actor.name});
        !st.ok()) {
      return st;
    }
    if (c->state == CaseState::kApproved) {
      if (Status st = Transition(tx, *c, Step::kStartProduction, actor,
                                 Detail({{"production", start.production_id}}).dump());
          !st.ok()) {
        return st;
      }
    } else {
      // An earlier attempt failed before it was recorded: it ends here, not left "producing".
      for (ProductionRecord& p : tx.Productions(id)) {
        if (p.state != ProductionState::kProducing || p.id == start.production_id) continue;
        p.state = ProductionState::kAborted;
        p.at = now;
        p.by = actor.name;
        p.reason = "failed before it was recorded; " + start.production_id + " started in its place";
        if (Status st = tx.UpdateProduction(p); !st.ok()) return st;
      }
      if (Status st = tx.Audit(now, actor.name, id, "restart_production",
                               Detail({{"production", start.production_id}}).dump());
          !st.ok()) {
        return st;
      }
    }
    start.record = *c;
    return Status::Ok();
  });
  if (!s.ok()) return s;

  // Then the targets, resolved in the vault under a grant for them alone (each read audited).
  const Timestamp now = clock_.Now();
  // Without a window the access log is read as far back as the standards say; a scope of
  // instants is read interval by interval, under a grant that spans them.
  start.intervals = start.scope.ReadIntervals();
  if (start.intervals.empty()) {
    start.intervals.push_back({Timestamp{start.request.received_at.micros -
                                         standards->no_window_lookback_days * kMicrosPerDay},
                               start.request.received_at});
  }
  const Window window{start.intervals.front().start, start.intervals.back().end};
  vault::GrantScope lookup;
  lookup.case_id = id;
  lookup.categories = start.scope.categories;
  lookup.start = window.start;
  lookup.end = window.end;
  lookup.expires = Timestamp{now.micros + kGrantMicros};
  // Finding who used an address reads the access log's address index, even for a scope of
  // subscriber information alone (whose account used this address then?); the grant the
  // record is read with keeps to the scope's categories.
  bool by_address = false;
  for (const Target& t : start.scope.targets) by_address = by_address || t.type == kIpTargetType;
  if (by_address) lookup.categories.Add(Category::kAccessLog);
  for (const Target& t : DistinctTargets(start.scope.targets)) {
    if (t.type == "account_id") continue;
    if (t.type == kIpTargetType) {
      auto endpoint = IpEndpoint::Parse(t.value);
      if (!endpoint) return Status::Corruption("case " + id + ": an ip target does not parse");
      lookup.addresses.push_back(*endpoint);
    } else {
      lookup.identifiers.push_back({t.type, t.value});
    }
  }
  const vault::Grant lookup_grant = vault_.grants().Issue(lookup);
  LedgerReadAudit audit(db_, clock_, actor.name);
  std::set<uint64_t> accounts;
  for (const Target& t : DistinctTargets(start.scope.targets)) {
    ResolvedTarget resolved{t, {}};
    if (t.type == "account_id") {
      try {
        resolved.accounts.push_back(std::stoull(t.value));
      } catch (const std::exception&) {
        return Status::Corruption("case " + id + ": an account_id target is not a number");
      }
    } else if (t.type == kIpTargetType) {
      std::set<uint64_t> at_address;
      for (const Window& w : start.intervals) {
        auto found = vault_.AccountsAtAddress(lookup_grant, *IpEndpoint::Parse(t.value), w.start, w.end, audit);
        if (!found.ok()) return found.status();
        at_address.insert(found->begin(), found->end());
      }
      const std::vector<uint64_t> found(at_address.begin(), at_address.end());
      if (static_cast<int64_t>(found.size()) > standards->reverse_lookup_max_accounts) {
        // A likely shared address: nothing is produced and a person looks again.
        Result<CaseView> back = Run(id, [&](CaseTx& tx, CaseRecord& c) -> Status {
          ProductionRecord p{start.production_id, id, ProductionState::kWithheld, start.record.updated_at, actor.name};
          if (Status st = tx.UpdateProduction(p); !st.ok()) return st;
          return Transition(tx, c, Step::kOverCap, actor,
                            Detail({{"production", start.production_id},
                                    {"accounts", found.size()},
                                    {"cap", standards->reverse_lookup_max_accounts}}).dump());
        });
        if (!back.ok()) return back.status();
        return Status::FailedPrecondition("case " + id + ": the address matched " +
                                          std::to_string(found.size()) + " accounts, more than " +
                                          std::to_string(standards->reverse_lookup_max_accounts) +
                                          "; the case is back in review");
      }
      resolved.accounts = found;
    } else {
      // The account that held the identifier at any moment of the scope.
      std::set<uint64_t> held;
      for (const Window& w : start.intervals) {
        auto found = vault_.ResolveIdentifier(lookup_grant, {t.type, t.value}, w.start, w.end, audit);
        if (!found.ok()) return found.status();
        held.insert(found->begin(), found->end());
      }
      resolved.accounts.assign(held.begin(), held.end());
    }
    accounts.insert(resolved.accounts.begin(), resolved.accounts.end());
    start.targets.push_back(std::move(resolved));
  }
  vault::GrantScope read = lookup;
  read.categories = start.scope.categories;
  read.accounts.assign(accounts.begin(), accounts.end());
  start.window = window;
  start.grant = vault_.grants().Issue(read);
  return start;
}

Result<std::optional<uint64_t>> Workflow::FinishProduction(const ProductionStart& start, const Actor& actor,
                                            const ProductionFacts& facts) {
  std::optional<uint64_t> index;
  Result<CaseView> done = Run(start.record.id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    if (c.state != CaseState::kProducing) {
      return Status::FailedPrecondition("case " + c.id + ": not being produced (it is " +
                                        std::string(CaseStateName(c.state)) + ")");
    }
    auto leaf = Disclose(tx, c, ledger::DisclosureKind::kProduction, ledger::kOutcomeProduced,
                         clock_.Now().UtcDate(), options_.pseudonym_key, facts);
    if (!leaf.ok()) return leaf.status();
    index = *leaf;
    ProductionRecord p{start.production_id, c.id, ProductionState::kProduced, clock_.Now(), actor.name};
    p.manifest_sha256 = facts.manifest_sha256;
    p.accounts_with_data = facts.accounts_with_data;
    if (index) p.leaf_index = static_cast<int64_t>(*index);
    if (Status st = tx.UpdateProduction(p); !st.ok()) return st;
    return Transition(tx, c, Step::kProduced, actor,
                      Detail({{"production", start.production_id},
                              {"manifest_sha256", facts.manifest_sha256},
                              {"accounts_with_data", facts.accounts_with_data}}).dump());
  });
  if (!done.ok()) return done.status();
  return index;
}

Result<AbortedProduction> Workflow::AbortProduction(const std::string& case_id,
                                                   const std::string& production_id,
                                                   const std::string& reason, const Actor& actor) {
  if (reason.empty()) return Status::InvalidArgument("reason: missing (why the production is aborted)");
  AbortedProduction aborted;
  Result<CaseView> done = Run(case_id, [&](CaseTx& tx, CaseRecord& c) -> Status {
    const auto unfinished = [](const ProductionRecord& p) {
      return p.state == ProductionState::kProducing ||
             (p.state == ProductionState::kProduced && !p.package_sha256);
    };
    std::vector<ProductionRecord> productions = tx.Productions(case_id);
    const ProductionRecord* target = nullptr;
    for (const ProductionRecord& p : productions) {
      if (production_id.empty() ? unfinished(p) : p.id == production_id) target = &p;
    }
    if (!target) {
      return production_id.empty()
                 ? Status::FailedPrecondition("case " + case_id + " has no unfinished production")
                 : Status::NotFound("case " + case_id + " has no production " + production_id);
    }
    if (!unfinished(*target)) {
      return Status::FailedPrecondition("production " + target->id + " is not unfinished (it is " +
                                        std::string(kProductionStateNames[static_cast<size_t>(target->state)]) +
                                        (target->package_sha256 ? ", its package made" : "") + ")");
    }
    aborted.production_id = target->id;
    const Timestamp now = clock_.Now();
    if (target->state == ProductionState::kProduced && target->leaf_index) {
      // The log says this production was made: it must also say it was not delivered.
      auto leaf = Disclose(tx, c, ledger::DisclosureKind::kProduction, ledger::kOutcomeAborted, now.UtcDate(),
                           options_.pseudonym_key, ProductionFacts{0, target->manifest_sha256.value_or("")});
      if (!leaf.ok()) return leaf.status();
      aborted.leaf_index = *leaf;
    }
    // Earlier attempts that failed before being recorded end with it.
    for (ProductionRecord& p : productions) {
      if (!unfinished(p)) continue;
      p.state = ProductionState::kAborted;
      p.at = now;
      p.by = actor.name;
      p.reason = reason;
      if (Status st = tx.UpdateProduction(p); !st.ok()) return st;
    }
    return Transition(tx, c, Step::kAbortProduction, actor,
                      Detail({{"production", aborted.production_id}, {"reason", reason}}).dump());
  });
  if (!done.ok()) return done.status();
  return aborted;
}

}  // namespace custodian::cases
