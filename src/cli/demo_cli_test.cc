// End-to-end tests of `custodian demo` through the built binary, at a reduced scale: what it
// builds (counted by the instance's own reads), its cases, the demo mark and what it turns off.
#include <signal.h>

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "cli/cli_test_harness.h"
#include "cli/demo_service.h"

namespace custodian {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr double kScale = 0.01;

class DemoCliTest : public CliTest {
 protected:
  json Ok(const std::string& args, const std::string& data) {
    Outcome o = Run(args + " --data " + data + " --key-file " + key_);
    EXPECT_EQ(o.exit_code, 0) << args << "\n" << o.err << o.out;
    return o.exit_code == 0 ? json::parse(o.out) : json();
  }
  // Every file under `dir` with its bytes.
  static std::map<std::string, std::string> Tree(const std::string& dir) {
    std::map<std::string, std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      files[e.path().string()] = e.is_regular_file() ? ReadFile(e.path()) : "(directory)";
    }
    return files;
  }

  // Serves `data` on a free loopback port until the returned guard goes; the port.
  struct Server {
    pid_t pid = -1;
    int port = 0;
    ~Server() {
      if (pid > 0) {
        ::kill(pid, SIGTERM);
        ::waitpid(pid, nullptr, 0);
      }
    }
  };
  void Serve(const std::string& data, const std::string& key, Server& server) {
    const std::string err = root_ + "/serve-" + std::to_string(++served_) + ".err";
    server.pid = ::fork();
    ASSERT_GE(server.pid, 0);
    if (server.pid == 0) {
      const std::string command = std::string(CUSTODIAN_BINARY) + " serve --listen 127.0.0.1:0 --data " + data +
                                  " --key-file " + key + " 2> " + err;
      ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
      ::_exit(127);
    }
    std::string line;
    for (int i = 0; i < 3000 && line.find("/api/v1") == std::string::npos; ++i) {
      ::usleep(20000);
      line = ReadFile(err);
    }
    ASSERT_THAT(line, HasSubstr("serving http://127.0.0.1:"));
    server.port = std::stoi(line.substr(line.find("127.0.0.1:") + 10));
  }
  // A password-only sign-in: its status and body.
  static std::pair<int, std::string> SignIn(int port, const std::string& user, const std::string& password) {
    httplib::Client client("127.0.0.1", port);
    auto r = client.Post("/api/v1/auth/login", json{{"username", user}, {"password", password}}.dump(),
                         "application/json");
    return r ? std::pair{r->status, r->body} : std::pair{-1, std::string()};
  }
  int served_ = 0;
};

