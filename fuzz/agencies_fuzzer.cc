// Fuzzes the agencies registry (PUT /api/v1/agencies, `custodian agencies import`): an admin
// uploads it, and a bad file must be refused with a message naming it, never crash custodian.
// What loads must be consistent: every agency found by its id, every domain stored normalized.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policy/agency_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = custodian::AgencyRegistry::Load(text, "fuzz.json");
  if (!r.ok()) {
    if (r.status().message().rfind("fuzz.json", 0) != 0) std::abort();
    return 0;
  }
  for (const custodian::Agency& agency : r->agencies()) {
    if (agency.id.empty() || r->Find(agency.id) == nullptr) std::abort();
    for (const std::string& domain : agency.domains) {
      if (custodian::NormalizeDomain(domain) != domain || !r->AnyHasDomain(domain)) std::abort();
    }
  }
  if (!r->sha256() || r->sha256()->size() != 64) std::abort();
  return 0;
}
