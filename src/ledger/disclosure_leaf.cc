#include "ledger/disclosure_leaf.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/json_reader.h"

namespace custodian::ledger {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxLeafBytes = 16 << 10;

bool IsLowerHex(std::string_view s, size_t n) {
  return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Reads the fields of one leaf object, collecting the first error.
class LeafReader {
 public:
  explicit LeafReader(const json& o) : o_(o) {}

  const json* Field(const char* name, json::value_t type) {
    seen_.insert(name);
    auto it = o_.find(name);
    if (it == o_.end()) return Fail(name, "missing");
    const bool ok = type == json::value_t::number_unsigned
                        ? it->is_number_unsigned()
                        : it->type() == type;
    if (!ok) return Fail(name, "wrong type");
    return &*it;
  }
  std::string Text(const char* name) {
    const json* v = Field(name, json::value_t::string);
    return v ? v->get<std::string>() : "";
  }
  bool Flag(const char* name) {
    const json* v = Field(name, json::value_t::boolean);
    return v && v->get<bool>();
  }
  int64_t Count(const char* name) {
    const json* v = Field(name, json::value_t::number_unsigned);
    if (v && v->get<uint64_t>() > (1ull << 53)) Fail(name, "too large");
    return v ? static_cast<int64_t>(v->get<uint64_t>()) : 0;
  }
  Date DateField(const char* name) {
    const std::string text = Text(name);
    auto d = ParseDate(text);
    if (!d.ok()) {
      Fail(name, "not a date (YYYY-MM-DD)");
      return {};
    }
    return *d;
  }
  const json* Fail(const char* name, const char* why) {
    if (error_.empty()) error_ = std::string("/") + name + ": " + why;
    return nullptr;
  }
  Status Finish() {
    for (const auto& [key, value] : o_.items()) {
      if (!seen_.count(key) && error_.empty()) error_ = "/" + key + ": not a field of a leaf";
    }
    return error_.empty() ? Status::Ok() : Status::InvalidArgument(error_);
  }

 private:
  const json& o_;
  std::set<std::string> seen_;
  std::string error_;
};

}  // namespace

std::string DisclosureLeafBytes(const DisclosureLeaf& leaf) {
  nlohmann::ordered_json j;
  j["v"] = 1;
  j["case"] = leaf.case_pseudonym;
  j["kind"] = std::string(kDisclosureKindNames[static_cast<size_t>(leaf.kind)]);
  j["received"] = FormatDate(leaf.received);
  j["date"] = FormatDate(leaf.date);
  j["country"] = leaf.country;
  j["agency_type"] = leaf.agency_type;
  j["process_type"] = leaf.process_type;
  j["emergency"] = leaf.emergency;
  j["preservation"] = leaf.preservation;
  j["categories"] = leaf.categories;
  j["targets"] = leaf.targets;
  j["outcome"] = leaf.outcome;
  j["narrowed"] = leaf.narrowed;
  j["nondisclosure"] = leaf.nondisclosure;
  if (leaf.kind == DisclosureKind::kProduction) {
    j["accounts_with_data"] = leaf.accounts_with_data.value_or(0);
    j["manifest_sha256"] = leaf.manifest_sha256.value_or("");
  }
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<DisclosureLeaf> ParseDisclosureLeaf(std::string_view bytes) {
  if (bytes.size() > kMaxLeafBytes) return Status::InvalidArgument("/: a leaf is at most 16 KiB");
  JsonDocument doc;
  JsonSyntaxError syntax;
  if (!ParseJson(bytes, doc, syntax)) {
    return Status::InvalidArgument(DisplayPointer(syntax.pointer) + ": " + syntax.what);
  }
  if (!doc.root.is_object()) return Status::InvalidArgument("/: not an object");
  LeafReader r(doc.root);
  DisclosureLeaf leaf;
  if (const json* v = r.Field("v", json::value_t::number_unsigned); v && *v != 1) {
    r.Fail("v", "not version 1");
  }
  leaf.case_pseudonym = r.Text("case");
  if (!IsLowerHex(leaf.case_pseudonym, 32)) r.Fail("case", "not 32 lower-case hex digits");
  const std::string kind = r.Text("kind");
  const auto* k = std::find(std::begin(kDisclosureKindNames), std::end(kDisclosureKindNames), kind);
  if (k == std::end(kDisclosureKindNames)) r.Fail("kind", "not a leaf kind");
  else leaf.kind = static_cast<DisclosureKind>(k - std::begin(kDisclosureKindNames));
  leaf.received = r.DateField("received");
  leaf.date = r.DateField("date");
  leaf.country = r.Text("country");
  leaf.agency_type = r.Text("agency_type");
  leaf.process_type = r.Text("process_type");
  leaf.emergency = r.Flag("emergency");
  leaf.preservation = r.Flag("preservation");
  if (const json* c = r.Field("categories", json::value_t::array)) {
    for (const json& name : *c) {
      if (!name.is_string()) {
        r.Fail("categories", "not a list of names");
        break;
      }
      leaf.categories.push_back(name.get<std::string>());
    }
  }
  leaf.targets = r.Count("targets");
  leaf.outcome = r.Text("outcome");
  leaf.narrowed = r.Flag("narrowed");
  leaf.nondisclosure = r.Flag("nondisclosure");
  if (leaf.kind == DisclosureKind::kProduction) {
    leaf.accounts_with_data = r.Count("accounts_with_data");
    leaf.manifest_sha256 = r.Text("manifest_sha256");
    if (!IsLowerHex(*leaf.manifest_sha256, 64)) r.Fail("manifest_sha256", "not a SHA-256 in hex");
  }
  if (Status s = r.Finish(); !s.ok()) return s;
  return leaf;
}

}  // namespace custodian::ledger
