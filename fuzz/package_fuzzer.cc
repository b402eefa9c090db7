// Fuzzes the offline check of a production package (production/package_verifier.h), which
// reads a zip that comes from outside. An input that starts with "PK" is the zip itself; any
// other is a list of entries (below) that the fuzzer writes into a well-formed zip first, so
// that mutations get past the zip's checksums to the manifest's and ledger.json's parsers.
// The keys are fixed (derived from constant seeds), so that seeds made with them carry a valid
// signature, proof and tree head, and mutations of ledger.json reach every ledger check.
//
// Entry list: repeated [name length: 1 byte][name][content length: 2 bytes, little-endian]
// [content], lengths cut at the end of the input.
//
// A crash, a sanitizer report, a status other than InvalidArgument for an unopenable zip (and
// none at all for a zip the fuzzer wrote), a check that holds and fails at once or out of
// order, or a failure that names no file of the package is a bug.
//
// Seeds: CUSTODIAN_PACKAGE_SEEDS=fuzz/corpus/package build-asan/fuzz/package_fuzzer -runs=0
// writes a valid package both ways (zip and entries), signed with the fixed keys.
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/sha256.h"
#include "core/time.h"
#include "ledger/disclosure_leaf.h"
#include "ledger/merkle.h"
#include "ledger/tree_head.h"
#include "production/manifest.h"
#include "production/package_verifier.h"
#include "production/zip_package.h"

namespace {

namespace fs = std::filesystem;
using custodian::Status;

constexpr const char* kFiles[] = {"record.pdf",    "record.json",  "access_log.csv",
                                  "manifest.json", "manifest.sig", "ledger.json"};
constexpr const char* kSteps[] = {"files", "manifest", "hashes", "signature", "ledger"};

struct KeyPair {
  std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> public_key{};
  std::array<uint8_t, crypto_sign_SECRETKEYBYTES> secret_key{};
};

KeyPair FixedKey(char fill) {
  if (sodium_init() < 0) std::abort();
  std::array<uint8_t, crypto_sign_SEEDBYTES> seed;
  seed.fill(static_cast<uint8_t>(fill));
  KeyPair k;
  crypto_sign_seed_keypair(k.public_key.data(), k.secret_key.data(), seed.data());
  return k;
}
const KeyPair& ProductionKey() {
  static const KeyPair k = FixedKey('P');
  return k;
}
const KeyPair& LedgerKey() {
  static const KeyPair k = FixedKey('L');
  return k;
}

// Where the inputs become files (memory when the machine has it, since WriteZip syncs);
// removed when the process ends normally.
struct WorkDirectory {
  WorkDirectory() {
    const fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    path = base / ("custodian_package_fuzzer_" + std::to_string(::getpid()));
    fs::create_directories(path);
  }
  ~WorkDirectory() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};
const fs::path& WorkDir() {
  static const WorkDirectory dir;
  return dir.path;
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) std::abort();
}

std::vector<std::pair<std::string, std::string>> ParseEntries(const uint8_t* data, size_t size) {
  std::vector<std::pair<std::string, std::string>> entries;
  size_t at = 0;
  const auto take = [&](size_t n) {
    n = std::min(n, size - at);
    std::string out(reinterpret_cast<const char*>(data + at), n);
    at += n;
    return out;
  };
  while (at < size && entries.size() < 16) {
    const size_t name_size = data[at++];
    std::string name = take(name_size);
    size_t content_size = 0;
    if (at < size) content_size = data[at++];
    if (at < size) content_size |= static_cast<size_t>(data[at++]) << 8;
    entries.emplace_back(std::move(name), take(content_size));
  }
  return entries;
}

std::string EncodeEntries(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::string out;
  for (const auto& [name, content] : entries) {
    if (name.size() > 255 || content.size() > 65535) std::abort();
    out += static_cast<char>(name.size());
    out += name;
    out += static_cast<char>(content.size() & 0xff);
    out += static_cast<char>(content.size() >> 8);
    out += content;
  }
  return out;
}

