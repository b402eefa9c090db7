#include "cases/requester_mail_store.h"

#include <soci/soci.h>

#include <algorithm>

#include "cases/outbox_claim.h"
#include "cases/store/sealed_columns.h"
#include "cases/store/sql_rows.h"

namespace custodian::cases {
namespace {

constexpr char kColumns[] =
    "id, case_id, address, event, state, attempts, next_attempt_at, last_error, sent_at, created_at";
constexpr char kColumn[] = "requester_mails.address";

}  // namespace

Status RequesterMailTx::Queue(const std::string& case_id, const std::string& address,
                              std::string_view event, Timestamp now) {
  const std::string what(event);
  const long long at = now.micros;
  const std::string ready(kPackageReady);
  if (what != ready) {
    std::string waiting;
    soci::indicator ind = soci::i_null;
    sql_ << "SELECT id FROM requester_mails WHERE case_id = :c AND state = 'pending' AND attempts = 0 "
            "AND next_attempt_at <= :t AND event <> :ready",
        soci::use(case_id), soci::use(at), soci::use(ready), soci::into(waiting, ind);
    if (sql_.got_data() && ind == soci::i_ok) {
      // The same conditions again: an outbox's claim committed since the SELECT read the row
      // leaves it alone, and the change goes in a message of its own.
      const std::string sealed = Sealed(sql_, kColumn, waiting, address);
      soci::statement merge =
          (sql_.prepare << "UPDATE requester_mails SET event = :e, address = :a WHERE id = :id AND "
                           "state = 'pending' AND attempts = 0 AND next_attempt_at <= :t",
           soci::use(what), soci::use(sealed), soci::use(waiting), soci::use(at));
      merge.execute(true);
      if (merge.get_affected_rows() == 1) return Status::Ok();
    }
  }
  const std::string id = "M-" + std::to_string(NextCounter(sql_, "requester_mail"));
  const std::string sealed = Sealed(sql_, kColumn, id, address);
  sql_ << "INSERT INTO requester_mails (id, case_id, address, event, state, attempts, next_attempt_at, "
          "created_at) VALUES (:id, :c, :a, :e, 'pending', 0, :t, :t2)",
      soci::use(id), soci::use(case_id), soci::use(sealed), soci::use(what), soci::use(at), soci::use(at);
  return Status::Ok();
}

// The rows of a SELECT of kColumns, addresses opened.
static std::vector<RequesterMailRecord> Rows(soci::session& sql, soci::rowset<soci::row>& rows) {
  std::vector<RequesterMailRecord> out;
  for (const soci::row& r : rows) {
    RequesterMailRecord m;
    m.id = Text(r, 0);
    m.case_id = Text(r, 1);
    m.address = Opened(sql, kColumn, m.id, Text(r, 2));
    m.event = Text(r, 3);
    m.state = EnumOf<RequesterMailState>(Text(r, 4), kRequesterMailStateNames);
    m.attempts = static_cast<int>(Int(r, 5));
    m.next_attempt_at = Timestamp{Int(r, 6)};
    m.last_error = OptText(r, 7);
    m.sent_at = OptTime(r, 8);
    m.created_at = Timestamp{Int(r, 9)};
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<RequesterMailRecord> RequesterMailTx::Due(Timestamp now, int limit) {
  const long long at = now.micros;
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kColumns << " FROM requester_mails WHERE state = 'pending' AND "
                       "next_attempt_at <= :t ORDER BY next_attempt_at, created_at, id LIMIT "
                    << std::max(limit, 0),
       soci::use(at));
  return Rows(sql_, rows);
}

std::optional<RequesterMailRecord> RequesterMailTx::Claim(const std::string& id, Timestamp now) {
  if (!ClaimDue(sql_, "requester_mails", {{"id", id}}, now)) return std::nullopt;
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kColumns << " FROM requester_mails WHERE id = :id", soci::use(id));
  std::vector<RequesterMailRecord> claimed = Rows(sql_, rows);
  if (claimed.empty()) return std::nullopt;
  claimed[0].next_attempt_at = now;
  return claimed[0];
}

std::vector<RequesterMailRecord> RequesterMailTx::OfCase(const std::string& case_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kColumns << " FROM requester_mails WHERE case_id = :c "
                       "ORDER BY created_at, id",
       soci::use(case_id));
  return Rows(sql_, rows);
}

Status RequesterMailTx::Update(const RequesterMailRecord& m) {
  const std::string state(kRequesterMailStateNames[static_cast<size_t>(m.state)]);
  Nullable<std::string> error(m.last_error);
  Nullable<long long> sent(Micros(m.sent_at));
  const long long next = m.next_attempt_at.micros;
  sql_ << "UPDATE requester_mails SET state = :s, attempts = :n, next_attempt_at = :t, "
          "last_error = :e, sent_at = :sent WHERE id = :id",
      soci::use(state), soci::use(m.attempts), soci::use(next), soci::use(error.value, error.ind),
      soci::use(sent.value, sent.ind), soci::use(m.id);
  return Status::Ok();
}

}  // namespace custodian::cases
