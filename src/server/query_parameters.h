// An endpoint's query parameters, read and checked: a parameter at fault is answered 400 with
// `field` pointing at it as /query/NAME, a JSON pointer into the query read as an object of
// strings (docs/api.md, Errors).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <httplib.h>

#include "server/problem.h"

namespace custodian::server {

inline constexpr char kCaseIdPattern[] = "C-[0-9]{4}-[0-9]{6}";

// The 400 problem for query parameter `name`: "/query/NAME: what".
Problem ParameterProblem(const std::string& name, const std::string& what);

// Each reader returns the value, or sends the 400 problem naming the parameter and returns
// nothing.

// true, false, or `fallback` when absent.
std::optional<bool> BooleanParameter(const httplib::Request& req, httplib::Response& res,
                                     const std::string& name, bool fallback);

// The parameter when it matches `pattern` ("" when absent); otherwise "not `what`".
std::optional<std::string> PatternParameter(const httplib::Request& req, httplib::Response& res,
                                            const std::string& name, const char* pattern,
                                            const std::string& what);

// A decimal number in [min, max], or `fallback` when absent and there is one.
std::optional<uint64_t> NumberParameter(const httplib::Request& req, httplib::Response& res,
                                        const std::string& name, std::optional<uint64_t> fallback,
                                        uint64_t min, uint64_t max);

}  // namespace custodian::server
