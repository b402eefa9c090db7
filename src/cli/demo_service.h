// The synthetic service `custodian demo` keeps: accounts with names in many scripts, their
// subscriber records (e-mails, phones, some numbers recycled from one account to another)
// and their logins over the access log's retention period, from address ranges the default
// geolocation data places (residential, carrier-grade NAT mobile, VPN and hosting, IPv4 and
// IPv6; each account mostly from a few home addresses, now and then travelling). Everything
// is drawn from a seed: the same seed, scale and clock give the same service. It only writes
// NDJSON (spec/records.md): the vault takes it through its own ingest.
// A SyntheticService is not changed after it is made: its const members may be called from
// any thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ip_address.h"
#include "core/time.h"

namespace custodian::demo {

// The first account id; accounts are numbered on from it.
inline constexpr uint64_t kFirstAccount = 1000000;

// How big the service is: scale 1 is 20,000 accounts and 2,000,000 logins.
struct ServiceSize {
  uint64_t accounts = 0;
  uint64_t events = 0;
};
ServiceSize SizeAt(double scale);

// A network the generator draws addresses from, and the country the default geolocation data
// places it in (demo_service_test checks that it does).
struct Network {
  const char* cidr;
  const char* country;
  const char* kind;  // "residential", "mobile" (carrier-grade NAT: few addresses, many users), "hosting"
};
const std::vector<Network>& Networks();

class SyntheticService {
 public:
  // The events end at `now` and reach back `days` days (the access log's retention, less a
  // day's margin).
  SyntheticService(uint64_t seed, ServiceSize size, Timestamp now, int64_t days);
  ~SyntheticService();

  // Every account's subscriber record versions, oldest first (NDJSON).
  std::string SubscriberRecords() const;
  // Calls `sink` with the events in order of day, a run of whole days at a time holding
  // about `run_events` events, until all size.events are given.
  template <typename Sink>
  void Events(uint64_t run_events, Sink&& sink) const {
    std::string run;
    uint64_t in_run = 0;
    for (int64_t d = 0; d < days_; ++d) {
      in_run += EventsOfDay(d, run);
      if (in_run >= run_events || d + 1 == days_) {
        sink(run, in_run);
        run.clear();
        in_run = 0;
      }
    }
  }

  // An account whose phone number another account held before it (for the demo's cases).
  uint64_t RecycledPhoneAccount() const;
  // That number (E.164).
  std::string RecycledPhone() const;

 private:
  struct Account;
  uint64_t EventsOfDay(int64_t day, std::string& out) const;
  const Account& Pick(uint64_t draw) const;

  uint64_t seed_;
  ServiceSize size_;
  Timestamp now_;
  int64_t days_;
  std::vector<Account> accounts_;
  std::vector<uint64_t> cumulative_weight_;  // for picking an account by its activity
  std::vector<std::pair<size_t, size_t>> recycled_;  // (earlier holder, later holder)
};

}  // namespace custodian::demo
