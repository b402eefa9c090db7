// Scopes of instants (`times` in a request, docs/policy.md "[point_in_time]"): each instant t
// reaches [t − m, t + m) for the standards' m minutes, and a scope is the ordered list of
// those intervals, merged where they overlap or touch. Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <vector>

#include "core/time.h"
#include "policy/request.h"

namespace custodian {

// [t − minutes, t + minutes) for each instant, merged.
std::vector<Window> IntervalsAround(const std::vector<Timestamp>& times, int64_t minutes);

// The intervals sorted, those that overlap or touch merged into one.
std::vector<Window> Merged(std::vector<Window> intervals);

// The parts of merged `intervals` inside [from, to); empty parts dropped.
std::vector<Window> Within(const std::vector<Window>& intervals, Timestamp from, Timestamp to);

// What two lists of merged intervals share.
std::vector<Window> Intersection(const std::vector<Window>& a, const std::vector<Window>& b);

// True when [start, end) shares time with one of merged `intervals`.
bool Overlaps(const std::vector<Window>& intervals, Timestamp start, Timestamp end);

}  // namespace custodian
