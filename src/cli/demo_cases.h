// The demo's cases: the shipped example requests (examples/requests/, compiled in), dated
// to the last days and aimed at the demo's accounts, entered by the demo's staff (or sent by
// its requester on the portal, and one of those withdrawn) and taken
// through the workflow as far as each one's place in the demo says — every resting state a
// case can reach, each decided by the standards in force: a reviewer follows the decision
// (approves what they produce or narrow, pushes back with their findings as the letter,
// rejects what they reject), so what the console shows is the standards' own answer.
// Called on one thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "instance/instance.h"

namespace custodian::demo {

// The staff the demo makes, one per role, each named after its role.
inline constexpr const char* kStaffRoles[] = {"intake", "reviewer", "approver", "auditor", "admin"};

struct DemoCase {
  std::string id;
  std::string example;  // the example request it was made from
  std::string action;   // the standards' latest decision
  std::string state;
};

struct DemoCases {
  std::vector<DemoCase> cases;
  std::string produced_case;  // its package waits for the requester's download
  std::string immigration_case;  // the administrative subpoena in a civil immigration matter
};

struct DemoCaseTargets {
  uint64_t first_account = 0;
  uint64_t accounts = 0;
  std::string recycled_phone;  // a number two accounts held in turn
};

// The agency's requester on the portal, who sends the cases of its agency marked so.
struct DemoRequester {
  std::string account_id;
  std::string agency_id;
  std::string email;
};

// Enters and moves the cases; `step` is called after each case with how many are done.
Result<DemoCases> MakeDemoCases(Instance& instance, const std::string& data_dir, const DemoCaseTargets& targets,
                                const DemoRequester& requester,
                                const std::function<void(size_t done, size_t total)>& step);

}  // namespace custodian::demo
