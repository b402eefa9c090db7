// A legal request as received (spec/legal-request.schema.json), after validation: every
// time is in UTC, every enum is typed, every optional field is explicit. Built only by
// ParseRequest (request_parser.h). Value type: safe to share read-only between threads.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/category.h"
#include "core/process_type.h"
#include "core/time.h"

namespace custodian {

enum class Channel { kPortal, kApi, kEmail, kMail, kFax };
enum class AgencyType { kFederal, kState, kLocal, kForeign, kPrivate };
enum class InvestigationType {
  kCriminal,
  kChildSafety,
  kCivil,
  kCivilImmigration,
  kNationalSecurity,
  kEmergency,
};

// The schema's names for each enum, indexed by the enum's value.
inline constexpr std::array<std::string_view, 5> kChannelNames = {"portal", "api", "email",
                                                                  "mail", "fax"};
inline constexpr std::array<std::string_view, 5> kAgencyTypeNames = {"federal", "state", "local",
                                                                     "foreign", "private"};
inline constexpr std::array<std::string_view, 6> kInvestigationTypeNames = {
    "criminal", "child_safety", "civil", "civil_immigration", "national_security", "emergency"};

template <typename Enum, size_t N>
std::string_view NameOf(Enum e, const std::array<std::string_view, N>& names) {
  return names[static_cast<size_t>(e)];
}

struct Requester {
  std::string agency;
  std::optional<std::string> agency_id;
  std::string country;  // ISO 3166-1 alpha-2
  std::optional<std::string> jurisdiction;
  AgencyType agency_type = AgencyType::kLocal;
  std::optional<std::string> officer;
  std::optional<std::string> badge;
  std::string email;
  std::optional<std::string> phone;
};

struct Process {
  ProcessType type = ProcessType::kSubpoena;
  std::optional<std::string> authority;
  std::optional<std::string> statute;
  std::optional<std::string> issued_by;
  std::optional<std::string> reference;
  std::optional<Date> issued_on;
  std::optional<Date> return_by;
  bool is_signed = false;  // "signed" in the document
  std::optional<std::string> preserve_reference;
};

struct Purpose {
  std::optional<InvestigationType> investigation_type;
  std::optional<std::string> offense;
  std::optional<std::string> legal_basis;
  std::optional<std::string> factual_basis;
};

struct Emergency {
  std::optional<bool> imminent;
  std::optional<std::string> danger;
};

struct Target {
  std::string type;
  std::string value;
};

inline constexpr size_t kMaxTimes = 25;  // instants a request may name

struct Window {
  Timestamp start;
  Timestamp end;
  bool operator==(const Window&) const = default;
};

struct Nondisclosure {
  std::optional<bool> ordered;
  std::optional<std::string> authority;
  std::optional<Date> until;  // missing and null are the same: no end stated
};

struct Verification {
  std::optional<Timestamp> callback_verified_at;
  std::optional<std::string> callback_by;
  // The number staff called; the case workflow keeps the verification only when it is the
  // registry's number for the requester's agency.
  std::optional<std::string> callback_phone;
};

struct Attachment {
  std::string name;
  std::string sha256;
  std::optional<std::string> media_type;
};

struct Request {
  std::optional<std::string> id;
  Timestamp received_at;
  std::optional<Channel> channel;
  Requester requester;
  Process process;
  std::optional<Purpose> purpose;
  std::optional<Emergency> emergency;
  std::vector<Target> targets;
  std::optional<Window> window;
  // Instants the requester names instead of a window (1 to 25): the scope is each one ± the
  // standards' point-in-time minutes.
  std::vector<Timestamp> times;
  std::vector<Category> categories;  // as listed, duplicates kept
  std::optional<Nondisclosure> nondisclosure;
  std::optional<Verification> verification;
  std::vector<Attachment> attachments;
};

}  // namespace custodian
