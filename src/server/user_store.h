// Who may use the server: staff users (roles, an Argon2id password, a TOTP second factor),
// their sessions, and API tokens for services and requesters. Stored in the case store's
// database; only hashes of session ids and token secrets are kept, and TOTP secrets are
// sealed. Every change is in the audit table. Thread-safe (the database serializes).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cases/database.h"
#include "core/clock.h"
#include "vault/crypto.h"

namespace custodian::server {

enum class Role { kIntake, kReviewer, kApprover, kAuditor, kAdmin };
inline constexpr std::array<std::string_view, 5> kRoleNames = {"intake", "reviewer", "approver",
                                                               "auditor", "admin"};
std::optional<Role> ParseRole(std::string_view name);

struct User {
  std::string name;
  std::set<Role> roles;
  bool disabled = false;
  bool has_totp = false;
};

struct Session {
  std::string user;
  std::string csrf;  // sent back with every change
  Timestamp expires_at;
};

enum class TokenKind { kService, kRequester };

struct Token {
  std::string id;  // public: names the token in lists and revocations
  TokenKind kind = TokenKind::kService;
  std::string name;
  std::optional<std::string> agency_id;  // requester tokens: the agency it acts for
  std::optional<std::string> email;      // requester tokens: the verified address
  bool revoked = false;
};

// What a login attempt comes to. Failures say nothing about which factor failed.
// kLocked: too many failures in a row; the API answers it as it answers kRefused.
// kNoSecondFactor: the password was right but the user has no TOTP enrolled where the
// instance requires one (auth.require_totp); no session is made.
enum class LoginOutcome { kOk, kRefused, kLocked, kNoSecondFactor };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::kRefused;
  std::string session_id;  // the cookie's value, kOk only; never stored
  Session session;
};

struct UserStoreOptions {
  int64_t session_micros = 8 * kMicrosPerHour;
  int max_failed_logins = 5;               // then locked …
  int64_t lockout_micros = 15 * 60 * kMicrosPerSecond;  // … this long
  bool require_totp = true;  // staff sign in with password and TOTP, never the password alone
};

class UserStore {
 public:
  // `sealing_key` seals TOTP secrets (derived from the instance's master key).
  UserStore(cases::Database& db, vault::SecretKey sealing_key, Clock& clock,
            UserStoreOptions options = {});

  // Names are 1–64 of [a-z0-9._-]; InvalidArgument otherwise, or when the name is taken.
  Status AddUser(const std::string& name, const std::set<Role>& roles,
                 const std::string& password, const std::string& actor);
  Status SetPassword(const std::string& name, const std::string& password,
                     const std::string& actor);
  // A new TOTP secret for the user (replacing any); returns the secret for the otpauth URI.
  Result<std::string> EnrollTotp(const std::string& name, const std::string& actor);
  Status SetDisabled(const std::string& name, bool disabled, const std::string& actor);
  Result<User> GetUser(const std::string& name);
  std::vector<User> Users();

  // Password and, when enrolled, a TOTP code. Locks the user after too many failures. Safe
  // under concurrent sign-ins of one user, from this process or others on the same store: a
  // code's time step is claimed by one sign-in only, and every failure is counted.
  LoginResult Login(const std::string& name, const std::string& password,
                    const std::string& totp_code);
  // The live session of a cookie's value; NotFound when unknown, expired or revoked, or its
  // user is disabled.
  Result<Session> SessionOf(const std::string& session_id);
  Status Logout(const std::string& session_id);
  // Revokes every session of the user (password change, disabling).
  Status RevokeSessions(const std::string& name);

  // A new token; the secret is in the returned string only ("cst_<id>_<secret>").
  Result<std::string> CreateToken(TokenKind kind, const std::string& name,
                                  const std::optional<std::string>& agency_id,
                                  const std::optional<std::string>& email,
                                  const std::string& actor);
  Status RevokeToken(const std::string& id, const std::string& actor);
  // The live token a bearer string names; NotFound otherwise.
  Result<Token> TokenOf(const std::string& bearer);
  std::vector<Token> Tokens();

 private:
  cases::Database& db_;
  const vault::SecretKey sealing_key_;
  Clock& clock_;
  const UserStoreOptions options_;
};

}  // namespace custodian::server
