// The kinds of legal process a request may carry (spec/legal-request.schema.json).
// Values: safe from any thread.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace custodian {

enum class ProcessType {
  kSubpoena,
  kAdministrativeSubpoena,
  kCourtOrder,
  kSearchWarrant,
  kEmergency,
  kPreservation,
  kPreservationExtension,
  kMlat,
  kNationalSecurityLetter,
  kCivilSubpoena,
  kLetter,
};

// Every process type, in the schema's order.
inline constexpr std::array<ProcessType, 11> kAllProcessTypes = {
    ProcessType::kSubpoena,     ProcessType::kAdministrativeSubpoena,
    ProcessType::kCourtOrder,   ProcessType::kSearchWarrant,
    ProcessType::kEmergency,    ProcessType::kPreservation,
    ProcessType::kPreservationExtension, ProcessType::kMlat,
    ProcessType::kNationalSecurityLetter, ProcessType::kCivilSubpoena,
    ProcessType::kLetter};

std::string_view ProcessTypeName(ProcessType t);
std::optional<ProcessType> ParseProcessType(std::string_view name);

}  // namespace custodian
