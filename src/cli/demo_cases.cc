#include "cli/demo_cases.h"

#include <unistd.h>

#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "cases/case_state.h"
#include "cli/production_command.h"
#include "core/clock.h"
#include "core/file_system.h"
#include "core/sha256.h"
#include "production/producer.h"

namespace custodian::embedded {
extern const std::string_view demo_emergency_unverified, demo_emergency_verified_narrowed, demo_fbi_warrant_content,
    demo_foreign_direct, demo_hsi_admin_subpoena_immigration, demo_hsi_child_safety_court_order,
    demo_lcpd_subpoena_times, demo_lcpd_subpoena, demo_letter, demo_ndo_indefinite, demo_overbroad_area,
    demo_preservation, demo_subpoena_future_window, demo_vague_subpoena;
}  // namespace custodian::embedded

namespace custodian::demo {
namespace {

using json = nlohmann::ordered_json;

// How far a case goes.
enum class Goal {
  kEntered,    // verifying or in_review, as intake leaves it
  kReviewed,   // the reviewer followed the standards: reviewed, pushed_back, rejected or holding
  kApproved,   // and a second person approved: approved or awaiting_notice
  kProduced,   // and it was produced: its package waits for the requester
  kClosed,     // and it was closed
  kReleased,   // a preservation whose holds the reviewer released
  kExpired,    // a preservation whose holds ran out
  kAmended,    // pushed back, then amended by intake: back in review
  kWithdrawn,  // sent on the portal, then withdrawn by the requester
};

struct Plan {
  const char* example;
  const std::string_view* text;
  Goal goal;
  bool confirm_investigation = false;  // the reviewer confirms a child-safety investigation
  bool recycled_phone = false;         // aimed at the recycled number rather than an account
  bool from_portal = false;            // sent by the demo's requester on the portal, attested
};

const std::vector<Plan>& Plans() {
  namespace e = embedded;
  static const std::vector<Plan> plans = {
      {"emergency-unverified.json", &e::demo_emergency_unverified, Goal::kEntered},
      {"lcpd-subpoena-times.json", &e::demo_lcpd_subpoena_times, Goal::kEntered},
      // The news story: an administrative subpoena in a civil immigration matter, for an
      // account's logins with their locations. The standards decide; the reviewer follows.
      {"hsi-admin-subpoena-immigration.json", &e::demo_hsi_admin_subpoena_immigration, Goal::kReviewed, false, false,
       true},
      {"foreign-direct.json", &e::demo_foreign_direct, Goal::kReviewed},
      {"vague-subpoena.json", &e::demo_vague_subpoena, Goal::kAmended},
      {"letter.json", &e::demo_letter, Goal::kReviewed},
      {"overbroad-area.json", &e::demo_overbroad_area, Goal::kClosed},
      {"ndo-indefinite.json", &e::demo_ndo_indefinite, Goal::kClosed},
      {"subpoena-future-window.json", &e::demo_subpoena_future_window, Goal::kReviewed},
      // Approved: an emergency is produced at once (the user is told afterwards), then closed;
      // a warrant and subpoenas wait out the user's notice; a child-safety order, whose
      // notice the investigation withholds, is ready to produce, and another one produced.
      {"emergency-verified-narrowed.json", &e::demo_emergency_verified_narrowed, Goal::kClosed},
      {"fbi-warrant-content.json", &e::demo_fbi_warrant_content, Goal::kApproved},
      {"lcpd-subpoena.json", &e::demo_lcpd_subpoena, Goal::kApproved},
      {"lcpd-subpoena.json", &e::demo_lcpd_subpoena, Goal::kApproved, false, true},
      {"hsi-child-safety-court-order.json", &e::demo_hsi_child_safety_court_order, Goal::kApproved, true},
      {"hsi-child-safety-court-order.json", &e::demo_hsi_child_safety_court_order, Goal::kProduced, true, false, true},
      // One the requester sent and then withdrew: the suspect was identified otherwise.
      {"hsi-child-safety-court-order.json", &e::demo_hsi_child_safety_court_order, Goal::kWithdrawn, false, false,
       true},
      {"preservation.json", &e::demo_preservation, Goal::kReviewed},
      {"preservation.json", &e::demo_preservation, Goal::kReleased},
      {"preservation.json", &e::demo_preservation, Goal::kExpired},
  };
  return plans;
}

// Moves every date and time in `doc` by `delta` (dates by whole days): the example keeps its
// shape (a window before receipt, a return date after it) around a new receipt.
void Shift(json& doc, int64_t delta) {
  if (doc.is_object() || doc.is_array()) {
    for (auto& child : doc) Shift(child, delta);
    return;
  }
  if (!doc.is_string()) return;
  const std::string text = doc.get<std::string>();
  if (text.size() == 10) {
    if (auto date = ParseDate(text); date.ok()) doc = FormatDate(date->PlusDays(delta / kMicrosPerDay));
  } else if (text.size() >= 20 && text[4] == '-' && text[10] == 'T') {
    if (auto at = ParseDateTime(text); at.ok()) doc = FormatDateTime(Timestamp{at->micros + delta});
  }
}

// The letter a reviewer who follows the standards writes: their findings, in their words.
std::string LetterOf(const std::string& decision_document) {
  const json decision = json::parse(decision_document);
  std::string letter = "Your request cannot be answered as it stands.";
  for (const json& f : decision.value("findings", json::array())) {
    if (f.value("severity", "") == "narrow") continue;
    letter += "\n\n" + f.value("message", f.value("code", ""));
    if (f.contains("citation")) letter += " (" + f["citation"].get<std::string>() + ")";
  }
  return letter;
}

class Scenario {
 public:
  Scenario(Instance& s, const std::string& data_dir, const DemoCaseTargets& targets,
           const DemoRequester& requester)
      : s_(s), data_dir_(data_dir), targets_(targets), requester_(requester) {}

