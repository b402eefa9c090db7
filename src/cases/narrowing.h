// A reviewer's narrower scope (JSON: {"targets", "categories", "window"}, any of them),
// checked against the scope the standards authorize: a review narrows, never widens.
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

}  // namespace custodian::cases
