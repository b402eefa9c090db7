// Who may use the server: staff users (roles, an Argon2id password, a TOTP second factor),
// their sessions, and API tokens for services, requesters and outside auditors. Stored in the case store's
// database; only hashes of session ids and token secrets are kept, and TOTP secrets are
// sealed. Every change is in the audit table. Thread-safe (the database serializes).
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cases/store/database.h"
#include "core/clock.h"
#include "server/credentials.h"
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
  std::optional<std::string> email;  // where alerts are mailed (none: the console only)
  bool locked = false;  // too many failed sign-ins in a row, until the lockout ends
};

// A service's (ingest), a requester's (portal), or an outside auditor's: read-only, the
// disclosure log's leaves and proofs and nothing personal (docs/reports.md).
enum class TokenKind { kService, kRequester, kExternalAuditor };
// "service", "requester", "external_auditor": as stored, listed and written in callers' names.
std::string_view TokenKindName(TokenKind kind);

struct Token {
  std::string id;  // public: names the token in lists and revocations
  TokenKind kind = TokenKind::kService;
  std::string name;
  std::optional<std::string> agency_id;  // requester tokens: the agency it acts for
  std::optional<std::string> email;      // requester tokens: the verified address
  bool revoked = false;
  Timestamp created_at;
  // Requester tokens: the account it acts for (requester_store.h), whose agency and address
  // it carries; none for a token made before accounts.
  std::optional<std::string> account_id{};
};

// Staff sign in as requesters do (credentials.h).
using UserStoreOptions = SignInOptions;

class UserStore {
 public:
  // `sealing_key` seals TOTP secrets (derived from the instance's master key).
  UserStore(cases::Database& db, vault::SecretKey sealing_key, Clock& clock,
            UserStoreOptions options = {});

  // Names are 1–64 of [a-z0-9._-]; InvalidArgument otherwise, or when the name is taken, or
  // for an e-mail address core/email_address.h refuses ("email: …").
  Status AddUser(const std::string& name, const std::set<Role>& roles,
                 const std::string& password, const std::string& actor,
                 const std::optional<std::string>& email = std::nullopt);
  // Sets (none: removes) the address the user's alerts are mailed to; InvalidArgument
  // ("email: …") for one core/email_address.h refuses, NotFound for no such user.
  Status SetEmail(const std::string& name, const std::optional<std::string>& email,
                  const std::string& actor);
  Status SetPassword(const std::string& name, const std::string& password,
                     const std::string& actor);
  // A signed-in user changes their own password: `current` must be right (a wrong one counts
  // as a failed sign-in: InvalidArgument "current: …"; a locked user is refused alike); the
  // user's sessions but `session_id`'s end. InvalidArgument "password: …" for a new one
  // HashPassword refuses.
  Status ChangePassword(const std::string& session_id, const std::string& current,
                        const std::string& password);
  // Replaces the user's roles (InvalidArgument "roles: …" for none). FailedPrecondition when
  // it would leave no enabled admin.
  Status SetRoles(const std::string& name, const std::set<Role>& roles, const std::string& actor);
  // A new TOTP secret for the user (replacing any); returns the secret for the otpauth URI.
  Result<std::string> EnrollTotp(const std::string& name, const std::string& actor);
  // Clears the user's second factor and ends their sessions: where TOTP is required, they
  // enrol again at their next sign-in.
  Status ResetTotp(const std::string& name, const std::string& actor);
  // Enrolment at first sign-in, by the ticket a right password got (LoginResult): a new
  // secret, sealed and pending (asked again, another replaces it); NotFound for a ticket
  // unknown, expired or used, or whose user is disabled, locked or enrolled meanwhile.
  Result<TotpEnrolment> StartTotpEnrolment(const std::string& ticket);
  // A code from the pending secret makes it the user's, spends the ticket and signs the user
  // in as Login does (kOk). A wrong code counts as a failed sign-in (kRefused, kLocked).
  // NotFound as StartTotpEnrolment; FailedPrecondition before it.
  Result<LoginResult> ConfirmTotpEnrolment(const std::string& ticket, const std::string& code);
  // Disabling ends the user's sessions. FailedPrecondition when it would leave no enabled
  // admin.
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
  // Revokes every session of the user (password change, disabling) but the one whose id is
  // `keep` (none: every one).
  Status RevokeSessions(const std::string& name, const std::string& keep = "");

  // A new token; the secret is in the returned string only ("cst_<id>_<secret>").
  Result<std::string> CreateToken(TokenKind kind, const std::string& name,
                                  const std::optional<std::string>& agency_id,
                                  const std::optional<std::string>& email,
                                  const std::string& actor,
                                  const std::optional<std::string>& account_id = std::nullopt);
  Status RevokeToken(const std::string& id, const std::string& actor);
  // The live token a bearer string names; NotFound otherwise.
  Result<Token> TokenOf(const std::string& bearer);
  std::vector<Token> Tokens();

 private:
  // FailedPrecondition when taking `name` out of the enabled admins (its roles becoming
  // `roles`, or disabling it) would leave none. Locks the admins' rows first.
  Status KeepAnAdmin(soci::session& sql, const std::string& name, const std::set<Role>& roles,
                     bool disabled);

  cases::Database& db_;
  Clock& clock_;
  Credentials credentials_;
};

}  // namespace custodian::server
