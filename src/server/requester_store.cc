#include "server/requester_store.h"

#include <soci/soci.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "cases/case_store.h"
#include "core/email_address.h"
#include "core/sha256.h"
#include "core/unicode.h"
#include "policy/agency_registry.h"
#include "server/passwords.h"

namespace custodian::server {
namespace {

constexpr size_t kMaxNameLength = 128;

std::optional<RequesterState> StateOf(std::string_view text) {
  for (size_t i = 0; i < kRequesterStateNames.size(); ++i) {
    if (kRequesterStateNames[i] == text) return static_cast<RequesterState>(i);
  }
  return std::nullopt;
}

constexpr char kColumns[] = "id, email, name, agency_id, state, totp_secret, created_at";

RequesterAccount AccountOf(const soci::row& r) {
  return {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), r.get<std::string>(3),
          StateOf(r.get<std::string>(4)).value_or(RequesterState::kSuspended), r.get_indicator(5) == soci::i_ok,
          Timestamp{r.get<long long>(6)}};
}

// The account whose `column` is `value`; NotFound for none.
Result<RequesterAccount> Find(soci::session& sql, const std::string& column, const std::string& value) {
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT " + std::string(kColumns) + " FROM requesters WHERE " + column + " = :v", soci::use(value));
  for (const soci::row& r : rows) return AccountOf(r);
  return Status::NotFound("no such requester account");
}

std::string Detail(const nlohmann::ordered_json& j) { return j.dump(); }

// The registry's agency whose domains hold the address's; InvalidArgument "email: …" for none.
Result<std::string> AgencyOf(soci::session& sql, const std::string& email) {
  const Status none = Status::InvalidArgument("email: no agency in the registry has this address's domain");
  const std::optional<cases::RegistryDocument> stored = cases::CaseTx(sql).Registry();
  if (!stored) return none;
  auto registry = AgencyRegistry::Load(stored->document, "the agency registry");
  if (!registry.ok()) return registry.status();
  const std::string domain = EmailDomain(email);
  for (const Agency& agency : registry->agencies()) {
    if (std::find(agency.domains.begin(), agency.domains.end(), domain) != agency.domains.end()) return agency.id;
  }
  return none;
}

// Why a name is refused; Ok for one shown to staff and in the portal (never in a mail's
// headers; no control characters all the same).
Status CheckName(const std::string& name) {
  if (!IsValidUtf8(name) || TrimmedLength(name) == 0 || CodePointCount(name) > kMaxNameLength ||
      std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return Status::InvalidArgument("name: 1 to " + std::to_string(kMaxNameLength) + " characters, not blank");
  }
  return Status::Ok();
}

}  // namespace

std::string_view RequesterStateName(RequesterState state) { return kRequesterStateNames[static_cast<size_t>(state)]; }

std::string EmailKey(std::string_view email) { return AsciiLower(email); }

RequesterStore::RequesterStore(cases::Database& db, vault::SecretKey sealing_key, Clock& clock,
                               RequesterStoreOptions options)
    : db_(db),
      clock_(clock),
      options_(options),
      credentials_(db, std::move(sealing_key), clock, options.sign_in,
                   {"requesters", "id", "u.state = 'active'", "requester_sessions", "requester_totp_enrolments",
                    "account_id"}) {}

