#include "bench/workload.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numbers>
#include <numeric>
#include <optional>

#include "bench/event.h"
#include "core/ip_address.h"

namespace custodian::bench {
namespace {

constexpr double kFullEvents = 20'000'000;
constexpr double kFullAccounts = 200'000;
constexpr double kFullIps = 2'000'000;
constexpr double kFullSparseAccounts = 2'000'000;
constexpr double kFullSparseIps = 8'000'000;  // two million homes, and where their users roam

// xoshiro256** seeded through splitmix64: the same numbers on every platform, unlike the
// distributions of <random>, whose algorithms the standard leaves to the library.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : state_) s = SplitMix(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  // Uniform in [0, n); the bias (n / 2^64) is far below what a benchmark can see.
  uint64_t Below(uint64_t n) {
    return static_cast<uint64_t>((static_cast<unsigned __int128>(Next()) * n) >> 64);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  bool Chance(double p) { return Unit() < p; }

  static uint64_t SplitMix(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> state_{};
};

// Ranks 0..n-1 drawn with probability proportional to 1 / (rank + 1)^s.
class Zipf {
 public:
  Zipf(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t r = 0; r < n; ++r) cdf_[r] = sum += 1.0 / std::pow(static_cast<double>(r + 1), s);
    for (double& c : cdf_) c /= sum;
  }
  size_t Draw(Rng& rng) const {
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), rng.Unit());
    return std::min(static_cast<size_t>(it - cdf_.begin()), cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// Current browser and app user agents, the kind a service's access log is full of.
constexpr std::array<std::string_view, 40> kUserAgents = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/130.0.6723.90 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (iPad; CPU OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.7 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.86 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.86 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; SM-A536B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.6668.100 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Linux; Android 12; Redmi Note 11) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.58 Mobile Safari/537.36",
    "Mozilla/5.0 (Android 14; Mobile; rv:132.0) Gecko/132.0 Firefox/132.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/AP2A.240905.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.86 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/114.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 YaBrowser/24.10.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
    "ExampleApp/7.42.1 (iPhone15,2; iOS 18.1; Scale/3.00)",
    "ExampleApp/7.42.0 (iPhone14,5; iOS 17.7; Scale/3.00)",
    "ExampleApp/7.41.3 (iPad13,18; iPadOS 18.0; Scale/2.00)",
    "ExampleApp/7.42.1 (Android 14; Pixel 8; Build/AP2A.240905.003)",
    "ExampleApp/7.40.0 (Android 13; SM-A536B; Build/TP1A.220624.014)",
    "ExampleApp/7.42.1 (Android 12; Redmi Note 11; Build/SKQ1.211103.001)",
    "ExampleApp-Desktop/3.18.0 (Windows 10.0.22631; x64) Electron/32.2.0",
    "ExampleApp-Desktop/3.18.0 (macOS 14.7.1; arm64) Electron/32.2.0",
    "okhttp/4.12.0",
    "CFNetwork/1568.100.1 Darwin/24.0.0",
    "Dalvik/2.1.0 (Linux; U; Android 14; SM-S911B Build/UP1A.231005.007)",
};

// Kinds in the proportions of a busy service: mostly refreshes and logins.
constexpr std::array<double, 6> kKindWeights = {0.36, 0.08, 0.50, 0.045, 0.0075, 0.0075};

// Public IPv4 /8s (no private, shared, loopback or documentation ranges).
constexpr std::array<uint8_t, 32> kV4FirstOctets = {24, 31, 37, 41, 45, 46, 50, 62, 66, 68, 71,
                                                    73, 77, 78, 79, 81, 82, 83, 86, 88, 89, 90,
                                                    91, 92, 94, 95, 98, 99, 174, 176, 185, 188};
// Real ISP allocations (mobile carriers and broadband) for IPv6.
constexpr std::array<uint16_t, 8> kV6Prefixes = {0x2a02, 0x2600, 0x2607, 0x2409,
                                                 0x2a01, 0x2804, 0x2406, 0x2a00};

// A bijection of [0, 2^24), so distinct indices give distinct IPv4 addresses.
uint32_t Mix24(uint32_t x) {
  constexpr uint32_t kMask = (1u << 24) - 1;
  x = (x * 0x9e3779u + 0x5bd1e9u) & kMask;
  x ^= x >> 13;
  x = (x * 0xc2b2aeu | 1u) & kMask;  // odd multiplier: bijective mod 2^24
  return x ^ (x >> 11);
}

uint64_t Mix64(uint64_t x) { return Rng::SplitMix(x); }  // bijective finaliser

// The address space: indices below `v4_count` are IPv4 addresses, the rest IPv6, and
// distinct indices are distinct addresses.
IpAddress AddressAt(uint64_t i, uint64_t v4_count) {
  if (i >= v4_count) {
    const uint64_t v6 = i - v4_count;
    std::array<uint8_t, 16> b{};
    const uint16_t prefix = kV6Prefixes[v6 % kV6Prefixes.size()];
    b[0] = static_cast<uint8_t>(prefix >> 8);
    b[1] = static_cast<uint8_t>(prefix);
    const uint64_t net = Mix64(v6 ^ 0x5555);
    const uint64_t host = Mix64(v6);  // injective in v6
    for (int k = 0; k < 6; ++k) b[2 + k] = static_cast<uint8_t>(net >> (8 * k));
    for (int k = 0; k < 8; ++k) b[8 + k] = static_cast<uint8_t>(host >> (8 * k));
    return IpAddress::V6(b);
  }
  const uint8_t first = kV4FirstOctets[i % kV4FirstOctets.size()];
  const uint32_t rest = Mix24(static_cast<uint32_t>(i / kV4FirstOctets.size()));
  return IpAddress::V4({first, static_cast<uint8_t>(rest >> 16), static_cast<uint8_t>(rest >> 8),
                        static_cast<uint8_t>(rest)});
}

struct Account {
  uint64_t id = 0;
  std::array<uint64_t, 3> devices{};
  std::array<uint8_t, 3> agents{};  // indices into kUserAgents
  std::array<uint32_t, 3> homes{};     // IPv4, indices into the address space
  std::array<uint32_t, 2> v6_homes{};  // the same homes' IPv6 addresses
  uint8_t device_count = 0;
  uint8_t agent_count = 0;
  uint8_t home_count = 0;
  uint64_t events = 0;
  uint64_t first_day_events = 0;
};

// Picks index k of `count` items, the first far more often (a user's main device, home).
size_t Favourite(Rng& rng, size_t count) {
  if (count == 1 || rng.Chance(0.7)) return 0;
  return 1 + rng.Below(count - 1);
}

// Appends "HH:MM:SS.ffffffZ" for `micros` into the day.
void AppendClock(std::string& out, int64_t micros) {
  char buf[16];
  const int64_t secs = micros / kMicrosPerSecond;
  const int64_t frac = micros % kMicrosPerSecond;
  const int64_t parts[3] = {secs / 3600, secs / 60 % 60, secs % 60};
  char* p = buf;
  for (int k = 0; k < 3; ++k) {
    *p++ = static_cast<char>('0' + parts[k] / 10);
    *p++ = static_cast<char>('0' + parts[k] % 10);
    *p++ = k < 2 ? ':' : '.';
  }
  for (int64_t d = 100000; d > 0; d /= 10) *p++ = static_cast<char>('0' + frac / d % 10);
  *p++ = 'Z';
  out.append(buf, static_cast<size_t>(p - buf));
}

template <typename Int>
void AppendInt(std::string& out, Int value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, static_cast<size_t>(end - buf));
}

void AppendHex64(std::string& out, uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(value >> shift) & 0xf]);
}