  Result<DemoCase> Run(const Plan& plan, size_t index, DemoCases& out) {
    const Timestamp now = SystemClock().Now();
    // Received over the last days, the first the earliest; an expired preservation long ago.
    const int64_t preservation_days = plan.goal == Goal::kExpired ? PreservationDays() : 0;
    if (preservation_days < 0) return Status::Internal("the standards name no preservation period");
    const Timestamp received{now.micros - (preservation_days + 1) * kMicrosPerDay -
                             static_cast<int64_t>(Plans().size() - index) * 7 * kMicrosPerHour};
    ManualClock then(Timestamp{received.micros + 10 * kMicrosPerMinute});
    std::optional<cases::Workflow> earlier;
    cases::Workflow* wf = s_.workflow.get();
    if (plan.goal == Goal::kExpired) {
      // The preservation came in a period ago: its holds were placed then and have run out.
      earlier.emplace(*s_.db, *s_.standards, *s_.vault, *s_.attachments, then,
                      cases::WorkflowOptions{.cli_decisions = true,
                                             .download_grant_days = s_.config.download_grant_days,
                                             .pseudonym_key = s_.pseudonym_key});
      wf = &*earlier;
    }
    auto document = Document(plan, index, received);
    if (!document.ok()) return document.status();
    auto view = wf->Submit(plan.from_portal ? FromPortal(*document)
                                            : cases::Submission{.document = *document, .entry = cases::Entry::kStaff,
                                                                .actor = Staff("intake")});
    if (!view.ok()) return view.status();
    const std::string id = view->record.id;
    if (plan.goal == Goal::kWithdrawn) {
      auto r = wf->Withdraw(id, {requester_.account_id}, {requester_.agency_id, requester_.account_id},
                            std::string("The suspect was identified otherwise."));
      if (!r.ok()) return r.status();
    } else if (plan.goal != Goal::kEntered) {
      if (Status r = Review(*wf, *view, plan); !r.ok()) return r;
    }
    if (plan.goal == Goal::kAmended) {
      // Intake enters the agency's corrected request: the missing factual basis.
      json amended = json::parse(*document);
      amended["purpose"]["factual_basis"] =
          "The account sent the threatening messages of case 2026-LC-0412 on the dates in the window; the "
          "victim's statement and the messages' headers are attached.";
      auto r = wf->Amend(id, {.document = amended.dump(), .entry = cases::Entry::kStaff, .actor = Staff("intake")});
      if (!r.ok()) return r.status();
    }
    if (plan.goal == Goal::kApproved || plan.goal == Goal::kProduced || plan.goal == Goal::kClosed) {
      if (auto c = Current(id); c.ok() && c->record.state == cases::CaseState::kReviewed) {
        if (auto r = wf->Approve(id, Staff("approver")); !r.ok()) return r.status();
      }
    }
    if (plan.goal == Goal::kProduced || plan.goal == Goal::kClosed) {
      if (auto c = Current(id); c.ok() && c->record.state == cases::CaseState::kApproved) {
        if (Status p = Produce(id); !p.ok()) return p;
        if (plan.goal == Goal::kProduced) out.produced_case = id;
      }
    }
    if (plan.goal == Goal::kClosed) {
      if (auto r = wf->Close(id, Staff("reviewer"), std::string("Answered; nothing more is owed.")); !r.ok()) {
        return r.status();
      }
    }
    if (plan.goal == Goal::kReleased || plan.goal == Goal::kExpired) {
      auto holds = wf->Holds(id, Staff("reviewer"));
      if (!holds.ok()) return holds.status();
      if (plan.goal == Goal::kReleased) {
        for (const cases::HoldRecord& h : *holds) {
          if (Status r = wf->ReleaseHold(h.id, Staff("reviewer")); !r.ok()) return r;
        }
      } else if (auto r = s_.workflow->ExpireHolds({"custodian"}); !r.ok()) {
        return r.status();
      }
    }
    if (plan.example == std::string_view("hsi-admin-subpoena-immigration.json")) out.immigration_case = id;
    auto c = Current(id);
    if (!c.ok()) return c.status();
    // The latest decision: an amended request's is the amendment's.
    return DemoCase{id, plan.example, c->decision.action, std::string(cases::CaseStateName(c->record.state))};
  }

