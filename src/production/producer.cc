#include "production/producer.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <unordered_map>

#include "cases/case_store.h"
#include "cases/disclosure_log.h"
#include "cases/ledgers/leaf_proof_json.h"
#include "cases/ledgers/ledger_store.h"
#include "cases/ledgers/read_audit.h"
#include "core/file_system.h"
#include "core/sha256.h"
#include "ledger/merkle.h"
#include "policy/targets.h"
#include "production/access_log_csv_sink.h"
#include "production/hashed_file.h"
#include "production/manifest.h"
#include "production/record_json_sink.h"
#include "production/zip_package.h"

namespace custodian::production {
namespace {

namespace fs = std::filesystem;

// Geolocation answers by address, so that an account's thousand logins from home cost one
// lookup; bounded, since a record may hold millions of addresses.
class LocationCache {
 public:
  explicit LocationCache(const ProducerOptions& options) : options_(options) {}
  const std::optional<nlohmann::ordered_json>& Of(const IpAddress& ip) {
    const std::string key = ip.ToString();
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxEntries) cache_.clear();
    std::optional<nlohmann::ordered_json> where;
    if (options_.locate) where = options_.locate(ip);
    return cache_.emplace(key, std::move(where)).first->second;
  }

 private:
  static constexpr size_t kMaxEntries = 100000;
  const ProducerOptions& options_;
  std::unordered_map<std::string, std::optional<nlohmann::ordered_json>> cache_;
};

// Every sink, fed the same stream; the first failure is kept and stops the writing.
class FanOut {
 public:
  explicit FanOut(std::vector<RecordSink*> sinks) : sinks_(std::move(sinks)) {}
  template <typename F>
  void Each(F&& f) {
    for (RecordSink* s : sinks_) {
      if (!status_.ok()) return;
      status_ = f(*s);
    }
  }
  const Status& status() const { return status_; }

 private:
  std::vector<RecordSink*> sinks_;
  Status status_ = Status::Ok();
};

nlohmann::ordered_json ScopeJson(const AuthorizedScope& scope) {
  nlohmann::ordered_json targets = nlohmann::ordered_json::array();
  for (const Target& t : scope.targets) targets.push_back(TargetJson(t));
  nlohmann::ordered_json categories = nlohmann::ordered_json::array();
  scope.categories.ForEach([&](Category c) { categories.push_back(std::string(CategoryName(c))); });
  nlohmann::ordered_json out = {{"targets", targets}, {"categories", categories}};
  if (!scope.times.empty()) {
    ScopeTimesToJson(scope, out);
  } else {
    out["window"] = scope.window ? WindowToJson(*scope.window) : nlohmann::ordered_json(nullptr);
  }
  return out;
}

// Removes the production's working directory however Produce ends, unless kept.
struct WorkDir {
  std::function<void(const std::string&)> remove;
  std::string path;
  bool keep = false;
  ~WorkDir() {
    if (!keep) remove(path);
  }
};

constexpr const char* kPackageFiles[] = {"record.pdf", "record.json", "access_log.csv",
                                         "manifest.json", "manifest.sig", "ledger.json"};

}  // namespace

Producer::Producer(cases::Database& db, cases::Workflow& workflow, vault::Vault& vault,
                   cases::SigningKeys& keys, cases::Ledgers& ledgers, Clock& clock,
                   ProducerOptions options)
    : db_(db),
      workflow_(workflow),
      vault_(vault),
      keys_(keys),
      ledgers_(ledgers),
      clock_(clock),
      options_(std::move(options)),
      fs_(*options_.fs) {}

void Producer::EnterPhase(ProductionPhase phase, const std::string& production_id) const {
  if (options_.phase) options_.phase(phase, production_id);
}

Result<std::string> Producer::FileSha256(const std::string& path) const {
  auto in = fs_.OpenRead(path);
  if (!in.ok()) return in.status();
  Sha256Stream hash;
  std::string buffer;
  constexpr uint64_t kChunk = 1 << 16;
  for (uint64_t at = 0; at < (*in)->Size(); at += kChunk) {
    if (Status s = (*in)->Read(at, std::min(kChunk, (*in)->Size() - at), buffer); !s.ok()) return s;
    hash.Update(buffer);
  }
  const Sha256Digest d = hash.Finish();
  return HexEncode(d.data(), d.size());
}

Status Producer::WriteWhole(const std::string& path, std::string_view bytes) const {
  auto f = HashedFile::Create(fs_, path);
  if (!f.ok()) return f.status();
  if (Status s = (*f)->Write(bytes); !s.ok()) return s;
  return (*f)->Close().status();
}

