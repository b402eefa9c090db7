// End-to-end tests of the `custodian` binary: what it prints, where, and its exit status.
#include <sys/wait.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/sha256.h"

namespace custodian {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("custodian_cli_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& content) {
    const fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

  // Runs the binary with `args` (already shell-quoted where needed).
  CommandResult Custodian(const std::string& args, const std::string& stdin_path = "/dev/null") {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string command = std::string(CUSTODIAN_BINARY) + " " + args + " < " + stdin_path +
                                " > " + out.string() + " 2> " + err.string();
    const int status = std::system(command.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  static std::string Example(const std::string& name) {
    return std::string(CUSTODIAN_SOURCE_DIR) + "/examples/requests/" + name;
  }
  static std::string Agencies() { return std::string(CUSTODIAN_SOURCE_DIR) + "/examples/agencies.json"; }

  fs::path dir_;
};

TEST_F(CliTest, PolicyCheckPrintsTheDecisionDocument) {
  const CommandResult r = Custodian("policy check " + Example("lcpd-subpoena.json") + " --agencies " + Agencies());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json d = json::parse(r.out);
  EXPECT_EQ(d["action"], "produce");
  EXPECT_EQ(d["standards"]["name"], "us-default");
  EXPECT_EQ(d["standards"]["version"], "1");
  // The built-in standards are the shipped file, byte for byte.
  EXPECT_EQ(d["standards"]["sha256"],
            Sha256Hex(ReadFile(std::string(CUSTODIAN_SOURCE_DIR) + "/policies/us-default.toml")));
  EXPECT_EQ(d["registry"]["agencies"], 9);
  EXPECT_EQ(d["registry"]["sha256"], Sha256Hex(ReadFile(Agencies())));
  // Keys in the order spec/decision.md gives them.
  const std::string text = r.out;
  EXPECT_LT(text.find("\"action\""), text.find("\"findings\""));
  EXPECT_LT(text.find("\"findings\""), text.find("\"authorized\""));
  EXPECT_LT(text.find("\"authorized\""), text.find("\"notice\""));
  EXPECT_LT(text.find("\"notice\""), text.find("\"standards\""));
  EXPECT_LT(text.find("\"standards\""), text.find("\"registry\""));
}

TEST_F(CliTest, EveryShippedExampleDecidesAsExpected) {
  for (const auto& entry : fs::directory_iterator(std::string(CUSTODIAN_SOURCE_DIR) + "/examples/requests")) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().string());
    const CommandResult r = Custodian("policy check " + entry.path().string() + " --agencies " + Agencies());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json expected = json::parse(ReadFile(entry.path().parent_path() / "expected" / entry.path().filename()));
    EXPECT_EQ(json::parse(r.out)["action"], expected["action"]);
  }
}

TEST_F(CliTest, TheSameRequestGivesTheSameBytes) {
  const std::string args = "policy check " + Example("emergency-verified-narrowed.json") +
                           " --agencies " + Agencies();
  EXPECT_EQ(Custodian(args).out, Custodian(args).out);
}

TEST_F(CliTest, ReadsTheRequestFromStandardInput) {
  const CommandResult r = Custodian("policy check - --agencies " + Agencies(), Example("letter.json"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["action"], "reject");
}

TEST_F(CliTest, AnInvalidDocumentPrintsEveryProblemAndExits2) {
  json doc = json::parse(ReadFile(Example("lcpd-subpoena.json")));
  doc["process"]["issued_on"] = "March 9";
  doc["requester"]["country"] = "usa";
  const CommandResult r = Custodian("policy check " + Write("bad.json", doc.dump()).string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "/requester/country: not a country code (two capital letters, ISO 3166-1 alpha-2)\n"
            "/process/issued_on: not a date (YYYY-MM-DD)\n");
}

TEST_F(CliTest, NotJsonExits2) {
  const CommandResult r = Custodian("policy check " + Write("bad.json", "{\"received_at\": nope}").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "/received_at: not valid JSON (line 1, column 17): unexpected character\n");
}

TEST_F(CliTest, ADocumentOver1MiBIsRefused) {
  const CommandResult r = Custodian("policy check " + Write("big.json", std::string((1 << 20) + 1, ' ')).string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "/: the document is larger than 1 MiB\n");
}

TEST_F(CliTest, UnreadableFilesExit2) {
  CommandResult r = Custodian("policy check " + (dir_ / "nope.json").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, (dir_ / "nope.json").string() + ": No such file or directory\n");
  r = Custodian("policy check " + Example("letter.json") + " --agencies " + dir_.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, dir_.string() + ": Is a directory\n");
}

TEST_F(CliTest, AnInvalidStandardsFileExits2WithLineAndColumn) {
  const fs::path policy = Write("policy.toml", "name = \"mine\"\nversion = 2\n");
  const CommandResult r = Custodian("policy check " + Example("letter.json") + " --policy " + policy.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            policy.string() + ":2:11: 'version' must be a string, not an integer");
}

TEST_F(CliTest, AnEditedStandardsFileIsUsedAndNamed) {
  std::string text = ReadFile(std::string(CUSTODIAN_SOURCE_DIR) + "/policies/us-default.toml");
  text.replace(text.find("name = \"us-default\""), 19, "name = \"acme-2026\"");
  const fs::path policy = Write("acme.toml", text);
  const CommandResult r = Custodian("policy check " + Example("lcpd-subpoena.json") + " --policy " +
                          policy.string() + " --agencies " + Agencies());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json d = json::parse(r.out);
  EXPECT_EQ(d["standards"]["name"], "acme-2026");
  EXPECT_EQ(d["standards"]["sha256"], Sha256Hex(text));
  const CommandResult v = Custodian("policy validate " + policy.string());
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(json::parse(v.out)["sha256"], Sha256Hex(text));
}

TEST_F(CliTest, AnInvalidRegistryExits2) {
  const fs::path agencies = Write("agencies.json", "[{\"id\": 7}]");
  const CommandResult r = Custodian("policy check " + Example("letter.json") + " --agencies " + agencies.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err.substr(0, r.err.find('\n')),
            agencies.string() + ":1:9: /0/id: expected a string, got a number");
}

TEST_F(CliTest, UsageErrorsExit2) {
  EXPECT_EQ(Custodian("").exit_code, 2);
  EXPECT_EQ(Custodian("policy check").exit_code, 2);
  EXPECT_EQ(Custodian("policy check a.json --polcy x").exit_code, 2);
  EXPECT_EQ(Custodian("frobnicate").exit_code, 2);
  const CommandResult help = Custodian("policy check --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--agencies"), std::string::npos);
}

}  // namespace
}  // namespace custodian