 private:
  cases::Actor Staff(const char* name) const { return {name, true}; }

  Result<cases::CaseView> Current(const std::string& id) { return s_.workflow->Show(id, Staff("auditor")); }

  // `document` as the demo's requester sends it on the portal, making the standards' attestation.
  cases::Submission FromPortal(const std::string& document) {
    auto current = s_.standards->Current(*s_.db);
    return {.document = document, .entry = cases::Entry::kPortal, .actor = {requester_.account_id},
            .requester_agency = requester_.agency_id, .requester_email = requester_.email,
            .requester_account = requester_.account_id,
            .attestation_sha256 = current.ok() ? Sha256Hex((*current)->attestation) : ""};
  }

  int64_t PreservationDays() {
    auto current = s_.standards->Current(*s_.db);
    return current.ok() ? (*current)->preservation_period_days : -1;
  }

  // The example, received at `received`, about a demo account of its own (or the recycled
  // number).
  Result<std::string> Document(const Plan& plan, size_t index, Timestamp received) {
    json doc = json::parse(*plan.text, nullptr, false);
    if (!doc.is_object() || !doc.contains("received_at")) {
      return Status::Internal(std::string(plan.example) + ": not a request document");
    }
    auto was = ParseDateTime(doc["received_at"].get<std::string>());
    if (!was.ok()) return was.status();
    // Whole days, so that dates and times move together.
    const int64_t delta = (received.micros - was->micros) / kMicrosPerDay * kMicrosPerDay;
    Shift(doc, delta);
    doc["received_at"] = FormatDateTime(received);
    const uint64_t account = targets_.first_account + (index * 37 + 11) % targets_.accounts;
    for (json& t : doc["targets"]) {
      if (t.value("type", "") != "account_id") continue;
      if (plan.recycled_phone) {
        t = {{"type", "phone"}, {"value", targets_.recycled_phone}};
      } else {
        t["value"] = std::to_string(account);
      }
    }
    return doc.dump();
  }

  // The reviewer does what the standards decided.
  Status Review(cases::Workflow& wf, const cases::CaseView& view, const Plan& plan) {
    const std::string& action = view.decision.action;
    if (view.record.state != cases::CaseState::kInReview) return Status::Ok();  // not verified yet
    cases::Review review;
    review.confirm_investigation = plan.confirm_investigation;
    if (action == "pushback") {
      review.decision = cases::ReviewDecision::kPushback;
      review.letter = LetterOf(view.decision.document);
    } else if (action == "reject") {
      review.decision = cases::ReviewDecision::kReject;
    } else {
      review.decision = cases::ReviewDecision::kApprove;
    }
    auto r = wf.ReviewCase(view.record.id, Staff("reviewer"), review);
    return r.ok() ? Status::Ok() : r.status();
  }

  // The approver produces the case: the package is signed, kept for delivery, and the
  // agency's first download grant issued.
  Status Produce(const std::string& id) {
    production::ProducerOptions options = production::MakeProducerOptions(ProductionSettingsOf(s_, data_dir_));
    production::Producer producer(*s_.db, *s_.workflow, *s_.vault, *s_.signing_keys, *s_.ledgers, SystemClock(),
                                  options);
    // The requester downloads the copy the package store keeps; this one goes.
    const std::string zip = (std::filesystem::temp_directory_path() / ("custodian-demo-" + std::to_string(::getpid()) + "-" + id + ".zip")).string();
    auto outcome = producer.Produce(id, zip, Staff("approver"));
    if (!outcome.ok()) return outcome.status();
    std::error_code ec;
    std::filesystem::remove(zip, ec);
    return Status::Ok();
  }

  Instance& s_;
  const std::string data_dir_;
  const DemoCaseTargets targets_;
  const DemoRequester requester_;
};

}  // namespace

Result<DemoCases> MakeDemoCases(Instance& instance, const std::string& data_dir, const DemoCaseTargets& targets,
                                const DemoRequester& requester,
                                const std::function<void(size_t done, size_t total)>& step) {
  DemoCases out;
  Scenario scenario(instance, data_dir, targets, requester);
  const auto& plans = Plans();
  for (size_t i = 0; i < plans.size(); ++i) {
    auto c = scenario.Run(plans[i], i, out);
    if (!c.ok()) return c.status().WithContext(std::string(plans[i].example) + ": ");
    out.cases.push_back(std::move(c).value());
    if (step) step(i + 1, plans.size());
  }
  return out;
}

}  // namespace custodian::demo
