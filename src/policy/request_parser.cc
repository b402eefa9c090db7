#include "policy/request_parser.h"

#include <array>
#include <initializer_list>
#include <optional>

#include "core/json_reader.h"
#include "core/unicode.h"

namespace custodian {
namespace {

using nlohmann::json;

enum class Need { kOptional, kRequired };

// Walks the document beside the schema, collecting problems and filling a Request.
class Validator {
 public:
  std::vector<RequestProblem>& problems() { return problems_; }

  void Problem(const std::string& pointer, std::string message) {
    problems_.push_back({DisplayPointer(pointer), std::move(message)});
  }

  static std::string Child(const std::string& pointer, std::string_view key) {
    std::string p = pointer;
    AppendPointerToken(p, key);
    return p;
  }

  // Checks that `v` is an object with no property outside `allowed`.
  bool Object(const json& v, const std::string& pointer,
              std::initializer_list<std::string_view> allowed) {
    if (!v.is_object()) {
      Problem(pointer, "expected an object, got " + std::string(JsonTypeName(v)));
      return false;
    }
    for (const auto& [key, value] : v.items()) {
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (!known) Problem(Child(pointer, key), "unknown property");
    }
    return true;
  }

  // The member `key` of object `obj`, or null (reporting it when required).
  const json* Member(const json& obj, const std::string& pointer, std::string_view key,
                     Need need) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (need == Need::kRequired) Problem(Child(pointer, key), "missing (required)");
      return nullptr;
    }
    return &*it;
  }

  // A string member, its length (in code points) checked before anything else.
  std::optional<std::string> String(const json& obj, const std::string& pointer,
                                    std::string_view key, Need need, size_t max_length,
                                    size_t min_length = 0) {
    const json* v = Member(obj, pointer, key, need);
    if (!v) return std::nullopt;
    const std::string child = Child(pointer, key);
    if (!v->is_string()) {
      Problem(child, "expected a string, got " + std::string(JsonTypeName(*v)));
      return std::nullopt;
    }
    const std::string& s = v->get_ref<const std::string&>();
    const size_t length = CodePointCount(s);
    if (length > max_length) {
      Problem(child, "longer than " + std::to_string(max_length) + " characters");
      return std::nullopt;
    }
    if (length < min_length) {
      Problem(child, "must not be empty");
      return std::nullopt;
    }
    return s;
  }

  std::optional<bool> Bool(const json& obj, const std::string& pointer, std::string_view key,
                           Need need) {
    const json* v = Member(obj, pointer, key, need);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
      Problem(Child(pointer, key), "expected true or false, got " + std::string(JsonTypeName(*v)));
      return std::nullopt;
    }
    return v->get<bool>();
  }

  // An enum given as its list of names; returns the index of the name.
  template <size_t N>
  std::optional<size_t> Enum(const json& v, const std::string& pointer,
                             const std::array<std::string_view, N>& names) {
    if (v.is_string()) {
      for (size_t i = 0; i < N; ++i) {
        if (names[i] == v.get_ref<const std::string&>()) return i;
      }
    }
    std::string list;
    for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
    Problem(pointer, "must be one of: " + list);
    return std::nullopt;
  }

  template <size_t N>
  std::optional<size_t> EnumMember(const json& obj, const std::string& pointer,
                                   std::string_view key, Need need,
                                   const std::array<std::string_view, N>& names) {
    const json* v = Member(obj, pointer, key, need);
    if (!v) return std::nullopt;
    return Enum(*v, Child(pointer, key), names);
  }

  std::optional<Timestamp> DateTime(const json& obj, const std::string& pointer,
                                    std::string_view key, Need need) {
    auto s = String(obj, pointer, key, need, 512);
    if (!s) return std::nullopt;
    auto t = ParseDateTime(*s);
    if (!t.ok()) {
      Problem(Child(pointer, key), "not a date-time " + t.status().message());
      return std::nullopt;
    }
    return *t;
  }

  std::optional<Date> DateValue(const json& obj, const std::string& pointer, std::string_view key,
                                size_t max_length) {
    auto s = String(obj, pointer, key, Need::kOptional, max_length);
    if (!s) return std::nullopt;
    auto d = ParseDate(*s);
    if (!d.ok()) {
      Problem(Child(pointer, key), "not a date " + d.status().message());
      return std::nullopt;
    }
    return *d;
  }

  // An array member with at most `max_items` items (checked before the items).
  const json* Array(const json& obj, const std::string& pointer, std::string_view key, Need need,
                    size_t max_items) {
    const json* v = Member(obj, pointer, key, need);
    if (!v) return nullptr;
    if (!v->is_array()) {
      Problem(Child(pointer, key), "expected an array, got " + std::string(JsonTypeName(*v)));
      return nullptr;
    }
    if (v->size() > max_items) {
      Problem(Child(pointer, key), "more than " + std::to_string(max_items) + " items");
      return nullptr;
    }
    return v;
  }

 private:
  std::vector<RequestProblem> problems_;
};

