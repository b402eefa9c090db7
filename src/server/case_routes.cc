// Cases, for staff: intake, decisions, review, approval, the requester's callback, closing,
// the signed process documents, nondisclosure orders and the notices they hold back.
#include "server/routes.h"

#include "cases/case_json.h"
#include "policy/request_parser.h"
#include "server/answers.h"
#include "server/api_bodies.h"
#include "server/query_parameters.h"

namespace custodian::server {
namespace {

using json = nlohmann::ordered_json;

void SendCase(httplib::Response& res, const Result<cases::CaseView>& v, int status = 200) {
  if (!v.ok()) return Fail(res, v.status());
  Send(res, status, cases::CaseToJson(*v, true));
}

// A parameter that is true or false into `out`, or absent (no filter); false when the 400
// naming it was sent.
bool OptionalBoolean(const httplib::Request& req, httplib::Response& res, const std::string& name,
                     std::optional<bool>& out) {
  if (!req.has_param(name.c_str())) return true;
  const std::optional<bool> value = BooleanParameter(req, res, name, false);
  if (value) out = *value;
  return value.has_value();
}

// The queue's filters and search (docs/api.md, "The queue"); sends the 400 naming the
// parameter at fault (or the failure) and returns nothing when one is.
std::optional<cases::CaseFilter> QueueFilter(const httplib::Request& req, httplib::Response& res,
                                             const ServerServices& api) {
  cases::CaseFilter filter;
  const auto refuse = [&](const std::string& name, const std::string& what) {
    SendProblem(res, ParameterProblem(name, what));
    return std::nullopt;
  };
  if (req.has_param("state")) {
    filter.state = cases::ParseCaseState(req.get_param_value("state"));
    if (!filter.state) return refuse("state", "not a case state");
  }
  const std::optional<bool> open = BooleanParameter(req, res, "open", false);
  if (!open) return std::nullopt;
  filter.open_only = *open;
  if (req.has_param("process_type")) {
    filter.process_type = req.get_param_value("process_type");
    if (!ParseProcessType(*filter.process_type)) return refuse("process_type", "not a process type");
  }
  if (req.has_param("agency")) {
    filter.agency_id = req.get_param_value("agency");
    auto agencies = api.workflow.Agencies();
    if (!agencies.ok()) {
      Fail(res, agencies.status());
      return std::nullopt;
    }
    if (!agencies->Find(*filter.agency_id)) return refuse("agency", "not an agency of the registry");
  }
  if (req.has_param("assignee")) filter.assignee = req.get_param_value("assignee");
  if (!OptionalBoolean(req, res, "emergency", filter.emergency) ||
      !OptionalBoolean(req, res, "overdue", filter.overdue)) {
    return std::nullopt;
  }
  if (req.has_param("q")) {
    return refuse("q", "a search goes in the body of POST /api/v1/cases/search, never in an address");
  }
  return filter;
}

// The cases a filter keeps, as the list shows them.
void SendCases(httplib::Response& res, const ServerServices& api, const cases::CaseFilter& filter,
               const Caller& caller) {
  auto list = api.workflow.List(filter, {caller.name});
  if (!list.ok()) return Fail(res, Pointed(list.status(), "assignee", "/query/assignee"));
  json out = json::array();
  for (const auto& v : *list) out.push_back(cases::CaseToJson(v, false));
  Send(res, 200, out);
}

}  // namespace

void AddCaseRoutes(Router& router, const ServerServices& api) {
  router.Get("/api/v1/cases", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    auto filter = QueueFilter(req, res, api);
    if (filter) SendCases(res, api, *filter, caller);
  });
  // A search: the text in the body (an account, an address), the filters in the query.
  router.Post("/api/v1/cases/search", Staff(), Json(kMaxStepBodyBytes), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    auto filter = QueueFilter(req, res, api);
    if (!filter) return;
    auto query = ParseSearchBody(req.body);
    if (!query.ok()) return Fail(res, query.status());
    filter->query = *query;
    SendCases(res, api, *filter, caller);
  });
  router.Post("/api/v1/cases", Staff({Role::kIntake}), Json(kMaxRequestBytes), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    SendCase(res, api.workflow.Submit({req.body, cases::Entry::kStaff, {caller.name}}), 201);
  });
  router.Get("/api/v1/cases/{id}", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    SendCase(res, api.workflow.Show(req.matches[1], {caller.name}));
  });
  router.Get("/api/v1/cases/{id}/decisions", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    auto all = api.workflow.Decisions(req.matches[1], {caller.name});
    if (!all.ok()) return Fail(res, all.status());
    json out = json::array();
    for (const cases::DecisionRecord& d : *all) {
      out.push_back({{"seq", d.seq}, {"reason", d.reason}, {"request_version", d.version},
                     {"taken_at", FormatDateTime(d.taken_at)},
                     {"decision", json::parse(d.document)}});
    }
    Send(res, 200, out);
  });
  router.Get("/api/v1/cases/{id}/timeline", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    auto entries = api.workflow.Timeline(req.matches[1], {caller.name});
    if (!entries.ok()) return Fail(res, entries.status());
    json out = json::array();
    for (const cases::AuditEntry& e : *entries) {
      out.push_back({{"seq", e.seq}, {"at", FormatDateTime(e.at)}, {"actor", e.actor}, {"action", e.action}});
    }
    Send(res, 200, out);
  });
  router.Post("/api/v1/cases/{id}/decisions", Staff({Role::kReviewer}), NoBody(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      SendCase(res, api.workflow.DecideAgain(req.matches[1], {caller.name}), 201);
    });
  router.Post("/api/v1/cases/{id}/amend", Staff({Role::kIntake}), Json(kMaxRequestBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      SendCase(res, api.workflow.Amend(req.matches[1], {req.body, cases::Entry::kStaff, {caller.name}}));
    });
  router.Post("/api/v1/cases/{id}/review", Staff({Role::kReviewer}), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto review = ParseReviewBody(req.body);
      if (!review.ok()) return Fail(res, review.status());
      SendCase(res, Pointed(Pointed(api.workflow.ReviewCase(req.matches[1], {caller.name}, *review), "note", "/note"),
                            "letter", "/letter"));
    });
  router.Post("/api/v1/cases/{id}/approve", Staff({Role::kApprover}), NoBody(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      SendCase(res, api.workflow.Approve(req.matches[1], {caller.name}));
    });
  router.Post("/api/v1/cases/{id}/verify-requester",
    Staff({Role::kIntake, Role::kReviewer}), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto callback = ParseCallbackBody(req.body);
      if (!callback.ok()) return Fail(res, callback.status());
      SendCase(res, api.workflow.VerifyRequester(req.matches[1], {caller.name}, *callback));
    });
  router.Post("/api/v1/cases/{id}/close", Staff({Role::kReviewer, Role::kApprover}), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto note = ParseCloseBody(req.body);
      if (!note.ok()) return Fail(res, note.status());
      SendCase(res, api.workflow.Close(req.matches[1], {caller.name}, *note));
    });

  router.Post("/api/v1/cases/{id}/assign", Staff({Role::kIntake, Role::kReviewer, Role::kApprover}),
    Json(kMaxStepBodyBytes), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto assignee = ParseAssignBody(req.body);
      if (!assignee.ok()) return Fail(res, assignee.status());
      SendCase(res, Pointed(api.workflow.Assign(req.matches[1], {caller.name}, *assignee), "assignee", "/assignee"));
    });

  // Internal comments: staff only, never the portal's.
  router.Get("/api/v1/cases/{id}/comments", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    auto all = api.workflow.Comments(req.matches[1], {caller.name});
    if (!all.ok()) return Fail(res, all.status());
    json out = json::array();
    for (const cases::CommentRecord& c : *all) out.push_back(cases::CommentToJson(c));
    Send(res, 200, out);
  });
  router.Post("/api/v1/cases/{id}/comments", Staff(), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto text = ParseCommentBody(req.body);
      if (!text.ok()) return Fail(res, text.status());
      auto added = Pointed(api.workflow.AddComment(req.matches[1], {caller.name}, *text), "text", "/text");
      if (!added.ok()) return Fail(res, added.status());
      Send(res, 201, cases::CommentToJson(*added));
    });

  // The signed process documents (PDF).
  router.Post("/api/v1/cases/{id}/documents", Staff({Role::kIntake}), Pdf(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      SendCase(res, Pointed(api.workflow.Attach(req.matches[1], {caller.name},
                                            req.has_param("name") ? req.get_param_value("name") : "process.pdf",
                                            req.body), "name", "/query/name"), 201);
    });
  router.Get("/api/v1/cases/{id}/documents/{sha256}", Staff(),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto bytes = api.workflow.ReadAttachment(req.matches[1], req.matches[2], {caller.name});
      if (!bytes.ok()) return Fail(res, bytes.status());
      res.set_content(*bytes, "application/pdf");
    });

  // Notices, and the nondisclosure orders that hold them back.
  router.Get("/api/v1/notices", Staff(), [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
    const auto kase = PatternParameter(req, res, "case", kCaseIdPattern, "a case id");
    if (!kase) return;
    auto notices = api.workflow.Notices(*kase, {caller.name});
    if (!notices.ok()) return Fail(res, notices.status());
    json out = json::array();
    for (const auto& n : *notices) out.push_back(cases::NoticeToJson(n));
    Send(res, 200, out);
  });
  router.Post("/api/v1/cases/{id}/nondisclosure", Staff({Role::kReviewer}), Json(kMaxStepBodyBytes),
    [api](const httplib::Request& req, httplib::Response& res, const Caller& caller) {
      auto until = ParseNondisclosureBody(req.body);
      if (!until.ok()) return Fail(res, until.status());
      SendCase(res, api.workflow.RecordNondisclosure(req.matches[1], {caller.name}, *until));
    });
}

}  // namespace custodian::server