// Writes `entries` as a zip at `zip`; false when libzip refuses them (a name twice, …).
bool WriteEntries(const std::vector<std::pair<std::string, std::string>>& entries, const fs::path& zip) {
  std::vector<std::pair<std::string, std::string>> files;
  for (size_t i = 0; i < entries.size(); ++i) {
    const fs::path file = WorkDir() / ("entry-" + std::to_string(i));
    WriteFile(file, entries[i].second);
    files.emplace_back(entries[i].first, file.string());
  }
  std::error_code ignored;
  fs::remove(zip, ignored);
  return custodian::production::WriteZip(zip.string(), files).ok();
}

void CheckOutcome(const custodian::Result<custodian::production::PackageCheck>& check,
                  const std::string& path, bool must_open, bool with_ledger_key) {
  if (!check.ok()) {
    if (must_open) std::abort();
    if (check.status().code() != Status::Code::kInvalidArgument) std::abort();
    if (check.status().message().rfind(path + ": not a zip file", 0) != 0) std::abort();
    return;
  }
  const auto& c = *check;
  const size_t steps = with_ledger_key ? 5 : 4;
  if (c.passed.size() > steps) std::abort();
  for (size_t i = 0; i < c.passed.size(); ++i) {
    // The ledger step may carry a note after its name.
    if (c.passed[i].rfind(kSteps[i], 0) != 0) std::abort();
  }
  if (!c.failure) {
    if (c.passed.size() != steps) std::abort();
    return;
  }
  if (c.passed.size() == steps) std::abort();
  const std::string& why = *c.failure;
  if (why.empty()) std::abort();
  bool named = why.find("package") != std::string::npos;
  for (const char* f : kFiles) named = named || why.rfind(f, 0) == 0;
  if (!named) std::abort();
}

// A small valid package signed with the fixed keys: its six entries.
std::vector<std::pair<std::string, std::string>> SeedPackage() {
  using custodian::production::Manifest;
  std::vector<std::pair<std::string, std::string>> entries;
  const std::string pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
  const std::string record =
      R"({"case": "C-2026-000001", "production": "P-2026-000001", "accounts": [{"account_id": "1000042", )"
      R"("matched_by": [{"type": "account_id", "value": "1000042"}], "access_log": [{"ts": "2026-02-02T18:22:03.123456Z", )"
      R"("kind": "login", "ip": "203.0.113.5", "port": 51234}]}], "not_found": []})"
      "\n";
  const std::string csv = "account_id,ts,kind,ip,port\r\n1000042,2026-02-02T18:22:03.123456Z,login,203.0.113.5,51234\r\n";
  Manifest m;
  m.production_id = "P-2026-000001";
  m.case_id = "C-2026-000001";
  m.scope = nlohmann::ordered_json::parse(
      R"({"targets": [{"type": "account_id", "value": "1000042"}], "categories": ["access_log"], )"
      R"("window": {"start": "2026-01-01T00:00:00Z", "end": "2026-03-01T00:00:00Z"}})");
  m.standards_sha256 = custodian::Sha256Hex("standards");
  m.created_at = "2026-03-12T16:00:00Z";
  m.key_id = custodian::ledger::KeyId(ProductionKey().public_key);
  m.files = {{"record.pdf", custodian::Sha256Hex(pdf)},
             {"record.json", custodian::Sha256Hex(record)},
             {"access_log.csv", custodian::Sha256Hex(csv)}};
  const std::string manifest = custodian::production::ManifestBytes(m);
  std::string signature(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(manifest.data()), manifest.size(),
                       ProductionKey().secret_key.data());

  // The production's leaf, third in a log of four.
  custodian::ledger::DisclosureLeaf leaf;
  leaf.case_pseudonym = std::string(32, 'a');
  leaf.kind = custodian::ledger::DisclosureKind::kReceived;
  leaf.received = *custodian::ParseDate("2026-03-12");
  leaf.date = leaf.received;
  leaf.country = "US";
  leaf.agency_type = "federal";
  leaf.process_type = "court_order";
  leaf.categories = {"access_log"};
  leaf.targets = 1;
  leaf.outcome = "produce";
  std::vector<std::string> leaves = {custodian::ledger::DisclosureLeafBytes(leaf)};
  leaf.kind = custodian::ledger::DisclosureKind::kDecision;
  leaf.outcome = "approved";
  leaves.push_back(custodian::ledger::DisclosureLeafBytes(leaf));
  leaf.kind = custodian::ledger::DisclosureKind::kProduction;
  leaf.outcome = "produced";
  leaf.accounts_with_data = 1;
  leaf.manifest_sha256 = custodian::Sha256Hex(manifest);
  leaves.push_back(custodian::ledger::DisclosureLeafBytes(leaf));
  leaf.case_pseudonym = std::string(32, 'b');
  leaf.kind = custodian::ledger::DisclosureKind::kReceived;
  leaf.outcome = "produce";
  leaf.accounts_with_data.reset();
  leaf.manifest_sha256.reset();
  leaves.push_back(custodian::ledger::DisclosureLeafBytes(leaf));
  std::vector<custodian::ledger::Digest> hashes;
  for (const std::string& l : leaves) hashes.push_back(custodian::ledger::LeafHash(l));
  const uint64_t index = 2;
  auto proof = custodian::ledger::InclusionProof(index, hashes.size(), custodian::ledger::LeafHashNodes(hashes));
  if (!proof.ok()) std::abort();
  custodian::ledger::SignedTreeHead head;
  head.log = "disclosures";
  head.size = hashes.size();
  head.root = custodian::ledger::RootOf(hashes);
  head.timestamp = "2026-03-12T16:00:00Z";
  auto signed_head = custodian::ledger::Sign(head, LedgerKey().secret_key);
  if (!signed_head.ok()) std::abort();
  nlohmann::ordered_json path = nlohmann::ordered_json::array();
  for (const auto& d : *proof) path.push_back(custodian::Base64Encode(std::span<const uint8_t>(d)));
  const nlohmann::ordered_json ledger = {
      {"log", "disclosures"},
      {"index", index},
      {"leaf", leaves[index]},
      {"proof", path},
      {"tree_head", nlohmann::ordered_json::parse(custodian::ledger::TreeHeadToJson(*signed_head).dump())}};

  entries = {{"record.pdf", pdf},          {"record.json", record},      {"access_log.csv", csv},
             {"manifest.json", manifest}, {"manifest.sig", signature}, {"ledger.json", ledger.dump(2) + "\n"}};
  return entries;
}