void Producer::RemoveWorkDir(const std::string& dir) const {
  if (dir.empty() || !fs_.Exists(dir)) return;
  if (auto names = fs_.List(dir); names.ok()) {
    for (const std::string& name : *names) fs_.Remove(JoinPath(dir, name)).IgnoreError();
  }
  fs_.Remove(dir).IgnoreError();
}

Result<ProductionOutcome> Producer::Produce(const std::string& case_id, const std::string& out_zip,
                                            const cases::Actor& actor) {
  if (!options_.pdf) return Status::FailedPrecondition("production: no PDF writer configured");
  if (fs_.Exists(out_zip)) return Status::InvalidArgument(out_zip + ": exists already");
  auto signer = keys_.Active(cases::kProductionKey, actor.name);
  if (!signer.ok()) return signer.status();
  EnterPhase(ProductionPhase::kStarting, "");
  auto started = workflow_.StartProduction(case_id, actor);
  if (!started.ok()) return started.status();
  const cases::ProductionStart& start = *started;
  EnterPhase(ProductionPhase::kWriting, start.production_id);

  WorkDir work{[this](const std::string& dir) { RemoveWorkDir(dir); }, WorkDirOf(start.production_id, out_zip)};
  RemoveWorkDir(work.path);  // what an earlier attempt that was never recorded left
  if (Status s = fs_.CreateDirs(work.path); !s.ok()) return s;
  const auto in_work = [&](const char* name) { return JoinPath(work.path, name); };

  const CategorySet& categories = start.scope.categories;
  const RecordColumns columns{categories.Contains(Category::kLocation),
                              categories.Contains(Category::kDevice)};
  auto json_file = HashedFile::Create(fs_, in_work("record.json"));
  if (!json_file.ok()) return json_file.status();
  auto csv_file = HashedFile::Create(fs_, in_work("access_log.csv"));
  if (!csv_file.ok()) return csv_file.status();
  const nlohmann::ordered_json scope = ScopeJson(start.scope);
  RecordJsonSink json_sink(**json_file, {{"case", case_id}, {"production", start.production_id}, {"scope", scope}},
                           columns);
  AccessLogCsvSink csv_sink(**csv_file, columns);
  // One reading of the clock dates the package: the manifest and the PDF's cover letter.
  const std::string created_at = FormatDateTime(clock_.Now());
  auto pdf_sink = options_.pdf(in_work("record.pdf"), start, created_at, fs_);
  if (!pdf_sink.ok()) return pdf_sink.status();
  FanOut sinks({&json_sink, &csv_sink, pdf_sink->get()});

  // Which targets found each account; accounts found only through addresses get only the
  // events from those addresses.
  std::map<uint64_t, std::vector<Target>> matched;
  std::map<uint64_t, std::vector<IpEndpoint>> only_at;
  std::set<uint64_t> whole;
  std::vector<Target> not_found;
  for (const cases::ResolvedTarget& t : start.targets) {
    if (t.accounts.empty()) not_found.push_back(t.target);
    for (uint64_t account : t.accounts) {
      matched[account].push_back(t.target);
      if (t.target.type == kIpTargetType) {
        only_at[account].push_back(*IpEndpoint::Parse(t.target.value));
      } else {
        whole.insert(account);
      }
    }
  }

  cases::LedgerReadAudit audit(db_, clock_, actor.name);
  LocationCache locations(options_);
  // A window is one interval; a scope of instants is read interval by interval.
  const std::vector<Window>& intervals = start.intervals;
  ProductionOutcome outcome{case_id, start.production_id, "", 0, 0, 0, std::nullopt};
  const auto emit = [&](const vault::AccessRecord& r) {
    const std::optional<nlohmann::ordered_json>& where = locations.Of(r.ip);
    static const std::optional<nlohmann::ordered_json> kNoAnswer;
    const RecordEvent event{r, columns.location ? where : kNoAnswer};
    sinks.Each([&](RecordSink& s) { return s.AddEvent(event); });
    if (++outcome.events % 10000 == 0 && options_.progress) options_.progress(outcome.events);
  };
  for (const auto& [account, targets] : matched) {
    AccountSection section{account, targets, std::nullopt, categories.Contains(Category::kAccessLog)};
    if (categories.Contains(Category::kBasicSubscriber)) {
      // The versions in force at any moment of the scope; without a window or instants, the
      // version in force when the request was received.
      std::vector<Window> in_force = start.scope.ReadIntervals();
      if (in_force.empty()) {
        in_force.push_back({start.request.received_at, Timestamp{start.request.received_at.micros + 1}});
      }
      section.subscriber.emplace();
      for (const Window& w : in_force) {
        auto versions = vault_.ReadSubscriber(start.grant, account, w.start, w.end, audit);
        if (!versions.ok()) return versions.status();
        for (vault::SubscriberVersion& v : *versions) {
          if (section.subscriber->empty() || section.subscriber->back().effective_from < v.effective_from) {
            section.subscriber->push_back(std::move(v));  // a version spanning two intervals comes once
          }
        }
      }
    }
    sinks.Each([&](RecordSink& s) { return s.BeginAccount(section); });
    const uint64_t before = outcome.events;
    if (section.access_log) {
      if (whole.count(account)) {
        for (const Window& w : intervals) {
          if (Status s = vault_.ScanAccount(start.grant, account, w.start, w.end, audit, emit); !s.ok()) {
            return s;
          }
        }
      } else {
        // Every address target that found the account, merged in time order.
        std::vector<vault::AccessRecord> events;
        for (const IpEndpoint& at : only_at[account]) {
          for (const Window& w : intervals) {
            auto read = vault_.ReadAddress(start.grant, at, w.start, w.end,
                                           std::numeric_limits<size_t>::max(), audit);
            if (!read.ok()) return read.status();
            for (const vault::AccessRecord& r : read->records) {
              if (r.account_id == account) events.push_back(r);
            }
          }
        }
        std::stable_sort(events.begin(), events.end(),
                         [](const auto& a, const auto& b) { return a.ts < b.ts; });
        events.erase(std::unique(events.begin(), events.end(),
                                 [](const auto& a, const auto& b) {
                                   return a.ts == b.ts && a.ip == b.ip && a.port == b.port && a.kind == b.kind;
                                 }),
                     events.end());
        for (const auto& r : events) emit(r);
      }
    }
    sinks.Each([&](RecordSink& s) { return s.EndAccount(); });
    if (!sinks.status().ok()) return sinks.status();
    ++outcome.accounts;
    const bool has_data = outcome.events > before || (section.subscriber && !section.subscriber->empty());
    outcome.accounts_with_data += has_data ? 1 : 0;
  }
  sinks.Each([&](RecordSink& s) { return s.Finish(not_found); });
  if (!sinks.status().ok()) return sinks.status();
  EnterPhase(ProductionPhase::kSigning, start.production_id);

  Manifest manifest;
  manifest.production_id = start.production_id;
  manifest.case_id = case_id;
  manifest.scope = scope;
  manifest.standards_sha256 = start.standards_sha256;
  manifest.created_at = created_at;
  manifest.key_id = signer->key().key_id;
  manifest.disclosure_log = cases::InDisclosureLog(start.record);
  auto json_sha = (*json_file)->Close();
  if (!json_sha.ok()) return json_sha.status();
  auto csv_sha = (*csv_file)->Close();
  if (!csv_sha.ok()) return csv_sha.status();
  pdf_sink->reset();  // the PDF is complete once its sink is gone
  auto pdf_sha = FileSha256(in_work("record.pdf"));
  if (!pdf_sha.ok()) return pdf_sha.status();
  manifest.files = {{"record.json", *json_sha}, {"access_log.csv", *csv_sha}, {"record.pdf", *pdf_sha}};
  const std::string manifest_bytes = ManifestBytes(manifest);
  const auto signature = signer->Sign(manifest_bytes);
  if (Status s = WriteWhole(in_work("manifest.json"), manifest_bytes); !s.ok()) return s;
  if (Status s = WriteWhole(in_work("manifest.sig"),
                            std::string_view(reinterpret_cast<const char*>(signature.data()), signature.size()));
      !s.ok()) {
    return s;
  }
  outcome.manifest_sha256 = Sha256Hex(manifest_bytes);

  // Recorded: the production's leaf and the case's move, together. From here on the
  // working directory is what Resume needs, should the rest fail.
  EnterPhase(ProductionPhase::kRecording, start.production_id);
  auto leaf = workflow_.FinishProduction(start, actor, {outcome.accounts_with_data, outcome.manifest_sha256});
  if (!leaf.ok()) return leaf.status();
  outcome.leaf_index = *leaf;
  work.keep = true;
  if (Status s = Complete(outcome, work.path, out_zip, actor); !s.ok()) {
    return s.WithContext("production " + start.production_id +
                         " is recorded, its package is not: `produce --resume` completes it: ");
  }
  work.keep = false;
  if (options_.progress) options_.progress(outcome.events);
  return outcome;
}

