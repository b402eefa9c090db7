#include "cli/case_command.h"

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cases/case_json.h"
#include "cases/store/database.h"
#include "cases/workflow.h"
#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "cli/instance_flags.h"
#include "cli/run_with_instance.h"
#include "cli/staff_actor.h"
#include "core/clock.h"
#include "core/file_system.h"
#include "instance/instance.h"
#include "instance/instance_config.h"
#include "instance/instance_record.h"
#include "policy/request_parser.h"
#include "policy/standards.h"

namespace custodian {
namespace {

constexpr size_t kMaxRegistryBytes = 4 << 20;

using Session = Instance;
using server::Role;

struct CaseFlags {
  InstanceOptions instance;
  std::string id;
  std::string actor;
  std::string file;
  std::string decision;
  std::string note;
  std::string letter_file;
  std::string scope;
  std::string phone;
  std::string agency;
  std::string state;
  std::string case_id;
  bool confirm_investigation = false;
  bool open_only = false;
};

int Run(const CaseFlags& f,
        const std::function<Result<nlohmann::ordered_json>(Instance&)>& action) {
  return RunWithInstance(f.instance, action);
}

Result<nlohmann::ordered_json> Shown(const Result<cases::CaseView>& v, bool with_request = false) {
  if (!v.ok()) return v.status();
  return cases::CaseToJson(*v, with_request);
}

Result<std::string> ReadDocument(const std::string& path) {
  auto text = ReadInput(path, kMaxRequestBytes);
  if (!text.ok()) return text.status();
  if (text->size() > kMaxRequestBytes) {
    return Status::InvalidArgument(path + ": larger than 1 MiB; not a request document");
  }
  return text;
}

// The pushback's letter, from --letter-file (required with pushback, refused otherwise); its
// length and blankness are the workflow's to check.
Status ReadLetter(const CaseFlags& f, cases::Review& r) {
  const bool pushback = r.decision == cases::ReviewDecision::kPushback;
  if (pushback && f.letter_file.empty()) {
    return Status::InvalidArgument("--letter-file: a pushback needs a letter to the requester saying what to correct");
  }
  if (!pushback && !f.letter_file.empty()) {
    return Status::InvalidArgument("--letter-file: only a pushback writes to the requester");
  }
  if (!pushback) return Status::Ok();
  // Bytes, not characters, capped: four per code point at most.
  const size_t cap = 4 * cases::kMaxLetterLength;
  auto text = ReadInput(f.letter_file, cap);
  if (!text.ok()) return text.status();
  if (text->size() > cap) {
    return Status::InvalidArgument("--letter-file: " + f.letter_file + ": longer than " +
                                   std::to_string(cases::kMaxLetterLength) + " characters");
  }
  r.letter = std::move(text).value();
  return Status::Ok();
}

CLI::App* WithActor(CLI::App* cmd, CaseFlags& f,
                    const char* help = "The staff user who does this, holding a role the step "
                                       "allows (recorded in the audit log)") {
  cmd->add_option("--actor", f.actor, help)->required();
  return cmd;
}

}  // namespace

void AddCaseCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<CaseFlags>();
  const auto actor = [f] { return cases::Actor{f->actor, /*via_cli=*/true}; };

  auto* agencies = app.add_subcommand("agencies", "The agency registry");
  agencies->require_subcommand(1);
  auto* import = agencies->add_subcommand("import", "Replace the registry with FILE "
                                                    "(spec/agencies.example.json's format)");
  AddInstanceFlags(import, f->instance);
  WithActor(import, *f, "Who does this: the operator, as given (recorded in the audit log)");
  import->add_option("FILE", f->file, "The registry (JSON)")->required();
  import->callback([f, actor, exit_code] {
    *exit_code = Run(*f, [&](Session& s) -> Result<nlohmann::ordered_json> {
      auto text = ReadInput(f->file, kMaxRegistryBytes);
      if (!text.ok()) return text.status();
      if (text->size() > kMaxRegistryBytes) return Status::InvalidArgument(f->file + ": larger than 4 MiB");
      if (Status st = s.workflow->ImportRegistry(*text, actor()); !st.ok()) return st;
      return nlohmann::ordered_json{{"imported", f->file}};
    });
  });

  auto* kase = app.add_subcommand("case", "Legal requests: intake, review, approval");
  kase->require_subcommand(1);