bool IsCountryCode(const std::string& s) {
  return s.size() == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

// The schema's ^[^@\s]+@[^@\s]+$, with \s as ECMAScript defines it.
bool IsEmailShape(const std::string& s) {
  size_t at_count = 0, before = 0, after = 0;
  for (size_t pos = 0; pos < s.size();) {
    const char32_t cp = DecodeUtf8(s, pos);
    if (IsEcmaWhiteSpace(cp)) return false;
    if (cp == '@') {
      ++at_count;
    } else {
      (at_count == 0 ? before : after)++;
    }
  }
  return at_count == 1 && before > 0 && after > 0;
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

void ReadRequester(Validator& v, const json& obj, const std::string& p, Requester& out) {
  if (!v.Object(obj, p, {"agency", "agency_id", "country", "jurisdiction", "agency_type",
                         "officer", "badge", "email", "phone"})) {
    return;
  }
  out.agency = v.String(obj, p, "agency", Need::kRequired, 512, 1).value_or("");
  out.agency_id = v.String(obj, p, "agency_id", Need::kOptional, 512, 1);
  if (auto c = v.String(obj, p, "country", Need::kRequired, SIZE_MAX)) {
    if (IsCountryCode(*c)) {
      out.country = *c;
    } else {
      v.Problem(Validator::Child(p, "country"),
                "not a country code (two capital letters, ISO 3166-1 alpha-2)");
    }
  }
  out.jurisdiction = v.String(obj, p, "jurisdiction", Need::kOptional, 512);
  if (auto t = v.EnumMember(obj, p, "agency_type", Need::kRequired, kAgencyTypeNames)) {
    out.agency_type = static_cast<AgencyType>(*t);
  }
  out.officer = v.String(obj, p, "officer", Need::kOptional, 512);
  out.badge = v.String(obj, p, "badge", Need::kOptional, 512);
  if (auto e = v.String(obj, p, "email", Need::kRequired, 320)) {
    if (IsEmailShape(*e)) {
      out.email = *e;
    } else {
      v.Problem(Validator::Child(p, "email"),
                "not an e-mail address (one '@' with text on both sides, no spaces)");
    }
  }
  out.phone = v.String(obj, p, "phone", Need::kOptional, 512);
}

void ReadProcess(Validator& v, const json& obj, const std::string& p, Process& out) {
  if (!v.Object(obj, p, {"type", "authority", "statute", "issued_by", "reference", "issued_on",
                         "return_by", "signed", "preserve_reference"})) {
    return;
  }
  if (const json* t = v.Member(obj, p, "type", Need::kRequired)) {
    std::array<std::string_view, kAllProcessTypes.size()> names;
    for (size_t i = 0; i < names.size(); ++i) names[i] = ProcessTypeName(kAllProcessTypes[i]);
    if (auto i = v.Enum(*t, Validator::Child(p, "type"), names)) out.type = kAllProcessTypes[*i];
  }
  out.authority = v.String(obj, p, "authority", Need::kOptional, 512);
  out.statute = v.String(obj, p, "statute", Need::kOptional, 512);
  out.issued_by = v.String(obj, p, "issued_by", Need::kOptional, 512);
  out.reference = v.String(obj, p, "reference", Need::kOptional, 512);
  out.issued_on = v.DateValue(obj, p, "issued_on", 512);
  out.return_by = v.DateValue(obj, p, "return_by", 512);
  out.is_signed = v.Bool(obj, p, "signed", Need::kRequired).value_or(false);
  out.preserve_reference = v.String(obj, p, "preserve_reference", Need::kOptional, 512);
}

void ReadPurpose(Validator& v, const json& obj, const std::string& p, Purpose& out) {
  if (!v.Object(obj, p, {"investigation_type", "offense", "legal_basis", "factual_basis"})) {
    return;
  }
  if (auto t = v.EnumMember(obj, p, "investigation_type", Need::kOptional, kInvestigationTypeNames)) {
    out.investigation_type = static_cast<InvestigationType>(*t);
  }
  out.offense = v.String(obj, p, "offense", Need::kOptional, 1000);
  out.legal_basis = v.String(obj, p, "legal_basis", Need::kOptional, 4000);
  out.factual_basis = v.String(obj, p, "factual_basis", Need::kOptional, 20000);
}

void ReadEmergency(Validator& v, const json& obj, const std::string& p, Emergency& out) {
  if (!v.Object(obj, p, {"imminent", "danger"})) return;
  out.imminent = v.Bool(obj, p, "imminent", Need::kOptional);
  out.danger = v.String(obj, p, "danger", Need::kOptional, 20000);
}

void ReadTargets(Validator& v, const json& arr, const std::string& p, std::vector<Target>& out) {
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string item = p;
    AppendPointerIndex(item, i);
    if (!v.Object(arr[i], item, {"type", "value"})) continue;
    auto type = v.String(arr[i], item, "type", Need::kRequired, 512);
    auto value = v.String(arr[i], item, "value", Need::kRequired, 512);
    if (type && value) out.push_back({*type, *value});
  }
}

void ReadWindow(Validator& v, const json& obj, const std::string& p,
                std::optional<Window>& out) {
  if (!v.Object(obj, p, {"start", "end"})) return;
  auto start = v.DateTime(obj, p, "start", Need::kRequired);
  auto end = v.DateTime(obj, p, "end", Need::kRequired);
  if (start && end) out = Window{*start, *end};
}

// `times`: 1 to 25 RFC 3339 instants (the array's size is checked by the caller's Array), each
// at most the schema's 64 characters.
constexpr size_t kMaxTimeLength = 64;
void ReadTimes(Validator& v, const json& arr, const std::string& p, std::vector<Timestamp>& out) {
  if (arr.empty()) v.Problem(p, "expected 1 to 25 date-times, got none");
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string item = p;
    AppendPointerIndex(item, i);
    if (!arr[i].is_string()) {
      v.Problem(item, "expected a date-time, got " + std::string(JsonTypeName(arr[i])));
      continue;
    }
    if (arr[i].get_ref<const std::string&>().size() > kMaxTimeLength) {
      v.Problem(item, "longer than " + std::to_string(kMaxTimeLength) + " characters");
      continue;
    }
    auto t = ParseDateTime(arr[i].get<std::string>());
    if (!t.ok()) {
      v.Problem(item, "not a date-time " + t.status().message());
      continue;
    }
    out.push_back(*t);
  }
}

