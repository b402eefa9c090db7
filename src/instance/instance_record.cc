#include "instance/instance_record.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "cases/migrations.h"
#include "cases/store/database.h"
#include "core/clock.h"
#include "core/file_system.h"
#include "core/sha256.h"
#include "instance/instance_config.h"
#include "instance/instance_keys.h"
#include "vault/crypto.h"
#include "vault/key_file.h"

namespace custodian {
namespace {

constexpr int kFormat = 1;

std::string InstanceFile(const std::string& dir) { return JoinPath(dir, "instance.json"); }

// Where the key file's path came from, for messages.
std::string KeySource(const InstanceOptions& o) {
  return o.key_file.empty() ? "CUSTODIAN_KEY_FILE" : "--key-file";
}

// A value of --key-file or CUSTODIAN_KEY_FILE that is a key rather than a path: the key's hex,
// its base64, or the key file's text. It is refused without being repeated, so that it
// reaches no output and no error. A file that exists by that name is a path, whatever its name.
bool LooksLikeKey(const std::string& value) {
  if (::access(value.c_str(), F_OK) == 0) return false;
  if (value.find("master key") != std::string::npos) return true;
  size_t hex_run = 0;
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;  // a newline: a file's text
    hex_run = std::isxdigit(u) ? hex_run + 1 : 0;
    if (hex_run >= 32) return true;
  }
  const bool base64 = std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=' ||
           c == '-' || c == '_';
  });
  return base64 && (value.size() == 43 || value.size() == 44) && value.front() != '/';
}

// The key file for an instance: the option, then the environment, then the default path.
Result<std::string> KeyFileFor(const InstanceOptions& o, const std::string& instance_id) {
  std::string path = o.key_file;
  if (path.empty()) {
    if (const char* env = std::getenv("CUSTODIAN_KEY_FILE"); env && *env) path = env;
  }
  if (path.empty()) return vault::DefaultKeyFilePath(instance_id);
  if (LooksLikeKey(path)) {
    return Status::InvalidArgument(
        KeySource(o) + ": this looks like a key, not the path of a key file (it is not repeated "
                       "here); keep the master key in a file (mode 0600) outside the data "
                       "directory and give that file's path");
  }
  return path;
}

// Whether `path` is inside `dir`, by its name or by what it resolves to: a key file reached
// through a symbolic link from inside the directory, or a link elsewhere that leads into it.
bool IsInside(const std::string& path, const std::string& dir) {
  namespace fs = std::filesystem;
  const auto within = [](const fs::path& p, fs::path d) {
    if (!d.has_filename()) d = d.parent_path();  // "data/" names what "data" does
    auto [mismatch, _] = std::mismatch(d.begin(), d.end(), p.begin(), p.end());
    return mismatch == d.end();
  };
  std::error_code ec;
  const fs::path p = fs::absolute(path, ec).lexically_normal();
  const fs::path d = fs::absolute(dir, ec).lexically_normal();
  return within(p, d) || within(fs::weakly_canonical(p, ec), fs::weakly_canonical(d, ec));
}

Status RefuseKeyInside(const std::string& key_file, const std::string& data_dir) {
  if (!IsInside(key_file, data_dir)) return Status::Ok();
  return Status::InvalidArgument(key_file +
                                 ": the master key must live outside the data directory");
}

// The MAC of the case store record: whoever swaps instance.json's store id for another store's
// cannot make it verify without the master key.
std::string CaseStoreMac(const vault::SecretKey& master, const std::string& instance_id,
                         const std::string& store_id) {
  vault::InitCrypto();
  const vault::SecretKey key = DeriveInstanceKey(master, InstanceKey::kStoreRecord);
  const std::string message = "custodian case store record v1\n" + instance_id + "\n" + store_id;
  unsigned char mac[32];
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), key.data(), vault::kKeyBytes);
  return HexEncode(mac, sizeof mac);
}

