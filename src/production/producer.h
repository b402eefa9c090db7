// Makes a case's production package (spec/production.md): the workflow starts the production
// (scope, targets resolved, grant), the vault streams exactly what the grant covers into the
// record files (record.json, access_log.csv, record.pdf) through their sinks, the manifest is
// hashed and signed with the production key, the workflow records the production and its
// disclosure leaf, and the leaf's inclusion proof in a freshly signed head goes into
// ledger.json. Memory stays bounded: one day of one account's events at a time.
// One Produce at a time per Producer.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cases/ledgers/ledgers.h"
#include "cases/ledgers/signing_keys.h"
#include "cases/package_store.h"
#include "cases/workflow.h"
#include "core/clock.h"
#include "core/file_system.h"
#include "core/ip_address.h"
#include "production/record_sink.h"

namespace custodian::production {

// Where a production is, for whoever watches it (the server's status of a production).
enum class ProductionPhase { kStarting, kWriting, kSigning, kRecording, kPackaging, kStoring };
inline constexpr const char* kProductionPhaseNames[] = {"starting", "writing", "signing",
                                                        "recording", "packaging", "storing"};

struct ProducerOptions {
  // The location of an address (LocationToJson's shape), or nothing when the databases have
  // no answer; unset: no geolocation configured (a `location` scope then gets nulls).
  std::function<std::optional<nlohmann::ordered_json>(const IpAddress&)> locate{};
  // Makes the PDF's sink over `path`, written through `fs` (record_pdf_sink.h), its cover
  // letter dated `created_at` (the manifest's, so the two name one instant); the package
  // needs one.
  std::function<Result<std::unique_ptr<RecordSink>>(const std::string& path,
                                                    const cases::ProductionStart& start,
                                                    const std::string& created_at, FileSystem& fs)>
      pdf{};
  // Called now and then with the events written so far.
  std::function<void(uint64_t events)> progress{};
  // Called as the production enters each phase; the id is known from kWriting on.
  std::function<void(ProductionPhase phase, const std::string& production_id)> phase{};
  // Every file of a production (its working files, the package) is written through it.
  FileSystem* fs = &PosixFileSystem();
  // Where a production's working directory (<production>.work) goes; empty: beside the
  // package. It is removed however a production ends — but for one that was recorded and
  // then failed (a full disk while zipping), which Resume completes from it (or Abort ends).
  // Abort needs it set.
  std::string work_root{};
  // The instance's sealed copies for delivery; with one, every package is stored there and
  // recorded (which issues the agency's first download grant).
  cases::PackageStore* packages = nullptr;
};

struct ProductionOutcome {
  std::string case_id;
  std::string production_id;
  std::string manifest_sha256;
  int64_t accounts = 0;
  int64_t accounts_with_data = 0;
  uint64_t events = 0;
  std::optional<uint64_t> leaf_index;  // none for a national security letter
  std::optional<cases::DownloadGrant> grant{};  // the first download grant, when one was issued
};

class Producer {
 public:
  Producer(cases::Database& db, cases::Workflow& workflow, vault::Vault& vault,
           cases::SigningKeys& keys, cases::Ledgers& ledgers, Clock& clock,
           ProducerOptions options);

  // Writes the package to `out_zip` (which must not exist); the case must be approved with
  // its notice wait over. The package appears whole or not at all.
  Result<ProductionOutcome> Produce(const std::string& case_id, const std::string& out_zip,
                                    const cases::Actor& actor);
  // Completes the case's production that was recorded but whose package was not made (its
  // ledger.json, zip and stored copy), from its working directory, into `out_zip`.
  // FailedPrecondition when the case has no such production or its directory is gone.
  // The outcome's counts of accounts and events are not known again (zero).
  Result<ProductionOutcome> Resume(const std::string& case_id, const std::string& out_zip,
                                   const cases::Actor& actor);
  // Ends the case's production that cannot finish (cases::Workflow::AbortProduction; empty
  // `production_id`: the latest unfinished) and removes its working directory. The case is
  // approved again: it may be produced anew.
  Result<cases::AbortedProduction> Abort(const std::string& case_id, const std::string& production_id,
                                         const std::string& reason, const cases::Actor& actor);

 private:
  // From the recorded production to the package: ledger.json, the zip, the stored copy.
  Status Complete(ProductionOutcome& outcome, const std::string& work_dir,
                  const std::string& out_zip, const cases::Actor& actor);
  std::string WorkDirOf(const std::string& production_id, const std::string& out_zip) const;
  void EnterPhase(ProductionPhase phase, const std::string& production_id) const;
  Result<std::string> FileSha256(const std::string& path) const;
  Status WriteWhole(const std::string& path, std::string_view bytes) const;
  // Removes a working directory and the files in it; it holds no directories.
  void RemoveWorkDir(const std::string& dir) const;

  cases::Database& db_;
  cases::Workflow& workflow_;
  vault::Vault& vault_;
  cases::SigningKeys& keys_;
  cases::Ledgers& ledgers_;
  Clock& clock_;
  const ProducerOptions options_;
  FileSystem& fs_;
};

}  // namespace custodian::production
