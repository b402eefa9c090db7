#include "server/credentials.h"

#include <soci/soci.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "cases/case_store.h"
#include "core/sha256.h"
#include "server/passwords.h"
#include "server/totp.h"

namespace custodian::server {
namespace {

constexpr char kTotpAssociated[] = "custodian/totp/v1";

std::string Replace(std::string text, std::string_view from, std::string_view to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

Status NoTicket() { return Status::NotFound("the enrolment ticket is unknown, expired or used: sign in again"); }

}  // namespace

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  vault::RandomBytes(raw.data(), raw.size());
  return HexEncode(reinterpret_cast<const uint8_t*>(raw.data()), raw.size());
}

Credentials::Credentials(cases::Database& db, vault::SecretKey sealing_key, Clock& clock, SignInOptions options,
                         CredentialTables tables)
    : db_(db), sealing_key_(std::move(sealing_key)), clock_(clock), options_(options), tables_(tables) {}

// The query with the tables' names in place of {accounts}, {key}, {usable}, {sessions},
// {enrolments} and {owner} (names this build fixes, never input).
std::string Credentials::Sql(std::string text) const {
  text = Replace(std::move(text), "{accounts}", tables_.accounts);
  text = Replace(std::move(text), "{key}", tables_.key);
  text = Replace(std::move(text), "{usable}", tables_.usable);
  text = Replace(std::move(text), "{sessions}", tables_.sessions);
  text = Replace(std::move(text), "{enrolments}", tables_.enrolments);
  return Replace(std::move(text), "{owner}", tables_.owner);
}

std::string Credentials::SealTotp(const std::string& key, const std::string& secret) const {
  const vault::Nonce nonce = vault::RandomNonce();
  std::string sealed(reinterpret_cast<const char*>(nonce.data()), nonce.size());
  vault::SealTo(sealed, sealing_key_, nonce, secret, std::string(kTotpAssociated) + key);
  return HexEncode(reinterpret_cast<const uint8_t*>(sealed.data()), sealed.size());
}

std::optional<std::string> Credentials::OpenTotp(const std::string& key, const std::string& sealed_hex) const {
  std::string sealed(sealed_hex.size() / 2, '\0'), secret;
  size_t n = 0;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(sealed.data()), sealed.size(), sealed_hex.data(),
                     sealed_hex.size(), nullptr, &n, nullptr) != 0 ||
      n <= vault::kNonceBytes) {
    return std::nullopt;
  }
  vault::Nonce nonce;
  std::copy(sealed.begin(), sealed.begin() + vault::kNonceBytes, nonce.begin());
  if (!vault::OpenTo(secret, sealing_key_, nonce, std::string_view(sealed).substr(vault::kNonceBytes),
                     std::string(kTotpAssociated) + key)) {
    return std::nullopt;
  }
  return secret;
}

