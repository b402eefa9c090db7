// What staff users (user_store.h) and requester accounts (requester_store.h) sign in with,
// kept once for both: an Argon2id password, a TOTP second factor sealed under the instance's
// key, failed sign-ins counted to a lockout, a code's time step claimed by one sign-in only,
// enrolment of the second factor by a one-time ticket, and sessions of which only the id's
// hash is stored. Each kind of account has its own tables (CredentialTables); every change is
// in the audit table, by the account's key. Thread-safe (the database serializes).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cases/store/database.h"
#include "core/clock.h"
#include "vault/crypto.h"

namespace custodian::server {

struct Session {
  std::string user;  // the account's key: a staff user's name, a requester's id
  std::string csrf;  // sent back with every change
  Timestamp expires_at;
};

// What a login attempt comes to. Failures say nothing about which factor failed.
// kLocked: too many failures in a row; the API answers it as it answers kRefused.
// kNoSecondFactor: the password was right but the account has no TOTP enrolled where one is
// required; no session is made, but an enrolment ticket is.
enum class LoginOutcome { kOk, kRefused, kLocked, kNoSecondFactor };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::kRefused;
  std::string session_id;  // the cookie's value, kOk only; never stored
  Session session;
  // kNoSecondFactor only: what enrols the account's second factor (StartTotpEnrolment), once,
  // until enrolment_expires_at; only its hash is stored.
  std::string enrolment_ticket;
  Timestamp enrolment_expires_at;
};

// A second factor being enrolled: the account's, and the new secret, pending until a code
// from it is confirmed.
struct TotpEnrolment {
  std::string user;
  std::string secret;
};

struct SignInOptions {
  int64_t session_micros = 8 * kMicrosPerHour;
  int max_failed_logins = 5;                            // then locked …
  int64_t lockout_micros = 15 * 60 * kMicrosPerSecond;  // … this long
  bool require_totp = true;  // password and TOTP, never the password alone
  int64_t enrolment_ticket_micros = 10 * 60 * kMicrosPerSecond;  // a ticket's life
};

// Where one kind of account keeps its credentials. The accounts table has the columns
// password_hash, totp_secret, totp_last_step, failed_logins and locked_until; its key column
// `key`; `usable` is the SQL condition (on alias u) of an account that may sign in.
struct CredentialTables {
  std::string_view accounts;
  std::string_view key;
  std::string_view usable;
  std::string_view sessions;     // id_hash, OWNER, csrf, created_at, expires_at, revoked_at
  std::string_view enrolments;   // ticket_hash, OWNER, pending_secret, created_at, expires_at, used_at
  std::string_view owner;        // the OWNER column of both
};

class Credentials {
 public:
  Credentials(cases::Database& db, vault::SecretKey sealing_key, Clock& clock, SignInOptions options,
              CredentialTables tables);

  const SignInOptions& options() const { return options_; }

  // Password and, when enrolled, a TOTP code. Locks the account after too many failures. Safe
  // under concurrent sign-ins of one account, from this process or others on the same store:
  // a code's time step is claimed by one sign-in only, and every failure is counted.
  LoginResult Login(const std::string& key, const std::string& password, const std::string& totp_code);
  // A new secret, sealed and pending, for the ticket's account (asked again, another replaces
  // it); NotFound for a ticket unknown, expired or used, or whose account is unusable, locked
  // or enrolled meanwhile.
  Result<TotpEnrolment> StartTotpEnrolment(const std::string& ticket);
  // A code from the pending secret makes it the account's, spends the ticket and signs the
  // account in as Login does (kOk). A wrong code counts as a failed sign-in (kRefused,
  // kLocked). NotFound as StartTotpEnrolment; FailedPrecondition before it.
  Result<LoginResult> ConfirmTotpEnrolment(const std::string& ticket, const std::string& code);
  // A ticket for the account's enrolment (audited as `action`), when it has no second factor.
  Status IssueEnrolmentTicket(soci::session& sql, const std::string& key, Timestamp now,
                              const std::string& action, LoginResult& result);

  // The live session of a cookie's value; NotFound when unknown, expired or revoked, or its
  // account unusable.
  Result<Session> SessionOf(const std::string& session_id);
  Status Logout(const std::string& session_id);
  // Revokes every session of the account but the one whose id is `keep` (none: every one).
  Status RevokeSessions(const std::string& key, const std::string& keep = "");
  Status RevokeSessions(soci::session& sql, const std::string& key, const std::string& keep = "");

  // A failed sign-in of `key` counted (and audited); `outcome` kRefused, or kLocked when it
  // locks the account or the account is locked already.
  Status CountFailure(soci::session& sql, const std::string& key, Timestamp now, LoginOutcome& outcome);

  std::string SealTotp(const std::string& key, const std::string& secret) const;
  // The secret SealTotp sealed for `key`; none when it does not open.
  std::optional<std::string> OpenTotp(const std::string& key, const std::string& sealed_hex) const;

 private:
  // An enrolment ticket's row, when it may still be used: unexpired, unspent, its account
  // usable, not locked and without a second factor.
  struct TicketRow {
    std::string key;
    std::optional<std::string> pending;  // the sealed secret, once enrolment started
  };
  std::optional<TicketRow> LiveTicket(soci::session& sql, const std::string& ticket_hash, long long now) const;
  // A new session of `key` (audited as a login) into `result`, kOk.
  Status OpenSession(soci::session& sql, const std::string& key, Timestamp now, LoginResult& result);
  std::string Sql(std::string text) const;

  cases::Database& db_;
  const vault::SecretKey sealing_key_;
  Clock& clock_;
  const SignInOptions options_;
  const CredentialTables tables_;
};

// `bytes` random bytes as hex.
std::string RandomHex(size_t bytes);

}  // namespace custodian::server
