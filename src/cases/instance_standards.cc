#include "cases/instance_standards.h"

#include "cases/store/sql_rows.h"
#include "core/sha256.h"

namespace custodian::cases {

InstanceStandards::InstanceStandards(Standards builtin, std::string builtin_text)
    : builtin_(std::make_shared<const Standards>(std::move(builtin))),
      builtin_text_(std::move(builtin_text)) {}

Result<std::unique_ptr<InstanceStandards>> InstanceStandards::WithBuiltIn() {
  auto builtin = LoadDefaultStandards();
  if (!builtin.ok()) return builtin.status();
  return std::make_unique<InstanceStandards>(std::move(builtin).value(),
                                             std::string(DefaultStandardsText()));
}

InstanceStandards::Shared InstanceStandards::Cached(const std::string& sha256) {
  if (sha256 == builtin_->sha256) return builtin_;
  std::lock_guard lock(mu_);
  auto it = parsed_.find(sha256);
  return it == parsed_.end() ? nullptr : it->second;
}

InstanceStandards::Shared InstanceStandards::Remember(Standards standards) {
  std::lock_guard lock(mu_);
  const std::string sha = standards.sha256;
  auto [it, inserted] = parsed_.try_emplace(sha, nullptr);
  if (inserted) it->second = std::make_shared<const Standards>(std::move(standards));
  return it->second;
}

Result<InstanceStandards::Shared> InstanceStandards::Current(soci::session& sql) {
  std::string sha;
  soci::indicator ind = soci::i_null;
  sql << "SELECT sha256 FROM standards_installs ORDER BY seq DESC LIMIT 1", soci::into(sha, ind);
  if (!sql.got_data() || ind != soci::i_ok) return builtin_;
  return Find(sql, sha);
}

Result<InstanceStandards::Shared> InstanceStandards::Current(Database& db) {
  Result<Shared> out = Status::Internal("unset");
  Status s = db.Transaction([&](soci::session& sql) {
    out = Current(sql);
    return out.status();
  });
  if (!s.ok()) return s;
  return out;
}

Result<InstanceStandards::Shared> InstanceStandards::Find(soci::session& sql,
                                                          const std::string& sha256) {
  if (Shared cached = Cached(sha256)) return cached;
  auto text = Document(sql, sha256);
  if (!text.ok()) return text.status();
  // Stored only after it loaded at install: a failure now means the store was altered.
  auto loaded = LoadStandards(*text, "standards " + sha256);
  if (!loaded.ok()) return Status::Corruption("case store: " + loaded.status().message());
  if (loaded->sha256 != sha256) {
    return Status::Corruption("case store: the standards stored as " + sha256 +
                              " have another SHA-256");
  }
  return Remember(std::move(loaded).value());
}

Result<InstanceStandards::Shared> InstanceStandards::DecidedUnder(soci::session& sql,
                                                                  const std::string& case_id) {
  std::string sha;
  soci::indicator ind = soci::i_null;
  sql << "SELECT standards_sha256 FROM decisions WHERE case_id = :c ORDER BY seq DESC LIMIT 1",
      soci::use(case_id), soci::into(sha, ind);
  if (!sql.got_data() || ind != soci::i_ok) {
    return Status::Corruption("case store: case " + case_id + " has no decision");
  }
  return Find(sql, sha);
}

Result<std::string> InstanceStandards::Document(soci::session& sql, const std::string& sha256) {
  if (sha256 == builtin_->sha256) return builtin_text_;
  std::string text;
  soci::indicator ind = soci::i_null;
  sql << "SELECT document FROM standards WHERE sha256 = :s", soci::use(sha256),
      soci::into(text, ind);
  if (!sql.got_data() || ind != soci::i_ok) {
    return Status::NotFound("no standards with SHA-256 " + sha256);
  }
  return text;
}

Result<StandardsInstall> InstanceStandards::Install(soci::session& sql, std::string_view text,
                                                    std::string_view source, Timestamp at,
                                                    const std::string& by) {
  auto loaded = LoadStandards(text, source);
  if (!loaded.ok()) return loaded.status();
  const StandardsInstall install{loaded->sha256, loaded->name, loaded->version, at, by};
  const std::string document(text);
  // Every version once, by its hash: reinstalling an older file makes it current again.
  sql << "INSERT INTO standards (sha256, name, version, document) VALUES (:s, :n, :v, :d) "
         "ON CONFLICT (sha256) DO NOTHING",
      soci::use(install.sha256), soci::use(install.name), soci::use(install.version),
      soci::use(document);
  long long seq = 0;
  soci::indicator ind = soci::i_null;
  sql << "SELECT MAX(seq) FROM standards_installs", soci::into(seq, ind);
  seq = ind == soci::i_ok ? seq + 1 : 1;
  const long long micros = at.micros;
  sql << "INSERT INTO standards_installs (seq, sha256, installed_at, installed_by) "
         "VALUES (:q, :s, :t, :b)",
      soci::use(seq), soci::use(install.sha256), soci::use(micros), soci::use(by);
  Remember(std::move(loaded).value());
  return install;
}

std::vector<StandardsInstall> InstanceStandards::History(soci::session& sql) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT i.sha256, s.name, s.version, i.installed_at, i.installed_by "
                      "FROM standards_installs i JOIN standards s ON s.sha256 = i.sha256 "
                      "ORDER BY i.seq");
  std::vector<StandardsInstall> out;
  for (const soci::row& r : rows) {
    out.push_back({Text(r, 0), Text(r, 1), Text(r, 2), Timestamp{Int(r, 3)}, Text(r, 4)});
  }
  return out;
}

Result<StandardsOverview> InstanceStandards::Overview(Database& db) {
  StandardsOverview out;
  Status s = db.Transaction([&](soci::session& sql) -> Status {
    auto current = Current(sql);
    if (!current.ok()) return current.status();
    out.current = *current;
    auto document = Document(sql, out.current->sha256);
    if (!document.ok()) return document.status();
    out.document = std::move(document).value();
    out.history = History(sql);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace custodian::cases