Status Producer::Complete(ProductionOutcome& outcome, const std::string& work_dir,
                          const std::string& out_zip, const cases::Actor& actor) {
  const auto in_work = [&](const char* name) { return JoinPath(work_dir, name); };
  EnterPhase(ProductionPhase::kPackaging, outcome.production_id);
  nlohmann::ordered_json ledger_json;
  if (!outcome.leaf_index) {
    ledger_json = {{"log", "disclosures"}, {"leaf", nullptr},
                   {"reason", "national security letters are not in the disclosure log"}};
  } else {
    auto head = ledgers_.SignHead(cases::kDisclosureLog, actor.name);
    if (!head.ok()) return head.status();
    auto proof = ledgers_.Prove(cases::kDisclosureLog, *outcome.leaf_index, head->size);
    if (!proof.ok()) return proof.status();
    ledger_json = cases::LeafProofToJson(*proof);
  }
  // An earlier attempt's ledger.json, against an older head, is replaced.
  if (Status s = WriteWhole(in_work("ledger.json"), ledger_json.dump(2) + "\n"); !s.ok()) return s;

  std::vector<std::pair<std::string, std::string>> files;
  for (const char* name : kPackageFiles) files.emplace_back(name, in_work(name));
  if (Status s = WriteZip(fs_, out_zip, files); !s.ok()) return s;
  if (options_.packages) {
    EnterPhase(ProductionPhase::kStoring, outcome.production_id);
    auto stored = options_.packages->Put(outcome.production_id, out_zip);
    if (!stored.ok()) return stored.status();
    auto grant = workflow_.RecordPackage(outcome.production_id, *stored, actor);
    if (!grant.ok()) return grant.status();
    outcome.grant = *grant;
  }
  RemoveWorkDir(work_dir);
  return Status::Ok();
}

