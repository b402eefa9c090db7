#include "core/process_type.h"

namespace custodian {

std::string_view ProcessTypeName(ProcessType t) {
  switch (t) {
    case ProcessType::kSubpoena: return "subpoena";
    case ProcessType::kAdministrativeSubpoena: return "administrative_subpoena";
    case ProcessType::kCourtOrder: return "court_order";
    case ProcessType::kSearchWarrant: return "search_warrant";
    case ProcessType::kEmergency: return "emergency";
    case ProcessType::kPreservation: return "preservation";
    case ProcessType::kPreservationExtension: return "preservation_extension";
    case ProcessType::kMlat: return "mlat";
    case ProcessType::kNationalSecurityLetter: return "national_security_letter";
    case ProcessType::kCivilSubpoena: return "civil_subpoena";
    case ProcessType::kLetter: return "letter";
  }
  return "?";
}

std::optional<ProcessType> ParseProcessType(std::string_view name) {
  for (ProcessType t : kAllProcessTypes) {
    if (ProcessTypeName(t) == name) return t;
  }
  return std::nullopt;
}

}  // namespace custodian
