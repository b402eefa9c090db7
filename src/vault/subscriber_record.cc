#include "vault/subscriber_record.h"

#include <simdjson.h>


#include "core/coding.h"
#include "vault/json_fields.h"
#include "core/unicode.h"
#include "vault/event_parser.h"

namespace custodian::vault {
namespace {

Status Bad(std::string message) { return Status::InvalidArgument(std::move(message)); }

Status ReadString(simdjson::ondemand::value v, std::string_view name, size_t max,
                  std::optional<std::string>& out) {
  std::string_view s;
  if (v.get_string().get(s)) return Bad(std::string(name) + ": not a string");
  if (s.size() > max) return Bad(std::string(name) + ": longer than " + std::to_string(max) + " bytes");
  out.emplace(s);
  return Status::Ok();
}

Status ReadTime(simdjson::ondemand::value v, std::string_view name, Timestamp& out) {
  std::string_view s;
  if (v.get_string().get(s) || s.size() > 64) {
    return Bad(std::string(name) + ": not a date-time (RFC 3339, e.g. 2026-03-12T15:04:05Z)");
  }
  auto t = ParseDateTime(s);
  if (!t.ok()) return Bad(std::string(name) + ": not a date-time " + t.status().message());
  out = *t;
  return Status::Ok();
}

// An array of identifiers, each normalized by `normalize`.
template <typename Normalize>
Status ReadIdentifiers(simdjson::ondemand::value v, std::string_view name, std::string_view what,
                       Normalize normalize, std::vector<std::string>& out) {
  simdjson::ondemand::array array;
  if (v.get_array().get(array)) return Bad(std::string(name) + ": not an array");
  for (auto item : array) {
    std::string_view s;
    if (item.get_string().get(s) || s.size() > 320) {
      return Bad(std::string(name) + ": an item is not " + std::string(what));
    }
    auto n = normalize(s);
    if (!n) return Bad(std::string(name) + ": an item is not " + std::string(what));
    if (out.size() == kMaxIdentifiers) {
      return Bad(std::string(name) + ": more than " + std::to_string(kMaxIdentifiers) + " items");
    }
    out.push_back(*n);
  }
  return Status::Ok();
}

}  // namespace

std::optional<std::string> NormalizeEmail(std::string_view email) {
  const std::string_view e = TrimWhiteSpace(email);
  const size_t at = e.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == e.size() ||
      e.find('@') != at) {
    return std::nullopt;
  }
  for (char c : e) {
    if (static_cast<unsigned char>(c) <= 0x20) return std::nullopt;
  }
  return AsciiLower(e);
}

std::optional<std::string> NormalizePhone(std::string_view phone) {
  std::string out;
  for (char c : phone) {
    if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') continue;
    if (c == '+' && out.empty()) {
      out += c;
    } else if (c >= '0' && c <= '9') {
      out += c;
    } else {
      return std::nullopt;
    }
  }
  // E.164: '+', a country code that does not start with 0, at most 15 digits in all.
  if (out.size() < 3 || out.size() > 16 || out[0] != '+' || out[1] == '0') return std::nullopt;
  return out;
}

std::string NormalizeUsername(std::string_view username) {
  return AsciiLower(TrimWhiteSpace(username));
}

struct SubscriberParser::Impl {
  simdjson::ondemand::parser parser;
};

SubscriberParser::SubscriberParser() : impl_(std::make_unique<Impl>()) {}
SubscriberParser::~SubscriberParser() = default;