Result<Registration> RequesterStore::Register(const std::string& email, const std::string& name,
                                              const std::string& password) {
  if (Status s = CheckEmailAddress(email, "email"); !s.ok()) return s;
  if (Status s = CheckName(name); !s.ok()) return s;
  // Hashed whether the address is new or not: the time taken does not tell them apart.
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  Registration out;
  const std::string token = RandomHex(32);
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const Timestamp now = clock_.Now();
    const long long at = now.micros;
    const std::string key = EmailKey(email);
    auto agency_id = AgencyOf(sql, email);
    if (!agency_id.ok()) return agency_id.status();
    auto existing = Find(sql, "email_key", key);
    if (existing.ok() && existing->state != RequesterState::kUnconfirmed) {
      out.account_id = existing->id;
      out.exists = true;
      return cases::CaseTx(sql).Audit(now, existing->id, std::nullopt, "register_requester_again", "{}");
    }
    if (existing.ok()) {
      out.account_id = existing->id;
      sql << "UPDATE requesters SET name = :n, password_hash = :h, updated_at = :u WHERE id = :i", soci::use(name),
          soci::use(*hash), soci::use(at), soci::use(out.account_id);
      // An older link stops working: only the latest confirms.
      sql << "UPDATE requester_confirmations SET used_at = :t WHERE account_id = :i AND used_at IS NULL",
          soci::use(at), soci::use(out.account_id);
    } else {
      out.account_id = "R-" + RandomHex(8);
      const std::string state(RequesterStateName(RequesterState::kUnconfirmed));
      sql << "INSERT INTO requesters (id, email, email_key, name, agency_id, password_hash, state, failed_logins, "
             "created_at, updated_at) VALUES (:i, :e, :k, :n, :a, :h, :s, 0, :c, :u)",
          soci::use(out.account_id), soci::use(email), soci::use(key), soci::use(name), soci::use(*agency_id),
          soci::use(*hash), soci::use(state), soci::use(at), soci::use(at);
    }
    out.token = token;
    out.expires_at = Timestamp{at + options_.confirmation_micros};
    const std::string token_hash = Sha256Hex(token);
    const long long until = out.expires_at.micros;
    sql << "INSERT INTO requester_confirmations (token_hash, account_id, created_at, expires_at) "
           "VALUES (:h, :i, :c, :e)",
        soci::use(token_hash), soci::use(out.account_id), soci::use(at), soci::use(until);
    return cases::CaseTx(sql).Audit(now, out.account_id, std::nullopt, "register_requester",
                                    Detail({{"account", out.account_id}, {"agency_id", *agency_id}}));
  });
  if (!s.ok()) return s;
  return out;
}

Result<RequesterAccount> RequesterStore::AddConfirmed(const std::string& email, const std::string& name,
                                                      const std::string& password, const std::string& actor) {
  if (Status s = CheckEmailAddress(email, "email"); !s.ok()) return s;
  if (Status s = CheckName(name); !s.ok()) return s;
  auto hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  Result<RequesterAccount> out = Status::Internal("no account");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const Timestamp now = clock_.Now();
    const long long at = now.micros;
    auto agency_id = AgencyOf(sql, email);
    if (!agency_id.ok()) return agency_id.status();
    const std::string key = EmailKey(email);
    if (Find(sql, "email_key", key).ok()) return Status::InvalidArgument("email: an account has this address");
    const std::string id = "R-" + RandomHex(8);
    const std::string state(RequesterStateName(RequesterState::kActive));
    sql << "INSERT INTO requesters (id, email, email_key, name, agency_id, password_hash, state, failed_logins, "
           "created_at, updated_at) VALUES (:i, :e, :k, :n, :a, :h, :s, 0, :c, :u)",
        soci::use(id), soci::use(email), soci::use(key), soci::use(name), soci::use(*agency_id), soci::use(*hash),
        soci::use(state), soci::use(at), soci::use(at);
    out = Find(sql, "id", id);
    return cases::CaseTx(sql).Audit(now, actor, std::nullopt, "add_requester",
                                    Detail({{"account", id}, {"agency_id", *agency_id}}));
  });
  if (!s.ok()) return s;
  return out;
}

Result<LoginResult> RequesterStore::Confirm(const std::string& token, const std::string& password) {
  const Status unknown = Status::NotFound("the confirmation link is unknown, used or expired, or the password is "
                                          "not the one registered with it");
  const std::string token_hash = Sha256Hex(token);
  // The password registered with the link, as well as the link: whoever re-registered the
  // address meanwhile (and so had a link mailed to its owner) cannot set its password. It is
  // checked outside any transaction (Argon2id takes its time); a wrong one leaves the link
  // as it was.
  std::string id, password_hash;
  Status read = db_.Transaction([&](soci::session& sql) -> Status {
    const long long at = clock_.Now().micros;
    sql << "SELECT c.account_id, r.password_hash FROM requester_confirmations c JOIN requesters r ON r.id = c.account_id "
           "WHERE c.token_hash = :h AND c.used_at IS NULL AND c.expires_at > :t",
        soci::use(token_hash), soci::use(at), soci::into(id), soci::into(password_hash);
    return sql.got_data() ? Status::Ok() : unknown;
  });
  if (!read.ok()) return read;
  if (!VerifyPassword(password_hash, password)) return unknown;
  LoginResult result;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const Timestamp now = clock_.Now();
    const long long at = now.micros;
    // One conditional update each: the link is spent once (a registration since has spent it
    // already), and confirms an account still unconfirmed, with the password checked.
    soci::statement spend = (sql.prepare << "UPDATE requester_confirmations SET used_at = :t WHERE token_hash = :h "
                                            "AND used_at IS NULL AND expires_at > :e",
                             soci::use(at), soci::use(token_hash), soci::use(at));
    spend.execute(true);
    if (spend.get_affected_rows() != 1) return unknown;
    soci::statement confirm = (sql.prepare << "UPDATE requesters SET state = 'active', updated_at = :u "
                                              "WHERE id = :i AND state = 'unconfirmed' AND password_hash = :p",
                               soci::use(at), soci::use(id), soci::use(password_hash));
    confirm.execute(true);
    if (confirm.get_affected_rows() != 1) return unknown;
    if (Status a = cases::CaseTx(sql).Audit(now, id, std::nullopt, "confirm_requester", Detail({{"account", id}}));
        !a.ok()) {
      return a;
    }
    return credentials_.IssueEnrolmentTicket(sql, id, now, "issue_enrolment_ticket", result);
  });
  if (!s.ok()) return s;
  return result;
}

