#include "vault/clickhouse/clickhouse_http.h"

#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace custodian::vault::clickhouse {
namespace {

// Codes after which the same request may succeed: the server's "Unknown status, client must
// retry" (319), a quorum timed out (159) or not yet satisfied (286), too few live replicas
// (285), every connection to a shard failed (279), a replica's session with ZooKeeper gone or
// read-only (999, 242), too many simultaneous queries (202).
constexpr int kRetryable[] = {159, 202, 242, 279, 285, 286, 319, 999};

std::string Encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

// The first line of an error answer, at most 300 bytes.
std::string FirstLine(std::string_view answer) {
  answer = answer.substr(0, std::min(answer.find('\n'), size_t{300}));
  return std::string(answer);
}

}  // namespace

int ErrorCode(std::string_view answer) {
  const size_t at = answer.find("Code: ");
  if (at == std::string_view::npos) return 0;
  int code = 0;
  const char* begin = answer.data() + at + 6;
  std::from_chars(begin, answer.data() + answer.size(), code);
  return code;
}

Result<Endpoint> ParseEndpoint(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return Status::InvalidArgument("a ClickHouse server's URL is http://[USER[:PASSWORD]@]HOST[:PORT]");
  }
  url.remove_prefix(kScheme.size());
  while (url.ends_with('/')) url.remove_suffix(1);
  Endpoint e;
  if (const size_t at = url.rfind('@'); at != std::string_view::npos) {
    const std::string_view who = url.substr(0, at);
    const size_t colon = who.find(':');
    e.user = std::string(who.substr(0, colon));
    if (colon != std::string_view::npos) e.password = std::string(who.substr(colon + 1));
    url.remove_prefix(at + 1);
    if (e.user.empty()) return Status::InvalidArgument("a ClickHouse server's URL names an empty user");
  }
  if (url.find('/') != std::string_view::npos || url.find('?') != std::string_view::npos) {
    return Status::InvalidArgument("a ClickHouse server's URL has no path or query: http://HOST:PORT");
  }
  const size_t colon = url.rfind(':');
  e.host = std::string(url.substr(0, colon));
  if (colon != std::string_view::npos) {
    const std::string_view port = url.substr(colon + 1);
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
    if (ec != std::errc() || end != port.data() + port.size() || e.port < 1 || e.port > 65535) {
      return Status::InvalidArgument("a ClickHouse server's URL has a bad port: '" + std::string(port) + "'");
    }
  }
  if (e.host.empty()) return Status::InvalidArgument("a ClickHouse server's URL names no host");
  return e;
}

Result<std::string> Http::Query(std::string_view sql, std::string_view rows, const Settings& settings) const {
  std::string target = "/?wait_end_of_query=1";
  for (const auto& [name, value] : settings) target += "&" + Encode(name) + "=" + Encode(value);
  std::string body;
  if (rows.empty()) {
    body = std::string(sql);  // the query as the body: no length limit of a URL
  } else {
    target += "&query=" + Encode(sql);
    body = std::string(rows);
  }
  httplib::Client client(endpoint_.host, endpoint_.port);
  client.set_connection_timeout(5);
  client.set_read_timeout(timeout_);
  client.set_write_timeout(timeout_);
  client.set_tcp_nodelay(true);
  if (!endpoint_.password.empty() || endpoint_.user != "default") {
    client.set_basic_auth(endpoint_.user, endpoint_.password);
  }
  const auto res = client.Post(target, body, "application/octet-stream");
  const std::string server = "clickhouse " + endpoint_.Name() + ": ";
  if (!res) return Status::Unavailable(server + httplib::to_string(res.error()));
  if (res->status == 200) return std::move(res->body);
  const int code = ErrorCode(res->body);
  const std::string what = server + (code ? FirstLine(res->body) : "HTTP " + std::to_string(res->status));
  if (std::find(std::begin(kRetryable), std::end(kRetryable), code) != std::end(kRetryable) ||
      res->status == 503) {
    return Status::Unavailable(what);
  }
  if (res->status >= 400 && res->status < 500) return Status::InvalidArgument(what);
  return Status::Internal(what);
}

}  // namespace custodian::vault::clickhouse
