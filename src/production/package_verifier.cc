#include "production/package_verifier.h"

#include <sodium.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/json_reader.h"
#include "core/sha256.h"
#include "ledger/disclosure_leaf.h"
#include "ledger/merkle.h"
#include "ledger/public_keys.h"
#include "ledger/tree_head.h"
#include "production/manifest.h"
#include "production/zip_package.h"

namespace custodian::production {
namespace {

constexpr size_t kMaxManifestBytes = 1 << 20;
constexpr size_t kMaxLedgerJsonBytes = 1 << 20;
const std::set<std::string> kPackageFiles = {"record.pdf",    "record.json",  "access_log.csv",
                                             "manifest.json", "manifest.sig", "ledger.json"};

// The checks, in order; each returns the failure's message, or nothing when it held.
class Checker {
 public:
  Checker(ZipReader& zip, std::span<const ledger::TrustedKey> production_keys,
          std::optional<std::span<const ledger::TrustedKey>> ledger_keys)
      : zip_(zip), production_keys_(production_keys), ledger_keys_(ledger_keys) {}

  PackageCheck Run() {
    PackageCheck out;
    const auto step = [&](const char* name, std::optional<std::string> failure) {
      if (out.failure) return;
      if (failure) {
        out.failure = *failure;
      } else {
        out.passed.push_back(name);
      }
    };
    step("files", Files());
    step("manifest", Manifest());
    step("hashes", Hashes());
    step("signature", Signature());
    if (ledger_keys_) {
      step(manifest_.disclosure_log ? "ledger" : "ledger: none, as the signed manifest says (not in the disclosure log)",
           Ledger());
    }
    return out;
  }

 private:
  std::optional<std::string> Files() {
    std::set<std::string> seen;
    for (const std::string& name : zip_.names()) {
      if (!kPackageFiles.count(name)) return "an extra file in the package: " + name;
      if (!seen.insert(name).second) return "a file twice in the package: " + name;
    }
    for (const std::string& name : kPackageFiles) {
      if (!seen.count(name)) return "a file is missing from the package: " + name;
    }
    // The names are right, but an entry's local header disagrees with the directory (its
    // CRC, sizes or name): the package was damaged or altered after it was written.
    if (!zip_.inconsistency().empty()) {
      return "the package's zip is damaged: its local headers disagree with its directory (" +
             zip_.inconsistency() + ")";
    }
    return std::nullopt;
  }

  std::optional<std::string> Manifest() {
    auto bytes = zip_.ReadAll("manifest.json", kMaxManifestBytes);
    if (!bytes.ok()) return bytes.status().message();
    manifest_bytes_ = *bytes;
    auto m = ParseManifest(manifest_bytes_);
    if (!m.ok()) return m.status().message();
    manifest_ = *m;
    std::set<std::string> listed;
    for (const auto& [name, sha] : manifest_.files) listed.insert(name);
    const std::set<std::string> expected(std::begin(kRecordFiles), std::end(kRecordFiles));
    if (listed != expected) return std::string("manifest.json/files: not exactly record.pdf, record.json, access_log.csv");
    return std::nullopt;
  }

  std::optional<std::string> Hashes() {
    for (const auto& [name, sha] : manifest_.files) {
      Sha256Stream hash;
      if (Status s = zip_.Read(name, [&](std::string_view piece) { hash.Update(piece); }); !s.ok()) {
        return s.message();
      }
      const Sha256Digest d = hash.Finish();
      if (HexEncode(d.data(), d.size()) != sha) return name + ": its SHA-256 is not the manifest's";
    }
    return std::nullopt;
  }

  std::optional<std::string> Signature() {
    auto sig = zip_.ReadAll("manifest.sig", 1024);
    if (!sig.ok()) return sig.status().message();
    if (sig->size() != crypto_sign_BYTES) return std::string("manifest.sig: not 64 bytes");
    // The key the manifest names, among those given (a keys document holds every key,
    // retired ones too).
    const ledger::TrustedKey* key = nullptr;
    for (const ledger::TrustedKey& k : production_keys_) {
      if (k.key_id == manifest_.key_id) key = &k;
    }
    if (!key && production_keys_.size() == 1) {
      return "manifest.json/key_id: signed by key " + manifest_.key_id + ", not the key given (" +
             production_keys_[0].key_id + ")";
    }
    if (!key) {
      return "manifest.json/key_id: signed by key " + manifest_.key_id +
             ", which is not among the production keys given";
    }
    if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(sig->data()),
                                    reinterpret_cast<const unsigned char*>(manifest_bytes_.data()),
                                    manifest_bytes_.size(), key->public_key.data()) != 0) {
      return std::string("manifest.sig: the signature does not verify with the production key");
    }
    return std::nullopt;
  }

  // A production the signed manifest keeps out of the disclosure log (a national security
  // letter) carries only the log's name, a null leaf and the reason.
  static std::optional<std::string> NoLeaf(const nlohmann::json& j) {
    for (const auto& [key, value] : j.items()) {
      if (key != "log" && key != "leaf" && key != "reason") return "ledger.json/" + key + ": not a field";
    }
    if (!j.contains("log") || j["log"] != "disclosures") return std::string("ledger.json/log: not disclosures");
    if (!j.contains("leaf") || !j["leaf"].is_null()) {
      return std::string("ledger.json/leaf: not null, though the manifest keeps the production out of the log");
    }
    if (!j.contains("reason") || !j["reason"].is_string()) return std::string("ledger.json/reason: missing");
    return std::nullopt;
  }

