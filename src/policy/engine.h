// The disclosure-standards engine: evaluates one request against the standards and the
// agency registry and returns the decision (spec/decision.md, spec/default-standards.md).
// Deterministic: it reads no clock; every date rule compares dates inside the request.
// Pure function: safe from any thread.
#pragma once

#include "policy/agency_registry.h"
#include "policy/decision.h"
#include "policy/request.h"
#include "policy/standards.h"

namespace custodian {

Decision Evaluate(const Request& request, const Standards& standards,
                  const AgencyRegistry& registry);

}  // namespace custodian
