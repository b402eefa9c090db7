#include "server/user_store.h"

#include <soci/soci.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "cases/case_store.h"
#include "core/sha256.h"
#include "server/passwords.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

constexpr std::string_view kTokenPrefix = "cst_";
constexpr char kTotpAssociated[] = "custodian/totp/v1";

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  vault::RandomBytes(raw.data(), raw.size());
  return HexEncode(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
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
  for (size_t pos = 0; pos <= text.size();) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    if (auto r = ParseRole(std::string_view(text).substr(pos, comma - pos))) out.insert(*r);
    pos = comma + 1;
  }
  return out;
}

std::string Detail(const nlohmann::ordered_json& j) { return j.dump(); }

}  // namespace

std::optional<Role> ParseRole(std::string_view name) {
  for (size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

UserStore::UserStore(cases::Database& db, vault::SecretKey sealing_key, Clock& clock,
                     UserStoreOptions options)
    : db_(db), sealing_key_(std::move(sealing_key)), clock_(clock), options_(options) {}

Status UserStore::AddUser(const std::string& name, const std::set<Role>& roles,
                          const std::string& password, const std::string& actor) {
  if (!ValidName(name)) {
    return Status::InvalidArgument("name: 1 to 64 of a-z, 0-9, '.', '_' and '-'");
  }
  if (roles.empty()) return Status::InvalidArgument("roles: at least one");
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  return db_.Transaction([&](soci::session& sql) -> Status {
    int exists = 0;
    sql << "SELECT COUNT(*) FROM users WHERE name = :n", soci::use(name), soci::into(exists);
    if (exists) return Status::InvalidArgument("name: a user called " + name + " exists");
    const long long now = clock_.Now().micros;
    const std::string roles_text = RolesText(roles);
    sql << "INSERT INTO users (name, roles, password_hash, disabled, failed_logins, created_at, "
           "updated_at) VALUES (:n, :r, :h, 0, 0, :c, :u)",
        soci::use(name), soci::use(roles_text), soci::use(*hash), soci::use(now), soci::use(now);
    return cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt, "add_user",
                                    Detail({{"user", name}, {"roles", roles_text}}));
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
  const vault::Nonce nonce = vault::RandomNonce();
  std::string sealed(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  vault::SealTo(sealed, sealing_key_, nonce, secret, std::string(kTotpAssociated) + name);
  const std::string sealed_hex =
      HexEncode(reinterpret_cast<const uint8_t*>(sealed.data()), sealed.size());
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

Result<User> UserStore::GetUser(const std::string& name) {
  Result<User> out = Status::NotFound("no user " + name);
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    std::string roles, secret;
    int disabled = 0;
    soci::indicator secret_ind;
    sql << "SELECT roles, disabled, totp_secret FROM users WHERE name = :n", soci::use(name),
        soci::into(roles), soci::into(disabled), soci::into(secret, secret_ind);
    if (sql.got_data()) out = User{name, RolesOf(roles), disabled != 0, secret_ind == soci::i_ok};
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

std::vector<User> UserStore::Users() {
  std::vector<User> out;
  db_.Transaction([&](soci::session& sql) -> Status {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT name, roles, disabled, totp_secret FROM users ORDER BY name");
    for (const soci::row& r : rows) {
      out.push_back({r.get<std::string>(0), RolesOf(r.get<std::string>(1)),
                     r.get<int>(2) != 0, r.get_indicator(3) == soci::i_ok});
    }
    return Status::Ok();
  }).IgnoreError();
  return out;
}

LoginResult UserStore::Login(const std::string& name, const std::string& password,
                             const std::string& totp_code) {
  LoginResult result;
  const Timestamp now = clock_.Now();
  std::string hash, sealed_hex;
  int disabled = 1;
  long long locked_until = 0, last_step = 0;
  soci::indicator secret_ind = soci::i_null, locked_ind = soci::i_null, step_ind = soci::i_null;
  bool found = false;
  Status read = db_.Transaction([&](soci::session& sql) -> Status {
    sql << "SELECT password_hash, totp_secret, disabled, locked_until, totp_last_step "
           "FROM users WHERE name = :n",
        soci::use(name), soci::into(hash), soci::into(sealed_hex, secret_ind), soci::into(disabled),
        soci::into(locked_until, locked_ind), soci::into(last_step, step_ind);
    found = sql.got_data();
    return Status::Ok();
  });
  if (!read.ok()) return result;
  if (!found) {
    // Spend the time a real check would, so that timing does not tell names apart.
    static const std::string dummy = HashPassword("no user has this password").value();
    VerifyPassword(dummy, password);
    return result;
  }
  // A locked user's attempt costs what any other does: timing does not tell it apart either.
  bool ok = VerifyPassword(hash, password) && !disabled;
  if (locked_ind == soci::i_ok && now.micros < locked_until) {
    db_.Transaction([&](soci::session& sql) -> Status {
      return cases::CaseTx(sql).Audit(now, name, std::nullopt, "login_refused_locked", "{}");
    }).IgnoreError();
    result.outcome = LoginOutcome::kLocked;
    return result;
  }
  if (ok && secret_ind != soci::i_ok && options_.require_totp) {
    // Not a failure to count: the password was right; the account is not ready.
    db_.Transaction([&](soci::session& sql) -> Status {
      return cases::CaseTx(sql).Audit(now, name, std::nullopt, "login_refused_no_totp", "{}");
    }).IgnoreError();
    result.outcome = LoginOutcome::kNoSecondFactor;
    return result;
  }
  std::optional<int64_t> step;
  if (ok && secret_ind == soci::i_ok) {
    std::string sealed, secret;
    sealed.resize(sealed_hex.size() / 2);
    size_t n = 0;
    ok = sodium_hex2bin(reinterpret_cast<unsigned char*>(sealed.data()), sealed.size(),
                        sealed_hex.data(), sealed_hex.size(), nullptr, &n, nullptr) == 0 &&
         n > vault::kNonceBytes;
    if (ok) {
      vault::Nonce nonce;
      std::copy(sealed.begin(), sealed.begin() + vault::kNonceBytes, nonce.begin());
      ok = vault::OpenTo(secret, sealing_key_, nonce, std::string_view(sealed).substr(vault::kNonceBytes),
                         std::string(kTotpAssociated) + name);
    }
    if (ok) {
      step = VerifyTotp(secret, totp_code, now,
                        step_ind == soci::i_ok ? std::optional<int64_t>(last_step) : std::nullopt);
      ok = step.has_value();
    }
  }
  // What was read may be stale by now: sign-ins of the user run at once, each with its own
  // Argon2 between its read and its write. So each change is one conditional update, decided
  // by the row as it is: a code's time step is claimed by one sign-in only, a failure is
  // counted on top of every other, and a user locked meanwhile stays locked.
  Status write = db_.Transaction([&](soci::session& sql) -> Status {
    cases::CaseTx tx(sql);
    const long long at = now.micros;
    if (ok) {
      long long step_value = step.value_or(0);
      soci::statement claim =
          step ? (sql.prepare << "UPDATE users SET failed_logins = 0, locked_until = NULL, "
                                 "totp_last_step = :s WHERE name = :n AND (locked_until IS NULL OR "
                                 "locked_until <= :t) AND (totp_last_step IS NULL OR totp_last_step < :s2)",
                  soci::use(step_value), soci::use(name), soci::use(at), soci::use(step_value))
               : (sql.prepare << "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE "
                                 "name = :n AND (locked_until IS NULL OR locked_until <= :t)",
                  soci::use(name), soci::use(at));
      claim.execute(true);
      // None: another sign-in used this code first, or failures locked the user meanwhile.
      ok = claim.get_affected_rows() == 1;
    }
    if (!ok) {
      soci::statement count = (sql.prepare << "UPDATE users SET failed_logins = failed_logins + 1 "
                                              "WHERE name = :n AND (locked_until IS NULL OR locked_until <= :t)",
                               soci::use(name), soci::use(at));
      count.execute(true);
      const bool counted = count.get_affected_rows() == 1;
      bool locks = false;
      if (counted) {
        const long long until = at + options_.lockout_micros;
        const int max = options_.max_failed_logins;
        soci::statement lock = (sql.prepare << "UPDATE users SET failed_logins = 0, locked_until = :u "
                                               "WHERE name = :n AND failed_logins >= :m",
                                soci::use(until), soci::use(name), soci::use(max));
        lock.execute(true);
        locks = lock.get_affected_rows() == 1;
      }
      result.outcome = counted && !locks ? LoginOutcome::kRefused : LoginOutcome::kLocked;
      return tx.Audit(now, name, std::nullopt, locks ? "login_locked" : "login_failed", "{}");
    }
    std::string id = RandomHex(32);
    result.session = {name, RandomHex(32), Timestamp{now.micros + options_.session_micros}};
    const std::string id_hash = Sha256Hex(id);
    const long long expires = result.session.expires_at.micros;
    sql << "INSERT INTO sessions (id_hash, user_name, csrf, created_at, expires_at) "
           "VALUES (:h, :u, :c, :t, :e)",
        soci::use(id_hash), soci::use(name), soci::use(result.session.csrf), soci::use(at),
        soci::use(expires);
    result.session_id = std::move(id);
    result.outcome = LoginOutcome::kOk;
    return tx.Audit(now, name, std::nullopt, "login", "{}");
  });
  if (!write.ok()) return LoginResult{};
  return result;
}

Result<Session> UserStore::SessionOf(const std::string& session_id) {
  Result<Session> out = Status::NotFound("no such session");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string id_hash = Sha256Hex(session_id);
    std::string user, csrf;
    long long expires = 0;
    int disabled = 1;
    sql << "SELECT s.user_name, s.csrf, s.expires_at, u.disabled FROM sessions s "
           "JOIN users u ON u.name = s.user_name WHERE s.id_hash = :h AND s.revoked_at IS NULL",
        soci::use(id_hash), soci::into(user), soci::into(csrf), soci::into(expires),
        soci::into(disabled);
    if (sql.got_data() && !disabled && clock_.Now().micros < expires) {
      out = Session{user, csrf, Timestamp{expires}};
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Status UserStore::Logout(const std::string& session_id) {
  return db_.Transaction([&](soci::session& sql) -> Status {
    const std::string id_hash = Sha256Hex(session_id);
    const long long now = clock_.Now().micros;
    std::string user;
    sql << "SELECT user_name FROM sessions WHERE id_hash = :h", soci::use(id_hash), soci::into(user);
    if (!sql.got_data()) return Status::NotFound("no such session");
    sql << "UPDATE sessions SET revoked_at = :t WHERE id_hash = :h AND revoked_at IS NULL",
        soci::use(now), soci::use(id_hash);
    return cases::CaseTx(sql).Audit(clock_.Now(), user, std::nullopt, "logout", "{}");
  });
}

Status UserStore::RevokeSessions(const std::string& name) {
  return db_.Transaction([&](soci::session& sql) -> Status {
    const long long now = clock_.Now().micros;
    sql << "UPDATE sessions SET revoked_at = :t WHERE user_name = :u AND revoked_at IS NULL",
        soci::use(now), soci::use(name);
    return Status::Ok();
  });
}

Result<std::string> UserStore::CreateToken(TokenKind kind, const std::string& name,
                                           const std::optional<std::string>& agency_id,
                                           const std::optional<std::string>& email,
                                           const std::string& actor) {
  if (name.empty() || name.size() > 128) return Status::InvalidArgument("name: 1 to 128 characters");
  if (kind == TokenKind::kRequester && (!agency_id || !email)) {
    return Status::InvalidArgument("a requester token needs its agency and e-mail address");
  }
  const std::string id = RandomHex(8), secret = RandomHex(32);
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string hash = Sha256Hex(secret);
    const std::string kind_text = kind == TokenKind::kService ? "service" : "requester";
    const std::string agency = agency_id.value_or(""), mail = email.value_or("");
    soci::indicator agency_ind = agency_id ? soci::i_ok : soci::i_null;
    soci::indicator mail_ind = email ? soci::i_ok : soci::i_null;
    const long long now = clock_.Now().micros;
    sql << "INSERT INTO api_tokens (id, secret_hash, kind, name, agency_id, email, created_at, "
           "created_by) VALUES (:i, :h, :k, :n, :a, :e, :t, :b)",
        soci::use(id), soci::use(hash), soci::use(kind_text), soci::use(name),
        soci::use(agency, agency_ind), soci::use(mail, mail_ind), soci::use(now), soci::use(actor);
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
    std::string hash, kind, name, agency, email;
    soci::indicator agency_ind, email_ind, revoked_ind;
    long long revoked = 0;
    sql << "SELECT secret_hash, kind, name, agency_id, email, revoked_at FROM api_tokens "
           "WHERE id = :i",
        soci::use(id), soci::into(hash), soci::into(kind), soci::into(name),
        soci::into(agency, agency_ind), soci::into(email, email_ind), soci::into(revoked, revoked_ind);
    const std::string presented = Sha256Hex(secret);
    if (sql.got_data() && revoked_ind == soci::i_null && hash.size() == presented.size() &&
        sodium_memcmp(hash.data(), presented.data(), hash.size()) == 0) {
      out = Token{id, kind == "service" ? TokenKind::kService : TokenKind::kRequester, name,
                  agency_ind == soci::i_ok ? std::optional(agency) : std::nullopt,
                  email_ind == soci::i_ok ? std::optional(email) : std::nullopt, false};
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
                                                   "revoked_at FROM api_tokens ORDER BY created_at, id");
    for (const soci::row& r : rows) {
      out.push_back({r.get<std::string>(0),
                     r.get<std::string>(1) == "service" ? TokenKind::kService : TokenKind::kRequester,
                     r.get<std::string>(2),
                     r.get_indicator(3) == soci::i_ok ? std::optional(r.get<std::string>(3)) : std::nullopt,
                     r.get_indicator(4) == soci::i_ok ? std::optional(r.get<std::string>(4)) : std::nullopt,
                     r.get_indicator(5) == soci::i_ok});
    }
    return Status::Ok();
  }).IgnoreError();
  return out;
}

}  // namespace custodian::server
