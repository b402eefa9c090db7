#include "cli/ledger_monitor_command.h"

#include <httplib.h>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.h"
#include "cli/file_input.h"
#include "core/base64.h"
#include "core/file_system.h"
#include "ledger/proof_json.h"
#include "ledger/public_keys.h"
#include "ledger/tree_head.h"

namespace custodian {
namespace {

constexpr size_t kMaxAnswerBytes = 64 << 10;  // a head is ~300 bytes, a proof ~6 KiB

struct MonitorFlags {
  std::string url;
  std::string state;
  std::string public_key;
  std::string log = "disclosures";
  std::string ca_file;  // empty: the system's certificate authorities
};

// Failures of trust (a rewritten log, a bad signature) and of reach (no server) exit 1; input
// that is not what it should be (arguments, files, answers) exits 2. So a monitor's
// InvalidArgument is the caller's or the server's malformed input, and nothing else is.
int ExitCodeOf(const Status& s) { return s.IsInvalidArgument() ? kExitBadInput : kExitFailure; }

// The URL as httplib::Client takes it (scheme, host, port) and a path prefix for the API.
struct ServerUrl {
  std::string origin;  // "https://host:port"
  std::string prefix;  // "" or "/custodian", no trailing slash
};

Result<ServerUrl> ParseServerUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  const std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") {
    return Status::InvalidArgument("URL: not an http:// or https:// URL");
  }
  const size_t host_start = scheme_end + 3;
  const size_t path_start = std::min(url.find('/', host_start), url.size());
  ServerUrl out;
  out.origin = url.substr(0, path_start);
  out.prefix = url.substr(path_start);
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  if (path_start == host_start || url.find_first_of("?#@ ") != std::string::npos) {
    return Status::InvalidArgument("URL: http(s)://HOST[:PORT][/PATH], without credentials, query or fragment");
  }
  return out;
}

// Server text in our messages: one line, printable, short.
std::string Printable(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, 200)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  return out;
}

// GET `path`: the body of a 200 answer. IoError when the server cannot be reached or answers
// anything else (with its problem's detail); InvalidArgument when the answer is too large.
Result<std::string> Fetch(httplib::Client& client, const ServerUrl& url, const std::string& path) {
  const std::string where = url.origin + url.prefix + path;
  std::string body;
  bool too_large = false;
  auto r = client.Get(url.prefix + path, [&](const char* data, size_t n) {
    too_large = body.size() + n > kMaxAnswerBytes;
    if (!too_large) body.append(data, n);
    return !too_large;
  });
  if (too_large) {
    return Status::InvalidArgument(where + ": the answer is larger than " +
                                   std::to_string(kMaxAnswerBytes) + " bytes");
  }
  if (!r) return Status::IoError(where + ": unreachable (" + httplib::to_string(r.error()) + ")");
  if (r->status != 200) {
    std::string why = "answered " + std::to_string(r->status);
    const auto problem = nlohmann::json::parse(body, nullptr, false);
    if (problem.is_object() && problem.contains("detail") && problem["detail"].is_string()) {
      why += ": " + Printable(problem["detail"].get<std::string>());
    }
    return Status::IoError(where + ": " + why);
  }
  return body;
}

// What the previous run kept in the state file; nothing when there is no file yet.
Result<std::optional<ledger::SignedTreeHead>> LoadState(const std::string& path,
                                                        const std::string& log) {
  FileSystem& fs = PosixFileSystem();
  if (!fs.Exists(path)) return std::optional<ledger::SignedTreeHead>();
  auto text = fs.ReadAll(path);
  if (!text.ok()) return Status::InvalidArgument(text.status().message());
  auto head = ledger::ParseTreeHead(*text);
  if (!head.ok()) return Status::InvalidArgument(path + ": " + head.status().message());
  if (head->log != log) {
    return Status::InvalidArgument(path + ": holds a head of log " + head->log + ", not of " + log);
  }
  return std::optional(*head);
}

Result<std::vector<ledger::TrustedKey>> LoadKeys(const std::string& path) {
  auto text = ReadInput(path, ledger::kMaxPublicKeysJsonBytes);
  if (!text.ok()) return Status::InvalidArgument(text.status().message());
  auto keys = ledger::ParseLedgerPublicKeys(*text);
  if (!keys.ok()) return Status::InvalidArgument(path + ": " + keys.status().message());
  return keys;
}

// "the head of 12 leaves seen before (signed 2026-03-12T16:00:00Z)"
std::string Seen(const ledger::SignedTreeHead& head) {
  return "the head of " + std::to_string(head.size) + " leaves seen before (signed " +
         head.timestamp + ")";
}

