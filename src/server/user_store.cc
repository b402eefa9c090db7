#include "server/user_store.h"

#include <soci/soci.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "cases/case_store.h"
#include "cases/staff_directory.h"
#include "core/email_address.h"
#include "core/sha256.h"
#include "server/passwords.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

constexpr std::string_view kTokenPrefix = "cst_";
constexpr TokenKind kTokenKinds[] = {TokenKind::kService, TokenKind::kRequester, TokenKind::kExternalAuditor};

// A stored kind; none for one this build does not know (such a token opens nothing).
std::optional<TokenKind> TokenKindOf(std::string_view text) {
  for (TokenKind k : kTokenKinds) {
    if (TokenKindName(k) == text) return k;
  }
  return std::nullopt;
}
bool ValidName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

std::string RolesText(const std::set<Role>& roles) {
  std::string out;
  for (Role r : roles) out += (out.empty() ? "" : ",") + std::string(kRoleNames[static_cast<size_t>(r)]);
  return out;
}

std::set<Role> RolesOf(const std::string& text) {
  std::set<Role> out;
  for (const std::string& name : cases::RoleNamesOf(text)) {
    if (auto r = ParseRole(name)) out.insert(*r);
  }
  return out;
}

std::string Detail(const nlohmann::ordered_json& j) { return j.dump(); }

}  // namespace

std::string_view TokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::kService:
      return "service";
    case TokenKind::kRequester:
      return "requester";
    case TokenKind::kExternalAuditor:
      break;
  }
  return "external_auditor";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

UserStore::UserStore(cases::Database& db, vault::SecretKey sealing_key, Clock& clock,
                     UserStoreOptions options)
    : db_(db),
      clock_(clock),
      credentials_(db, std::move(sealing_key), clock, options,
                   {"users", "name", "u.disabled = 0", "sessions", "totp_enrolments", "user_name"}) {}

Status UserStore::AddUser(const std::string& name, const std::set<Role>& roles,
                          const std::string& password, const std::string& actor,
                          const std::optional<std::string>& email) {
  if (!ValidName(name)) {
    return Status::InvalidArgument("name: 1 to 64 of a-z, 0-9, '.', '_' and '-'");
  }
  if (roles.empty()) return Status::InvalidArgument("roles: at least one");
  if (email) {
    if (Status s = CheckEmailAddress(*email, "email"); !s.ok()) return s;
  }
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  return db_.Transaction([&](soci::session& sql) -> Status {
    int exists = 0;
    sql << "SELECT COUNT(*) FROM users WHERE name = :n", soci::use(name), soci::into(exists);
    if (exists) return Status::InvalidArgument("name: a user called " + name + " exists");
    const long long now = clock_.Now().micros;
    const std::string roles_text = RolesText(roles);
    const std::string address = email.value_or("");
    soci::indicator address_ind = email ? soci::i_ok : soci::i_null;
    sql << "INSERT INTO users (name, roles, password_hash, disabled, failed_logins, created_at, "
           "updated_at, email) VALUES (:n, :r, :h, 0, 0, :c, :u, :e)",
        soci::use(name), soci::use(roles_text), soci::use(*hash), soci::use(now), soci::use(now),
        soci::use(address, address_ind);
    // The address is staff's own, and the audit detail is sealed; the entry says only that
    // there is one.
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "add_user",
                                    Detail({{"user", name}, {"roles", roles_text},
                                            {"email", email.has_value()}}));
  });
}

Status UserStore::SetEmail(const std::string& name, const std::optional<std::string>& email,
                           const std::string& actor) {
  if (email) {
    if (Status s = CheckEmailAddress(*email, "email"); !s.ok()) return s;
  }
  return db_.Transaction([&](soci::session& sql) -> Status {
    const long long now = clock_.Now().micros;
    const std::string address = email.value_or("");
    soci::indicator address_ind = email ? soci::i_ok : soci::i_null;
    soci::statement st = (sql.prepare << "UPDATE users SET email = :e, updated_at = :u WHERE name = :n",
                          soci::use(address, address_ind), soci::use(now), soci::use(name));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no user " + name);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt,
                                    email ? "set_email" : "remove_email", Detail({{"user", name}}));
  });
}

Status UserStore::SetPassword(const std::string& name, const std::string& password,
                              const std::string& actor) {
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const long long now = clock_.Now().micros;
    soci::statement st = (sql.prepare << "UPDATE users SET password_hash = :h, failed_logins = 0, "
                                         "locked_until = NULL, updated_at = :u WHERE name = :n",
                          soci::use(*hash), soci::use(now), soci::use(name));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no user " + name);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "set_password",
                                    Detail({{"user", name}}));
  });
  if (!s.ok()) return s;
  return RevokeSessions(name);
}

