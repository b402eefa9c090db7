#include "server/problem.h"

namespace custodian::server {

nlohmann::ordered_json Problem::ToJson() const {
  nlohmann::ordered_json j = {{"type", "https://custodian.invalid/problems/" + type},
                              {"title", title},
                              {"status", status},
                              {"detail", detail}};
  if (!field.empty()) j["field"] = field;
  return j;
}

Problem ProblemOf(const Status& s) {
  // Validation messages start with the pointer of the field at fault ("/process/type: …");
  // "/: …" is about the whole body, which no field names.
  std::string field;
  if (s.message().starts_with("/")) field = s.message().substr(0, s.message().find(':'));
  if (field == "/") field.clear();
  switch (s.code()) {
    case Status::Code::kInvalidArgument:
      return {400, "invalid-request", "The request is not valid", s.message(), field};
    case Status::Code::kNotFound:
      return {404, "not-found", "No such resource", s.message(), ""};
    case Status::Code::kPermissionDenied:
      return {403, "forbidden", "Not allowed", s.message(), ""};
    case Status::Code::kFailedPrecondition:
      return {409, "conflict", "Not allowed in the resource's present state", s.message(), ""};
    case Status::Code::kUnavailable:
      return {503, "busy", "Busy: try again later", s.message(), ""};
    default:
      return {500, "server-error", "The server failed",
              "The server could not complete the request; its log says why.", ""};
  }
}

}  // namespace custodian::server