void ReadCategories(Validator& v, const json& arr, const std::string& p,
                    std::vector<Category>& out) {
  std::array<std::string_view, kAllCategories.size()> names;
  for (size_t i = 0; i < names.size(); ++i) names[i] = CategoryName(kAllCategories[i]);
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string item = p;
    AppendPointerIndex(item, i);
    if (auto c = v.Enum(arr[i], item, names)) out.push_back(kAllCategories[*c]);
  }
}

void ReadNondisclosure(Validator& v, const json& obj, const std::string& p, Nondisclosure& out) {
  if (!v.Object(obj, p, {"ordered", "authority", "until"})) return;
  out.ordered = v.Bool(obj, p, "ordered", Need::kOptional);
  out.authority = v.String(obj, p, "authority", Need::kOptional, 512);
  const json* until = v.Member(obj, p, "until", Need::kOptional);
  if (until && until->is_null()) return;
  if (until && !until->is_string()) {
    v.Problem(Validator::Child(p, "until"),
              "expected a date or null, got " + std::string(JsonTypeName(*until)));
    return;
  }
  out.until = v.DateValue(obj, p, "until", 10);
}

void ReadVerification(Validator& v, const json& obj, const std::string& p, Verification& out) {
  if (!v.Object(obj, p, {"callback_verified_at", "callback_by", "callback_phone"})) return;
  out.callback_verified_at = v.DateTime(obj, p, "callback_verified_at", Need::kOptional);
  out.callback_by = v.String(obj, p, "callback_by", Need::kOptional, 512);
  out.callback_phone = v.String(obj, p, "callback_phone", Need::kOptional, 64);
}