Result<std::string> UserStore::EnrollTotp(const std::string& name, const std::string& actor) {
  const std::string secret = NewTotpSecret();
  const std::string sealed_hex = credentials_.SealTotp(name, secret);
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const long long now = clock_.Now().micros;
    soci::statement st = (sql.prepare << "UPDATE users SET totp_secret = :s, totp_last_step = NULL, "
                                         "updated_at = :u WHERE name = :n",
                          soci::use(sealed_hex), soci::use(now), soci::use(name));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no user " + name);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "enroll_totp",
                                    Detail({{"user", name}}));
  });
  if (!s.ok()) return s;
  return secret;
}

Status UserStore::SetDisabled(const std::string& name, bool disabled, const std::string& actor) {
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    if (disabled) {
      if (Status kept = KeepAnAdmin(sql, name, {}, true); !kept.ok()) return kept;
    }
    const long long now = clock_.Now().micros;
    const int flag = disabled;
    soci::statement st = (sql.prepare << "UPDATE users SET disabled = :d, updated_at = :u "
                                         "WHERE name = :n",
                          soci::use(flag), soci::use(now), soci::use(name));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no user " + name);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt,
                                    disabled ? "disable_user" : "enable_user",
                                    Detail({{"user", name}}));
  });
  if (!s.ok() || !disabled) return s;
  return RevokeSessions(name);
}

Status UserStore::KeepAnAdmin(soci::session& sql, const std::string& name, const std::set<Role>& roles,
                              bool disabled) {
  if (!disabled && roles.count(Role::kAdmin)) return Status::Ok();
  // The enabled admins' rows, locked: two admins taken out at once (another server or the CLI
  // on the same PostgreSQL store) wait for each other, and the second sees the first's change.
  const long long now = clock_.Now().micros;
  sql << "UPDATE users SET updated_at = :u WHERE disabled = 0 AND roles LIKE '%admin%'", soci::use(now);
  int others = 0;
  soci::rowset<soci::row> rows = (sql.prepare << "SELECT name, roles FROM users WHERE disabled = 0 AND name <> :n",
                                  soci::use(name));
  for (const soci::row& r : rows) others += RolesOf(r.get<std::string>(1)).count(Role::kAdmin);
  if (others > 0) return Status::Ok();
  std::string current;
  int is_disabled = 1;
  sql << "SELECT roles, disabled FROM users WHERE name = :n", soci::use(name), soci::into(current),
      soci::into(is_disabled);
  if (!sql.got_data() || is_disabled || !RolesOf(current).count(Role::kAdmin)) return Status::Ok();
  return Status::FailedPrecondition("user " + name + " is the last enabled admin: make another first");
}

Status UserStore::SetRoles(const std::string& name, const std::set<Role>& roles, const std::string& actor) {
  if (roles.empty()) return Status::InvalidArgument("roles: at least one");
  return db_.Transaction([&](soci::session& sql) -> Status {
    if (Status kept = KeepAnAdmin(sql, name, roles, false); !kept.ok()) return kept;
    const long long now = clock_.Now().micros;
    const std::string roles_text = RolesText(roles);
    soci::statement st = (sql.prepare << "UPDATE users SET roles = :r, updated_at = :u WHERE name = :n",
                          soci::use(roles_text), soci::use(now), soci::use(name));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no user " + name);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "set_roles",
                                    Detail({{"user", name}, {"roles", roles_text}}));
  });
}

Status UserStore::ChangePassword(const std::string& session_id, const std::string& current,
                                 const std::string& password) {
  auto session = SessionOf(session_id);
  if (!session.ok()) return session.status();
  const std::string& name = session->user;
  // The new one first: a refused one costs no guess at the current.
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  const Timestamp now = clock_.Now();
  std::string stored;
  long long locked_until = 0;
  soci::indicator locked_ind = soci::i_null;
  Status read = db_.Transaction([&](soci::session& sql) -> Status {
    sql << "SELECT password_hash, locked_until FROM users WHERE name = :n", soci::use(name),
        soci::into(stored), soci::into(locked_until, locked_ind);
    return sql.got_data() ? Status::Ok() : Status::NotFound("no user " + name);
  });
  if (!read.ok()) return read;
  const bool right = VerifyPassword(stored, current);
  const bool locked = locked_ind == soci::i_ok && now.micros < locked_until;
  const Status wrong = Status::InvalidArgument("current: not the password (or too many wrong ones: wait a while)");
  if (!right || locked) {
    LoginOutcome outcome = LoginOutcome::kRefused;
    Status counted = db_.Transaction([&](soci::session& sql) -> Status {
      if (locked) return cases::CaseTx(sql).Audit(now, name, std::nullopt, "login_refused_locked", "{}");
      return credentials_.CountFailure(sql, name, now, outcome);
    });
    return counted.ok() ? wrong : counted;
  }
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const long long at = now.micros;
    soci::statement st = (sql.prepare << "UPDATE users SET password_hash = :h, updated_at = :u WHERE name = :n "
                                         "AND password_hash = :old AND (locked_until IS NULL OR locked_until <= :t)",
                          soci::use(*hash), soci::use(at), soci::use(name), soci::use(stored), soci::use(at));
    st.execute(true);
    // None: changed or locked meanwhile; the caller tries again.
    if (st.get_affected_rows() == 0) return wrong;
    return cases::CaseTx(sql).Audit(now, name, std::nullopt, "change_password", Detail({{"user", name}}));
  });
  if (!s.ok()) return s;
  return RevokeSessions(name, session_id);
}

