// What the workflow's and the API's tests stand on: an instance (instance.h, wired as every
// instance is) over a case store on one backend and a vault in a temp directory, on the
// test's manual clock, with the default standards and the example agency registry imported.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cases/migrations.h"
#include "cases/store/test_store.h"
#include "core/sha256.h"
#include "instance/instance.h"
#include "policy/standards.h"
#include "vault/embedded_vault.h"

namespace custodian {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
// A file of the repository, e.g. "spec/agencies.example.json".
inline std::string ProjectFile(const std::string& path) {
  return ReadFile(std::string(CUSTODIAN_SOURCE_DIR) + "/" + path);
}
// One of the example requests (examples/requests/), by name.
inline std::string Example(const std::string& name) {
  return ProjectFile("examples/requests/" + name + ".json");
}

// The SHA-256 of the attestation the default standards ask of a requester's submission.
inline std::string DefaultAttestationSha256() { return Sha256Hex(kDefaultAttestation); }

// `document` with `pointer`'s value replaced (a JSON pointer, e.g. "/process/reference").
inline std::string With(const std::string& document, const std::string& pointer, nlohmann::json value) {
  auto doc = nlohmann::json::parse(document);
  const nlohmann::json::json_pointer at(pointer);
  if (value.is_null()) {
    doc[at.parent_pointer()].erase(at.back());
  } else {
    doc[nlohmann::json::json_pointer(pointer)] = value;
  }
  return doc.dump();
}

class TestInstance : public Instance {
 public:
  TestInstance(cases::Backend backend, Clock& test_clock) : store_(backend) { clock = &test_clock; }
  ~TestInstance() {
    // The instance's parts go before the files they keep.
    ledgers.reset();
    signing_keys.reset();
    workflow.reset();
    vault.reset();
    if (!vault_dir_.empty()) std::filesystem::remove_all(vault_dir_);
  }

  Status Start() {
    default_standards = *LoadDefaultStandards();
    static int n = 0;
    vault_dir_ = std::filesystem::temp_directory_path() /
                 ("custodian_test_vault_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    InstanceParts parts;
    parts.master = store_.master();  // one master key, as an instance has
    parts.db = store_.Open(cases::Migrations());
    parts.files_dir = vault_dir_.string();
    parts.clock = clock;
    if (!parts.db) return Status::IoError("the case store did not open");
    // The vault keeps what the tests ingest, however old (a test of retention sets its own).
    parts.open_vault = [&](const Standards&) -> Result<std::unique_ptr<vault::Vault>> {
      if (Status s = vault::EmbeddedVault::Create(vault_dir_, store_.master()); !s.ok()) return s;
      vault::VaultOptions options;
      options.clock = clock;
      return vault::EmbeddedVault::Open(vault_dir_, store_.master(), options);
    };
    if (Status s = Assemble(std::move(parts)); !s.ok()) return s;
    return workflow->ImportRegistry(ProjectFile("spec/agencies.example.json"), {"setup"});
  }
  // The account the example requests name (1000042), with one login, so that holds on it can
  // be placed.
  Status IngestExampleAccount() {
    vault::IngestReport report;
    return vault->Ingest("{\"account_id\": 1000042, \"ts\": \"2026-03-10T08:00:00Z\", "
                         "\"kind\": \"login\", \"ip\": \"203.0.113.5\"}\n",
                         report);
  }
  // A staff user as server/user_store.h writes one (the password's hash does not matter to the
  // case store): `roles` comma-separated.
  Status AddStaff(const std::string& name, const std::string& roles, bool disabled = false,
                  const std::optional<std::string>& email = std::nullopt) {
    return db->Transaction([&](soci::session& sql) {
      const int off = disabled;
      const std::string address = email.value_or("");
      soci::indicator ind = email ? soci::i_ok : soci::i_null;
      sql << "INSERT INTO users (name, roles, password_hash, disabled, failed_logins, created_at, "
             "updated_at, email) VALUES (:n, :r, 'x', :d, 0, 0, 0, :e)",
          soci::use(name), soci::use(roles), soci::use(off), soci::use(address, ind);
      return Status::Ok();
    });
  }
  cases::TestStore& store() { return store_; }
  std::filesystem::path attachments_dir() const { return vault_dir_ / "attachments"; }

  Standards default_standards;  // the built-in ones, current until a test installs others

 private:
  cases::TestStore store_;
  std::filesystem::path vault_dir_;
};

// The workflow tests' fixture: an instance on the parameter's store, with the example
// account's login, its clock at 2026-03-12T16:00:00Z.
class WorkflowStoreTest : public ::testing::TestWithParam<cases::Backend> {
 protected:
  void SetUp() override {
    CUSTODIAN_REQUIRE_BACKEND(GetParam());
    instance_ = std::make_unique<TestInstance>(GetParam(), clock_);
    ASSERT_TRUE(instance_->Start().ok());
    ASSERT_TRUE(instance_->IngestExampleAccount().ok());
  }

  ManualClock clock_{ParseDateTime("2026-03-12T16:00:00Z").value()};
  std::unique_ptr<TestInstance> instance_;
};

}  // namespace custodian
