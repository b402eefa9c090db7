// Every example request in examples/requests decides as its file in
// examples/requests/expected says, with the agencies of examples/agencies.json.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "policy/engine.h"
#include "policy/request_parser.h"

namespace custodian {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Example {
  fs::path request;
  fs::path expected;
  fs::path agencies;
};

std::vector<Example> FindExamples() {
  std::vector<Example> out;
  const fs::path dir = fs::path(CUSTODIAN_SOURCE_DIR) / "examples/requests";
  const fs::path agencies = fs::path(CUSTODIAN_SOURCE_DIR) / "examples/agencies.json";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    out.push_back({entry.path(), dir / "expected" / entry.path().filename(), agencies});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.request < b.request; });
  return out;
}

TEST(ExamplesTest, TheExamplesArePresent) {
  // A missing or emptied directory is a failure, never a silent pass; each request has its
  // expected decision.
  const std::vector<Example> examples = FindExamples();
  EXPECT_GE(examples.size(), 13u);
  for (const Example& e : examples) EXPECT_TRUE(fs::exists(e.expected)) << e.expected;
}

TEST(ExamplesTest, EveryExampleGivesItsExpectedDecision) {
  auto standards = LoadDefaultStandards();
  ASSERT_TRUE(standards.ok()) << standards.status().message();
  for (const Example& e : FindExamples()) {
    SCOPED_TRACE(e.request.string());
    auto registry = AgencyRegistry::Load(ReadFile(e.agencies), e.agencies.string());
    ASSERT_TRUE(registry.ok()) << registry.status().message();
    const ParsedRequest parsed = ParseRequest(ReadFile(e.request));
    ASSERT_TRUE(parsed.ok()) << parsed.problems.front().ToString();
    const auto decision = DecisionToJson(Evaluate(parsed.request, *standards, *registry));
    const auto expected = nlohmann::json::parse(ReadFile(e.expected));

    EXPECT_EQ(nlohmann::json(decision["action"]), expected["action"]);
    std::set<std::string> codes, soft_codes;
    for (const auto& f : decision["findings"]) {
      const std::string severity = f["severity"];
      (severity == "warn" || severity == "info" ? soft_codes : codes).insert(f["code"]);
    }
    EXPECT_EQ(codes, expected["codes"].get<std::set<std::string>>());
    EXPECT_EQ(soft_codes, expected["soft_codes"].get<std::set<std::string>>());
    if (expected["authorized"].is_null()) {
      EXPECT_TRUE(decision["authorized"].is_null());
    } else {
      ASSERT_FALSE(decision["authorized"].is_null());
      EXPECT_EQ(nlohmann::json(decision["authorized"]["categories"]),
                expected["authorized"]["categories"]);
      EXPECT_EQ(decision["authorized"].contains("window"),
                expected["authorized"].contains("window"));
      if (expected["authorized"].contains("window")) {
        EXPECT_EQ(nlohmann::json(decision["authorized"]["window"]),
                  expected["authorized"]["window"]);
      }
      for (const char* key : {"times", "minutes", "intervals"}) {
        EXPECT_EQ(decision["authorized"].contains(key), expected["authorized"].contains(key)) << key;
        if (expected["authorized"].contains(key)) {
          EXPECT_EQ(nlohmann::json(decision["authorized"][key]), expected["authorized"][key]) << key;
        }
      }
    }
    EXPECT_EQ(nlohmann::json(decision["notice"]["required"]), expected["notice"]["required"]);
    EXPECT_EQ(nlohmann::json(decision["notice"]["when"]), expected["notice"]["when"]);
    if (expected["notice"].contains("not_before")) {
      EXPECT_EQ(nlohmann::json(decision["notice"]["not_before"]), expected["notice"]["not_before"]);
    } else {
      EXPECT_TRUE(decision["notice"]["not_before"].is_null());
    }
  }
}

}  // namespace
}  // namespace custodian
