// How the outboxes (notices, requester mail, alerts) keep a row from going out twice when
// several servers of one case store run their duties at once. Each delivery is claimed first,
// in a transaction of its own: a conditional UPDATE moves the row's next_attempt_at to the end
// of a lease, and only the transaction whose UPDATE changed the row delivers it. A second
// server's claim of the same row finds it no longer due and skips it (PostgreSQL re-checks the
// condition on the row the first claim committed; SQLite runs one writer at a time). The
// delivery's record then replaces the lease: sent, or due again after the backoff. A server
// that dies holding a claim leaves the row due again when the lease ends, so a delivery is
// never lost; it may then go twice, under the same id, which the receiver deduplicates by.
// A row pending but not due before it was ever attempted is one claimed: requester mail merges
// a new message only into a row that is not (requester_mail_store.h).
// Free functions: safe from any thread, each on its own session.
#pragma once

#include <soci/soci.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/time.h"

namespace custodian::cases {

// Longer than any one delivery may take (the webhook's and the mail server's timeouts are
// seconds), short enough that a server's crash delays a notice by minutes, not hours.
inline constexpr int64_t kClaimMicros = 15 * kMicrosPerMinute;

// Claims the row of `table` whose `key` columns hold the given values, if it is still pending
// and due at `now`: true when this transaction claimed it. `table` and the column names are
// the caller's literals, never outside input.
bool ClaimDue(soci::session& sql, std::string_view table,
              const std::vector<std::pair<std::string_view, std::string>>& key, Timestamp now);

}  // namespace custodian::cases