// Writes through a large buffer; reports the first error with the file's name.
class Output {
 public:
  explicit Output(std::string path) : path_(std::move(path)) {}
  ~Output() {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Open() {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    return fd_ < 0 ? Error("cannot create") : Status::Ok();
  }
  std::string& buffer() { return buffer_; }
  Status FlushIfFull() { return buffer_.size() >= kFlushBytes ? Flush() : Status::Ok(); }
  Status Flush() {
    size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Error("cannot write");
      done += static_cast<size_t>(n);
    }
    written_ += buffer_.size();
    buffer_.clear();
    return Status::Ok();
  }
  Status SyncAndClose() {
    if (Status s = Flush(); !s.ok()) return s;
    if (::fsync(fd_) != 0) return Error("cannot sync");
    const int fd = fd_;
    fd_ = -1;
    return ::close(fd) == 0 ? Status::Ok() : Error("cannot close");
  }
  uint64_t written() const { return written_; }

 private:
  static constexpr size_t kFlushBytes = 8 << 20;
  Status Error(const char* what) const {
    return Status::IoError(std::string(what) + " " + path_ + ": " + std::strerror(errno));
  }
  std::string path_;
  int fd_ = -1;
  std::string buffer_;
  uint64_t written_ = 0;
};

// A full period walk of [0, n): visits every index once before repeating.
class Walk {
 public:
  explicit Walk(uint64_t n) : n_(n), stride_(n / 2 + 1) {
    while (std::gcd(stride_, n_) != 1) ++stride_;
  }
  uint64_t Next() { return (pos_++ % n_) * stride_ % n_; }

