// Reading and binding the case store's columns the same way on SQLite and PostgreSQL, whose
// drivers return integers as different types and nulls as indicators. Free functions and a
// value type: safe from any thread.
#pragma once

#include <soci/soci.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace custodian::cases {

// Column readers that accept what either backend returns for a column.
inline long long Int(const soci::row& r, size_t i) {
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return r.get<int>(i);
    case soci::dt_long_long:
      return r.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<long long>(r.get<unsigned long long>(i));
    case soci::dt_string:
      return std::stoll(r.get<std::string>(i));
    default:
      return static_cast<long long>(r.get<double>(i));
  }
}
inline bool IsNull(const soci::row& r, size_t i) { return r.get_indicator(i) == soci::i_null; }
inline std::optional<long long> OptInt(const soci::row& r, size_t i) {
  return IsNull(r, i) ? std::nullopt : std::optional(Int(r, i));
}
inline std::string Text(const soci::row& r, size_t i) { return IsNull(r, i) ? "" : r.get<std::string>(i); }
inline std::optional<std::string> OptText(const soci::row& r, size_t i) {
  return IsNull(r, i) ? std::nullopt : std::optional(r.get<std::string>(i));
}
inline std::optional<Timestamp> OptTime(const soci::row& r, size_t i) {
  auto v = OptInt(r, i);
  return v ? std::optional(Timestamp{*v}) : std::nullopt;
}

// A nullable value bound to a statement: the value, and whether it is null.
template <typename T>
struct Nullable {
  T value{};
  soci::indicator ind = soci::i_null;
  explicit Nullable(const std::optional<T>& v) {
    if (v) {
      value = *v;
      ind = soci::i_ok;
    }
  }
};
inline std::optional<long long> Micros(const std::optional<Timestamp>& t) {
  return t ? std::optional<long long>(t->micros) : std::nullopt;
}

// An enumeration stored by name: the value whose name `names` lists (the first for a name it
// does not: the store writes only listed names). Its name: policy/request.h's NameOf.
template <typename Enum, size_t N>
Enum EnumOf(const std::string& name, const std::array<std::string_view, N>& names) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return static_cast<Enum>(0);
}

}  // namespace custodian::cases
