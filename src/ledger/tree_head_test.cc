#include "ledger/tree_head.h"

#include <sodium.h>

#include <gtest/gtest.h>

#include "core/base64.h"

namespace custodian::ledger {
namespace {

using json = nlohmann::json;

// RFC 8032 section 7.1, test 1: a key anyone can check our signatures with.
struct TestKey {
  std::array<uint8_t, kEd25519SecretKeyBytes> secret;
  std::array<uint8_t, kEd25519PublicKeyBytes> public_key;
};

TestKey Rfc8032Key() {
  const std::string seed = *Base64Decode("nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=");
  TestKey key;
  EXPECT_EQ(sodium_init() >= 0, true);
  crypto_sign_seed_keypair(key.public_key.data(), key.secret.data(),
                           reinterpret_cast<const unsigned char*>(seed.data()));
  return key;
}

TestKey OtherKey() {
  TestKey key;
  crypto_sign_keypair(key.public_key.data(), key.secret.data());
  return key;
}

SignedTreeHead Example() {
  SignedTreeHead head;
  head.log = "disclosures";
  head.size = 1234567;
  const std::string root = *Base64Decode("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=");
  std::copy(root.begin(), root.end(), head.root.begin());
  head.timestamp = "2026-03-12T15:04:05Z";
  return head;
}

// Example() signed with Rfc8032Key(), as Python's cryptography package signs it too.
constexpr char kExampleSignature[] =
    "25sK8wg/dQtfdbDASCBmHJevNkjBkihxO3HEWhU16JNnb9ramJ09U1ShOsjcAir+kIdNwaz2Jrf5jxCf0h1SCg==";

std::string Message(const Status& s) { return s.ok() ? "ok" : s.message(); }

TEST(TreeHeadTest, SignsExactlyTheDocumentedBytes) {
  EXPECT_EQ(SignedBytes(Example()),
            "custodian-tree-head v1\n"
            "disclosures\n"
            "1234567\n"
            "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n"
            "2026-03-12T15:04:05Z\n");
}

TEST(TreeHeadTest, SignsAsEd25519DoesElsewhere) {
  const TestKey key = Rfc8032Key();
  EXPECT_EQ(HexEncode(key.public_key.data(), key.public_key.size()),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  EXPECT_EQ(KeyId(key.public_key), "21fe31dfa154a261");
  auto head = Sign(Example(), key.secret);
  ASSERT_TRUE(head.ok()) << head.status().message();
  EXPECT_EQ(head->key_id, "21fe31dfa154a261");
  EXPECT_EQ(Base64Encode(head->signature), kExampleSignature);
  EXPECT_EQ(Message(Verify(*head, key.public_key)), "ok");
}

TEST(TreeHeadTest, RefusesAnyChangedField) {
  const TestKey key = Rfc8032Key();
  const SignedTreeHead head = *Sign(Example(), key.secret);
  SignedTreeHead changed = head;
  changed.log = "disclosure";
  EXPECT_EQ(Message(Verify(changed, key.public_key)),
            "/signature: does not verify with key 21fe31dfa154a261");
  changed = head;
  changed.size += 1;
  EXPECT_FALSE(Verify(changed, key.public_key).ok());
  changed = head;
  changed.root[31] ^= 1;
  EXPECT_FALSE(Verify(changed, key.public_key).ok());
  changed = head;
  changed.timestamp = "2026-03-12T15:04:06Z";
  EXPECT_FALSE(Verify(changed, key.public_key).ok());
  changed = head;
  changed.key_id = "21fe31dfa154a262";
  EXPECT_EQ(Message(Verify(changed, key.public_key)),
            "/key_id: names key 21fe31dfa154a262, not key 21fe31dfa154a261");
  for (size_t byte = 0; byte < kEd25519SignatureBytes; ++byte) {
    changed = head;
    changed.signature[byte] ^= 0x20;
    EXPECT_FALSE(Verify(changed, key.public_key).ok()) << byte;
  }
}

TEST(TreeHeadTest, RefusesAnotherKey) {
  const TestKey key = Rfc8032Key(), other = OtherKey();
  const SignedTreeHead head = *Sign(Example(), key.secret);
  EXPECT_EQ(Message(Verify(head, other.public_key)),
            "/key_id: names key 21fe31dfa154a261, not key " + KeyId(other.public_key));
  SignedTreeHead relabelled = head;  // claims the other key, but was signed with the first
  relabelled.key_id = KeyId(other.public_key);
  EXPECT_EQ(Message(Verify(relabelled, other.public_key)),
            "/signature: does not verify with key " + KeyId(other.public_key));
  EXPECT_EQ(Message(Verify(*Sign(Example(), other.secret), other.public_key)), "ok");
}

TEST(TreeHeadTest, SignsOnlyOneLineFieldsAndCanonicalTimes) {
  const TestKey key = Rfc8032Key();
  auto message = [&](auto change) {
    SignedTreeHead head = Example();
    change(head);
    auto signed_head = Sign(head, key.secret);
    return signed_head.ok() ? std::string("ok") : signed_head.status().message();
  };
  constexpr char kTimeForm[] =
      "/timestamp: not an RFC 3339 UTC time to the second (YYYY-MM-DDTHH:MM:SSZ)";
  EXPECT_EQ(message([](auto& h) { h.log = ""; }), "/log: empty");
  EXPECT_EQ(message([](auto& h) { h.log = "audit\n5"; }), "/log: holds a control character");
  EXPECT_EQ(message([](auto& h) { h.log = "audit\x7f"; }), "/log: holds a control character");
  EXPECT_EQ(message([](auto& h) { h.log = "caf\xe9"; }), "/log: not UTF-8");
  EXPECT_EQ(message([](auto& h) { h.log = std::string(257, 'a'); }),
            "/log: longer than 256 bytes");
  EXPECT_EQ(message([](auto& h) { h.log = "journal d’accès"; }), "ok");
  for (const char* time : {"2026-03-12T15:04:05.5Z", "2026-03-12T15:04:05.000000Z",
                           "2026-03-12T15:04:05.500000Z",
                           "2026-03-12t15:04:05z", "2026-03-12T16:04:05+01:00",
                           "2026-03-12 15:04:05Z", "2026-02-30T15:04:05Z", "2026-03-12T15:04Z",
                           ""}) {
    EXPECT_EQ(message([&](auto& h) { h.timestamp = time; }), kTimeForm) << time;
  }
}

TEST(TreeHeadTest, JsonRoundTrips) {
  const TestKey key = Rfc8032Key();
  const SignedTreeHead head = *Sign(Example(), key.secret);
  const json doc = TreeHeadToJson(head);
  EXPECT_EQ(doc.dump(),
            R"({"key_id":"21fe31dfa154a261","log":"disclosures",)"
            R"("root":"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",)"
            R"("signature":")" + std::string(kExampleSignature) + R"(",)"
            R"("size":1234567,"timestamp":"2026-03-12T15:04:05Z"})");
  auto parsed = ParseTreeHead(doc.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->log, head.log);
  EXPECT_EQ(parsed->size, head.size);
  EXPECT_EQ(parsed->root, head.root);
  EXPECT_EQ(parsed->timestamp, head.timestamp);
  EXPECT_EQ(parsed->key_id, head.key_id);
  EXPECT_EQ(parsed->signature, head.signature);
  EXPECT_EQ(Message(Verify(*parsed, key.public_key)), "ok");

  SignedTreeHead largest = head;
  largest.size = UINT64_MAX;
  EXPECT_EQ(ParseTreeHead(TreeHeadToJson(largest).dump())->size, UINT64_MAX);
}

TEST(TreeHeadTest, ReadsJsonStrictlyAndNamesTheField) {
  const json good = TreeHeadToJson(*Sign(Example(), Rfc8032Key().secret));
  auto error = [&](auto change) {
    json doc = good;
    change(doc);
    auto head = ParseTreeHead(doc.dump());
    return head.ok() ? std::string("ok") : head.status().message();
  };
  EXPECT_EQ(error([](json&) {}), "ok");
  EXPECT_EQ(error([](json& d) { d.erase("log"); }), "/log: required");
  EXPECT_EQ(error([](json& d) { d.erase("signature"); }), "/signature: required");
  EXPECT_EQ(error([](json& d) { d["extra"] = 1; }), "/extra: not a field of a tree head");
  EXPECT_EQ(error([](json& d) { d["a/b"] = 1; }), "/a~1b: not a field of a tree head");
  EXPECT_EQ(error([](json& d) { d["size"] = "7"; }), "/size: not an unsigned integer but a string");
  EXPECT_EQ(error([](json& d) { d["size"] = -7; }), "/size: not an unsigned integer but a number");
  EXPECT_EQ(error([](json& d) { d["size"] = 7.0; }), "/size: not an unsigned integer but a number");
  EXPECT_EQ(error([](json& d) { d["log"] = nullptr; }), "/log: not a string but null");
  EXPECT_EQ(error([](json& d) { d["root"] = json::array(); }), "/root: not a string but an array");
  EXPECT_EQ(error([](json& d) { d["timestamp"] = 5; }), "/timestamp: not a string but a number");
  EXPECT_EQ(error([](json& d) { d["key_id"] = true; }), "/key_id: not a string but a boolean");
  EXPECT_EQ(error([](json& d) { d["log"] = "a\nb"; }), "/log: holds a control character");
  EXPECT_EQ(error([](json& d) { d["timestamp"] = "2026-03-12T15:04:05+00:00"; }),
            "/timestamp: not an RFC 3339 UTC time to the second (YYYY-MM-DDTHH:MM:SSZ)");
  EXPECT_EQ(error([](json& d) { d["root"] = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg="; }),
            "/root: not padded standard base64");
  EXPECT_EQ(error([](json& d) { d["root"] = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQw=="; }),
            "/root: 31 bytes, not 32");
  EXPECT_EQ(error([](json& d) { d["key_id"] = "21FE31DFA154A261"; }),
            "/key_id: not 16 lower-case hex digits");
  EXPECT_EQ(error([](json& d) { d["key_id"] = "21fe31dfa154a2"; }),
            "/key_id: not 16 lower-case hex digits");
  EXPECT_EQ(error([](json& d) { d["signature"] = "AAAA"; }), "/signature: 3 bytes, not 64");
}

TEST(TreeHeadTest, ReadsOnlyOneSmallJsonObject) {
  EXPECT_EQ(ParseTreeHead("[]").status().message(), "/: not an object but an array");
  EXPECT_EQ(ParseTreeHead(R"({"log": "a", "log": "b"})").status().message(),
            "/log: not valid JSON at 1:19: duplicate property");
  EXPECT_EQ(ParseTreeHead("{} {}").status().message(),
            "/: not valid JSON at 1:4: unexpected data after the document");
  EXPECT_EQ(ParseTreeHead(std::string(4097, ' ')).status().message(),
            "/: the tree head is longer than 4096 bytes");
}

}  // namespace
}  // namespace custodian::ledger