// Writes the seeds into `dir`, after checking that they verify.
void WriteSeeds(const fs::path& dir) {
  const auto entries = SeedPackage();
  const fs::path zip = WorkDir() / "seed.zip";
  if (!WriteEntries(entries, zip)) std::abort();
  auto check = custodian::production::VerifyPackage(zip.string(), ProductionKey().public_key, LedgerKey().public_key);
  if (!check.ok() || !check->ok()) {
    std::fprintf(stderr, "the seed does not verify: %s\n",
                 check.ok() ? check->failure->c_str() : check.status().message().c_str());
    std::abort();
  }
  fs::create_directories(dir);
  std::ifstream in(zip, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  WriteFile(dir / "package.zip", bytes);
  WriteFile(dir / "package.entries", EncodeEntries(entries));
  std::fprintf(stderr, "wrote %s/package.zip (%zu bytes) and package.entries\n", dir.c_str(), bytes.size());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("CUSTODIAN_PACKAGE_SEEDS")) WriteSeeds(dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path zip = WorkDir() / "input.zip";
  const bool raw = size >= 2 && data[0] == 'P' && data[1] == 'K';
  if (raw) {
    WriteFile(zip, std::string_view(reinterpret_cast<const char*>(data), size));
  } else if (!WriteEntries(ParseEntries(data, size), zip)) {
    return 0;
  }
  const std::array<uint8_t, 32>& production = ProductionKey().public_key;
  const std::array<uint8_t, 32>& ledger = LedgerKey().public_key;
  CheckOutcome(custodian::production::VerifyPackage(zip.string(), production, ledger), zip.string(), !raw, true);
  CheckOutcome(custodian::production::VerifyPackage(zip.string(), production, std::nullopt), zip.string(), !raw,
               false);
  return 0;
}
