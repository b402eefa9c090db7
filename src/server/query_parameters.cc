#include "server/query_parameters.h"

#include <charconv>
#include <regex>

#include "server/answers.h"

namespace custodian::server {

Problem ParameterProblem(const std::string& name, const std::string& what) {
  const std::string pointer = "/query/" + name;
  return {400, "invalid-request", "The request is not valid", pointer + ": " + what, pointer};
}

std::optional<bool> BooleanParameter(const httplib::Request& req, httplib::Response& res,
                                     const std::string& name, bool fallback) {
  if (!req.has_param(name.c_str())) return fallback;
  const std::string text = req.get_param_value(name.c_str());
  if (text == "true" || text == "false") return text == "true";
  SendProblem(res, ParameterProblem(name, "true or false"));
  return std::nullopt;
}

std::optional<std::string> PatternParameter(const httplib::Request& req, httplib::Response& res,
                                            const std::string& name, const char* pattern,
                                            const std::string& what) {
  if (!req.has_param(name.c_str())) return std::string();
  std::string text = req.get_param_value(name.c_str());
  if (std::regex_match(text, std::regex(pattern))) return text;
  SendProblem(res, ParameterProblem(name, "not " + what));
  return std::nullopt;
}

std::optional<uint64_t> NumberParameter(const httplib::Request& req, httplib::Response& res,
                                        const std::string& name, std::optional<uint64_t> fallback,
                                        uint64_t min, uint64_t max) {
  if (!req.has_param(name.c_str())) {
    if (!fallback) SendProblem(res, ParameterProblem(name, "required"));
    return fallback;
  }
  const std::string text = req.get_param_value(name.c_str());
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  // from_chars takes no sign and no space; a leading zero would give one number two spellings.
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      (text.size() > 1 && text[0] == '0')) {
    SendProblem(res, ParameterProblem(name, error == std::errc::result_out_of_range
                                                ? "at most " + std::to_string(max)
                                                : "not a whole number in decimal"));
    return std::nullopt;
  }
  if (value < min || value > max) {
    SendProblem(res, ParameterProblem(name, value < min ? "at least " + std::to_string(min)
                                                        : "at most " + std::to_string(max)));
    return std::nullopt;
  }
  return value;
}

}  // namespace custodian::server
