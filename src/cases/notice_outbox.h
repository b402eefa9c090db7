// The notice outbox (DESIGN.md, Notice): delivers the notices whose time has come, each a
// JSON body signed and POSTed to the service, which tells its user. A failed delivery is
// retried with a doubling backoff (one minute up to six hours); the notice keeps its id, by
// which the service deduplicates. Before a notice that waited for a nondisclosure order goes,
// the order in force is read again: an extended order moves the notice with it.
// Thread-safe. The outboxes of several servers on one store send each notice once, each
// claiming it first (outbox_claim.h); a server that dies mid-delivery leaves it to be sent
// again after the claim's lease, under the same id.
#pragma once

#include "cases/case_record.h"
#include "cases/instance_standards.h"
#include "cases/store/database.h"
#include "core/clock.h"
#include "vault/crypto.h"

namespace custodian::cases {

// Where notices go: the service's webhook (server/webhook_transport.h).
class NoticeTransport {
 public:
  virtual ~NoticeTransport() = default;
  // Ok once the service acknowledged the notice.
  virtual Status Deliver(const NoticeRecord& notice) = 0;
};

struct DeliveryReport {
  int sent = 0;
  int failed = 0;   // to be retried
  int deferred = 0; // an order in force moved or held them
};

class NoticeOutbox {
 public:
  // `pseudonym_key`: the workflow's (WorkflowOptions), for the disclosure log's notice leaves.
  // The wait after a notice is the one in the standards its case was decided under.
  NoticeOutbox(Database& db, InstanceStandards& standards, Clock& clock, NoticeTransport& transport,
               vault::SecretKey pseudonym_key);

  // Delivers up to `limit` due notices.
  Result<DeliveryReport> DeliverDue(int limit = 100);

 private:
  Database& db_;
  InstanceStandards& standards_;
  Clock& clock_;
  NoticeTransport& transport_;
  const vault::SecretKey pseudonym_key_;
};

}  // namespace custodian::cases