LoginResult Credentials::Login(const std::string& key, const std::string& password, const std::string& totp_code) {
  LoginResult result;
  const Timestamp now = clock_.Now();
  std::string hash, sealed_hex;
  int unusable = 1;
  long long locked_until = 0, last_step = 0;
  soci::indicator secret_ind = soci::i_null, locked_ind = soci::i_null, step_ind = soci::i_null;
  bool found = false;
  Status read = db_.Transaction([&](soci::session& sql) -> Status {
    sql << Sql("SELECT u.password_hash, u.totp_secret, CASE WHEN {usable} THEN 0 ELSE 1 END, u.locked_until, "
               "u.totp_last_step FROM {accounts} u WHERE u.{key} = :n"),
        soci::use(key), soci::into(hash), soci::into(sealed_hex, secret_ind), soci::into(unusable),
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
  // A locked account's attempt costs what any other does: timing does not tell it apart either.
  bool ok = VerifyPassword(hash, password) && !unusable;
  if (locked_ind == soci::i_ok && now.micros < locked_until) {
    db_.Transaction([&](soci::session& sql) -> Status {
      return cases::CaseTx(sql).Audit(now, key, std::nullopt, "login_refused_locked", "{}");
    }).IgnoreError();
    result.outcome = LoginOutcome::kLocked;
    return result;
  }
  if (ok && secret_ind != soci::i_ok && options_.require_totp) {
    // Not a failure to count: the password was right; the account is not ready. The ticket
    // lets it enrol now (StartTotpEnrolment) without a password sent again.
    Status s = db_.Transaction([&](soci::session& sql) -> Status {
      return IssueEnrolmentTicket(sql, key, now, "login_refused_no_totp", result);
    });
    if (!s.ok()) return LoginResult{};
    return result;
  }
  std::optional<int64_t> step;
  if (ok && secret_ind == soci::i_ok) {
    const std::optional<std::string> secret = OpenTotp(key, sealed_hex);
    if (secret) {
      step = VerifyTotp(*secret, totp_code, now,
                        step_ind == soci::i_ok ? std::optional<int64_t>(last_step) : std::nullopt);
    }
    ok = step.has_value();
  }
  // What was read may be stale by now: sign-ins of the account run at once, each with its own
  // Argon2 between its read and its write. So each change is one conditional update, decided
  // by the row as it is: a code's time step is claimed by one sign-in only, a failure is
  // counted on top of every other, and an account locked meanwhile stays locked.
  Status write = db_.Transaction([&](soci::session& sql) -> Status {
    const long long at = now.micros;
    if (ok) {
      long long step_value = step.value_or(0);
      soci::statement claim =
          step ? (sql.prepare << Sql("UPDATE {accounts} SET failed_logins = 0, locked_until = NULL, "
                                     "totp_last_step = :s WHERE {key} = :n AND (locked_until IS NULL OR "
                                     "locked_until <= :t) AND (totp_last_step IS NULL OR totp_last_step < :s2)"),
                  soci::use(step_value), soci::use(key), soci::use(at), soci::use(step_value))
               : (sql.prepare << Sql("UPDATE {accounts} SET failed_logins = 0, locked_until = NULL WHERE "
                                     "{key} = :n AND (locked_until IS NULL OR locked_until <= :t)"),
                  soci::use(key), soci::use(at));
      claim.execute(true);
      // None: another sign-in used this code first, or failures locked the account meanwhile.
      ok = claim.get_affected_rows() == 1;
    }
    if (!ok) return CountFailure(sql, key, now, result.outcome);
    return OpenSession(sql, key, now, result);
  });
  if (!write.ok()) return LoginResult{};
  return result;
}

Status Credentials::IssueEnrolmentTicket(soci::session& sql, const std::string& key, Timestamp now,
                                         const std::string& action, LoginResult& result) {
  const std::string ticket = RandomHex(32);
  const Timestamp expires{now.micros + options_.enrolment_ticket_micros};
  const std::string hash = Sha256Hex(ticket);
  const long long at = now.micros, until = expires.micros;
  sql << Sql("DELETE FROM {enrolments} WHERE expires_at <= :t"), soci::use(at);
  sql << Sql("INSERT INTO {enrolments} (ticket_hash, {owner}, created_at, expires_at) VALUES (:h, :n, :c, :e)"),
      soci::use(hash), soci::use(key), soci::use(at), soci::use(until);
  result.outcome = LoginOutcome::kNoSecondFactor;
  result.enrolment_ticket = ticket;
  result.enrolment_expires_at = expires;
  return cases::CaseTx(sql).Audit(now, key, std::nullopt, action, "{}");
}

Status Credentials::CountFailure(soci::session& sql, const std::string& key, Timestamp now, LoginOutcome& outcome) {
  const long long at = now.micros;
  soci::statement count = (sql.prepare << Sql("UPDATE {accounts} SET failed_logins = failed_logins + 1 "
                                              "WHERE {key} = :n AND (locked_until IS NULL OR locked_until <= :t)"),
                           soci::use(key), soci::use(at));
  count.execute(true);
  const bool counted = count.get_affected_rows() == 1;
  bool locks = false;
  if (counted) {
    const long long until = at + options_.lockout_micros;
    const int max = options_.max_failed_logins;
    soci::statement lock = (sql.prepare << Sql("UPDATE {accounts} SET failed_logins = 0, locked_until = :u "
                                               "WHERE {key} = :n AND failed_logins >= :m"),
                            soci::use(until), soci::use(key), soci::use(max));
    lock.execute(true);
    locks = lock.get_affected_rows() == 1;
  }
  outcome = counted && !locks ? LoginOutcome::kRefused : LoginOutcome::kLocked;
  return cases::CaseTx(sql).Audit(now, key, std::nullopt, locks ? "login_locked" : "login_failed", "{}");
}

Status Credentials::OpenSession(soci::session& sql, const std::string& key, Timestamp now, LoginResult& result) {
  std::string id = RandomHex(32);
  result.session = {key, RandomHex(32), Timestamp{now.micros + options_.session_micros}};
  const std::string id_hash = Sha256Hex(id);
  const long long at = now.micros, expires = result.session.expires_at.micros;
  sql << Sql("INSERT INTO {sessions} (id_hash, {owner}, csrf, created_at, expires_at) VALUES (:h, :u, :c, :t, :e)"),
      soci::use(id_hash), soci::use(key), soci::use(result.session.csrf), soci::use(at), soci::use(expires);
  result.session_id = std::move(id);
  result.outcome = LoginOutcome::kOk;
  return cases::CaseTx(sql).Audit(now, key, std::nullopt, "login", "{}");
}

Result<Session> Credentials::SessionOf(const std::string& session_id) {
  Result<Session> out = Status::NotFound("no such session");
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string id_hash = Sha256Hex(session_id);
    std::string key, csrf;
    long long expires = 0;
    int unusable = 1;
    sql << Sql("SELECT s.{owner}, s.csrf, s.expires_at, CASE WHEN {usable} THEN 0 ELSE 1 END FROM {sessions} s "
               "JOIN {accounts} u ON u.{key} = s.{owner} WHERE s.id_hash = :h AND s.revoked_at IS NULL"),
        soci::use(id_hash), soci::into(key), soci::into(csrf), soci::into(expires), soci::into(unusable);
    if (sql.got_data() && !unusable && clock_.Now().micros < expires) out = Session{key, csrf, Timestamp{expires}};
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

Status Credentials::Logout(const std::string& session_id) {
  return db_.Transaction([&](soci::session& sql) -> Status {
    const std::string id_hash = Sha256Hex(session_id);
    const long long now = clock_.Now().micros;
    std::string key;
    sql << Sql("SELECT {owner} FROM {sessions} WHERE id_hash = :h"), soci::use(id_hash), soci::into(key);
    if (!sql.got_data()) return Status::NotFound("no such session");
    sql << Sql("UPDATE {sessions} SET revoked_at = :t WHERE id_hash = :h AND revoked_at IS NULL"), soci::use(now),
        soci::use(id_hash);
    return cases::CaseTx(sql).Audit(clock_.Now(), key, std::nullopt, "logout", "{}");
  });
}

Status Credentials::RevokeSessions(const std::string& key, const std::string& keep) {
  return db_.Transaction([&](soci::session& sql) -> Status { return RevokeSessions(sql, key, keep); });
}

Status Credentials::RevokeSessions(soci::session& sql, const std::string& key, const std::string& keep) {
  const long long now = clock_.Now().micros;
  const std::string kept = keep.empty() ? "" : Sha256Hex(keep);
  sql << Sql("UPDATE {sessions} SET revoked_at = :t WHERE {owner} = :u AND revoked_at IS NULL AND id_hash <> :k"),
      soci::use(now), soci::use(key), soci::use(kept);
  return Status::Ok();
}

std::optional<Credentials::TicketRow> Credentials::LiveTicket(soci::session& sql, const std::string& ticket_hash,
                                                              long long now) const {
  std::string key, pending, secret;
  long long expires = 0, used = 0, locked_until = 0;
  int unusable = 1;
  soci::indicator pending_ind = soci::i_null, used_ind = soci::i_null, secret_ind = soci::i_null,
                  locked_ind = soci::i_null;
  sql << Sql("SELECT e.{owner}, e.pending_secret, e.expires_at, e.used_at, CASE WHEN {usable} THEN 0 ELSE 1 END, "
             "u.totp_secret, u.locked_until FROM {enrolments} e JOIN {accounts} u ON u.{key} = e.{owner} "
             "WHERE e.ticket_hash = :h"),
      soci::use(ticket_hash), soci::into(key), soci::into(pending, pending_ind), soci::into(expires),
      soci::into(used, used_ind), soci::into(unusable), soci::into(secret, secret_ind),
      soci::into(locked_until, locked_ind);
  if (!sql.got_data() || used_ind == soci::i_ok || now >= expires || unusable || secret_ind == soci::i_ok ||
      (locked_ind == soci::i_ok && now < locked_until)) {
    return std::nullopt;
  }
  return TicketRow{key, pending_ind == soci::i_ok ? std::optional(pending) : std::nullopt};
}

Result<TotpEnrolment> Credentials::StartTotpEnrolment(const std::string& ticket) {
  const std::string secret = NewTotpSecret();
  const std::string ticket_hash = Sha256Hex(ticket);
  std::string key;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const Timestamp now = clock_.Now();
    const std::optional<TicketRow> row = LiveTicket(sql, ticket_hash, now.micros);
    if (!row) return NoTicket();
    key = row->key;
    const std::string sealed = SealTotp(key, secret);
    sql << Sql("UPDATE {enrolments} SET pending_secret = :s WHERE ticket_hash = :h"), soci::use(sealed),
        soci::use(ticket_hash);
    return cases::CaseTx(sql).Audit(now, key, std::nullopt, "start_totp_enrolment",
                                    nlohmann::json{{"user", key}}.dump());
  });
  if (!s.ok()) return s;
  return TotpEnrolment{key, secret};
}

Result<LoginResult> Credentials::ConfirmTotpEnrolment(const std::string& ticket, const std::string& code) {
  const std::string ticket_hash = Sha256Hex(ticket);
  const Timestamp now = clock_.Now();
  std::optional<TicketRow> row;
  Status read = db_.Transaction([&](soci::session& sql) -> Status {
    row = LiveTicket(sql, ticket_hash, now.micros);
    if (!row) return NoTicket();
    if (!row->pending) return Status::FailedPrecondition("the enrolment is not started: ask for the secret first");
    return Status::Ok();
  });
  if (!read.ok()) return read;
  std::optional<int64_t> step;
  if (const std::optional<std::string> secret = OpenTotp(row->key, *row->pending)) {
    step = VerifyTotp(*secret, code, now, std::nullopt);
  }
  LoginResult result;
  Status write = db_.Transaction([&](soci::session& sql) -> Status {
    if (!step) return CountFailure(sql, row->key, now, result.outcome);
    // One conditional update each, as Login's: the ticket is spent once, with the secret its
    // code was checked against; the account is enrolled only if still without a factor,
    // usable and not locked meanwhile.
    const long long at = now.micros;
    soci::statement spend = (sql.prepare << Sql("UPDATE {enrolments} SET used_at = :t WHERE ticket_hash = :h "
                                                "AND used_at IS NULL AND expires_at > :t2 AND pending_secret = :s"),
                             soci::use(at), soci::use(ticket_hash), soci::use(at), soci::use(*row->pending));
    spend.execute(true);
    if (spend.get_affected_rows() != 1) return NoTicket();
    long long step_value = *step;
    soci::statement enrol =
        (sql.prepare << Sql("UPDATE {accounts} SET totp_secret = :s, totp_last_step = :p, failed_logins = 0, "
                            "updated_at = :u WHERE {key} = :n AND totp_secret IS NULL AND (locked_until IS NULL "
                            "OR locked_until <= :t) AND {key} IN (SELECT u.{key} FROM {accounts} u WHERE {usable})"),
         soci::use(*row->pending), soci::use(step_value), soci::use(at), soci::use(row->key), soci::use(at));
    enrol.execute(true);
    if (enrol.get_affected_rows() != 1) return NoTicket();
    if (Status s = cases::CaseTx(sql).Audit(now, row->key, std::nullopt, "enroll_totp",
                                            nlohmann::json{{"user", row->key}}.dump());
        !s.ok()) {
      return s;
    }
    return OpenSession(sql, row->key, now, result);
  });
  if (!write.ok()) return write;
  return result;
}

}  // namespace custodian::server