 private:
  uint64_t n_;
  uint64_t stride_;
  uint64_t pos_ = 0;
};

// Times of day (microseconds) for `count` events, sorted: busiest at 15:00, quietest at
// 03:00 (a third as busy).
std::vector<int64_t> TimesOfDay(Rng& rng, uint64_t count) {
  std::vector<int64_t> times;
  times.reserve(count);
  while (times.size() < count) {
    const double t = rng.Unit();  // fraction of the day
    const double density = 0.35 + 0.65 * (0.5 - 0.5 * std::cos(2 * std::numbers::pi * (t - 0.125)));
    if (rng.Chance(density)) times.push_back(static_cast<int64_t>(t * kMicrosPerDay));
  }
  std::sort(times.begin(), times.end());
  return times;
}

// The sparse shape's activity: which accounts are active on which days and how busy. Nine
// accounts in ten are active on one to three days with an event or two each; the tenth, on
// four days or more, with weights from a Pareto distribution (a long tail of heavy users).
class SparsePlan {
 public:
  SparsePlan(size_t accounts, int days, Rng& rng) : weight_(accounts), active_(days) {
    std::vector<int> mine;
    for (uint32_t a = 0; a < accounts; ++a) {
      const bool regular = rng.Chance(0.1);
      const uint64_t wanted = regular ? 4 + rng.Below(std::max(1, days - 3)) : 1 + rng.Below(3);
      const size_t count = std::min<uint64_t>(wanted, static_cast<uint64_t>(days));
      // 1 - Unit() is in (0, 1]: a Pareto draw with shape 1.1, at least 1, capped.
      weight_[a] = regular ? std::min(kHeaviest, std::pow(1 - rng.Unit(), -1 / 1.1)) : 1.0;
      mine.clear();
      while (mine.size() < count) {
        const int d = static_cast<int>(rng.Below(static_cast<uint64_t>(days)));
        if (std::find(mine.begin(), mine.end(), d) == mine.end()) mine.push_back(d);
      }
      for (int d : mine) active_[d].push_back(a);
    }
  }

  // The accounts of day d's `count` events, in random order: every account active that day
  // once (as many as there are events), the rest drawn by weight.
  std::vector<uint32_t> Day(int d, uint64_t count, Rng& rng) const {
    std::vector<uint32_t> out = active_[d];
    Shuffle(out, rng);
    if (out.size() >= count) {
      out.resize(count);
      return out;
    }
    std::vector<double> cdf(out.size());
    double sum = 0;
    for (size_t i = 0; i < out.size(); ++i) cdf[i] = sum += weight_[out[i]];
    const size_t active = out.size();
    while (out.size() < count) {
      const auto it = std::upper_bound(cdf.begin(), cdf.end(), rng.Unit() * sum);
      out.push_back(out[std::min(static_cast<size_t>(it - cdf.begin()), active - 1)]);
    }
    Shuffle(out, rng);
    return out;
  }

 private:
  static constexpr double kHeaviest = 5000;  // a regular's weight, against a quiet account's 1
  static void Shuffle(std::vector<uint32_t>& v, Rng& rng) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.Below(i)]);
  }
  std::vector<double> weight_;
  std::vector<std::vector<uint32_t>> active_;  // per day, the accounts active on it
};

}  // namespace

Result<WorkloadShape> ParseWorkloadShape(std::string_view name) {
  if (name == "zipf") return WorkloadShape::kZipf;
  if (name == "sparse") return WorkloadShape::kSparse;
  return Status::InvalidArgument("the workload is zipf or sparse, not \"" + std::string(name) + "\"");
}

const char* WorkloadShapeName(WorkloadShape shape) {
  return shape == WorkloadShape::kSparse ? "sparse" : "zipf";
}

