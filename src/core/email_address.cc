#include "core/email_address.h"

#include <string>

namespace custodian {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 5322's atext: what a dot-atom's words are made of.
bool IsAtext(char c) {
  return IsAlnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Dot-separated non-empty parts of `text`, each checked by `part`; false for an empty part
// (a leading, trailing or doubled dot).
template <typename Check>
bool DotSeparated(std::string_view text, Check part) {
  for (size_t start = 0;;) {
    const size_t dot = text.find('.', start);
    const std::string_view word = text.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (word.empty() || !part(word)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

Status CheckEmailAddress(std::string_view address, std::string_view field) {
  const auto wrong = [&](std::string_view what) {
    return Status::InvalidArgument(std::string(field) + ": not an e-mail address (" + std::string(what) + ")");
  };
  if (address.empty()) return wrong("empty");
  if (address.size() > 254) return wrong("more than 254 bytes");
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos) return wrong("no @");
  const std::string_view local = address.substr(0, at), domain = address.substr(at + 1);
  if (local.empty() || local.size() > 64) return wrong("the part before @ must be 1 to 64 bytes");
  if (!DotSeparated(local, [](std::string_view word) {
        for (char c : word) {
          if (!IsAtext(c)) return false;
        }
        return true;
      })) {
    return wrong("the part before @ may hold letters, digits and !#$%&'*+-/=?^_`{|}~, in words "
                 "separated by single dots");
  }
  size_t labels = 0;
  if (!DotSeparated(domain, [&](std::string_view label) {
        ++labels;
        if (label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
        for (char c : label) {
          if (!IsAlnum(c) && c != '-') return false;
        }
        return true;
      }) ||
      labels < 2) {
    return wrong("the domain must be two or more labels of letters, digits and hyphens, "
                 "separated by dots");
  }
  return Status::Ok();
}

}  // namespace custodian
