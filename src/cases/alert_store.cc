#include "cases/alert_store.h"

#include <soci/soci.h>

#include <cstdio>

#include "cases/outbox_claim.h"
#include "cases/store/sql_rows.h"
#include "policy/request.h"

namespace custodian::cases {
namespace {

CaseState StateOf(const std::string& name) { return ParseCaseState(name).value_or(CaseState::kReceived); }

// The states the deadline rules look at, as an SQL list of literals (the names are ours).
std::string OwingStatesSql() {
  std::string out;
  for (size_t i = 0; i < kCaseStateNames.size(); ++i) {
    if (!OwesResponse(static_cast<CaseState>(i))) continue;
    out += (out.empty() ? "'" : ", '") + std::string(kCaseStateNames[i]) + "'";
  }
  return "(" + out + ")";
}

constexpr char kAlertColumns[] = "a.id, a.kind, a.case_id, a.subject, a.due_at, a.raised_at";

AlertRecord AlertOf(const soci::row& r) {
  AlertRecord a;
  a.id = Text(r, 0);
  a.kind = ParseAlertKind(Text(r, 1)).value_or(AlertKind::kEmergency);
  a.case_id = Text(r, 2);
  a.subject = Text(r, 3);
  a.due_at = Timestamp{Int(r, 4)};
  a.raised_at = Timestamp{Int(r, 5)};
  return a;
}

constexpr char kDeliveryColumns[] =
    "alert_id, channel, state, attempts, next_attempt_at, last_error, sent_at";

AlertDelivery DeliveryOf(const soci::row& r) {
  AlertDelivery d;
  d.alert_id = Text(r, 0);
  d.channel = EnumOf<AlertChannel>(Text(r, 1), kAlertChannelNames);
  d.state = EnumOf<AlertDeliveryState>(Text(r, 2), kAlertDeliveryStateNames);
  d.attempts = static_cast<int>(Int(r, 3));
  d.next_attempt_at = Timestamp{Int(r, 4)};
  d.last_error = OptText(r, 5);
  d.sent_at = OptTime(r, 6);
  return d;
}

}  // namespace

std::vector<CaseDeadline> AlertTx::CaseDeadlines(Timestamp horizon) {
  const long long h = horizon.micros;
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT id, state, emergency, received_at, due_at FROM cases WHERE state IN "
                    << OwingStatesSql()
                    << " AND (emergency = 1 OR (due_at IS NOT NULL AND due_at < :h)) ORDER BY id",
       soci::use(h));
  std::vector<CaseDeadline> out;
  for (const soci::row& r : rows) {
    out.push_back({Text(r, 0), StateOf(Text(r, 1)), Int(r, 2) != 0, Timestamp{Int(r, 3)}, OptTime(r, 4)});
  }
  return out;
}

std::vector<HoldEnd> AlertTx::HoldEnds(Timestamp horizon) {
  const long long h = horizon.micros;
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT h.id, h.case_id, c.state, h.expires_at FROM holds h JOIN cases c "
                       "ON c.id = h.case_id WHERE h.state = 'active' AND h.expires_at < :h "
                       "ORDER BY h.id",
       soci::use(h));
  std::vector<HoldEnd> out;
  for (const soci::row& r : rows) {
    out.push_back({Text(r, 0), Text(r, 1), StateOf(Text(r, 2)), Timestamp{Int(r, 3)}});
  }
  return out;
}

std::vector<OrderEnd> AlertTx::OrderEnds(Timestamp horizon) {
  std::vector<OrderEnd> out;
  // The order in force where one was recorded: the case's latest, when it states an end.
  soci::rowset<soci::row> recorded =
      (sql_.prepare << "SELECT n.case_id, n.until_date, c.state FROM nondisclosure n JOIN cases c "
                       "ON c.id = n.case_id WHERE n.until_date IS NOT NULL AND n.seq = "
                       "(SELECT MAX(m.seq) FROM nondisclosure m WHERE m.case_id = n.case_id) "
                       "ORDER BY n.case_id");
  for (const soci::row& r : recorded) {
    auto until = ParseDate(Text(r, 1));
    if (!until.ok()) continue;
    const Timestamp ends{until->days * kMicrosPerDay};
    if (ends.micros < horizon.micros) out.push_back({Text(r, 0), StateOf(Text(r, 2)), ends});
  }
  // Else the request's own order, known by the notices it holds back (queued at approval,
  // each due when the order ends).
  const long long h = horizon.micros;
  soci::rowset<soci::row> stated =
      (sql_.prepare << "SELECT t.case_id, MIN(t.not_before), c.state FROM notices t JOIN cases c "
                       "ON c.id = t.case_id WHERE t.timing = 'after_nondisclosure' AND "
                       "t.state = 'pending' AND NOT EXISTS (SELECT 1 FROM nondisclosure m WHERE "
                       "m.case_id = t.case_id) GROUP BY t.case_id, c.state "
                       "HAVING MIN(t.not_before) < :h ORDER BY t.case_id",
       soci::use(h));
  for (const soci::row& r : stated) {
    out.push_back({Text(r, 0), StateOf(Text(r, 2)), Timestamp{Int(r, 1)}});
  }
  return out;
}