void ReadAttachments(Validator& v, const json& arr, const std::string& p,
                     std::vector<Attachment>& out) {
  for (size_t i = 0; i < arr.size(); ++i) {
    std::string item = p;
    AppendPointerIndex(item, i);
    if (!v.Object(arr[i], item, {"name", "sha256", "media_type"})) continue;
    Attachment a;
    auto name = v.String(arr[i], item, "name", Need::kRequired, 512);
    auto sha = v.String(arr[i], item, "sha256", Need::kRequired, SIZE_MAX);
    if (sha && !IsSha256Hex(*sha)) {
      v.Problem(Validator::Child(item, "sha256"),
                "not a SHA-256 digest (64 lower-case hexadecimal digits)");
      sha.reset();
    }
    a.media_type = v.String(arr[i], item, "media_type", Need::kOptional, 512);
    if (name && sha) {
      a.name = *name;
      a.sha256 = *sha;
      out.push_back(std::move(a));
    }
  }
}

}  // namespace

ParsedRequest ParseRequest(std::string_view document) {
  ParsedRequest result;
  if (document.size() > kMaxRequestBytes) {
    result.problems.push_back({"/", "the document is larger than 1 MiB"});
    return result;
  }
  JsonDocument doc;
  JsonSyntaxError syntax;
  if (!ParseJson(document, doc, syntax)) {
    result.problems.push_back(
        {DisplayPointer(syntax.pointer), "not valid JSON (line " + std::to_string(syntax.position.line) +
                                             ", column " + std::to_string(syntax.position.column) +
                                             "): " + syntax.what});
    return result;
  }
  Validator v;
  Request& r = result.request;
  const json& root = doc.root;
  const std::string p;
  if (v.Object(root, p, {"id", "received_at", "channel", "requester", "process", "purpose",
                         "emergency", "targets", "window", "times", "categories", "nondisclosure",
                         "verification", "attachments"})) {
    r.id = v.String(root, p, "id", Need::kOptional, 512);
    if (auto t = v.DateTime(root, p, "received_at", Need::kRequired)) r.received_at = *t;
    if (auto c = v.EnumMember(root, p, "channel", Need::kOptional, kChannelNames)) {
      r.channel = static_cast<Channel>(*c);
    }
    if (const json* o = v.Member(root, p, "requester", Need::kRequired)) {
      ReadRequester(v, *o, "/requester", r.requester);
    }
    if (const json* o = v.Member(root, p, "process", Need::kRequired)) {
      ReadProcess(v, *o, "/process", r.process);
    }
    if (const json* o = v.Member(root, p, "purpose", Need::kOptional)) {
      ReadPurpose(v, *o, "/purpose", r.purpose.emplace());
    }
    if (const json* o = v.Member(root, p, "emergency", Need::kOptional)) {
      ReadEmergency(v, *o, "/emergency", r.emergency.emplace());
    }
    if (const json* a = v.Array(root, p, "targets", Need::kRequired, 1000)) {
      ReadTargets(v, *a, "/targets", r.targets);
    }
    if (const json* o = v.Member(root, p, "window", Need::kOptional)) {
      ReadWindow(v, *o, "/window", r.window);
    }
    if (const json* a = v.Array(root, p, "times", Need::kOptional, kMaxTimes)) {
      ReadTimes(v, *a, "/times", r.times);
    }
    if (const json* a = v.Array(root, p, "categories", Need::kRequired, SIZE_MAX)) {
      ReadCategories(v, *a, "/categories", r.categories);
    }
    if (const json* o = v.Member(root, p, "nondisclosure", Need::kOptional)) {
      ReadNondisclosure(v, *o, "/nondisclosure", r.nondisclosure.emplace());
    }
    if (const json* o = v.Member(root, p, "verification", Need::kOptional)) {
      ReadVerification(v, *o, "/verification", r.verification.emplace());
    }
    if (const json* a = v.Array(root, p, "attachments", Need::kOptional, 100)) {
      ReadAttachments(v, *a, "/attachments", r.attachments);
    }
  }
  result.problems = std::move(v.problems());
  return result;
}

}  // namespace custodian
