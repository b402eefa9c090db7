// The instance's disclosure standards (docs/policy.md, "An instance's standards"). Every
// version installed is kept in the case store by the SHA-256 of its bytes, and the last one
// installed is current; the built-in standards stand until one is installed. So every server
// of an instance decides alike, and the standards a stored decision names can always be read
// back. Thread-safe: parsed standards are cached behind a mutex and shared read-only.
#pragma once

#include <soci/soci.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cases/store/database.h"
#include "core/time.h"
#include "policy/standards.h"

namespace custodian::cases {

// One installation of a standards file, as the history lists it.
struct StandardsInstall {
  std::string sha256;
  std::string name;
  std::string version;
  Timestamp installed_at;
  std::string installed_by;
};

class InstanceStandards;

// What the instance decides under now, and how it came to: for `policy show` and the API.
struct StandardsOverview {
  std::shared_ptr<const Standards> current;
  std::string document;                   // the current file's bytes
  std::vector<StandardsInstall> history;  // oldest first; empty while the built-in stand
};

class InstanceStandards {
 public:
  // `builtin` is current until a file is installed; `builtin_text` its bytes.
  InstanceStandards(Standards builtin, std::string builtin_text);

  // The built-in us-default standing until a file is installed.
  static Result<std::unique_ptr<InstanceStandards>> WithBuiltIn();

  using Shared = std::shared_ptr<const Standards>;

  // The current standards: the last installed, or the built-in.
  Result<Shared> Current(soci::session& sql);
  Result<Shared> Current(Database& db);
  // The standards whose file has this SHA-256 (any version ever installed, or the built-in);
  // NotFound when the store has no such file.
  Result<Shared> Find(soci::session& sql, const std::string& sha256);
  // The standards a case's latest decision was taken under: steps that do not decide keep to
  // them, whatever was installed since.
  Result<Shared> DecidedUnder(soci::session& sql, const std::string& case_id);
  // The bytes of the standards file with this SHA-256.
  Result<std::string> Document(soci::session& sql, const std::string& sha256);

  // Validates `text` (its messages name `source`, as file:line:column) and makes it current:
  // stored by its SHA-256 (once) and installed again, `at` by `by`. Returns what it installed.
  Result<StandardsInstall> Install(soci::session& sql, std::string_view text,
                                   std::string_view source, Timestamp at, const std::string& by);
  // Every installation, oldest first (empty while the built-in standards stand).
  std::vector<StandardsInstall> History(soci::session& sql);
  Result<StandardsOverview> Overview(Database& db);

 private:
  Shared Cached(const std::string& sha256);
  Shared Remember(Standards standards);

  const Shared builtin_;
  const std::string builtin_text_;
  std::mutex mu_;
  std::map<std::string, Shared> parsed_;  // by SHA-256
};

}  // namespace custodian::cases
