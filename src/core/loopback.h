// Whether a host is this machine: what may be spoken to without TLS (the API server's listen
// address, the SMTP relay).
#pragma once

#include <string>

namespace custodian {

// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopback(const std::string& host);

}  // namespace custodian