Status UserStore::ResetTotp(const std::string& name, const std::string& actor) {
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const long long now = clock_.Now().micros;
    soci::statement st = (sql.prepare << "UPDATE users SET totp_secret = NULL, totp_last_step = NULL, "
                                         "updated_at = :u WHERE name = :n",
                          soci::use(now), soci::use(name));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no user " + name);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "reset_totp", Detail({{"user", name}}));
  });
  if (!s.ok()) return s;
  return RevokeSessions(name);
}

Result<TotpEnrolment> UserStore::StartTotpEnrolment(const std::string& ticket) {
  return credentials_.StartTotpEnrolment(ticket);
}

Result<LoginResult> UserStore::ConfirmTotpEnrolment(const std::string& ticket, const std::string& code) {
  return credentials_.ConfirmTotpEnrolment(ticket, code);
}

Result<User> UserStore::GetUser(const std::string& name) {
  Result<User> out = Status::NotFound("no user " + name);
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    std::string roles, secret, email;
    int disabled = 0;
    long long locked_until = 0;
    soci::indicator secret_ind, email_ind, locked_ind;
    sql << "SELECT roles, disabled, totp_secret, email, locked_until FROM users WHERE name = :n",
        soci::use(name), soci::into(roles), soci::into(disabled), soci::into(secret, secret_ind),
        soci::into(email, email_ind), soci::into(locked_until, locked_ind);
    if (sql.got_data()) {
      out = User{name, RolesOf(roles), disabled != 0, secret_ind == soci::i_ok,
                 email_ind == soci::i_ok ? std::optional(email) : std::nullopt,
                 locked_ind == soci::i_ok && clock_.Now().micros < locked_until};
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

std::vector<User> UserStore::Users() {
  std::vector<User> out;
  db_.Transaction([&](soci::session& sql) -> Status {
    const long long now = clock_.Now().micros;
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT name, roles, disabled, totp_secret, email, "
                                                   "locked_until FROM users ORDER BY name");
    for (const soci::row& r : rows) {
      out.push_back({r.get<std::string>(0), RolesOf(r.get<std::string>(1)),
                     r.get<int>(2) != 0, r.get_indicator(3) == soci::i_ok,
                     r.get_indicator(4) == soci::i_ok ? std::optional(r.get<std::string>(4)) : std::nullopt,
                     r.get_indicator(5) == soci::i_ok && now < r.get<long long>(5)});
    }
    return Status::Ok();
  }).IgnoreError();
  return out;
}

LoginResult UserStore::Login(const std::string& name, const std::string& password,
                             const std::string& totp_code) {
  return credentials_.Login(name, password, totp_code);
}

Result<Session> UserStore::SessionOf(const std::string& session_id) { return credentials_.SessionOf(session_id); }

Status UserStore::Logout(const std::string& session_id) { return credentials_.Logout(session_id); }

Status UserStore::RevokeSessions(const std::string& name, const std::string& keep) {
  return credentials_.RevokeSessions(name, keep);
}

Result<std::string> UserStore::CreateToken(TokenKind kind, const std::string& name,
                                           const std::optional<std::string>& agency_id,
                                           const std::optional<std::string>& email,
                                           const std::string& actor,
                                           const std::optional<std::string>& account_id) {
  if (name.empty() || name.size() > 128) return Status::InvalidArgument("name: 1 to 128 characters");
  if (kind == TokenKind::kRequester && !agency_id) {
    return Status::InvalidArgument("agency_id: a requester token acts for an agency (its registry id)");
  }
  if (kind == TokenKind::kRequester && !email) {
    return Status::InvalidArgument("email: a requester token needs the requester's verified address");
  }
  if (email) {
    if (Status s = CheckEmailAddress(*email, "email"); !s.ok()) return s;
  }
  const std::string id = RandomHex(8), secret = RandomHex(32);
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string hash = Sha256Hex(secret);
    const std::string kind_text(TokenKindName(kind));
    const std::string agency = agency_id.value_or(""), mail = email.value_or(""), account = account_id.value_or("");
    soci::indicator agency_ind = agency_id ? soci::i_ok : soci::i_null;
    soci::indicator mail_ind = email ? soci::i_ok : soci::i_null;
    soci::indicator account_ind = account_id ? soci::i_ok : soci::i_null;
    const long long now = clock_.Now().micros;
    sql << "INSERT INTO api_tokens (id, secret_hash, kind, name, agency_id, email, created_at, "
           "created_by, account_id) VALUES (:i, :h, :k, :n, :a, :e, :t, :b, :r)",
        soci::use(id), soci::use(hash), soci::use(kind_text), soci::use(name),
        soci::use(agency, agency_ind), soci::use(mail, mail_ind), soci::use(now), soci::use(actor),
        soci::use(account, account_ind);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "create_token",
                                    Detail({{"token", id}, {"kind", kind_text}, {"name", name}}));
  });
  if (!s.ok()) return s;
  return std::string(kTokenPrefix) + id + "_" + secret;
}

