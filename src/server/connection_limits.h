// What the HTTP server allows each connection (server/guarded_http_server.h): its deadlines,
// the workers that serve connections, and how many one client address may hold at once.
// DATA/custodian.toml's [server] sets them (docs/operations.md).
#pragma once

#include <chrono>
#include <cstddef>

namespace custodian::server {

struct ConnectionLimits {
  size_t workers = 32;  // threads serving connections; each connection holds one while open
  // Connections open at once from one client address; 0: no bound (behind a proxy or load
  // balancer every client has the proxy's address, and the proxy must bound them).
  size_t max_per_address = 8;
  std::chrono::seconds header_timeout{10};  // a request's line and headers, from its first byte
  std::chrono::seconds body_timeout{60};    // its body, from the end of its headers
  std::chrono::seconds write_timeout{30};   // each write of an answer
  std::chrono::seconds keep_alive_timeout{5};  // the wait for a connection's next request
  // Requests one connection serves before it is closed (the client opens another).
  size_t requests_per_connection = 1000;
};

}  // namespace custodian::server
