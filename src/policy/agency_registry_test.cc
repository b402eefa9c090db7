#include "policy/agency_registry.h"

#include <gtest/gtest.h>

namespace custodian {
namespace {

std::string LoadError(const std::string& text) {
  auto r = AgencyRegistry::Load(text, "agencies.json");
  return r.ok() ? "ok" : r.status().message();
}

TEST(AgencyRegistryTest, LoadsAndNormalizesDomains) {
  auto r = AgencyRegistry::Load(
      R"([{"id": "us-fbi", "name": "FBI", "country": "US", "jurisdiction": "US",
           "type": "federal", "domains": ["FBI.gov.", "ic.fbi.gov"], "phone": "+1-202-555-0123"}])",
      "agencies.json");
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_NE(r->Find("us-fbi"), nullptr);
  EXPECT_EQ(r->Find("us-fbi")->domains, (std::vector<std::string>{"fbi.gov", "ic.fbi.gov"}));
  EXPECT_TRUE(r->AnyHasDomain("fbi.gov"));
  EXPECT_FALSE(r->AnyHasDomain("x.fbi.gov"));
  EXPECT_EQ(r->sha256()->size(), 64u);
  EXPECT_EQ(r->Find("nobody"), nullptr);
}

TEST(AgencyRegistryTest, EmailDomains) {
  EXPECT_EQ(EmailDomain("R.Alvarez@LAS-CRUCES.ORG."), "las-cruces.org");
  EXPECT_EQ(EmailDomain("\"a@b\"@c.org"), "c.org");
  EXPECT_EQ(EmailDomain("a@b.org.."), "b.org.");
}

TEST(AgencyRegistryTest, ProblemsNameTheLineAndColumn) {
  EXPECT_EQ(LoadError("{}"), "agencies.json:1:1: /: expected an array of agencies, got an object");
  EXPECT_EQ(LoadError("[\n 1\n]"), "agencies.json:2:2: /0: expected an object, got a number");
  EXPECT_EQ(LoadError(R"([{"id": "a", "name": "A", "country": "usa", "jurisdiction": "US",
  "type": "city", "domains": ["a.gov", "bad domain"], "phone": "1", "fax": "2"}])"),
            "agencies.json:2:76: /0/fax: unknown property\n"
            "agencies.json:1:38: /0/country: not a country code (two capital letters, ISO 3166-1 alpha-2)\n"
            "agencies.json:2:11: /0/type: must be one of: federal, state, local, foreign, private\n"
            "agencies.json:2:40: /0/domains/1: not a domain name");
  EXPECT_EQ(LoadError(R"([{"id": "a", "name": "A", "country": "US", "jurisdiction": "US", "type": "local", "domains": [], "phone": "1"},
 {"id": "a", "name": "B", "country": "US", "jurisdiction": "US", "type": "local", "domains": [], "phone": "1"}])"),
            "agencies.json:2:9: /1/id: an earlier agency has the same id");
  EXPECT_EQ(LoadError(R"([{"id": "", "name": "A", "jurisdiction": "US", "type": "local", "domains": [], "phone": "1"}])"),
            "agencies.json:1:9: /0/id: must not be empty\n"
            "agencies.json:1:2: /0: missing 'country'");
  EXPECT_EQ(LoadError("[{\"id\": \"a\",}]"), "agencies.json:1:13: not valid JSON: expected a property name in double quotes");
}

// Fuzzing found "a.." accepted and normalized to "a.", which normalizes again to "a": a domain
// the registry lists that no requester's address could ever match. A domain is labels of 1 to 63
// characters with at most the root's one trailing dot ("." alone would normalize to the empty
// domain, which an address without a domain also has).
TEST(AgencyRegistryTest, DomainsAreLabelsBetweenDots) {
  const auto domains = [](const std::string& list) {
    return LoadError(R"([{"id": "a", "name": "A", "country": "US", "jurisdiction": "US", "type": "local", "domains": [)" +
                     list + R"(], "phone": "1"}])");
  };
  EXPECT_EQ(domains(R"("a.gov", "A.GOV.", "x-1.b.example")"), "ok");
  const std::vector<std::string> bad_domains = {"a..", "a..gov", ".a.gov", ".", "..", "",
                                                std::string(64, 'a') + ".gov"};
  for (const std::string& bad : bad_domains) {
    EXPECT_EQ(domains("\"" + bad + "\""), "agencies.json:1:95: /0/domains/0: not a domain name") << bad;
  }
  EXPECT_EQ(domains("\"" + std::string(63, 'a') + ".gov\""), "ok");
}

}  // namespace
}  // namespace custodian