// Ok when `head` extends `previous`: the same tree, or a proof from the server that the
// earlier tree is a prefix of the later. Corruption when the log was rewritten.
Status CheckExtends(httplib::Client& client, const ServerUrl& url,
                    const ledger::SignedTreeHead& previous, const ledger::SignedTreeHead& head) {
  const std::string now = "its head of " + std::to_string(head.size) + " leaves";
  if (head.size < previous.size) {
    return Status::Corruption("the log was rewritten: " + now + " has fewer than " + Seen(previous));
  }
  if (head.size == previous.size) {
    if (head.root == previous.root) return Status::Ok();
    return Status::Corruption("the log was rewritten: " + now + " has another root than " + Seen(previous));
  }
  if (previous.size == 0) return Status::Ok();  // every tree extends the empty one
  const std::string path = "/api/v1/ledger/" + head.log + "/consistency?first=" +
                           std::to_string(previous.size) + "&second=" + std::to_string(head.size);
  auto body = Fetch(client, url, path);
  if (!body.ok()) {
    return body.status().WithContext("cannot check that " + now + " extends " + Seen(previous) + ": ");
  }
  const std::string where = url.origin + url.prefix + path;
  auto answer = ledger::ParseConsistencyAnswer(*body);
  if (!answer.ok()) return Status::InvalidArgument(where + ": " + answer.status().message());
  if (answer->first != previous.size || answer->second != head.size) {
    return Status::InvalidArgument(where + ": /first, /second: not the sizes asked for");
  }
  if (Status s = ledger::VerifyConsistency(previous.size, head.size, previous.root, head.root,
                                           answer->proof);
      !s.ok()) {
    return Status::Corruption("the log was rewritten: the proof that " + now + " extends " +
                              Seen(previous) + " does not verify (" + s.message() + ")");
  }
  return Status::Ok();
}

// One run: the line to print, or why the log or the run failed.
Result<nlohmann::ordered_json> Monitor(const MonitorFlags& f) {
  auto url = ParseServerUrl(f.url);
  if (!url.ok()) return url.status();
  auto keys = LoadKeys(f.public_key);
  if (!keys.ok()) return keys.status();
  auto previous = LoadState(f.state, f.log);
  if (!previous.ok()) return previous.status();

  httplib::Client client(url->origin);
  if (!client.is_valid()) return Status::InvalidArgument("URL: not an http:// or https:// URL");
  client.set_connection_timeout(10);
  client.set_read_timeout(30);
  if (!f.ca_file.empty()) client.set_ca_cert_path(f.ca_file);
  const std::string head_path = "/api/v1/ledger/" + f.log + "/head";
  const std::string where = url->origin + url->prefix + head_path;
  auto body = Fetch(client, *url, head_path);
  if (!body.ok()) return body.status();
  auto head = ledger::ParseTreeHead(*body);
  if (!head.ok()) return Status::InvalidArgument(where + ": " + head.status().message());
  if (head->log != f.log) return Status::Corruption(where + ": answered a head of log " + head->log);
  if (Status s = ledger::VerifyWithTrustedKeys(*head, *keys); !s.ok()) {
    return Status::Corruption(where + ": " +
                              (s.IsNotFound() ? s.message() + " (" + f.public_key + ")"
                                              : "the head does not verify: " + s.message()));
  }
  if (*previous) {
    if (Status s = CheckExtends(client, *url, **previous, *head); !s.ok()) return s;
  } else {
    std::cerr << (f.state + ": no head seen before: trusting this head of " +
                  std::to_string(head->size) + " leaves on first use\n");
  }
  // Kept only once every check passed, and whole or not at all.
  if (Status s = PosixFileSystem().WriteAtomically(f.state, ledger::TreeHeadToJson(*head).dump() + "\n");
      !s.ok()) {
    return Status::IoError(f.state + ": the new head could not be kept: " + s.message());
  }
  nlohmann::ordered_json out;
  out["log"] = head->log;
  out["size"] = head->size;
  out["root"] = Base64Encode(head->root);
  out["consistent_with"] = *previous ? nlohmann::ordered_json((*previous)->size) : nullptr;
  return out;
}

}  // namespace

void AddLedgerMonitorCommand(CLI::App& ledger, int* exit_code) {
  auto f = std::make_shared<MonitorFlags>();
  auto* monitor = ledger.add_subcommand(
      "monitor", "Check that an instance's log only grows: its latest signed head against the "
                 "one kept from the last run");
  monitor->add_option("URL", f->url, "The instance: http(s)://HOST[:PORT][/PATH]")->required();
  monitor->add_option("--state", f->state, "Where the last verified head is kept (made on the first run)")
      ->required();
  monitor->add_option("--public-key", f->public_key,
                      "The instance's ledger public key(s), as exported (GET /api/v1/keys), got beforehand")
      ->required();
  monitor->add_option("--log", f->log, "Which log")
      ->check(CLI::IsMember({"disclosures", "audit"}))
      ->capture_default_str();
  monitor->add_option("--ca-file", f->ca_file, "PEM certificates to trust for https (default: the system's)");
  monitor->callback([f, exit_code] {
    auto line = Monitor(*f);
    if (!line.ok()) {
      std::cerr << line.status().message() << "\n";
      *exit_code = ExitCodeOf(line.status());
      return;
    }
    std::cout << line->dump() << "\n";
    *exit_code = kExitOk;
  });
}

}  // namespace custodian
