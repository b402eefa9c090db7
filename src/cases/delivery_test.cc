// Delivery through the workflow, on both stores: a stored package gets its agency a grant;
// a grant is spent once, by its own agency only, within its time, and not after staff revoke
// it; a package that cannot be served does not cost the grant; every step is audited.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cases/workflow.h"
#include "instance/test_instance.h"

namespace custodian::cases {
namespace {

using ::testing::Contains;

const Actor kProducer{"producer-1"};
const StoredPackage kPackage{std::string(64, 'a'), 1234};
const Status kReady = Status::Ok();
Status Ready(const ProductionRecord&) { return kReady; }

class DeliveryTest : public WorkflowStoreTest {
 protected:
  Workflow& workflow() { return *instance_->workflow; }

  // An approved case produced (the package's files are the producer's business; here only
  // what the workflow records), returning (case, production).
  std::pair<std::string, std::string> Produced(const std::string& document) {
    auto v = workflow().Submit({document, Entry::kStaff, {"intake-1"}});
    EXPECT_TRUE(v.ok()) << v.status().message();
    Review review;
    review.confirm_investigation = true;
    EXPECT_TRUE(workflow().ReviewCase(v->record.id, {"reviewer-1"}, review).ok());
    EXPECT_TRUE(workflow().Approve(v->record.id, {"approver-1"}).ok());
    auto start = workflow().StartProduction(v->record.id, kProducer);
    EXPECT_TRUE(start.ok()) << start.status().message();
    EXPECT_TRUE(workflow().FinishProduction(*start, kProducer, {1, std::string(64, 'b')}).ok());
    return {v->record.id, start->production_id};
  }
  std::vector<std::string> Actions(const std::string& id) {
    std::vector<std::string> out;
    EXPECT_TRUE(instance_->db->Transaction([&](soci::session& sql) {
      for (const AuditEntry& e : CaseTx(sql).AuditOf(id)) out.push_back(e.actor + " " + e.action);
      return Status::Ok();
    }).ok());
    return out;
  }

};

TEST_P(DeliveryTest, AStoredPackageGivesItsAgencyOneGrantThatIsSpentOnce) {
  const auto [id, production] = Produced(Example("hsi-child-safety-court-order"));
  EXPECT_EQ(workflow().IssueDownload(id, production, {"reviewer-1"}).status().code(),
            Status::Code::kFailedPrecondition)
      << "no grant before the package is stored";
  auto first = workflow().RecordPackage(production, kPackage, kProducer);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_TRUE(*first);
  const DownloadGrant grant = **first;
  EXPECT_EQ(grant.agency_id, "us-dhs-hsi");
  EXPECT_THAT(grant.id, ::testing::MatchesRegex("D-[0-9a-f]{32}"));
  EXPECT_EQ(workflow().RecordPackage(production, kPackage, kProducer).status().code(),
            Status::Code::kFailedPrecondition)
      << "a package is recorded once";

  // Another agency's requester: as if there were no such grant. The grant stays open.
  EXPECT_EQ(workflow().BeginDownload(grant.id, {"requester:fbi"}, RequesterScope{"us-fbi"}, Ready).status().code(),
            Status::Code::kNotFound);
  // A package the instance cannot serve: the failure, and the grant is not spent.
  EXPECT_EQ(workflow()
                .BeginDownload(grant.id, {"requester:hsi"}, RequesterScope{"us-dhs-hsi"},
                               [](const ProductionRecord&) { return Status::Corruption("unreadable"); })
                .status()
                .code(),
            Status::Code::kCorruption);
  auto used = workflow().BeginDownload(grant.id, {"requester:hsi"}, RequesterScope{"us-dhs-hsi"}, Ready);
  ASSERT_TRUE(used.ok()) << used.status().message();
  EXPECT_EQ(used->production.package_sha256, kPackage.sha256);
  EXPECT_EQ(used->grant.state, GrantState::kUsed);
  auto again = workflow().BeginDownload(grant.id, {"requester:hsi"}, RequesterScope{"us-dhs-hsi"}, Ready);
  EXPECT_EQ(again.status().code(), Status::Code::kFailedPrecondition);
  EXPECT_THAT(again.status().message(), ::testing::HasSubstr("used"));

  auto list = workflow().Productions(id, {"auditor-1"});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].production.package_sha256, kPackage.sha256);
  ASSERT_EQ((*list)[0].grants.size(), 1u);
  EXPECT_EQ((*list)[0].grants[0].ended_by, "requester:hsi");
  EXPECT_EQ(workflow().Productions(id, {"requester:fbi"}, RequesterScope{"us-fbi"}).status().code(),
            Status::Code::kNotFound);