  auto* submit = kase->add_subcommand("submit", "Enter a request received by mail, fax or e-mail");
  AddInstanceFlags(submit, f->instance);
  WithActor(submit, *f);
  submit->add_option("REQUEST", f->file, "The request document (JSON; - for standard input)")->required();
  submit->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kIntake}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      auto doc = ReadDocument(f->file);
      if (!doc.ok()) return doc.status();
      return Shown(s.workflow->Submit({*doc, cases::Entry::kStaff, who}));
    });
  });

  auto* amend = kase->add_subcommand("amend", "Resubmit a pushed-back request, amended");
  AddInstanceFlags(amend, f->instance);
  WithActor(amend, *f);
  amend->add_option("ID", f->id, "The case")->required();
  amend->add_option("REQUEST", f->file, "The amended request document (JSON)")->required();
  amend->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kIntake}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      auto doc = ReadDocument(f->file);
      if (!doc.ok()) return doc.status();
      return Shown(s.workflow->Amend(f->id, {*doc, cases::Entry::kStaff, who}));
    });
  });

  auto* show = kase->add_subcommand("show", "One case, with its request and latest decision");
  AddInstanceFlags(show, f->instance);
  show->add_option("ID", f->id, "The case")->required();
  WithActor(show, *f);
  show->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {}, [&](Session& s, const cases::Actor& who) { return Shown(s.workflow->Show(f->id, who), true); });
  });

  auto* list = kase->add_subcommand("list", "Cases: overdue and due soon first");
  AddInstanceFlags(list, f->instance);
  list->add_option("--state", f->state, "Only cases in this state");
  list->add_flag("--open", f->open_only, "Only open cases");
  WithActor(list, *f);
  list->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      cases::CaseFilter filter;
      filter.open_only = f->open_only;
      if (!f->state.empty()) {
        filter.state = cases::ParseCaseState(f->state);
        if (!filter.state) return Status::InvalidArgument("--state: no state called " + f->state);
      }
      auto all = s.workflow->List(filter, who);
      if (!all.ok()) return all.status();
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const cases::CaseView& v : *all) out.push_back(cases::CaseToJson(v, false));
      return out;
    });
  });

  auto* review = kase->add_subcommand("review", "Review a case: approve (recommend), pushback or reject");
  AddInstanceFlags(review, f->instance);
  WithActor(review, *f);
  review->add_option("ID", f->id, "The case")->required();
  review->add_option("--decision", f->decision, "approve | pushback | reject")
      ->required()
      ->check(CLI::IsMember({"approve", "pushback", "reject"}));
  review->add_option("--note", f->note, "The reason (required to depart from the recommendation); "
                                        "internal, never shown to the requester");
  review->add_option("--letter-file", f->letter_file,
                     "With pushback (required): a file (- for standard input) holding the letter to "
                     "the requester saying what to correct, which the portal shows them");
  review->add_option("--scope", f->scope,
                     "A narrower scope, as JSON: {\"targets\", \"categories\", \"window\"}");
  review->add_flag("--confirm-investigation", f->confirm_investigation,
                   "Confirm an investigation type that removes the user's notice");
  review->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kReviewer}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      cases::Review r;
      r.decision = f->decision == "approve"    ? cases::ReviewDecision::kApprove
                   : f->decision == "pushback" ? cases::ReviewDecision::kPushback
                                               : cases::ReviewDecision::kReject;
      if (!f->note.empty()) r.note = f->note;
      if (Status st = ReadLetter(*f, r); !st.ok()) return st;
      if (!f->scope.empty()) r.narrowed_scope = f->scope;
      r.confirm_investigation = f->confirm_investigation;
      return Shown(s.workflow->ReviewCase(f->id, who, r));
    });
  });

  auto* approve = kase->add_subcommand("approve", "Approve a reviewed case (a second person)");
  AddInstanceFlags(approve, f->instance);
  WithActor(approve, *f);
  approve->add_option("ID", f->id, "The case")->required();
  approve->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kApprover}, [&](Session& s, const cases::Actor& who) { return Shown(s.workflow->Approve(f->id, who)); });
  });

  auto* verify = kase->add_subcommand("verify-requester",
                                      "Record a callback to the agency's number in the registry");
  AddInstanceFlags(verify, f->instance);
  WithActor(verify, *f);
  verify->add_option("ID", f->id, "The case")->required();
  verify->add_option("--phone", f->phone, "The registry's number that was called")->required();
  verify->add_option("--agency", f->agency, "The registry agency called, when the request names none");
  verify->add_option("--note", f->note, "What was confirmed");
  verify->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kIntake, Role::kReviewer}, [&](Session& s, const cases::Actor& who) {
      cases::Callback callback{f->phone};
      if (!f->note.empty()) callback.note = f->note;
      if (!f->agency.empty()) callback.agency_id = f->agency;
      return Shown(s.workflow->VerifyRequester(f->id, who, callback));
    });
  });

  auto* again = kase->add_subcommand(
      "decide-again", "Decide a case not approved yet again, under the current standards");
  AddInstanceFlags(again, f->instance);
  WithActor(again, *f);
  again->add_option("ID", f->id, "The case")->required();
  again->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kReviewer}, [&](Session& s, const cases::Actor& who) { return Shown(s.workflow->DecideAgain(f->id, who)); });
  });

  auto* close = kase->add_subcommand("close", "Close a finished case");
  AddInstanceFlags(close, f->instance);
  WithActor(close, *f);
  close->add_option("ID", f->id, "The case")->required();
  close->add_option("--note", f->note, "Why");
  close->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kReviewer, Role::kApprover}, [&](Session& s, const cases::Actor& who) {
      return Shown(s.workflow->Close(f->id, who,
                                     f->note.empty() ? std::nullopt : std::optional(f->note)));
    });
  });

  auto* attach = kase->add_subcommand("attach", "Store the signed process document (PDF), sealed");
  AddInstanceFlags(attach, f->instance);
  WithActor(attach, *f);
  attach->add_option("ID", f->id, "The case")->required();
  attach->add_option("PDF", f->file, "The document")->required();
  attach->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kIntake}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      auto pdf = ReadInput(f->file, cases::kMaxAttachmentBytes);
      if (!pdf.ok()) return pdf.status();
      const std::string name = f->file.substr(f->file.rfind('/') + 1);
      return Shown(s.workflow->Attach(f->id, who, name, *pdf));
    });
  });

  auto* document = kase->add_subcommand("document", "Write a stored document to a file");
  AddInstanceFlags(document, f->instance);
  WithActor(document, *f);
  document->add_option("ID", f->id, "The case")->required();
  document->add_option("SHA256", f->decision, "The document's SHA-256")->required();
  document->add_option("--out", f->file, "Where to write it")->required();
  document->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      auto bytes = s.workflow->ReadAttachment(f->id, f->decision, who);
      if (!bytes.ok()) return bytes.status();
      if (Status st = PosixFileSystem().WriteAtomically(f->file, *bytes); !st.ok()) return st;
      return nlohmann::ordered_json{{"written", f->file}, {"bytes", bytes->size()}};
    });
  });

  auto* hold = app.add_subcommand("hold", "Preservation holds");
  hold->require_subcommand(1);
  auto* hold_list = hold->add_subcommand("list", "Holds, oldest first");
  AddInstanceFlags(hold_list, f->instance);
  hold_list->add_option("--case", f->case_id, "Only this case's holds");
  WithActor(hold_list, *f);
  hold_list->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      auto holds = s.workflow->Holds(f->case_id, who);
      if (!holds.ok()) return holds.status();
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const cases::HoldRecord& h : *holds) out.push_back(cases::HoldToJson(h));
      return out;
    });
  });
  auto* release = hold->add_subcommand("release", "Release a hold");
  AddInstanceFlags(release, f->instance);
  WithActor(release, *f);
  release->add_option("HOLD", f->id, "The hold's id")->required();
  release->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {Role::kReviewer}, [&](Session& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      if (Status st = s.workflow->ReleaseHold(f->id, who); !st.ok()) return st;
      return nlohmann::ordered_json{{"released", f->id}};
    });
  });
  // `serve` does this every 30 seconds; an instance without a server runs it from cron.
  auto* expire = hold->add_subcommand("expire", "Record the holds whose time has run out");
  AddInstanceFlags(expire, f->instance);
  expire->callback([f, exit_code] {
    *exit_code = Run(*f, [&](Session& s) -> Result<nlohmann::ordered_json> {
      auto expired = s.workflow->ExpireHolds({"custodian", true});
      if (!expired.ok()) return expired.status();
      return nlohmann::ordered_json{{"expired", *expired}};
    });
  });
}

}  // namespace custodian
