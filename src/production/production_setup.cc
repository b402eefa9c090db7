#include "production/production_setup.h"

#include <memory>

#include "geo/geolocator.h"

namespace custodian::production {
namespace {

// The databases, opened on first use: a production without `location` needs none.
class LazyGeolocator {
 public:
  LazyGeolocator(std::vector<std::string> city, std::string asn) : city_(std::move(city)), asn_(std::move(asn)) {}
  geo::Geolocator* Get() {
    if (!opened_) {
      opened_ = true;
      auto g = geo::Geolocator::Open(city_, asn_);
      if (g.ok()) {
        geolocator_ = std::move(g).value();
      } else {
        status_ = g.status();
      }
    }
    return geolocator_.get();
  }
  const Status& status() const { return status_; }

 private:
  const std::vector<std::string> city_;
  const std::string asn_;
  bool opened_ = false;
  std::unique_ptr<geo::Geolocator> geolocator_;
  Status status_ = Status::Ok();
};

}  // namespace

ProducerOptions MakeProducerOptions(const ProductionSettings& settings) {
  auto geo = std::make_shared<LazyGeolocator>(settings.geo_city_databases, settings.geo_asn_database);
  ProducerOptions options;
  options.locate = [geo](const IpAddress& ip) -> std::optional<nlohmann::ordered_json> {
    geo::Geolocator* g = geo->Get();
    if (!g) return std::nullopt;
    auto where = g->Locate(ip);
    if (!where.ok() || !*where) return std::nullopt;
    return geo::LocationToJson(**where);
  };
  const CertificateText certificate = settings.certificate;
  options.pdf = [geo, certificate](const std::string& path, const cases::ProductionStart& start,
                                   const std::string& created_at, FileSystem& fs) -> Result<std::unique_ptr<RecordSink>> {
    const bool location = start.scope.categories.Contains(Category::kLocation);
    std::vector<std::string> notes;
    if (location) {
      geo::Geolocator* g = geo->Get();
      if (!g) return Status(geo->status()).WithContext("geolocation: ");
      notes.push_back("Locations are approximate: they place an address's network, not a person or a device.");
      for (const auto& db : g->city_databases()) notes.push_back("Location data: " + geo::SourceLabel(*db));
      if (g->asn_database()) notes.push_back("ASN data: " + geo::SourceLabel(*g->asn_database()));
    }
    return MakeRecordPdfSink(path, start, certificate, created_at,
                             {location, start.scope.categories.Contains(Category::kDevice)}, notes, fs);
  };
  options.work_root = settings.work_root;
  options.packages = settings.packages;
  return options;
}

}  // namespace custodian::production