  const auto actions = Actions(id);
  EXPECT_THAT(actions, Contains("producer-1 store_package"));
  EXPECT_THAT(actions, Contains("producer-1 issue_download"));
  EXPECT_THAT(actions, Contains("requester:hsi download"));
  EXPECT_THAT(actions, Contains("auditor-1 list_productions"));
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "requester:hsi download"), 1);
}

TEST_P(DeliveryTest, AGrantExpiresAndStaffCanRevokeOrReplaceIt) {
  const auto [id, production] = Produced(Example("hsi-child-safety-court-order"));
  auto first = workflow().RecordPackage(production, kPackage, kProducer);
  ASSERT_TRUE(first.ok() && *first);
  // A new grant revokes the open one.
  auto second = workflow().IssueDownload(id, production, {"reviewer-1"});
  ASSERT_TRUE(second.ok()) << second.status().message();
  EXPECT_EQ(workflow().BeginDownload((*first)->id, {"requester:hsi"}, RequesterScope{"us-dhs-hsi"}, Ready).status().code(),
            Status::Code::kFailedPrecondition);
  // Revoked by staff: not usable, and not revoked twice.
  ASSERT_TRUE(workflow().RevokeDownload(second->id, {"approver-1"}).ok());
  EXPECT_EQ(workflow().RevokeDownload(second->id, {"approver-1"}).status().code(), Status::Code::kFailedPrecondition);
  EXPECT_EQ(workflow().BeginDownload(second->id, {"requester:hsi"}, RequesterScope{"us-dhs-hsi"}, Ready).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(workflow().RevokeDownload("D-00000000000000000000000000000000", {"approver-1"}).status().code(),
            Status::Code::kNotFound);
  // Expiry: usable until the last microsecond, not at its end.
  auto third = workflow().IssueDownload(id, production, {"reviewer-1"});
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->StateAt(third->expires_at), "expired");
  EXPECT_EQ(third->StateAt(Timestamp{third->expires_at.micros - 1}), "open");
  clock_.Set(third->expires_at);
  EXPECT_EQ(workflow().BeginDownload(third->id, {"requester:hsi"}, RequesterScope{"us-dhs-hsi"}, Ready).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(workflow().RevokeDownload(third->id, {"approver-1"}).status().code(), Status::Code::kFailedPrecondition);
  // The grant's length is the instance's.
  instance_->MakeWorkflow({.download_grant_days = 2});
  auto short_one = workflow().IssueDownload(id, production, {"reviewer-1"});
  ASSERT_TRUE(short_one.ok());
  EXPECT_EQ(short_one->expires_at.micros - short_one->issued_at.micros, 2 * kMicrosPerDay);

  const auto actions = Actions(id);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "reviewer-1 revoke_download"), 1) << "the replaced one";
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "approver-1 revoke_download"), 1);
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "reviewer-1 issue_download"), 3);
}

TEST_P(DeliveryTest, ACaseWithoutAnAgencyHasItsPackageStoredButNoGrant) {
  const auto [id, production] = Produced(With(Example("hsi-child-safety-court-order"), "/requester/agency_id", nullptr));
  auto first = workflow().RecordPackage(production, kPackage, kProducer);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_FALSE(*first);
  EXPECT_EQ(workflow().IssueDownload(id, production, {"reviewer-1"}).status().code(),
            Status::Code::kFailedPrecondition);
  EXPECT_EQ(workflow().IssueDownload(id, "P-2026-999999", {"reviewer-1"}).status().code(), Status::Code::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Stores, DeliveryTest, ::testing::ValuesIn(TestBackends()), BackendName);

}  // namespace
}  // namespace custodian::cases
