#include "policy/point_in_time.h"

#include <algorithm>

namespace custodian {

std::vector<Window> IntervalsAround(const std::vector<Timestamp>& times, int64_t minutes) {
  std::vector<Window> out;
  const int64_t reach = minutes * kMicrosPerMinute;
  for (Timestamp t : times) out.push_back({Timestamp{t.micros - reach}, Timestamp{t.micros + reach}});
  return Merged(std::move(out));
}

std::vector<Window> Merged(std::vector<Window> intervals) {
  std::sort(intervals.begin(), intervals.end(),
            [](const Window& a, const Window& b) { return a.start < b.start; });
  std::vector<Window> out;
  for (const Window& w : intervals) {
    if (!out.empty() && !(out.back().end < w.start)) {
      if (out.back().end < w.end) out.back().end = w.end;
    } else {
      out.push_back(w);
    }
  }
  return out;
}

std::vector<Window> Within(const std::vector<Window>& intervals, Timestamp from, Timestamp to) {
  return Intersection(intervals, {{from, to}});
}

std::vector<Window> Intersection(const std::vector<Window>& a, const std::vector<Window>& b) {
  std::vector<Window> out;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    const Timestamp start = std::max(a[i].start, b[j].start);
    const Timestamp end = std::min(a[i].end, b[j].end);
    if (start < end) out.push_back({start, end});
    if (a[i].end < b[j].end) {
      ++i;
    } else {
      ++j;
    }
  }
  return out;
}

bool Overlaps(const std::vector<Window>& intervals, Timestamp start, Timestamp end) {
  return !Intersection(intervals, {{start, end}}).empty();
}

}  // namespace custodian