LoginResult RequesterStore::Login(const std::string& email, const std::string& password, const std::string& totp_code) {
  std::string id;
  db_.Transaction([&](soci::session& sql) -> Status {
    const std::string key = EmailKey(email);
    sql << "SELECT id FROM requesters WHERE email_key = :k", soci::use(key), soci::into(id);
    return Status::Ok();
  }).IgnoreError();
  // An unknown address ("" names no account) costs what a known one does.
  return credentials_.Login(id, password, totp_code);
}

Result<TotpEnrolment> RequesterStore::StartTotpEnrolment(const std::string& ticket) {
  return credentials_.StartTotpEnrolment(ticket);
}

Result<LoginResult> RequesterStore::ConfirmTotpEnrolment(const std::string& ticket, const std::string& code) {
  return credentials_.ConfirmTotpEnrolment(ticket, code);
}

Result<Session> RequesterStore::SessionOf(const std::string& session_id) { return credentials_.SessionOf(session_id); }

Status RequesterStore::Logout(const std::string& session_id) { return credentials_.Logout(session_id); }

Result<RequesterAccount> RequesterStore::SetSuspended(const std::string& id, bool suspended, const std::string& actor) {
  Result<RequesterAccount> out = Status::NotFound("no such requester account");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    auto account = Find(sql, "id", id);
    if (!account.ok()) return account.status();
    if (account->state == RequesterState::kUnconfirmed) {
      return Status::FailedPrecondition("the account is not confirmed: it can do nothing yet");
    }
    const long long at = clock_.Now().micros;
    const std::string state(RequesterStateName(suspended ? RequesterState::kSuspended : RequesterState::kActive));
    sql << "UPDATE requesters SET state = :s, updated_at = :u WHERE id = :i", soci::use(state), soci::use(at),
        soci::use(id);
    if (suspended) {
      if (Status r = credentials_.RevokeSessions(sql, id); !r.ok()) return r;
    }
    if (Status a = cases::CaseTx(sql).Audit(clock_.Now(), actor, std::nullopt,
                                            suspended ? "suspend_requester" : "reinstate_requester",
                                            Detail({{"account", id}}));
        !a.ok()) {
      return a;
    }
    out = Find(sql, "id", id);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<RequesterAccount> RequesterStore::Lookup(const std::string& column, const std::string& value) {
  Result<RequesterAccount> out = Status::NotFound("no such requester account");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    out = Find(sql, column, value);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Result<RequesterAccount> RequesterStore::Get(const std::string& id) { return Lookup("id", id); }

Result<RequesterAccount> RequesterStore::FindByEmail(const std::string& email) { return Lookup("email_key", EmailKey(email)); }

std::vector<RequesterAccount> RequesterStore::Accounts() {
  std::vector<RequesterAccount> out;
  db_.Transaction([&](soci::session& sql) -> Status {
    soci::rowset<soci::row> rows =
        (sql.prepare << "SELECT " + std::string(kColumns) + " FROM requesters ORDER BY created_at, id");
    for (const soci::row& r : rows) out.push_back(AccountOf(r));
    return Status::Ok();
  }).IgnoreError();
  return out;
}

}  // namespace custodian::server