// The MAC of the demo mark: a mark written into instance.json by hand does not verify, so no
// service's instance loses its second factors but by being made by `custodian demo`.
std::string DemoMarkMac(const vault::SecretKey& master, const std::string& instance_id) {
  vault::InitCrypto();
  const vault::SecretKey key = DeriveInstanceKey(master, InstanceKey::kDemoMark);
  const std::string message = "custodian demo mark v1\n" + instance_id;
  unsigned char mac[32];
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), key.data(), vault::kKeyBytes);
  return HexEncode(mac, sizeof mac);
}

nlohmann::ordered_json CaseStoreRecord(const vault::SecretKey& master,
                                       const std::string& instance_id,
                                       const std::string& store_id) {
  return {{"store_id", store_id},
          {"recorded_at", FormatDateTime(SystemClock().Now())},
          {"mac", CaseStoreMac(master, instance_id, store_id)}};
}

// Connects to the store `url` names for a new instance: it must hold no table. The caller
// migrates it once the instance's keys exist.
Result<std::unique_ptr<cases::Database>> ConnectNewCaseStore(const std::string& url) {
  auto db = cases::Database::Connect(url);
  if (!db.ok()) return db.status();
  auto found = (*db)->Inspect();
  if (!found.ok()) return found.status();
  if (found->has_tables) {
    return Status::FailedPrecondition(
        "case store: " + cases::Database::Describe(url) +
        (found->store_id ? " already holds case store " + *found->store_id : " is not empty") +
        "; a new instance needs an empty one");
  }
  return db;
}

Result<nlohmann::ordered_json> ReadInstanceFile(const std::string& data_dir) {
  auto text = PosixFileSystem().ReadAll(InstanceFile(data_dir));
  if (!text.ok()) {
    return Status::InvalidArgument(data_dir + ": not a custodian instance (run custodian init --data " +
                                   data_dir + ")");
  }
  auto instance = nlohmann::ordered_json::parse(*text, nullptr, false);
  if (!instance.is_object() || instance.value("format", 0) != kFormat ||
      !instance.contains("instance_id") || !instance["instance_id"].is_string() ||
      !instance.contains("master_key_id") || !instance["master_key_id"].is_string()) {
    return Status::Corruption(InstanceFile(data_dir) + ": not a format-1 instance file");
  }
  return instance;
}

}  // namespace

Status MakeDirectoryPrivate(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::IoError(dir + ": " + std::strerror(errno));
  if ((st.st_mode & 077) == 0) return Status::Ok();
  if (::chmod(dir.c_str(), st.st_mode & 0700) != 0) {
    return Status::IoError(dir + ": cannot make the data directory private (mode 0700): " +
                           std::strerror(errno));
  }
  return Status::Ok();
}

Result<InitResult> InitInstance(const InstanceOptions& o, InstanceKind kind) {
  FileSystem& fs = PosixFileSystem();
  if (fs.Exists(InstanceFile(o.data_dir))) {
    return Status::InvalidArgument(o.data_dir + ": already holds a custodian instance");
  }
  std::array<uint8_t, 8> id_bytes;
  vault::RandomBytes(id_bytes.data(), id_bytes.size());
  InitResult result{HexEncode(id_bytes.data(), id_bytes.size()), "", ""};
  auto key_file = KeyFileFor(o, result.instance_id);
  if (!key_file.ok()) return key_file.status();
  result.key_file = *key_file;
  if (Status s = RefuseKeyInside(result.key_file, o.data_dir); !s.ok()) return s;
  if (Status s = fs.CreateDirs(o.data_dir); !s.ok()) return s;
  if (Status s = MakeDirectoryPrivate(o.data_dir); !s.ok()) return s;
  // The case store first: a database that already holds one is refused before anything is
  // made.
  auto config = LoadInstanceConfig(o.data_dir);
  if (!config.ok()) return config.status();
  auto store = ConnectNewCaseStore(config->case_store);
  if (!store.ok()) return store.status();
  auto master = vault::CreateMasterKeyFile(result.key_file);
  if (!master.ok()) return master.status();
  if (Status s = vault::EmbeddedVault::Create(o.data_dir, *master); !s.ok()) return s;
  if (Status s = (*store)->Migrate(cases::Migrations(), *master); !s.ok()) return s;
  result.case_store_id = (*store)->store_id();
  nlohmann::ordered_json instance = {
      {"format", kFormat},
      {"instance_id", result.instance_id},
      {"master_key_id", vault::MasterKeyId(*master)},
      {"created_at", FormatDateTime(SystemClock().Now())},
      {"case_store", CaseStoreRecord(*master, result.instance_id, result.case_store_id)}};
  if (kind == InstanceKind::kDemo) {
    instance["demo"] = {{"marked_at", FormatDateTime(SystemClock().Now())},
                        {"mac", DemoMarkMac(*master, result.instance_id)}};
  }
  if (Status s = fs.WriteAtomically(InstanceFile(o.data_dir), instance.dump(2) + "\n"); !s.ok()) {
    return s;
  }
  return result;
}

