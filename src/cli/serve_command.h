// `custodian serve`: the HTTP API (server/api_server.h) over the instance's vault and case
// store, until SIGINT or SIGTERM.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "instance/instance_record.h"

namespace custodian {

void AddServeCommand(CLI::App& app, int* exit_code);

struct ServeSettings {
  InstanceOptions instance;
  std::string listen = "127.0.0.1:8080";
  std::string tls_certificate, tls_private_key;
  // Called once the server listens, with the address it answers at ("http://127.0.0.1:8080").
  std::function<void(const std::string& url)> on_listening{};
};

// Serves the instance until SIGINT or SIGTERM; the exit status. `custodian serve` and
// `custodian demo` alike. No thread may run before it is called (it blocks the signals first).
int ServeInstance(const ServeSettings& settings);

}  // namespace custodian