Result<Workload> GenerateWorkload(const WorkloadOptions& options, const std::string& path) {
  if (!(options.scale > 0 && options.scale <= 10)) {
    return Status::InvalidArgument("scale must be in (0, 10]");
  }
  if (options.days < 1 || options.days > 366) {
    return Status::InvalidArgument("days must be between 1 and 366");
  }
  const auto scaled = [&](double full, uint64_t floor) {
    return std::max<uint64_t>(floor, static_cast<uint64_t>(std::llround(full * options.scale)));
  };
  const bool sparse = options.shape == WorkloadShape::kSparse;
  const uint64_t n_events = scaled(kFullEvents, 1);
  const uint64_t n_accounts = scaled(sparse ? kFullSparseAccounts : kFullAccounts, 1);
  const uint64_t n_ips = scaled(sparse ? kFullSparseIps : kFullIps, 16);
  const uint64_t n_v4 = n_ips - n_ips / 5;  // a fifth of the addresses are IPv6
  // Carrier NAT: a thousandth of the addresses (IPv4) carry a twentieth of the events,
  // many accounts each.
  const uint64_t n_nat = std::max<uint64_t>(1, n_ips / 1000);

  Rng rng(options.seed);
  // The targets draw from a stream of their own, so that the events do not depend on how
  // many targets are asked for.
  Rng sampling(~options.seed);
  std::vector<uint64_t> ids(n_accounts);
  std::iota(ids.begin(), ids.end(), uint64_t{1'000'000});
  for (size_t i = ids.size(); i > 1; --i) std::swap(ids[i - 1], ids[rng.Below(i)]);

  std::vector<Account> accounts(n_accounts);  // by activity rank
  for (uint64_t r = 0; r < n_accounts; ++r) {
    Account& a = accounts[r];
    a.id = ids[r];
    a.device_count = static_cast<uint8_t>(1 + rng.Below(3));
    a.agent_count = static_cast<uint8_t>(1 + rng.Below(3));
    a.home_count = static_cast<uint8_t>(1 + rng.Below(3));
    for (int k = 0; k < 3; ++k) {
      a.devices[k] = rng.Next();
      a.agents[k] = static_cast<uint8_t>(rng.Below(kUserAgents.size()));
      a.homes[k] = static_cast<uint32_t>(rng.Below(n_v4));
    }
    for (uint32_t& home : a.v6_homes) home = static_cast<uint32_t>(n_v4 + rng.Below(n_ips - n_v4));
  }
  // The Zipf shape draws each event's account as it goes; the sparse one plans the days from
  // a stream of its own, so that the Zipf shape's bytes are what they were before it.
  std::optional<Zipf> account_rank;
  std::optional<SparsePlan> plan;
  Rng planning(options.seed ^ 0x5ba4e5);
  if (sparse) {
    plan.emplace(n_accounts, options.days, planning);
  } else {
    account_rank.emplace(n_accounts, 1.0);
  }
  const Zipf nat_rank(n_nat, 1.0);
  Walk fresh_v4(n_v4);
  Walk fresh_v6(n_ips - n_v4);
  std::vector<std::string> ip_text(n_ips);  // filled on first use
  std::vector<bool> ip_seen(n_ips);
  std::vector<std::pair<uint64_t, int64_t>> ip_samples;  // (address index, ts): a reservoir
  ip_samples.reserve(options.ip_targets);

  std::array<double, kKindWeights.size()> kind_cdf{};
  std::partial_sum(kKindWeights.begin(), kKindWeights.end(), kind_cdf.begin());

  Output out(path);
  if (Status s = out.Open(); !s.ok()) return s;
  std::string& line = out.buffer();
  line.reserve((8 << 20) + 1024);

  // Weekends are quieter; the days' counts add up to exactly n_events.
  std::vector<double> day_weight(options.days);
  for (int d = 0; d < options.days; ++d) {
    const int64_t weekday = (options.first_day.days + d + 3) % 7;  // 0 = Monday
    day_weight[d] = weekday >= 5 ? 0.85 : 1.0;
  }
  const double weight_sum = std::accumulate(day_weight.begin(), day_weight.end(), 0.0);

  uint64_t emitted = 0;
  for (int d = 0; d < options.days; ++d) {
    const uint64_t day_events =
        d + 1 == options.days
            ? n_events - emitted
            : std::min(n_events - emitted,
                       static_cast<uint64_t>(std::llround(n_events * day_weight[d] / weight_sum)));
    const Date day = options.first_day.PlusDays(d);
    const std::string day_prefix = FormatDate(day) + "T";
    const std::vector<uint32_t> planned =
        plan ? plan->Day(d, day_events, planning) : std::vector<uint32_t>();
    size_t next_planned = 0;
    for (int64_t time_of_day : TimesOfDay(rng, day_events)) {
      const int64_t ts = day.days * kMicrosPerDay + time_of_day;
      Account& a = accounts[plan ? planned[next_planned++] : account_rank->Draw(rng)];
      ++a.events;
      a.first_day_events += d == 0;

      const auto kind = static_cast<EventKind>(
          std::upper_bound(kind_cdf.begin(), kind_cdf.end() - 1, rng.Unit()) - kind_cdf.begin());
      // Failed logins and recoveries come from elsewhere more often than the rest.
      const bool away = kind == EventKind::kFailedLogin || kind == EventKind::kRecovery
                            ? rng.Chance(0.6)
                            : rng.Chance(0.2);
      const bool v6 = rng.Chance(0.2);
      uint64_t ip;
      if (!away) {
        const size_t home = Favourite(rng, a.home_count);
        ip = v6 ? a.v6_homes[home % a.v6_homes.size()] : a.homes[home];
      } else if (rng.Chance(0.25)) {
        ip = nat_rank.Draw(rng);  // carrier NAT is IPv4, whatever the device could do
      } else {
        ip = v6 ? n_v4 + fresh_v6.Next() : fresh_v4.Next();
      }
      if (ip_text[ip].empty()) ip_text[ip] = AddressAt(ip, n_v4).ToString();
      ip_seen[ip] = true;

      const size_t device = Favourite(rng, a.device_count);
      // A device keeps its browser, except for the odd second browser on it.
      const size_t agent = rng.Chance(0.1) ? rng.Below(a.agent_count)
                                            : std::min<size_t>(device, a.agent_count - 1);

      if (ip_samples.size() < options.ip_targets) {
        ip_samples.emplace_back(ip, ts);
      } else if (const uint64_t j = sampling.Below(emitted + 1); j < ip_samples.size()) {
        ip_samples[j] = {ip, ts};
      }

      line += "{\"account_id\": ";
      AppendInt(line, a.id);
      line += ", \"ts\": \"";
      line += day_prefix;
      AppendClock(line, time_of_day);
      line += "\", \"kind\": \"";
      line += KindName(kind);
      line += "\", \"ip\": \"";
      line += ip_text[ip];
      line += "\", \"port\": ";
      AppendInt(line, 1024 + rng.Below(65536 - 1024));
      line += ", \"user_agent\": \"";
      line += kUserAgents[a.agents[agent]];  // none holds a character JSON must escape
      line += "\", \"device_id\": \"";
      AppendHex64(line, a.devices[device]);
      line += "\"}\n";
      ++emitted;
      if (Status s = out.FlushIfFull(); !s.ok()) return s;
    }
  }
  if (Status s = out.SyncAndClose(); !s.ok()) return s;

  Workload w;
  w.events = emitted;
  w.bytes = out.written();
  w.first_day = options.first_day;
  w.days = options.days;
  w.from_us = options.first_day.days * kMicrosPerDay;
  w.to_us = options.first_day.PlusDays(options.days).days * kMicrosPerDay;
  w.distinct_ips = static_cast<uint64_t>(std::count(ip_seen.begin(), ip_seen.end(), true));

  std::vector<const Account*> active;
  for (const Account& a : accounts) {
    if (a.events == 0) continue;
    active.push_back(&a);
    const uint64_t after = a.events - a.first_day_events;
    if (after > 0 && (w.light.events == 0 || after < w.light.events)) w.light = {a.id, after};
    if (after > w.heavy.events) w.heavy = {a.id, after};
  }
  w.accounts_with_events = active.size();
  for (size_t i = 0; i < options.account_targets && !active.empty(); ++i) {
    const Account* a = active[sampling.Below(active.size())];
    w.account_targets.push_back({a->id, a->events});
  }
  for (const auto& [ip, ts] : ip_samples) {
    const int64_t from = (ts - 12 * kMicrosPerHour) / kMicrosPerSecond * kMicrosPerSecond;
    w.ip_targets.push_back({ip_text[ip], from, from + kMicrosPerDay});
  }
  return w;
}

}  // namespace custodian::bench
