// Fuzzes opening and reading MaxMind DB files, which come from outside: a vendor's download,
// an npm package. The bytes go into an anonymous memory file that libmaxminddb opens by
// path. A crash, a sanitizer report, a status other than the documented ones, or a message
// that does not start with the file's path is a bug.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "geo/geo_database.h"
#include "geo/geolocator.h"
#include "geo/testing/library_leaks.h"

namespace {

using custodian::IpAddress;
using custodian::Status;

void CheckFailure(const Status& s, const std::string& path) {
  if (s.code() != Status::Code::kCorruption && s.code() != Status::Code::kIoError) std::abort();
  if (s.message().rfind(path + ": ", 0) != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = memfd_create("mmdb", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  custodian::Result<std::unique_ptr<custodian::geo::GeoDatabase>> db = [&] {
    custodian::geo::IgnoreLibraryLeaks library_leaks;  // libmaxminddb 1.7.1's, on refusal
    return custodian::geo::GeoDatabase::Open(path);
  }();
  if (!db.ok()) {
    CheckFailure(db.status(), path);
    close(fd);
    return 0;
  }
  std::vector<std::unique_ptr<custodian::geo::GeoDatabase>> city;
  city.push_back(std::move(db).value());
  const custodian::geo::Geolocator locator(std::move(city), nullptr);
  for (const char* text : {"0.0.0.0", "1.1.1.1", "81.2.69.142", "128.0.0.1", "203.0.113.9",
                           "255.255.255.255", "::", "::1", "2001:db8::1", "2a02:cf40::1",
                           "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    const IpAddress ip = *IpAddress::Parse(text);
    auto record = locator.city_databases()[0]->Lookup(ip);
    if (!record.ok()) {
      CheckFailure(record.status(), path);
      if (record.status().code() != Status::Code::kCorruption) std::abort();
      continue;
    }
    // Whatever a record holds, it becomes JSON text (every string was checked as UTF-8).
    if (*record) (void)(*record)->dump();
    auto location = locator.Locate(ip);
    if (!location.ok()) {
      CheckFailure(location.status(), path);
      continue;
    }
    if (*location) (void)custodian::geo::LocationToJson(**location).dump();
  }
  close(fd);
  return 0;
}