Status UserStore::RevokeToken(const std::string& id, const std::string& actor) {
  return db_.Transaction([&](soci::session& sql) -> Status {
    const long long now = clock_.Now().micros;
    soci::statement st = (sql.prepare << "UPDATE api_tokens SET revoked_at = :t WHERE id = :i "
                                         "AND revoked_at IS NULL",
                          soci::use(now), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() == 0) return Status::NotFound("no live token " + id);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "revoke_token",
                                    Detail({{"token", id}}));
  });
}

Result<Token> UserStore::TokenOf(const std::string& bearer) {
  // cst_<16 hex id>_<64 hex secret>
  if (bearer.size() != kTokenPrefix.size() + 16 + 1 + 64 || !bearer.starts_with(kTokenPrefix) ||
      bearer[kTokenPrefix.size() + 16] != '_') {
    return Status::NotFound("not a token");
  }
  const std::string id = bearer.substr(kTokenPrefix.size(), 16);
  const std::string secret = bearer.substr(kTokenPrefix.size() + 17);
  Result<Token> out = Status::NotFound("no such token");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    std::string hash, kind, name, agency, email, account;
    soci::indicator agency_ind, email_ind, revoked_ind, account_ind;
    long long revoked = 0;
    sql << "SELECT secret_hash, kind, name, agency_id, email, revoked_at, account_id FROM api_tokens "
           "WHERE id = :i",
        soci::use(id), soci::into(hash), soci::into(kind), soci::into(name),
        soci::into(agency, agency_ind), soci::into(email, email_ind), soci::into(revoked, revoked_ind),
        soci::into(account, account_ind);
    const std::string presented = Sha256Hex(secret);
    if (sql.got_data() && revoked_ind == soci::i_null && TokenKindOf(kind) && hash.size() == presented.size() &&
        sodium_memcmp(hash.data(), presented.data(), hash.size()) == 0) {
      out = Token{id, *TokenKindOf(kind), name,
                  agency_ind == soci::i_ok ? std::optional(agency) : std::nullopt,
                  email_ind == soci::i_ok ? std::optional(email) : std::nullopt, false, Timestamp{},
                  account_ind == soci::i_ok ? std::optional(account) : std::nullopt};
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

std::vector<Token> UserStore::Tokens() {
  std::vector<Token> out;
  db_.Transaction([&](soci::session& sql) -> Status {
    soci::rowset<soci::row> rows = (sql.prepare << "SELECT id, kind, name, agency_id, email, "
                                                   "revoked_at, created_at, account_id FROM api_tokens ORDER BY created_at, id");
    for (const soci::row& r : rows) {
      const std::optional<TokenKind> kind = TokenKindOf(r.get<std::string>(1));
      if (!kind) continue;  // a later build's kind: this one neither opens nor lists it
      out.push_back({r.get<std::string>(0),
                     *kind,
                     r.get<std::string>(2),
                     r.get_indicator(3) == soci::i_ok ? std::optional(r.get<std::string>(3)) : std::nullopt,
                     r.get_indicator(4) == soci::i_ok ? std::optional(r.get<std::string>(4)) : std::nullopt,
                     r.get_indicator(5) == soci::i_ok,
                     Timestamp{r.get<long long>(6)},
                     r.get_indicator(7) == soci::i_ok ? std::optional(r.get<std::string>(7)) : std::nullopt});
    }
    return Status::Ok();
  }).IgnoreError();
  return out;
}

}  // namespace custodian::server
