#include "server/answers.h"

#include <iostream>

namespace custodian::server {

void Send(httplib::Response& res, int status, const nlohmann::ordered_json& body) {
  res.status = status;
  res.set_content(body.dump(2) + "\n", "application/json");
}

void SendProblem(httplib::Response& res, const Problem& p, nlohmann::ordered_json extra) {
  nlohmann::ordered_json body = p.ToJson();
  for (auto& [k, v] : extra.items()) body[k] = v;
  res.status = p.status;
  res.set_content(body.dump(2) + "\n", "application/problem+json");
}

void Fail(httplib::Response& res, const Status& s, nlohmann::ordered_json extra) {
  const Problem p = ProblemOf(s);
  if (p.status >= 500) std::cerr << "custodian: request failed: " << s.message() << std::endl;
  SendProblem(res, p, std::move(extra));
}

Status Pointed(const Status& s, std::string_view name, const std::string& pointer) {
  if (s.code() != Status::Code::kInvalidArgument || !s.message().starts_with(std::string(name) + ":")) return s;
  return Status::InvalidArgument(pointer + s.message().substr(name.size()));
}

}  // namespace custodian::server