  std::optional<std::string> Ledger() {
    auto text = zip_.ReadAll("ledger.json", kMaxLedgerJsonBytes);
    if (!text.ok()) return text.status().message();
    JsonDocument doc;
    JsonSyntaxError error;
    if (!ParseJson(*text, doc, error)) return "ledger.json" + DisplayPointer(error.pointer) + ": " + error.what;
    const nlohmann::json& j = doc.root;
    const std::set<std::string> fields = {"log", "index", "leaf", "proof", "tree_head"};
    if (!j.is_object()) return std::string("ledger.json: not an object");
    if (!manifest_.disclosure_log) return NoLeaf(j);
    for (const auto& [key, value] : j.items()) {
      if (!fields.count(key)) return "ledger.json/" + key + ": not a field";
    }
    if (!j.contains("log") || j["log"] != "disclosures") return std::string("ledger.json/log: not disclosures");
    if (!j.contains("index") || !j["index"].is_number_unsigned()) return std::string("ledger.json/index: not an index");
    if (!j.contains("leaf") || !j["leaf"].is_string()) return std::string("ledger.json/leaf: not the leaf's text");
    if (!j.contains("proof") || !j["proof"].is_array()) return std::string("ledger.json/proof: not a list");
    if (!j.contains("tree_head")) return std::string("ledger.json/tree_head: missing");
    const std::string leaf_bytes = j["leaf"];
    auto leaf = ledger::ParseDisclosureLeaf(leaf_bytes);
    if (!leaf.ok()) return "ledger.json/leaf" + leaf.status().message();
    if (leaf->kind != ledger::DisclosureKind::kProduction) return std::string("ledger.json/leaf: not a production leaf");
    if (leaf->manifest_sha256 != Sha256Hex(manifest_bytes_)) {
      return std::string("ledger.json/leaf: its manifest_sha256 is not manifest.json's");
    }
    auto head = ledger::TreeHeadFromJson(j["tree_head"]);
    if (!head.ok()) return "ledger.json/tree_head" + head.status().message();
    if (head->log != "disclosures") return std::string("ledger.json/tree_head/log: not disclosures");
    // One key given: checked as it is; several: the one the head names.
    const Status verified = ledger_keys_->size() == 1
                                ? ledger::Verify(*head, (*ledger_keys_)[0].public_key)
                                : ledger::VerifyWithTrustedKeys(*head, *ledger_keys_);
    if (!verified.ok()) return "ledger.json/tree_head: " + verified.message();
    std::vector<ledger::Digest> proof;
    for (size_t i = 0; i < j["proof"].size(); ++i) {
      const auto& h = j["proof"][i];
      auto bytes = h.is_string() ? Base64Decode(h.get<std::string>()) : Result<std::string>(Status::InvalidArgument(""));
      if (!bytes.ok() || bytes->size() != 32) {
        return "ledger.json/proof/" + std::to_string(i) + ": not a base64 SHA-256";
      }
      ledger::Digest d{};
      std::copy(bytes->begin(), bytes->end(), d.begin());
      proof.push_back(d);
    }
    if (Status s = ledger::VerifyInclusion(j["index"].get<uint64_t>(), head->size,
                                           ledger::LeafHash(leaf_bytes), head->root, proof);
        !s.ok()) {
      return "ledger.json/proof: " + s.message();
    }
    return std::nullopt;
  }

  ZipReader& zip_;
  const std::span<const ledger::TrustedKey> production_keys_;
  const std::optional<std::span<const ledger::TrustedKey>> ledger_keys_;
  std::string manifest_bytes_;
  production::Manifest manifest_;
};

}  // namespace

Result<std::array<uint8_t, 32>> ParsePublicKey(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  auto bytes = Base64Decode(text);
  if (!bytes.ok() || bytes->size() != 32) {
    return Status::InvalidArgument("not a public key (base64 of 32 bytes, as keys export-public prints)");
  }
  std::array<uint8_t, 32> key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

Result<PackageCheck> VerifyPackage(const std::string& zip_path,
                                   std::span<const ledger::TrustedKey> production_keys,
                                   std::optional<std::span<const ledger::TrustedKey>> ledger_keys) {
  auto zip = ZipReader::Open(zip_path);
  if (!zip.ok()) return zip.status();
  return Checker(**zip, production_keys, ledger_keys).Run();
}

Result<PackageCheck> VerifyPackage(const std::string& zip_path,
                                   const std::array<uint8_t, 32>& production_key,
                                   const std::optional<std::array<uint8_t, 32>>& ledger_key) {
  const ledger::TrustedKey production{ledger::KeyId(production_key), production_key};
  const std::span<const ledger::TrustedKey> production_keys(&production, 1);
  if (!ledger_key) return VerifyPackage(zip_path, production_keys, std::nullopt);
  const ledger::TrustedKey ledger{ledger::KeyId(*ledger_key), *ledger_key};
  return VerifyPackage(zip_path, production_keys, std::span<const ledger::TrustedKey>(&ledger, 1));
}

}  // namespace custodian::production
