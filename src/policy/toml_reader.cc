#include "policy/toml_reader.h"

#include <algorithm>

#include "core/unicode.h"

namespace custodian {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a floating-point number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

}  // namespace

std::string_view ClosestMatch(std::string_view word,
                              const std::vector<std::string_view>& candidates) {
  std::string_view best;
  size_t best_distance = std::max<size_t>(2, word.size() / 4) + 1;
  for (std::string_view c : candidates) {
    const size_t d = EditDistance(word, c);
    if (d < best_distance) best = c, best_distance = d;
  }
  return best;
}

void TomlReader::Error(const toml::source_region& at, const std::string& what) {
  errors_.push_back(source_ + ":" + std::to_string(at.begin.line) + ":" +
                    std::to_string(at.begin.column) + ": " + what);
}

std::string TomlReader::Join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

void TomlReader::CheckKeys(const toml::table& table, const std::string& path,
                           const std::vector<std::string_view>& known) {
  for (auto&& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    std::string what = "unknown key " + Quoted(Join(path, key.str()));
    if (auto near = ClosestMatch(key.str(), known); !near.empty()) {
      what += " (did you mean " + Quoted(near) + "?)";
    }
    Error(key.source(), what);
  }
}

void TomlReader::TypeError(const toml::node& node, const std::string& name,
                           std::string_view expected) {
  Error(node.source(), Quoted(name) + " must be " + std::string(expected) + ", not " +
                           std::string(TypeName(node)));
}

const toml::node* TomlReader::Get(const toml::table& table, const std::string& path,
                                  std::string_view key, bool required) {
  const toml::node* node = table.get(key);
  if (!node && required) Error(table.source(), "missing key " + Quoted(Join(path, key)));
  return node;
}

const toml::table* TomlReader::Table(const toml::table& table, const std::string& path,
                                     std::string_view key, bool required) {
  const toml::node* node = table.get(key);
  if (!node) {
    if (required) Error(table.source(), "missing table [" + Join(path, key) + "]");
    return nullptr;
  }
  if (!node->is_table()) {
    TypeError(*node, Join(path, key), "a table");
    return nullptr;
  }
  return node->as_table();
}

std::optional<std::string> TomlReader::String(const toml::table& table, const std::string& path,
                                              std::string_view key, bool required,
                                              size_t max_length) {
  const toml::node* node = Get(table, path, key, required);
  if (!node) return std::nullopt;
  const std::string name = Join(path, key);
  if (!node->is_string()) {
    TypeError(*node, name, "a string");
    return std::nullopt;
  }
  const std::string& s = node->as_string()->get();
  if (TrimmedLength(s) == 0) {
    Error(node->source(), Quoted(name) + " must not be empty");
    return std::nullopt;
  }
  if (CodePointCount(s) > max_length) {
    Error(node->source(),
          Quoted(name) + " must be at most " + std::to_string(max_length) + " characters");
    return std::nullopt;
  }
  return s;
}

std::optional<int64_t> TomlReader::Integer(const toml::table& table, const std::string& path,
                                           std::string_view key, bool required, int64_t min,
                                           int64_t max) {
  const toml::node* node = Get(table, path, key, required);
  if (!node) return std::nullopt;
  const std::string name = Join(path, key);
  if (!node->is_integer()) {
    TypeError(*node, name, "an integer");
    return std::nullopt;
  }
  const int64_t v = node->as_integer()->get();
  if (v < min || v > max) {
    Error(node->source(), Quoted(name) + " must be between " + std::to_string(min) + " and " +
                              std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> TomlReader::Bool(const toml::table& table, const std::string& path,
                                     std::string_view key) {
  const toml::node* node = Get(table, path, key, false);
  if (!node) return std::nullopt;
  if (!node->is_boolean()) {
    TypeError(*node, Join(path, key), "true or false");
    return std::nullopt;
  }
  return node->as_boolean()->get();
}

std::optional<std::vector<TomlReader::Item>> TomlReader::StringArray(
    const toml::table& table, const std::string& path, std::string_view key, bool required,
    const std::vector<std::string_view>& allowed, std::string_view what) {
  const toml::node* node = Get(table, path, key, required);
  if (!node) return std::nullopt;
  const std::string name = Join(path, key);
  if (!node->is_array()) {
    TypeError(*node, name, "an array of strings");
    return std::nullopt;
  }
  std::vector<Item> items;
  bool ok = true;
  for (const toml::node& element : *node->as_array()) {
    if (!element.is_string()) {
      TypeError(element, name, "an array of strings");
      ok = false;
      continue;
    }
    const std::string& s = element.as_string()->get();
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      std::string message = "unknown " + std::string(what) + " " + Quoted(s) + " in " + Quoted(name);
      if (auto near = ClosestMatch(s, allowed); !near.empty()) {
        message += " (did you mean " + Quoted(near) + "?)";
      }
      Error(element.source(), message);
      ok = false;
      continue;
    }
    if (s.empty()) {
      Error(element.source(), Quoted(name) + " must not hold an empty string");
      ok = false;
      continue;
    }
    const bool repeated = std::any_of(items.begin(), items.end(),
                                      [&](const Item& i) { return i.value == s; });
    if (repeated) {
      Error(element.source(), Quoted(s) + " appears twice in " + Quoted(name));
      ok = false;
      continue;
    }
    items.push_back({s, element.source()});
  }
  if (!ok) return std::nullopt;
  return items;
}

}  // namespace custodian
