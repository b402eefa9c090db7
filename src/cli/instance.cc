#include "cli/instance.h"

#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/file_system.h"
#include "core/sha256.h"
#include "vault/crypto.h"
#include "vault/key_file.h"

namespace custodian {
namespace {

constexpr int kFormat = 1;

std::string InstanceFile(const std::string& dir) { return JoinPath(dir, "instance.json"); }

// The key file for an instance: the option, then the environment, then the default path.
std::string KeyFileFor(const InstanceOptions& o, const std::string& instance_id) {
  if (!o.key_file.empty()) return o.key_file;
  if (const char* env = std::getenv("CUSTODIAN_KEY_FILE"); env && *env) return env;
  return vault::DefaultKeyFilePath(instance_id);
}

bool IsInside(const std::string& path, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(path), ec);
  const fs::path d = fs::weakly_canonical(fs::absolute(dir), ec);
  auto [mismatch, _] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
  return mismatch == d.end();
}

}  // namespace

Result<InitResult> InitInstance(const InstanceOptions& o) {
  FileSystem& fs = PosixFileSystem();
  if (fs.Exists(InstanceFile(o.data_dir))) {
    return Status::InvalidArgument(o.data_dir + ": already holds a custodian instance");
  }
  std::array<uint8_t, 8> id_bytes;
  vault::RandomBytes(id_bytes.data(), id_bytes.size());
  InitResult result{HexEncode(id_bytes.data(), id_bytes.size()), ""};
  result.key_file = KeyFileFor(o, result.instance_id);
  if (IsInside(result.key_file, o.data_dir)) {
    return Status::InvalidArgument(result.key_file +
                                   ": the master key must live outside the data directory");
  }
  if (Status s = fs.CreateDirs(o.data_dir); !s.ok()) return s;
  auto master = vault::CreateMasterKeyFile(result.key_file);
  if (!master.ok()) return master.status();
  if (Status s = vault::Vault::Create(o.data_dir, *master); !s.ok()) return s;
  const nlohmann::ordered_json instance = {
      {"format", kFormat},
      {"instance_id", result.instance_id},
      {"master_key_id", vault::MasterKeyId(*master)},
      {"created_at", FormatDateTime(SystemClock().Now())}};
  if (Status s = fs.WriteAtomically(InstanceFile(o.data_dir), instance.dump(2) + "\n"); !s.ok()) {
    return s;
  }
  return result;
}

Result<vault::SecretKey> LoadMasterKey(const InstanceOptions& o) {
  auto text = PosixFileSystem().ReadAll(InstanceFile(o.data_dir));
  if (!text.ok()) {
    return Status::InvalidArgument(o.data_dir + ": not a custodian instance (run custodian init --data " +
                                   o.data_dir + ")");
  }
  const auto instance = nlohmann::json::parse(*text, nullptr, false);
  if (!instance.is_object() || instance.value("format", 0) != kFormat ||
      !instance.contains("instance_id") || !instance["instance_id"].is_string() ||
      !instance.contains("master_key_id") || !instance["master_key_id"].is_string()) {
    return Status::Corruption(InstanceFile(o.data_dir) + ": not a format-1 instance file");
  }
  const std::string key_file = KeyFileFor(o, instance["instance_id"].get<std::string>());
  auto master = vault::LoadMasterKeyFile(key_file);
  if (!master.ok()) return master.status();
  if (vault::MasterKeyId(*master) != instance["master_key_id"].get<std::string>()) {
    return Status::InvalidArgument(key_file + ": not the master key of the instance in " +
                                   o.data_dir);
  }
  return master;
}

Result<std::unique_ptr<vault::Vault>> OpenVault(const InstanceOptions& o,
                                                vault::VaultOptions vault_options) {
  auto master = LoadMasterKey(o);
  if (!master.ok()) return master.status();
  return vault::Vault::Open(o.data_dir, *master, vault_options);
}

}  // namespace custodian