Status SubscriberParser::Parse(std::string_view line, SubscriberVersion& out) {
  if (line.size() > kMaxLineBytes) return Bad("line longer than " + std::to_string(kMaxLineBytes) + " bytes");
  if (Status s = CheckLineDepth(line); !s.ok()) return s;
  out = SubscriberVersion{};
  simdjson::padded_string_view padded(line.data(), line.size(), line.size() + EventParser::kLinePadding);
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(padded).get(doc)) return Bad("not valid JSON");
  simdjson::ondemand::object object;
  if (auto error = doc.get_object().get(object)) {
    return Bad(error == simdjson::INCORRECT_TYPE ? "not a JSON object" : "not valid JSON");
  }
  static constexpr std::string_view kFields[] = {"account_id", "effective_from", "username", "name",
                                                 "emails",     "phones",         "created_at", "status"};
  unsigned seen = 0;
  for (auto field_result : object) {
    simdjson::ondemand::field field;
    if (std::move(field_result).get(field)) return Bad("not valid JSON");
    std::string_view key;
    if (field.unescaped_key().get(key)) return Bad("not valid JSON");
    size_t which = std::size(kFields);
    for (size_t i = 0; i < std::size(kFields); ++i) {
      if (kFields[i] == key) which = i;
    }
    if (which == std::size(kFields)) return Bad("unknown field " + ShownKey(key));
    if (seen & (1u << which)) return Bad("duplicate field " + ShownKey(key));
    seen |= 1u << which;
    simdjson::ondemand::value v = field.value();
    Status s;
    switch (which) {
      case 0: s = ReadAccountId(v, out.account_id); break;
      case 1: s = ReadTime(v, "effective_from", out.effective_from); break;
      case 2: s = ReadString(v, "username", 256, out.username); break;
      case 3: s = ReadString(v, "name", 512, out.name); break;
      case 4: s = ReadIdentifiers(v, "emails", "an e-mail address", NormalizeEmail, out.emails); break;
      case 5: s = ReadIdentifiers(v, "phones", "an E.164 phone number", NormalizePhone, out.phones); break;
      case 6: {
        Timestamp t;
        s = ReadTime(v, "created_at", t);
        if (s.ok()) out.created_at = t;
        break;
      }
      case 7: s = ReadString(v, "status", 64, out.status); break;
    }
    if (!s.ok()) return s;
  }
  const char* trailing = nullptr;
  if (!doc.current_location().get(trailing)) return Bad("not valid JSON");
  if (!(seen & 1)) return Bad("account_id: missing");
  if (!(seen & 2)) return Bad("effective_from: missing");
  return Status::Ok();
}

std::string EncodeSubscriber(const SubscriberVersion& v) {
  std::string b;
  PutFixed64(b, static_cast<uint64_t>(v.effective_from.micros));
  const auto optional = [&](const std::optional<std::string>& s) {
    b.push_back(s ? 1 : 0);
    if (s) PutLengthPrefixed(b, *s);
  };
  optional(v.username);
  optional(v.name);
  for (const auto* list : {&v.emails, &v.phones}) {
    PutVarint(b, list->size());
    for (const std::string& s : *list) PutLengthPrefixed(b, s);
  }
  b.push_back(v.created_at ? 1 : 0);
  if (v.created_at) PutFixed64(b, static_cast<uint64_t>(v.created_at->micros));
  optional(v.status);
  return b;
}

Result<SubscriberVersion> DecodeSubscriber(std::string_view bytes, uint64_t account) {
  Decoder d(bytes);
  SubscriberVersion v;
  v.account_id = account;
  v.effective_from = Timestamp{static_cast<int64_t>(d.Fixed64())};
  const auto optional = [&](std::optional<std::string>& s) {
    const std::string_view flag = d.Bytes(1);
    if (d.ok() && flag[0]) s = std::string(d.LengthPrefixed(1 << 16));
  };
  optional(v.username);
  optional(v.name);
  for (auto* list : {&v.emails, &v.phones}) {
    const uint64_t n = d.Varint();
    for (uint64_t i = 0; d.ok() && i < n && i <= kMaxIdentifiers; ++i) {
      list->emplace_back(d.LengthPrefixed(1 << 16));
    }
  }
  const std::string_view has_created = d.Bytes(1);
  if (d.ok() && has_created[0]) v.created_at = Timestamp{static_cast<int64_t>(d.Fixed64())};
  optional(v.status);
  if (!d.ok() || !d.done()) return Status::Corruption("subscriber record does not decode");
  return v;
}

}  // namespace custodian::vault
