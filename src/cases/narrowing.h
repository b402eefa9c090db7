// A reviewer's narrower scope (JSON: {"targets", "categories", "window" or "times"}, any of
// them), checked against the scope the standards authorize: a review narrows, never widens
// (a scope of instants only loses instants).
// Pure function: safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "policy/decision.h"

namespace custodian::cases {

// The narrowed scope in canonical JSON; InvalidArgument naming the part (scope/…) that is not
// a scope field, is malformed, or lies outside `authorized`.
Result<std::string> NarrowedScope(std::string_view narrowed, const AuthorizedScope& authorized);

// The scope a case is produced under: the decision document's `authorized` object with the
// reviewer's narrowing (as NarrowedScope stored it), when there is one, laid over it field by
// field. Corruption when either is not what this code wrote.
Result<AuthorizedScope> EffectiveScope(std::string_view decision_document,
                                       const std::optional<std::string>& narrowed);

}  // namespace custodian::cases