Result<OpenedInstance> OpenInstance(const InstanceOptions& o) {
  auto instance = ReadInstanceFile(o.data_dir);
  if (!instance.ok()) return instance.status();
  OpenedInstance out;
  out.data_dir = o.data_dir;
  out.instance_id = (*instance)["instance_id"].get<std::string>();
  auto key_file = KeyFileFor(o, out.instance_id);
  if (!key_file.ok()) return key_file.status();
  if (Status s = RefuseKeyInside(*key_file, o.data_dir); !s.ok()) return s;
  auto master = vault::LoadMasterKeyFile(*key_file);
  if (!master.ok()) return master.status();
  if (vault::MasterKeyId(*master) != (*instance)["master_key_id"].get<std::string>()) {
    return Status::InvalidArgument(*key_file + ": not the master key of the instance in " +
                                   o.data_dir);
  }
  out.master = *master;
  if (const auto record = instance->find("case_store"); record != instance->end()) {
    const bool well_formed = record->is_object() && record->contains("store_id") &&
                             (*record)["store_id"].is_string() && record->contains("mac") &&
                             (*record)["mac"].is_string();
    const std::string store_id = well_formed ? (*record)["store_id"].get<std::string>() : "";
    if (!well_formed ||
        !vault::EqualSecrets((*record)["mac"].get<std::string>(),
                             CaseStoreMac(out.master, out.instance_id, store_id))) {
      return Status::Corruption(InstanceFile(o.data_dir) +
                                ": the record of the case store does not verify under the master "
                                "key (it was edited or copied from another instance)");
    }
    out.case_store_id = store_id;
  }
  if (const auto mark = instance->find("demo"); mark != instance->end()) {
    if (!mark->is_object() || !mark->contains("mac") || !(*mark)["mac"].is_string() ||
        !vault::EqualSecrets((*mark)["mac"].get<std::string>(), DemoMarkMac(out.master, out.instance_id))) {
      return Status::Corruption(InstanceFile(o.data_dir) +
                                ": the demo mark does not verify under the master key (only "
                                "`custodian demo` makes a demo instance)");
    }
    out.demo = true;
  }
  if (Status s = MakeDirectoryPrivate(o.data_dir); !s.ok()) return s;
  return out;
}

Status RecordCaseStore(OpenedInstance& instance, const std::string& store_id) {
  auto file = ReadInstanceFile(instance.data_dir);
  if (!file.ok()) return file.status();
  (*file)["case_store"] = CaseStoreRecord(instance.master, instance.instance_id, store_id);
  if (Status s = PosixFileSystem().WriteAtomically(InstanceFile(instance.data_dir),
                                                   file->dump(2) + "\n");
      !s.ok()) {
    return s;
  }
  instance.case_store_id = store_id;
  return Status::Ok();
}

Result<vault::SecretKey> LoadMasterKey(const InstanceOptions& o) {
  auto instance = OpenInstance(o);
  if (!instance.ok()) return instance.status();
  return instance->master;
}

Result<std::unique_ptr<vault::Vault>> OpenVault(const InstanceOptions& o,
                                                vault::VaultOptions vault_options) {
  auto master = LoadMasterKey(o);
  if (!master.ok()) return master.status();
  return vault::EmbeddedVault::Open(o.data_dir, *master, vault_options);
}

}  // namespace custodian