TEST_F(DemoCliTest, BuildsTheServiceItsCasesAndTheMarkThroughTheProductsOwnPaths) {
  const Outcome demo = Run("demo --no-serve --scale 0.01" + Data());
  ASSERT_EQ(demo.exit_code, 0) << demo.err << demo.out;
  EXPECT_THAT(demo.out, HasSubstr("demo password, not for use"));
  EXPECT_THAT(demo.err, HasSubstr("logins over"));

  // The vault counts what the generator made: every account, every login.
  const demo::ServiceSize size = demo::SizeAt(kScale);
  const json stats = Ok("vault stats", data_);
  EXPECT_EQ(stats["accounts"], size.accounts);
  EXPECT_EQ(stats["events"], size.events);
  EXPECT_GT(stats["subscriber_versions"].get<uint64_t>(), size.accounts);  // numbers changed hands
  // Over the retention period: from its first days to today.
  const int64_t retention = stats["access_log_retention_days"];
  EXPECT_GE(stats["oldest_day"].get<std::string>(), At(-retention * kDay, "%Y-%m-%d"));
  EXPECT_LE(stats["oldest_day"].get<std::string>(), At(-(retention - 3) * kDay, "%Y-%m-%d"));
  EXPECT_GE(stats["newest_day"].get<std::string>(), At(-kDay, "%Y-%m-%d"));

  // The cases: at least 15, in every state a case rests in, of every process type and every
  // decision the examples get.
  const json cases = Ok("case list --actor auditor", data_);
  ASSERT_TRUE(cases.is_array());
  EXPECT_GE(cases.size(), 15u);
  std::set<std::string> states, types, actions;
  for (const json& c : cases) {
    states.insert(c["state"]);
    types.insert(c["process_type"]);
    actions.insert(c["decision"]["action"]);
  }
  for (const char* state : {"verifying", "in_review", "pushed_back", "rejected", "reviewed", "approved",
                            "awaiting_notice", "produced", "closed", "holding", "released", "expired", "withdrawn"}) {
    EXPECT_TRUE(states.contains(state)) << state;
  }
  // The agency's requester sent its agency's requests on the portal, attesting each: the
  // immigration subpoena, a court order produced and one withdrawn.
  std::set<std::string> sent;
  for (const json& c : cases) {
    const json shown = Ok("case show " + c["id"].get<std::string>() + " --actor auditor", data_);
    if (shown["submitted_by"].is_null()) continue;
    sent.insert(shown["state"].get<std::string>());
    EXPECT_EQ(shown["attestation"]["by"], "l.whitmore@hsi.dhs.gov");
  }
  EXPECT_EQ(sent, (std::set<std::string>{"pushed_back", "produced", "withdrawn"}));
  std::set<std::string> example_types, example_actions;
  for (const auto& e : fs::directory_iterator(ProjectPath("examples/requests"))) {
    if (e.path().extension() != ".json") continue;
    example_types.insert(json::parse(ReadFile(e.path()))["process"]["type"].get<std::string>());
    const Outcome check = Run("policy check " + e.path().string() + " --agencies " +
                              ProjectPath("examples/agencies.json"));
    example_actions.insert(json::parse(check.out)["action"].get<std::string>());
  }
  EXPECT_EQ(types, example_types);
  EXPECT_EQ(actions, example_actions);

  // The news story: an administrative subpoena in a civil immigration matter for logins with
  // their locations. The standards' own decision stands, and the reviewer's letter says it.
  const Outcome story_check = Run("policy check " + ProjectPath("examples/requests/hsi-admin-subpoena-immigration.json") +
                                  " --agencies " + ProjectPath("examples/agencies.json"));
  const json expected = json::parse(story_check.out);
  int stories = 0;
  for (const json& c : cases) {
    if (c["process_type"] != "administrative_subpoena") continue;
    ++stories;
    const json shown = Ok("case show " + c["id"].get<std::string>() + " --actor auditor", data_);
    EXPECT_EQ(shown["decision"]["action"], expected["action"]);
    EXPECT_EQ(shown["decision"]["findings"], expected["findings"]);
    EXPECT_EQ(shown["decision"]["authorized"], expected["authorized"]);
    EXPECT_EQ(shown["state"], "pushed_back");
    EXPECT_THAT(shown["review"]["letter"]["text"].get<std::string>(),
                HasSubstr(expected["findings"][0]["message"].get<std::string>()));
  }
  EXPECT_EQ(stories, 1);

  // The produced case's package waits for the requester: a download grant is open.
  std::string produced;
  for (const json& c : cases) {
    if (c["state"] == "produced") produced = c["id"];
  }
  ASSERT_FALSE(produced.empty());
  const json deliveries = Ok("delivery list " + produced + " --actor auditor", data_);
  ASSERT_EQ(deliveries.size(), 1u);
  ASSERT_EQ(deliveries[0]["downloads"].size(), 1u);
  EXPECT_EQ(deliveries[0]["downloads"][0]["agency_id"], "us-dhs-hsi");
  EXPECT_EQ(deliveries[0]["downloads"][0]["state"], "open");

  // The demo mark: staff sign in by password alone on this instance, and the session says so.
  {
    Server server;
    Serve(data_, key_, server);
    const auto [status, body] = SignIn(server.port, "reviewer", "demo password, not for use");
    EXPECT_EQ(status, 200) << body;
    EXPECT_EQ(json::parse(body).value("demo", false), true);
  }
  // Another instance, made by init with a staff user, still requires the second factor (even
  // with the demo's mark copied into its instance.json: the mark is the demo instance's own).
  const std::string other = root_ + "/other";
  ASSERT_EQ(Run("init --data " + other + " --key-file " + root_ + "/keys/other.key").exit_code, 0);
  EXPECT_FALSE(json::parse(ReadFile(other + "/instance.json")).contains("demo"));
  ASSERT_EQ(Run("user add reviewer --role reviewer --actor operator --data " + other + " --key-file " + root_ +
                    "/keys/other.key",
                "demo password, not for use\n")
                .exit_code,
            0);
  {
    Server server;
    Serve(other, root_ + "/keys/other.key", server);
    const auto [status, body] = SignIn(server.port, "reviewer", "demo password, not for use");
    EXPECT_EQ(status, 403) << body;
    EXPECT_THAT(body, HasSubstr("second-factor-required"));
  }
  json forged = json::parse(ReadFile(other + "/instance.json"));
  forged["demo"] = json::parse(ReadFile(data_ + "/instance.json"))["demo"];
  std::ofstream(other + "/instance.json") << forged.dump(2);
  const Outcome refused = Run("user list --data " + other + " --key-file " + root_ + "/keys/other.key");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("demo mark does not verify"));
  // No command but demo takes a flag that marks an instance.
  EXPECT_THAT(Run("init --demo --data " + root_ + "/third --key-file " + root_ + "/keys/third.key").exit_code, 2);
  EXPECT_FALSE(fs::exists(root_ + "/third/instance.json"));
}

TEST_F(DemoCliTest, RefusesADirectoryThatIsNotEmptyAndChangesNothing) {
  fs::create_directories(data_);
  std::ofstream(data_ + "/notes.txt") << "someone's notes\n";
  const auto before = Tree(data_);
  const Outcome refused = Run("demo --no-serve --scale 0.001" + Data());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("not empty"));
  EXPECT_EQ(Tree(data_), before);
  EXPECT_FALSE(fs::exists(key_));

  // Nor an instance already there, demo or not.
  fs::remove_all(data_);
  ASSERT_EQ(Run("init" + Data()).exit_code, 0);
  const auto instance = Tree(data_);
  EXPECT_EQ(Run("demo --no-serve --scale 0.001" + Data()).exit_code, 2);
  EXPECT_EQ(Tree(data_), instance);
}

}  // namespace
}  // namespace custodian
