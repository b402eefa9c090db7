// The API's routes as its OpenAPI document names them: a method and a path template
// ("/api/v1/cases/{id}/approve"), with the regex httplib matches the path by (a group per
// parameter, in order), and the methods one path takes, which a 405's Allow lists.
// Built before the server serves, read-only after: concurrent reads are safe.
#pragma once

#include <deque>
#include <regex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace custodian::server {

struct Route {
  std::string method;  // GET, POST or PUT (GET takes HEAD too): MethodsAt knows these three
  std::string path;    // the template
  std::string pattern;  // the regex's text, for httplib
  std::regex regex;
  std::vector<std::string> parameters;  // the template's names, as the regex's groups
};

class RouteTable {
 public:
  // What each {name} of a template matches (a regex without groups); a name not listed there
  // is a programming error (std::invalid_argument).
  explicit RouteTable(std::vector<std::pair<std::string, std::string>> parameters);

  // Adds a route; the reference stays valid as long as the table.
  const Route& Add(const std::string& method, const std::string& path);
  // The route of `method` (HEAD: GET's) whose path matches `path`, or null.
  const Route* Find(const std::string& method, const std::string& path) const;
  // The methods taken at `path`, in the order GET, HEAD (with GET), POST, PUT; empty when no
  // route has this path.
  std::vector<std::string> MethodsAt(const std::string& path) const;

 private:
  std::vector<std::pair<std::string, std::string>> parameters_;
  std::deque<Route> routes_;
};

// `detail` with each of `values` (name, value: what a request gave in its path or query) that
// it repeats as a whole word replaced by the name in braces: "no case C-2026-000001" →
// "no case {id}". An answer never repeats what the caller sent.
std::string WithoutRequestValues(std::string detail,
                                 const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace custodian::server
