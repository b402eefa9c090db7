// Typed, checked reads from a toml++ table for custodian's own TOML files (standards,
// instance configuration). Every problem is collected as "source:line:column: what", with
// the key's full dotted name; unknown keys are refused with a did-you-mean suggestion.
// Not thread-safe: one reader per file being loaded.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace custodian {

// The closest of `candidates` to `word` within a small edit distance, or "".
std::string_view ClosestMatch(std::string_view word, const std::vector<std::string_view>& candidates);

class TomlReader {
 public:
  explicit TomlReader(std::string source_name) : source_(std::move(source_name)) {}

  const std::vector<std::string>& errors() const { return errors_; }
  void Error(const toml::source_region& at, const std::string& what);

  // "process.subpoena" + "label" -> "process.subpoena.label".
  static std::string Join(const std::string& path, std::string_view key);

  // Refuses every key of `table` that is not in `known`.
  void CheckKeys(const toml::table& table, const std::string& path,
                 const std::vector<std::string_view>& known);

  // The node at `key`, or null; a missing required key is reported at its table.
  const toml::node* Get(const toml::table& table, const std::string& path, std::string_view key,
                        bool required);
  const toml::table* Table(const toml::table& table, const std::string& path,
                           std::string_view key, bool required);
  std::optional<std::string> String(const toml::table& table, const std::string& path,
                                    std::string_view key, bool required, size_t max_length);
  std::optional<int64_t> Integer(const toml::table& table, const std::string& path,
                                 std::string_view key, bool required, int64_t min, int64_t max);
  std::optional<bool> Bool(const toml::table& table, const std::string& path,
                           std::string_view key);
  // An array of strings, each checked against `allowed` when it is not empty; duplicates
  // are refused. Returns the strings with where each one stands.
  struct Item {
    std::string value;
    toml::source_region at;
  };
  std::optional<std::vector<Item>> StringArray(const toml::table& table, const std::string& path,
                                               std::string_view key, bool required,
                                               const std::vector<std::string_view>& allowed,
                                               std::string_view what);

 private:
  void TypeError(const toml::node& node, const std::string& name, std::string_view expected);

  std::string source_;
  std::vector<std::string> errors_;
};

}  // namespace custodian
