#include "cli/store_command.h"

#include <soci/soci.h>

#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cases/ledgers/audit_log.h"
#include "cases/store_blobs.h"
#include "cases/store_copy.h"
#include "cli/exit_codes.h"
#include "cli/instance_flags.h"
#include "core/blob_store.h"
#include "core/clock.h"
#include "instance/instance.h"
#include "instance/instance_config.h"
#include "instance/instance_store.h"

namespace custodian {
namespace {

struct MoveFlags {
  InstanceOptions instance;
  std::string to;
  std::string actor;
};

std::string BackendName(cases::Backend b) {
  return b == cases::Backend::kSqlite ? "sqlite" : "postgresql";
}

// Copies the store the instance records into `to` (which must be empty), checks the copy's
// ledgers against the source's, records the move in the copy's audit log and the copy as the
// instance's store. custodian.toml is the operator's: custodian never writes it.
int RunMove(const MoveFlags& f) {
  auto config = LoadInstanceConfig(f.instance.data_dir);
  if (!config.ok()) return ReportFailure(config.status());
  auto instance = OpenInstance(f.instance);
  if (!instance.ok()) return ReportFailure(instance.status());
  auto source = OpenInstanceCaseStore(*instance, config->case_store);
  if (!source.ok()) return ReportFailure(source.status());
  auto target = cases::Database::Connect(f.to);
  if (!target.ok()) return ReportFailure(target.status().WithContext("--to: "));
  auto copy = cases::CopyStore(**source, **target);
  if (!copy.ok()) return ReportFailure(copy.status().WithContext("--to: "));
  const nlohmann::ordered_json moved = {
      {"from", {{"store_id", copy->from_store}, {"backend", BackendName((*source)->backend())}}},
      {"to", {{"store_id", copy->to_store}, {"backend", BackendName((*target)->backend())}}},
      {"tables", copy->tables},
      {"rows", copy->rows},
      {"ledgers",
       {{"audit", {{"size", copy->audit.size}, {"root", copy->audit.root}}},
        {"disclosures", {{"size", copy->disclosures.size}, {"root", copy->disclosures.root}}}}}};
  Status audited = (*target)->Transaction([&](soci::session& sql) {
    return cases::AppendAudit(sql, SystemClock().Now(), f.actor, std::nullopt, "move_case_store",
                              moved.dump())
        .status();
  });
  if (!audited.ok()) return ReportFailure(audited);
  if (Status s = RecordCaseStore(*instance, copy->to_store); !s.ok()) {
    return ReportFailure(s.WithContext(
        "the store was copied, but the instance still records the old one (remove the copy's "
        "tables and move again): "));
  }
  std::cout << moved.dump(2) << "\n";
  std::cerr << "custodian: the instance's case store is now " << copy->to_store
            << ". Set [cases] store in " << f.instance.data_dir
            << "/custodian.toml to the URL given to --to (custodian does not write that file); "
               "until then every command refuses the old store, which is left as it was.\n";
  return kExitOk;
}

struct StoreFilesFlags {
  InstanceOptions instance;
  std::string actor;
};

// Copies the sealed files of DATA/packages and DATA/attachments, byte for byte, into the case
// store (cases/store_blobs.h), for an instance whose servers are to share no disk; a file the
// store holds already is checked to be the same. The files are left where they are.
int RunStoreFiles(const StoreFilesFlags& f) {
  auto db = OpenCaseStore(f.instance);
  if (!db.ok()) return ReportFailure(db.status());
  nlohmann::ordered_json stored = nlohmann::ordered_json::object();
  for (const std::string kind : {"packages", "attachments"}) {
    DirectoryBlobs files(JoinPath(f.instance.data_dir, kind));
    cases::StoreBlobs rows(**db, kind);
    auto names = files.Names();
    if (!names.ok()) return ReportFailure(names.status());
    int copied = 0, there = 0;
    for (const std::string& name : *names) {
      auto r = CopyBlob(files, rows, name);
      if (!r.ok()) return ReportFailure(r.status());
      ++(*r ? copied : there);
    }
    stored[kind] = {{"copied", copied}, {"already_there", there}};
  }
  Status audited = (*db)->Transaction([&](soci::session& sql) {
    return cases::AppendAudit(sql, SystemClock().Now(), f.actor, std::nullopt, "store_files", stored.dump())
        .status();
  });
  if (!audited.ok()) return ReportFailure(audited);
  std::cout << stored.dump(2) << "\n";
  std::cerr << "custodian: the case store holds every sealed file of " << f.instance.data_dir
            << "/packages and /attachments. Set [cases] files = \"case_store\" in custodian.toml "
               "(custodian does not write that file); the files stay where they are until you "
               "remove them.\n";
  return kExitOk;
}

}  // namespace

void AddStoreCommands(CLI::App& app, int* exit_code) {
  auto f = std::make_shared<MoveFlags>();
  auto* cases = app.add_subcommand("cases", "The case store");
  cases->require_subcommand(1);
  auto* move = cases->add_subcommand(
      "move", "Copy the case store into an empty database (SQLite or PostgreSQL) and make it "
              "the instance's; stop every writer first");
  AddInstanceFlags(move, f->instance);
  move->add_option("--to", f->to, "The new store: sqlite:PATH or postgresql://…")->required();
  move->add_option("--actor", f->actor, "Who moves it (recorded)")->required();
  move->callback([f, exit_code] { *exit_code = RunMove(*f); });

  auto files = std::make_shared<StoreFilesFlags>();
  auto* store_files = cases->add_subcommand(
      "store-files", "Copy the sealed packages and process documents of the data directory into "
                     "the case store, for servers that share no disk ([cases] files)");
  AddInstanceFlags(store_files, files->instance);
  store_files->add_option("--actor", files->actor, "Who copies them (recorded)")->required();
  store_files->callback([files, exit_code] { *exit_code = RunStoreFiles(*files); });
}

}  // namespace custodian
