// How an endpoint answers: a JSON document, a problem document (problem.h), or a failed
// Status as its problem, with a server failure's message kept for the server's log.
#pragma once

#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/status.h"
#include "server/problem.h"

namespace custodian::server {

void Send(httplib::Response& res, int status, const nlohmann::ordered_json& body);

// `extra` members are added to the problem document (an ingest's report beside its error).
void SendProblem(httplib::Response& res, const Problem& p,
                 nlohmann::ordered_json extra = nlohmann::ordered_json::object());

// Answers a failed Status as its problem document; a server failure's message, which the
// caller does not see, goes to the server's log (it names no personal data: stores and the
// vault report paths and codes, never values).
void Fail(httplib::Response& res, const Status& s,
          nlohmann::ordered_json extra = nlohmann::ordered_json::object());

// The workflow names a part of a request as the CLI knows it ("note: …"); the API answers with
// its pointer ("/note: …" in the body, "/query/name: …" in the query), which `field` carries.
Status Pointed(const Status& s, std::string_view name, const std::string& pointer);
template <typename T>
Result<T> Pointed(Result<T> r, std::string_view name, const std::string& pointer) {
  if (r.ok()) return r;
  return Pointed(r.status(), name, pointer);
}

}  // namespace custodian::server
