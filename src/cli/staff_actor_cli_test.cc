// Case steps from the CLI take --actor as a staff user holding a role the step allows, as the
// API does: an unknown, disabled or wrong-role actor is refused (exit 2, naming the user and
// the roles), and nothing changes. Through the built binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class StaffActorCliTest : public InstanceCliTest {
 protected:
  // A refusal: exit 2 and exactly `message` on standard error, nothing on standard output.
  void Refused(const std::string& args, const std::string& message) {
    const Outcome o = Run(args + Data());
    EXPECT_EQ(o.exit_code, 2) << args;
    EXPECT_EQ(o.err, message + "\n") << args;
    EXPECT_EQ(o.out, "") << args;
  }
  // The audit log's length, read with sqlite3 as someone with the files would.
  size_t AuditSize() {
    const std::string out = root_ + "/audit-count";
    const std::string command = "sqlite3 " + data_ + "/cases.db 'SELECT COUNT(*) FROM audit' > " + out;
    EXPECT_EQ(std::system(command.c_str()), 0);
    return std::stoul(ReadFile(out));
  }
};

TEST_F(StaffActorCliTest, AnUnknownActorIsRefusedAndNothingIsStored) {
  Refused("case submit --actor intake-2 " + ProjectPath("examples/requests/lcpd-subpoena.json"),
          "--actor intake-2: no such staff user; this step needs a staff user with intake "
          "(custodian user add)");
  EXPECT_TRUE(Ok("case list --actor auditor-1").empty());
  Refused("case list --actor operator",
          "--actor operator: no such staff user; this step needs a staff user with any staff role "
          "(custodian user add)");
}

TEST_F(StaffActorCliTest, EachStepTakesOnlyTheRolesItsEndpointAllows) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  const size_t audited = AuditSize();
  Refused("case review " + id + " --actor intake-1 --decision approve",
          "--actor intake-1: the user holds intake; this step needs a staff user with reviewer");
  Refused("case decide-again " + id + " --actor approver-1",
          "--actor approver-1: the user holds approver; this step needs a staff user with reviewer");
  Refused("case verify-requester " + id + " --phone +1-575-555-0100 --actor auditor-1",
          "--actor auditor-1: the user holds auditor; this step needs a staff user with intake or reviewer");
  Refused("case nondisclosure " + id + " --no-end --actor intake-1",
          "--actor intake-1: the user holds intake; this step needs a staff user with reviewer");
  Refused("case close " + id + " --actor auditor-1",
          "--actor auditor-1: the user holds auditor; this step needs a staff user with reviewer or approver");
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "in_review") << "nothing changed";
  EXPECT_EQ(AuditSize(), audited + 1) << "only the show above was recorded";

  EXPECT_EQ(Ok("case review " + id + " --actor reviewer-1 --decision approve")["state"], "reviewed");
  Refused("case approve " + id + " --actor reviewer-2",
          "--actor reviewer-2: the user holds reviewer; this step needs a staff user with approver");
  const json approved = Ok("case approve " + id + " --actor approver-1");
  EXPECT_EQ(approved["state"], "awaiting_notice");
  EXPECT_EQ(approved["approver"], "approver-1");
  Refused("produce " + id + " --out " + root_ + "/p.zip --actor auditor-1",
          "--actor auditor-1: the user holds auditor; this step needs a staff user with reviewer or approver");
  EXPECT_FALSE(fs::exists(root_ + "/p.zip"));
  Refused("delivery list " + id + " --actor nobody",
          "--actor nobody: no such staff user; this step needs a staff user with any staff role "
          "(custodian user add)");
}

TEST_F(StaffActorCliTest, ADisabledUserTakesNoStep) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  Ok("user disable reviewer-2 --actor operator");
  Refused("case review " + id + " --actor reviewer-2 --decision approve",
          "--actor reviewer-2: the user is disabled; this step needs a staff user with reviewer");
  EXPECT_EQ(Ok("case show " + id + " --actor auditor-1")["state"], "in_review");
}

TEST_F(StaffActorCliTest, TheTwoPersonRuleComparesUsers) {
  ASSERT_EQ(Run("user add ana --role reviewer --role approver --actor operator" + Data(),
                "a staff password, long enough\n").exit_code, 0);
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  Ok("case review " + id + " --actor ana --decision approve");
  // The same person under another spelling is no user at all; under her own name she is the
  // reviewer.
  Refused("case approve " + id + " --actor Ana",
          "--actor Ana: no such staff user; this step needs a staff user with approver "
          "(custodian user add)");
  const Outcome same = Run("case approve " + id + " --actor ana" + Data());
  EXPECT_EQ(same.exit_code, 2);
  EXPECT_THAT(same.err, HasSubstr("two-person rule"));
  EXPECT_EQ(Ok("case approve " + id + " --actor approver-1")["approver"], "approver-1");
}

TEST_F(StaffActorCliTest, AnInstanceThatForbidsCliDecisionsStillDoes) {
  const std::string id = Ok("case submit --actor intake-1 " + ProjectPath("examples/requests/lcpd-subpoena.json"))["id"];
  std::ofstream(data_ + "/custodian.toml") << "[cases]\ncli_decisions = false\n";
  const Outcome refused = Run("case review " + id + " --actor reviewer-1 --decision approve" + Data());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("cases.cli_decisions = false"));
}

}  // namespace
}  // namespace custodian
