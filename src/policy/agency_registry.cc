#include "policy/agency_registry.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "core/json_reader.h"
#include "core/sha256.h"
#include "core/unicode.h"

namespace custodian {
namespace {

using nlohmann::json;

constexpr size_t kMaxRegistryBytes = 16 << 20;

class RegistryReader {
 public:
  RegistryReader(const JsonDocument& doc, std::string source) : doc_(doc), source_(source) {}

  void Error(const std::string& pointer, const std::string& what) {
    const TextPosition at = doc_.PositionOf(pointer);
    errors_.push_back(source_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) +
                      ": " + DisplayPointer(pointer) + ": " + what);
  }

  // A required string member of at most `max` code points, not blank.
  std::optional<std::string> String(const json& obj, const std::string& pointer,
                                    std::string_view key, size_t max) {
    std::string child = pointer;
    AppendPointerToken(child, key);
    auto it = obj.find(key);
    if (it == obj.end()) {
      Error(pointer, "missing '" + std::string(key) + "'");
      return std::nullopt;
    }
    if (!it->is_string()) {
      Error(child, "expected a string, got " + std::string(JsonTypeName(*it)));
      return std::nullopt;
    }
    const std::string& s = it->get_ref<const std::string&>();
    if (CodePointCount(s) > max) {
      Error(child, "longer than " + std::to_string(max) + " characters");
      return std::nullopt;
    }
    if (TrimmedLength(s) == 0) {
      Error(child, "must not be empty");
      return std::nullopt;
    }
    return s;
  }

  const std::vector<std::string>& errors() const { return errors_; }

 private:
  const JsonDocument& doc_;
  std::string source_;
  std::vector<std::string> errors_;
};

// A DNS name as a registry lists it: labels of 1 to 63 characters between dots, an optional
// trailing dot for the root, no spaces or mail and path separators. An empty label would make
// normalization drop one dot and leave another ("a.." to "a."), and "." alone would normalize to
// the empty domain a malformed e-mail address also has.
bool IsDomainShape(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 253) return false;
  size_t label = 0;
  for (char c : d) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || c == '@' || c == '/' || u == 0x7F) return false;
    if (c != '.') {
      if (++label > 63) return false;
    } else if (std::exchange(label, 0) == 0) {
      return false;
    }
  }
  return label > 0;
}

}  // namespace

std::string NormalizeDomain(std::string_view domain) {
  std::string d = AsciiLower(domain);
  if (!d.empty() && d.back() == '.') d.pop_back();
  return d;
}

std::string EmailDomain(std::string_view email) {
  const size_t at = email.rfind('@');
  return NormalizeDomain(at == std::string_view::npos ? std::string_view() : email.substr(at + 1));
}

Result<AgencyRegistry> AgencyRegistry::Load(std::string_view text, std::string_view source_name) {
  const std::string source(source_name);
  if (text.size() > kMaxRegistryBytes) {
    return Status::InvalidArgument(source + ": the file is larger than 16 MiB");
  }
  JsonDocument doc;
  JsonSyntaxError syntax;
  JsonLimits limits;
  limits.record_positions = true;
  if (!ParseJson(text, doc, syntax, limits)) {
    return Status::InvalidArgument(source + ":" + std::to_string(syntax.position.line) + ":" +
                                   std::to_string(syntax.position.column) +
                                   ": not valid JSON: " + syntax.what);
  }
  RegistryReader reader(doc, source);
  AgencyRegistry registry;
  if (!doc.root.is_array()) {
    reader.Error("", "expected an array of agencies, got " + std::string(JsonTypeName(doc.root)));
  } else {
    for (size_t i = 0; i < doc.root.size(); ++i) {
      const json& item = doc.root[i];
      std::string p;
      AppendPointerIndex(p, i);
      if (!item.is_object()) {
        reader.Error(p, "expected an object, got " + std::string(JsonTypeName(item)));
        continue;
      }
      for (const auto& [key, value] : item.items()) {
        static constexpr std::string_view kKnown[] = {"id",   "name",    "country", "jurisdiction",
                                                      "type", "domains", "phone"};
        if (std::find(std::begin(kKnown), std::end(kKnown), key) == std::end(kKnown)) {
          std::string child = p;
          AppendPointerToken(child, key);
          reader.Error(child, "unknown property");
        }
      }
      Agency a;
      a.id = reader.String(item, p, "id", 128).value_or("");
      if (!a.id.empty() && registry.Find(a.id)) {
        reader.Error(p + "/id", "an earlier agency has the same id");
      }
      a.name = reader.String(item, p, "name", 512).value_or("");
      if (auto c = reader.String(item, p, "country", 64)) {
        if (c->size() == 2 && std::isupper(static_cast<unsigned char>((*c)[0])) &&
            std::isupper(static_cast<unsigned char>((*c)[1]))) {
          a.country = *c;
        } else {
          reader.Error(p + "/country", "not a country code (two capital letters, ISO 3166-1 alpha-2)");
        }
      }
      a.jurisdiction = reader.String(item, p, "jurisdiction", 512).value_or("");
      if (auto t = reader.String(item, p, "type", 32)) {
        auto it = std::find(kAgencyTypeNames.begin(), kAgencyTypeNames.end(), *t);
        if (it == kAgencyTypeNames.end()) {
          reader.Error(p + "/type", "must be one of: federal, state, local, foreign, private");
        } else {
          a.type = static_cast<AgencyType>(it - kAgencyTypeNames.begin());
        }
      }
      a.phone = reader.String(item, p, "phone", 64).value_or("");
      auto domains = item.find("domains");
      if (domains == item.end()) {
        reader.Error(p, "missing 'domains'");
      } else if (!domains->is_array()) {
        reader.Error(p + "/domains", "expected an array, got " + std::string(JsonTypeName(*domains)));
      } else {
        for (size_t j = 0; j < domains->size(); ++j) {
          const std::string dp = p + "/domains/" + std::to_string(j);
          const json& d = (*domains)[j];
          if (!d.is_string() || !IsDomainShape(d.get_ref<const std::string&>())) {
            reader.Error(dp, "not a domain name");
            continue;
          }
          a.domains.push_back(NormalizeDomain(d.get_ref<const std::string&>()));
        }
      }
      registry.agencies_.push_back(std::move(a));
    }
  }
  if (!reader.errors().empty()) {
    std::string message;
    for (const std::string& e : reader.errors()) message += (message.empty() ? "" : "\n") + e;
    return Status::InvalidArgument(message);
  }
  registry.sha256_ = Sha256Hex(text);
  return registry;
}

const Agency* AgencyRegistry::Find(std::string_view id) const {
  for (const Agency& a : agencies_) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

bool AgencyRegistry::AnyHasDomain(std::string_view domain) const {
  for (const Agency& a : agencies_) {
    if (std::find(a.domains.begin(), a.domains.end(), domain) != a.domains.end()) return true;
  }
  return false;
}

}  // namespace custodian