std::string Producer::WorkDirOf(const std::string& production_id, const std::string& out_zip) const {
  const fs::path root = options_.work_root.empty() ? fs::absolute(fs::path(out_zip)).parent_path()
                                                   : fs::path(options_.work_root);
  return (root / (production_id + ".work")).string();
}

Result<ProductionOutcome> Producer::Resume(const std::string& case_id, const std::string& out_zip,
                                           const cases::Actor& actor) {
  if (fs_.Exists(out_zip)) return Status::InvalidArgument(out_zip + ": exists already");
  std::optional<cases::ProductionRecord> unfinished;
  Status s = db_.Transaction([&](soci::session& sql) -> Status {
    for (cases::ProductionRecord& p : cases::CaseTx(sql).Productions(case_id)) {
      if (p.state == cases::ProductionState::kProduced && !p.package_sha256) unfinished = std::move(p);
    }
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!unfinished) {
    return Status::FailedPrecondition("case " + case_id + " has no recorded production without its package");
  }
  const std::string work_dir = WorkDirOf(unfinished->id, out_zip);
  auto manifest_bytes = fs_.ReadAll(JoinPath(work_dir, "manifest.json"));
  if (!manifest_bytes.ok()) {
    return Status::FailedPrecondition("production " + unfinished->id + ": its working directory " + work_dir +
                                      " is gone; produce the case again after a review");
  }
  // The files must be the ones the ledger's leaf committed to.
  const std::string manifest_sha = Sha256Hex(*manifest_bytes);
  if (manifest_sha != unfinished->manifest_sha256) {
    return Status::Corruption(work_dir + "/manifest.json: not the manifest the production recorded");
  }
  auto manifest = ParseManifest(*manifest_bytes);
  if (!manifest.ok()) return manifest.status();
  for (const auto& [name, sha] : manifest->files) {
    auto actual = FileSha256(JoinPath(work_dir, name));
    if (!actual.ok()) return actual.status();
    if (*actual != sha) return Status::Corruption(work_dir + "/" + name + ": not the file the manifest lists");
  }
  ProductionOutcome outcome{case_id, unfinished->id, manifest_sha, 0, unfinished->accounts_with_data.value_or(0), 0,
                            std::nullopt};
  if (unfinished->leaf_index) outcome.leaf_index = static_cast<uint64_t>(*unfinished->leaf_index);
  if (Status st = Complete(outcome, work_dir, out_zip, actor); !st.ok()) return st;
  return outcome;
}

Result<cases::AbortedProduction> Producer::Abort(const std::string& case_id, const std::string& production_id,
                                                const std::string& reason, const cases::Actor& actor) {
  if (options_.work_root.empty()) return Status::FailedPrecondition("production: no working root configured");
  auto aborted = workflow_.AbortProduction(case_id, production_id, reason, actor);
  if (!aborted.ok()) return aborted;
  // Its files hold the record in plain text: they go with it.
  RemoveWorkDir(WorkDirOf(aborted->production_id, ""));
  return aborted;
}

}  // namespace custodian::production
