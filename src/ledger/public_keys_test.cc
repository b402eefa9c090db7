#include "ledger/public_keys.h"

#include <sodium.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/base64.h"

namespace custodian::ledger {
namespace {

using json = nlohmann::json;

struct Pair {
  std::array<uint8_t, kEd25519SecretKeyBytes> secret;
  std::array<uint8_t, kEd25519PublicKeyBytes> public_key;
};

Pair NewKey() {
  EXPECT_GE(sodium_init(), 0);
  Pair p;
  crypto_sign_keypair(p.public_key.data(), p.secret.data());
  return p;
}

// As cases::PublicKeyToJson exports it.
json Exported(const Pair& p, const std::string& purpose = "ledger") {
  return {{"key_id", KeyId(p.public_key)}, {"purpose", purpose}, {"algorithm", "Ed25519"},
          {"public_key", Base64Encode(p.public_key)}, {"created_at", "2026-03-12T16:00:00Z"}};
}

SignedTreeHead SignedBy(const Pair& p) {
  SignedTreeHead head;
  head.log = "disclosures";
  head.size = 3;
  head.timestamp = "2026-03-12T16:00:00Z";
  return Sign(head, p.secret).value();
}

std::string Message(const Result<std::vector<TrustedKey>>& r) {
  return r.ok() ? "ok" : r.status().message();
}

TEST(PublicKeysTest, ReadsAKeyAnArrayOrTheKeysDocument) {
  const Pair a = NewKey(), b = NewKey(), production = NewKey();
  auto one = ParseLedgerPublicKeys(Exported(a).dump());
  ASSERT_TRUE(one.ok()) << one.status().message();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].key_id, KeyId(a.public_key));
  EXPECT_EQ((*one)[0].public_key, a.public_key);
  auto array = ParseLedgerPublicKeys(json::array({Exported(a), Exported(b)}).dump());
  ASSERT_TRUE(array.ok()) << array.status().message();
  EXPECT_EQ(array->size(), 2u);
  auto document = ParseLedgerPublicKeys(
      json{{"ledger", {Exported(b)}}, {"production", {Exported(production, "production")}}}.dump());
  ASSERT_TRUE(document.ok()) << document.status().message();
  ASSERT_EQ(document->size(), 1u);
  EXPECT_EQ((*document)[0].key_id, KeyId(b.public_key));
  // The bare minimum a person would write by hand.
  EXPECT_TRUE(ParseLedgerPublicKeys(json{{"key_id", KeyId(a.public_key)},
                                         {"public_key", Base64Encode(a.public_key)}}.dump()).ok());
}

TEST(PublicKeysTest, TheKeysDocumentGivesEachPurposeItsOwnKeys) {
  const Pair ledger = NewKey(), old_production = NewKey(), production = NewKey();
  const std::string document =
      json{{"ledger", {Exported(ledger)}},
           {"production", {Exported(old_production, "production"), Exported(production, "production")}}}
          .dump();
  auto keys = ParsePublicKeys(document, "production");
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[1].key_id, KeyId(production.public_key));
  EXPECT_EQ(Message(ParsePublicKeys(Exported(ledger).dump(), "production")),
            "/purpose: not a production key (packages are signed with those)");
  EXPECT_EQ(Message(ParsePublicKeys(json{{"ledger", {Exported(ledger)}}}.dump(), "production")),
            "/: no production key");
}

TEST(PublicKeysTest, AHeadVerifiesOnlyWithTheKeyItNames) {
  const Pair a = NewKey(), b = NewKey();
  const auto keys = ParseLedgerPublicKeys(json::array({Exported(a)}).dump()).value();
  EXPECT_TRUE(VerifyWithTrustedKeys(SignedBy(a), keys).ok());
  const SignedTreeHead other = SignedBy(b);
  const Status unknown = VerifyWithTrustedKeys(other, keys);
  EXPECT_TRUE(unknown.IsNotFound());
  EXPECT_EQ(unknown.message(), "the head is signed by key " + KeyId(b.public_key) +
                                   ", which is not among the trusted keys");
  SignedTreeHead forged = other;
  forged.key_id = KeyId(a.public_key);  // claims a trusted key, signed by another
  EXPECT_EQ(VerifyWithTrustedKeys(forged, keys).message(),
            "/signature: does not verify with key " + KeyId(a.public_key));
}

TEST(PublicKeysTest, AMalformedFileIsRefusedNamingTheField) {
  const Pair a = NewKey();
  json wrong_id = Exported(a);
  wrong_id["key_id"] = "0000000000000000";
  EXPECT_EQ(Message(ParseLedgerPublicKeys(json::array({wrong_id}).dump())),
            "/0/key_id: does not name its public key (" + KeyId(a.public_key) + ")");
  json short_key = Exported(a);
  short_key["public_key"] = "AAAA";
  EXPECT_EQ(Message(ParseLedgerPublicKeys(short_key.dump())), "/public_key: 3 bytes, not 32");
  json no_key = Exported(a);
  no_key.erase("public_key");
  EXPECT_EQ(Message(ParseLedgerPublicKeys(json{{"ledger", {no_key}}}.dump())),
            "/ledger/0/public_key: required");
  EXPECT_EQ(Message(ParseLedgerPublicKeys(Exported(a, "production").dump())),
            "/purpose: not a ledger key (tree heads are signed with those)");
  json rsa = Exported(a);
  rsa["algorithm"] = "RSA";
  EXPECT_EQ(Message(ParseLedgerPublicKeys(rsa.dump())), "/algorithm: not Ed25519");
  EXPECT_EQ(Message(ParseLedgerPublicKeys("[]")), "/: no ledger key");
  EXPECT_EQ(Message(ParseLedgerPublicKeys(R"({"ledger": []})")), "/ledger: no ledger key");
  EXPECT_EQ(Message(ParseLedgerPublicKeys(R"({"ledger": {}})")), "/ledger: not an array but an object");
  EXPECT_EQ(Message(ParseLedgerPublicKeys("7")),
            "/: not a key, an array of keys or a keys document but a number");
  EXPECT_EQ(Message(ParseLedgerPublicKeys("[1]")), "/0: not an object but a number");
  EXPECT_EQ(Message(ParseLedgerPublicKeys("{")).substr(0, 20), "/: not valid JSON at");
}

}  // namespace
}  // namespace custodian::ledger
