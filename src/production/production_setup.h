// What an instance's producer is set up with, whoever runs it (`custodian produce` or the
// server's productions): geolocation from its MMDB files, opened only when a scope asks for
// `location`; its certificate's words; its working root and its package store. One piece, so
// that the CLI and the server produce the same record. Options made from it are used by one
// production at a time.
#pragma once

#include <string>
#include <vector>

#include "cases/package_store.h"
#include "production/producer.h"
#include "production/record_pdf_sink.h"

namespace custodian::production {

struct ProductionSettings {
  std::vector<std::string> geo_city_databases;
  std::string geo_asn_database;  // empty: no ASN fields
  CertificateText certificate;
  std::string work_root;                    // DATA/productions
  cases::PackageStore* packages = nullptr;  // the instance's sealed copies
};

// Options for a Producer: `locate` and `pdf` (record.pdf, its cover noting where locations
// come from), the working root and the package store. A geolocation database
// that cannot be opened fails the production that needs it, when its record.pdf is begun.
ProducerOptions MakeProducerOptions(const ProductionSettings& settings);

}  // namespace custodian::production
