#include "server/route_table.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace custodian::server {

RouteTable::RouteTable(std::vector<std::pair<std::string, std::string>> parameters)
    : parameters_(std::move(parameters)) {}

const Route& RouteTable::Add(const std::string& method, const std::string& path) {
  Route route{method, path, "", {}, {}};
  for (size_t pos = 0; pos < path.size();) {
    if (path[pos] == '{') {
      const size_t end = path.find('}', pos);
      const std::string name = path.substr(pos + 1, end - pos - 1);
      auto it = std::find_if(parameters_.begin(), parameters_.end(),
                             [&](const auto& p) { return p.first == name; });
      if (end == std::string::npos || it == parameters_.end()) {
        throw std::invalid_argument("route " + path + ": no pattern for {" + name + "}");
      }
      route.pattern += "(" + it->second + ")";
      route.parameters.push_back(name);
      pos = end + 1;
    } else {
      if (path[pos] == '.') route.pattern += '\\';  // the only special character paths have
      route.pattern += path[pos++];
    }
  }
  route.regex = std::regex(route.pattern);
  routes_.push_back(std::move(route));
  return routes_.back();
}

const Route* RouteTable::Find(const std::string& method, const std::string& path) const {
  const std::string& wanted = method == "HEAD" ? "GET" : method;
  for (const Route& r : routes_) {
    if (r.method == wanted && std::regex_match(path, r.regex)) return &r;
  }
  return nullptr;
}

std::vector<std::string> RouteTable::MethodsAt(const std::string& path) const {
  std::vector<std::string> methods;
  for (const char* method : {"GET", "POST", "PUT"}) {
    const bool taken = std::any_of(routes_.begin(), routes_.end(), [&](const Route& r) {
      return r.method == method && std::regex_match(path, r.regex);
    });
    if (!taken) continue;
    methods.push_back(method);
    if (methods.back() == "GET") methods.push_back("HEAD");
  }
  return methods;
}

std::string WithoutRequestValues(std::string detail,
                                 const std::vector<std::pair<std::string, std::string>>& values) {
  // A word is what ids, numbers and names are made of: a value inside a longer word is not it.
  const auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  };
  for (const auto& [name, value] : values) {
    if (value.empty()) continue;
    const std::string placeholder = "{" + name + "}";
    for (size_t pos = detail.find(value); pos != std::string::npos; pos = detail.find(value, pos)) {
      const size_t end = pos + value.size();
      if ((pos > 0 && word(detail[pos - 1])) || (end < detail.size() && word(detail[end]))) {
        pos = end;
        continue;
      }
      detail.replace(pos, value.size(), placeholder);
      pos += placeholder.size();
    }
  }
  return detail;
}

}  // namespace custodian::server
