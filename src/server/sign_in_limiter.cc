#include "server/sign_in_limiter.h"

#include <soci/soci.h>

#include "cases/store/sealed_columns.h"
#include "server/answers.h"

namespace custodian::server {
namespace {

constexpr std::string_view kSignInAddressTag = "sign-in address";

}  // namespace

Result<bool> SignInLimiter::Admit(const std::string& address, Timestamp now) {
  bool admitted = false;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    const std::string tag = cases::Tagged(sql, kSignInAddressTag, scope_ + " " + address);
    const long long at = now.micros;
    const long long cutoff = now.micros - 60 * kMicrosPerSecond;
    sql << "INSERT INTO sign_in_addresses (tag, touched_at) VALUES (:t, :n) "
           "ON CONFLICT (tag) DO NOTHING",
        soci::use(tag), soci::use(at);
    // Locks the address's row until the transaction ends: another server counting the same
    // address waits here, and then sees this attempt.
    sql << "UPDATE sign_in_addresses SET touched_at = :n WHERE tag = :t", soci::use(at),
        soci::use(tag);
    sql << "DELETE FROM sign_in_attempts WHERE at <= :c", soci::use(cutoff);
    sql << "DELETE FROM sign_in_addresses WHERE touched_at <= :c", soci::use(cutoff);
    long long attempts = 0;
    sql << "SELECT COUNT(*) FROM sign_in_attempts WHERE tag = :t", soci::use(tag),
        soci::into(attempts);
    if (attempts >= per_minute_) return Status::Ok();
    sql << "INSERT INTO sign_in_attempts (tag, at) VALUES (:t, :n)", soci::use(tag), soci::use(at);
    admitted = true;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return admitted;
}

bool SignInLimiter::Admit(const httplib::Request& req, httplib::Response& res, Timestamp now) {
  auto admitted = Admit(req.remote_addr, now);
  if (!admitted.ok()) {
    Fail(res, admitted.status());
    return false;
  }
  if (*admitted) return true;
  SendProblem(res, {429, "too-many-attempts", "Too many sign-in attempts", "Wait a minute before trying again.", ""});
  return false;
}

}  // namespace custodian::server
