#include "cli/notice_command.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "cases/case_json.h"
#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "cli/instance_flags.h"
#include "cli/run_with_instance.h"
#include "cli/staff_actor.h"
#include "instance/instance.h"
#include "server/webhook_transport.h"

namespace custodian {

Result<std::unique_ptr<cases::NoticeTransport>> NoticeTransportOf(const InstanceConfig& config,
                                                                  Clock& clock) {
  if (config.notices_webhook_url.empty()) {
    return Status::NotFound("no notices.webhook_url in custodian.toml: notices wait in the outbox");
  }
  auto key = ReadSecretFile(config.notices_webhook_key_file, "notices.webhook_key_file");
  if (!key.ok()) return key.status();
  auto transport = server::WebhookTransport::Create(config.notices_webhook_url, *key, clock);
  if (!transport.ok()) return transport.status();
  return std::unique_ptr<cases::NoticeTransport>(std::move(transport).value());
}

namespace {

struct NoticeFlags {
  InstanceOptions instance;
  std::string actor, case_id, until;
  bool no_end = false;
};

int Run(const NoticeFlags& f,
        const std::function<Result<nlohmann::ordered_json>(Instance&)>& action) {
  return RunWithInstance(f.instance, action);
}

}  // namespace

void AddNoticeCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<NoticeFlags>();
  auto* notices = app.add_subcommand("notices", "Users' notices: the outbox");
  notices->require_subcommand(1);

  auto* list = notices->add_subcommand("list", "Notices, oldest first");
  AddInstanceFlags(list, f->instance);
  list->add_option("--actor", f->actor, "The staff user who looks (recorded in the audit log)")->required();
  list->add_option("--case", f->case_id, "Only this case's notices");
  list->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {}, [&](Instance& s, const cases::Actor& who)
                                -> Result<nlohmann::ordered_json> {
      auto all = s.workflow->Notices(f->case_id, who);
      if (!all.ok()) return all.status();
      nlohmann::ordered_json out = nlohmann::ordered_json::array();
      for (const auto& n : *all) out.push_back(cases::NoticeToJson(n));
      return out;
    });
  });

  auto* deliver = notices->add_subcommand("deliver", "Deliver the notices that are due (the "
                                                     "server does this every 30 seconds)");
  AddInstanceFlags(deliver, f->instance);
  deliver->callback([f, exit_code] {
    *exit_code = Run(*f, [&](Instance& s) -> Result<nlohmann::ordered_json> {
      auto transport = NoticeTransportOf(s.config, SystemClock());
      if (!transport.ok()) return transport.status();
      cases::NoticeOutbox outbox(*s.db, *s.standards, SystemClock(), **transport, s.pseudonym_key);
      auto report = outbox.DeliverDue();
      if (!report.ok()) return report.status();
      return nlohmann::ordered_json{{"sent", report->sent},
                                    {"failed", report->failed},
                                    {"deferred", report->deferred}};
    });
  });

  // Under `case`: the order in force for a case.
  CLI::App* kase = app.get_subcommand("case");
  auto* order = kase->add_subcommand("nondisclosure", "Record the end of the nondisclosure order "
                                                      "in force (an extension, say)");
  AddInstanceFlags(order, f->instance);
  order->add_option("--actor", f->actor, "The staff user who records it (a reviewer)")->required();
  order->add_option("ID", f->case_id, "The case")->required();
  auto* until = order->add_option("--until", f->until, "The order's last day (YYYY-MM-DD)");
  auto* no_end = order->add_flag("--no-end", f->no_end, "The order states no end");
  until->excludes(no_end);
  order->callback([f, exit_code] {
    *exit_code = RunAsStaff(f->instance, f->actor, {server::Role::kReviewer},
                            [&](Instance& s, const cases::Actor& who) -> Result<nlohmann::ordered_json> {
      std::optional<Date> end;
      if (!f->no_end) {
        auto d = ParseDate(f->until);
        if (!d.ok()) return Status::InvalidArgument("--until: a date (YYYY-MM-DD), or --no-end");
        end = *d;
      }
      auto v = s.workflow->RecordNondisclosure(f->case_id, who, end);
      if (!v.ok()) return v.status();
      return cases::CaseToJson(*v, false);
    });
  });
}

}  // namespace custodian
