// Fuzzes what a requester controls: the request document, through validation and the
// engine to the decision document. Any crash, sanitizer report or broken invariant is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "policy/engine.h"
#include "policy/request_parser.h"

namespace {

const custodian::Standards& Standards() {
  static const custodian::Standards s = custodian::LoadDefaultStandards().value();
  return s;
}

const custodian::AgencyRegistry& Registry() {
  static const custodian::AgencyRegistry r =
      custodian::AgencyRegistry::Load(
          R"([{"id": "us-nm-lcpd", "name": "LCPD", "country": "US", "jurisdiction": "US-NM",
               "type": "local", "domains": ["las-cruces.org"], "phone": "+1-575-555-0100"}])",
          "fuzz-agencies.json")
          .value();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const custodian::ParsedRequest parsed = custodian::ParseRequest(text);
  if (!parsed.ok()) {
    for (const auto& p : parsed.problems) {
      if (p.pointer.empty() || p.pointer[0] != '/' || p.message.empty()) std::abort();
    }
    return 0;
  }
  const custodian::Decision d = custodian::Evaluate(parsed.request, Standards(), Registry());
  // An authorized scope exists exactly for the actions that produce or preserve.
  const bool produces = d.action == custodian::Action::kProduce ||
                        d.action == custodian::Action::kProduceNarrowed ||
                        d.action == custodian::Action::kPreserve;
  if (produces != d.authorized.has_value()) std::abort();
  if (d.authorized && d.authorized->window && d.authorized->window->end > parsed.request.received_at &&
      d.authorized->window->end > d.authorized->window->start) {
    std::abort();  // no collection of future activity
  }
  (void)custodian::DecisionToJson(d).dump();
  return 0;
}
