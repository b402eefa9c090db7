// Requesters' own accounts on the portal: an agency's officer registers with an address at a
// domain the agency registry gives the agency, confirms it by a one-time link mailed to it,
// enrols a TOTP second factor, and signs in with password and code, as staff do
// (credentials.h: the same lockout, sealing and sessions, in tables of their own). Staff
// suspend an account (its sessions end; its tokens open nothing). Only hashes of confirmation
// tokens, session ids and tickets are stored. Every change is in the audit table.
// Thread-safe (the database serializes).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cases/store/database.h"
#include "core/clock.h"
#include "server/credentials.h"
#include "vault/crypto.h"

namespace custodian::server {

enum class RequesterState { kUnconfirmed, kActive, kSuspended };
inline constexpr std::array<std::string_view, 3> kRequesterStateNames = {"unconfirmed", "active", "suspended"};

struct RequesterAccount {
  std::string id;  // R-<16 hex>
  std::string email;
  std::string name;
  std::string agency_id;
  RequesterState state = RequesterState::kUnconfirmed;
  bool has_totp = false;
  Timestamp created_at;
};

struct RequesterStoreOptions {
  // require_totp: every requester enrols a second factor (only a demo instance turns it off).
  SignInOptions sign_in{};
  int64_t confirmation_micros = 24 * kMicrosPerHour;  // a confirmation link's life
};

// What a registration comes to, for the mail that answers it: a link to confirm a new (or
// still unconfirmed) account, or word that the address has an account already.
struct Registration {
  std::string account_id;
  bool exists = false;       // the address had a confirmed account: nothing changed
  std::string token;         // !exists: the confirmation link's token (only its hash is stored)
  Timestamp expires_at;      // … until then
};

class RequesterStore {
 public:
  // `sealing_key` seals TOTP secrets (the staff UserStore's key: the same instance key).
  RequesterStore(cases::Database& db, vault::SecretKey sealing_key, Clock& clock,
                 RequesterStoreOptions options = {});

  const RequesterStoreOptions& options() const { return options_; }

  // A new account, unconfirmed, with a confirmation token; its agency the one the agency
  // registry lists the address's domain for. An address with an unconfirmed account gets a
  // new token (older ones stop working) and the name and password given; one with a
  // confirmed or suspended account is left as it is (exists). InvalidArgument "email: …" (not
  // an address, or no agency has its domain), "name: …" or "password: …" (HashPassword's
  // rules).
  Result<Registration> Register(const std::string& email, const std::string& name, const std::string& password);
  // An account an operator vouches for (the CLI): active at once, no link mailed; audited as
  // `actor`'s. InvalidArgument as Register, and "email: …" for an address that has an account.
  Result<RequesterAccount> AddConfirmed(const std::string& email, const std::string& name, const std::string& password,
                                        const std::string& actor);
  // Spends the token with the password registered with it: the account becomes active, and
  // the result holds the ticket that enrols its second factor (LoginResult kNoSecondFactor).
  // NotFound for a token unknown, used or expired, whose account is no longer unconfirmed, or
  // with another password (the token then stays usable).
  Result<LoginResult> Confirm(const std::string& token, const std::string& password);

  // Sign-in by address (any case), password and code; as UserStore::Login. An unknown
  // address, an unconfirmed or suspended account are refused as a wrong password is.
  LoginResult Login(const std::string& email, const std::string& password, const std::string& totp_code);
  Result<TotpEnrolment> StartTotpEnrolment(const std::string& ticket);
  Result<LoginResult> ConfirmTotpEnrolment(const std::string& ticket, const std::string& code);
  // The live session of a cookie's value (Session::user is the account's id); NotFound when
  // unknown, expired or revoked, or its account is not active.
  Result<Session> SessionOf(const std::string& session_id);
  Status Logout(const std::string& session_id);

  // Staff suspend (every session of the account ends) or reinstate an account; NotFound for
  // none, FailedPrecondition for an unconfirmed one.
  Result<RequesterAccount> SetSuspended(const std::string& id, bool suspended, const std::string& actor);

  Result<RequesterAccount> Get(const std::string& id);
  // The account of an address (any case); NotFound for none.
  Result<RequesterAccount> FindByEmail(const std::string& email);
  // Every account, oldest first.
  std::vector<RequesterAccount> Accounts();

 private:
  // The account whose `column` (id, email_key) is `value`; NotFound for none.
  Result<RequesterAccount> Lookup(const std::string& column, const std::string& value);

  cases::Database& db_;
  Clock& clock_;
  const RequesterStoreOptions options_;
  Credentials credentials_;
};

std::string_view RequesterStateName(RequesterState state);
// An address as accounts are keyed by: ASCII lower-cased.
std::string EmailKey(std::string_view email);

}  // namespace custodian::server