Result<bool> AlertTx::Raise(AlertRecord& a, const std::vector<AlertChannel>& channels) {
  const std::string kind = std::string(NameOf(a.kind, kAlertKindNames));
  const long long due = a.due_at.micros, raised = a.raised_at.micros;
  int exists = 0;
  sql_ << "SELECT COUNT(*) FROM alerts WHERE kind = :k AND subject = :s AND due_at = :d",
      soci::use(kind), soci::use(a.subject), soci::use(due), soci::into(exists);
  if (exists) return false;
  const long long seq = NextCounter(sql_, "alert");
  char id[40];
  std::snprintf(id, sizeof id, "A-%s-%06lld", FormatDate(a.raised_at.UtcDate()).substr(0, 4).c_str(), seq);
  a.id = id;
  // Another server may have raised it since the count: the unique index keeps one, and this
  // insert then does nothing.
  soci::statement insert =
      (sql_.prepare << "INSERT INTO alerts (id, seq, kind, case_id, subject, due_at, raised_at) "
                       "VALUES (:i, :q, :k, :c, :s, :d, :r) ON CONFLICT DO NOTHING",
       soci::use(a.id), soci::use(seq), soci::use(kind), soci::use(a.case_id), soci::use(a.subject),
       soci::use(due), soci::use(raised));
  insert.execute(true);
  if (insert.get_affected_rows() != 1) return false;
  for (const std::string& user : a.recipients) {
    sql_ << "INSERT INTO alert_recipients (alert_id, user_name) VALUES (:a, :u)", soci::use(a.id),
        soci::use(user);
  }
  for (AlertChannel channel : channels) {
    const std::string name = std::string(NameOf(channel, kAlertChannelNames));
    sql_ << "INSERT INTO alert_deliveries (alert_id, channel, state, attempts, next_attempt_at) "
            "VALUES (:a, :c, 'pending', 0, :t)",
        soci::use(a.id), soci::use(name), soci::use(raised);
  }
  return true;
}

Result<AlertRecord> AlertTx::GetAlert(const std::string& id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kAlertColumns << " FROM alerts a WHERE a.id = :i", soci::use(id));
  for (const soci::row& r : rows) {
    AlertRecord a = AlertOf(r);
    soci::rowset<soci::row> users =
        (sql_.prepare << "SELECT user_name FROM alert_recipients WHERE alert_id = :i ORDER BY user_name",
         soci::use(id));
    for (const soci::row& u : users) a.recipients.push_back(Text(u, 0));
    return a;
  }
  return Status::NotFound("no alert " + id);
}

std::vector<AlertDelivery> AlertTx::DueDeliveries(Timestamp now, int limit,
                                                  const std::vector<AlertChannel>& channels) {
  if (channels.empty()) return {};
  std::string names;  // an SQL list of literals: the names are ours
  for (AlertChannel c : channels) names += (names.empty() ? "'" : ", '") + std::string(NameOf(c, kAlertChannelNames)) + "'";
  const long long at = now.micros;
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kDeliveryColumns
                    << " FROM alert_deliveries WHERE state = 'pending' AND next_attempt_at <= :t "
                       "AND channel IN (" << names << ") ORDER BY next_attempt_at, alert_id, channel LIMIT "
                    << std::max(limit, 0),
       soci::use(at));
  std::vector<AlertDelivery> out;
  for (const soci::row& r : rows) out.push_back(DeliveryOf(r));
  return out;
}

std::vector<AlertDelivery> AlertTx::Deliveries(const std::string& alert_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kDeliveryColumns
                    << " FROM alert_deliveries WHERE alert_id = :a ORDER BY channel",
       soci::use(alert_id));
  std::vector<AlertDelivery> out;
  for (const soci::row& r : rows) out.push_back(DeliveryOf(r));
  return out;
}

std::optional<AlertDelivery> AlertTx::ClaimDelivery(const AlertDelivery& due, Timestamp now) {
  const std::string channel(NameOf(due.channel, kAlertChannelNames));
  if (!ClaimDue(sql_, "alert_deliveries", {{"alert_id", due.alert_id}, {"channel", channel}}, now)) {
    return std::nullopt;
  }
  for (AlertDelivery& d : Deliveries(due.alert_id)) {
    if (d.channel != due.channel) continue;
    d.next_attempt_at = now;
    return d;
  }
  return std::nullopt;
}

Status AlertTx::UpdateDelivery(const AlertDelivery& d) {
  const std::string channel = std::string(NameOf(d.channel, kAlertChannelNames));
  const std::string state = std::string(NameOf(d.state, kAlertDeliveryStateNames));
  const long long next = d.next_attempt_at.micros;
  Nullable<std::string> error(d.last_error);
  Nullable<long long> sent(Micros(d.sent_at));
  sql_ << "UPDATE alert_deliveries SET state = :s, attempts = :n, next_attempt_at = :t, "
          "last_error = :e, sent_at = :w WHERE alert_id = :a AND channel = :c",
      soci::use(state), soci::use(d.attempts), soci::use(next), soci::use(error.value, error.ind),
      soci::use(sent.value, sent.ind), soci::use(d.alert_id), soci::use(channel);
  return Status::Ok();
}

std::vector<std::string> AlertTx::Addresses(const std::string& alert_id) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT u.email FROM alert_recipients r JOIN users u ON u.name = r.user_name "
                       "WHERE r.alert_id = :a AND u.disabled = 0 AND u.email IS NOT NULL "
                       "ORDER BY u.email",
       soci::use(alert_id));
  std::vector<std::string> out;
  for (const soci::row& r : rows) out.push_back(Text(r, 0));
  return out;
}

std::vector<AlertRecord> AlertTx::AlertsFor(const std::string& user, int limit) {
  soci::rowset<soci::row> rows =
      (sql_.prepare << "SELECT " << kAlertColumns
                    << " FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id "
                       "WHERE r.user_name = :u ORDER BY a.seq DESC LIMIT "
                    << std::max(limit, 0),
       soci::use(user));
  std::vector<AlertRecord> out;
  for (const soci::row& r : rows) out.push_back(AlertOf(r));
  return out;
}

}  // namespace custodian::cases
