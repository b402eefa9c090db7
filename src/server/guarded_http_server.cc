#include "server/guarded_http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>

#include <algorithm>

#include "server/connection.h"
#include "server/problem.h"

namespace custodian::server {
namespace {

using Clock = std::chrono::steady_clock;

// How long a connection that left a body unread keeps draining it after the answer.
constexpr std::chrono::seconds kLinger{2};

// The connection of the request this thread serves (a connection is served by one worker).
thread_local Connection* current_connection = nullptr;
thread_local bool close_after_answer = false;

// The answer to a connection over the bound, sent before its request is read.
std::string TooManyConnections(size_t bound, const httplib::Headers& headers) {
  const std::string body =
      Problem{429, "too-many-connections", "Too many connections from this address",
              "At most " + std::to_string(bound) + " connections at once from one address.", ""}
          .ToJson()
          .dump() + "\n";
  std::string answer = "HTTP/1.1 429 Too Many Requests\r\n";
  for (const auto& [name, value] : headers) answer += name + ": " + value + "\r\n";
  return answer + "Content-Type: application/problem+json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

}  // namespace

bool AnnouncesBody(const httplib::Request& req) {
  return req.has_header("Transfer-Encoding") ||
         (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0");
}

Result<std::unique_ptr<GuardedHttpServer>> GuardedHttpServer::Create(
    const ConnectionLimits& limits, const std::string& tls_certificate,
    const std::string& tls_private_key) {
  SSL_CTX* tls = nullptr;
  if (!tls_certificate.empty() || !tls_private_key.empty()) {
    tls = SSL_CTX_new(TLS_server_method());
    const bool loaded =
        tls && SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION) == 1 &&
        SSL_CTX_use_certificate_chain_file(tls, tls_certificate.c_str()) == 1 &&
        SSL_CTX_use_PrivateKey_file(tls, tls_private_key.c_str(), SSL_FILETYPE_PEM) == 1 &&
        SSL_CTX_check_private_key(tls) == 1;
    ERR_clear_error();  // OpenSSL's queue of this thread: its reasons are not ours to report
    if (!loaded) {
      SSL_CTX_free(tls);
      return Status::InvalidArgument("TLS: the certificate or the private key does not load");
    }
    SSL_CTX_set_options(tls, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  }
  return std::unique_ptr<GuardedHttpServer>(new GuardedHttpServer(limits, tls));
}

GuardedHttpServer::GuardedHttpServer(const ConnectionLimits& limits, SSL_CTX* tls)
    : limits_(limits), tls_(tls) {
  const size_t workers = std::max<size_t>(limits_.workers, 1);
  new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  set_keep_alive_timeout(limits_.keep_alive_timeout.count());
  // httplib's default is 5 requests a connection: a busy client would reconnect all the time.
  set_keep_alive_max_count(std::max<size_t>(limits_.requests_per_connection, 1));
  // SO_REUSEADDR alone: a restart binds at once past TIME_WAIT, but a second server on a port
  // in use is refused. httplib's default, SO_REUSEPORT, would let it bind, and the kernel
  // would then split the clients between two servers.
  // TCP_NODELAY, which accepted connections take from the listening socket: an answer goes
  // out in a few writes, and with Nagle's algorithm each after the first waits for the
  // client's acknowledgement of the one before, which the client delays (some 40 ms).
  set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof(yes));
  });
  // The headers are in: the body's deadline runs from here, and the admission decides.
  set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (current_connection) current_connection->StartBody(Clock::now() + limits_.body_timeout);
    if (!admission_ || admission_(req, res) == HandlerResponse::Unhandled) {
      return HandlerResponse::Unhandled;
    }
    if (AnnouncesBody(req)) CloseAfterAnswer(res);
    return HandlerResponse::Handled;
  });
  set_expect_100_continue_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (!admission_ || admission_(req, res) == HandlerResponse::Unhandled) return 100;
    CloseAfterAnswer(res);
    return res.status;
  });
}

GuardedHttpServer::~GuardedHttpServer() {
  Shutdown();
  if (tls_) SSL_CTX_free(tls_);
}

void GuardedHttpServer::set_admission(HandlerWithResponse admission) {
  admission_ = std::move(admission);
}

void GuardedHttpServer::set_answer_headers(httplib::Headers headers) {
  answer_headers_ = headers;
  set_default_headers(std::move(headers));
}

void GuardedHttpServer::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (Connection* c : open_) c->Shut();
  }
  stop();
}

size_t GuardedHttpServer::ConnectionsFrom(const std::string& address) const {
  std::lock_guard lock(mu_);
  auto it = per_address_.find(address);
  return it == per_address_.end() ? 0 : it->second;
}

void GuardedHttpServer::CloseAfterAnswer(httplib::Response& res) {
  close_after_answer = true;
  res.set_header("Connection", "close");
}

bool GuardedHttpServer::TimedOut() { return current_connection && current_connection->timed_out(); }

bool GuardedHttpServer::HeadersTooLarge() {
  return current_connection && current_connection->over_budget();
}

bool GuardedHttpServer::Admit(Connection& connection) {
  std::lock_guard lock(mu_);
  if (stopping_) return false;
  size_t& count = per_address_[connection.address()];
  if (limits_.max_per_address > 0 && count >= limits_.max_per_address) {
    const auto idle = std::find_if(idle_.begin(), idle_.end(), [&](const Connection* c) {
      return c->address() == connection.address();
    });
    if (idle == idle_.end()) return false;
    (*idle)->Shut();
    uncounted_.insert(*idle);
    idle_.erase(idle);
    --count;
  }
  ++count;
  open_.insert(&connection);
  return true;
}

void GuardedHttpServer::Release(Connection& connection) {
  std::lock_guard lock(mu_);
  open_.erase(&connection);
  if (uncounted_.erase(&connection)) return;
  auto it = per_address_.find(connection.address());
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

void GuardedHttpServer::Uncount(Connection& connection) {
  std::lock_guard lock(mu_);
  if (!uncounted_.insert(&connection).second) return;
  auto it = per_address_.find(connection.address());
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

bool GuardedHttpServer::AwaitRequest(Connection& connection, Deadline until) {
  {
    std::lock_guard lock(mu_);
    idle_.insert(&connection);
  }
  const bool ready = connection.WaitForRequest(until);
  std::lock_guard lock(mu_);
  return idle_.erase(&connection) == 1 && ready;
}

// Replaces httplib's loop over a connection's requests (and SSLServer's): the same requests
// through process_request, read from a Connection under the deadlines.
bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  Connection connection(sock, tls_, limits_.write_timeout);
  if (!Admit(connection)) {
    if (limits_.max_per_address > 0) connection.SendNow(TooManyConnections(limits_.max_per_address, answer_headers_));
    return false;
  }
  struct Serving {
    GuardedHttpServer& server;
    Connection& connection;
    ~Serving() {
      current_connection = nullptr;
      server.Release(connection);  // before the connection closes its socket
    }
  } serving{*this, connection};
  current_connection = &connection;
  if (!connection.Accept(Clock::now() + limits_.header_timeout)) return false;
  bool ok = true;
  for (size_t left = keep_alive_max_count_; left > 0 && svr_sock_ != INVALID_SOCKET; --left) {
    // A first request has the whole header timeout from the connection; a later one first
    // comes within the keep-alive timeout.
    if (left != keep_alive_max_count_ &&
        !AwaitRequest(connection, Clock::now() + limits_.keep_alive_timeout)) {
      break;
    }
    connection.StartHeaders(Clock::now() + limits_.header_timeout, kMaxHeaderBytes);
    // The connection's last request: its answer says so, and the client may open its next
    // connection as soon as it reads it, before this one is done. Its place is free already.
    if (left == 1) Uncount(connection);
    close_after_answer = false;
    bool closed = false;
    ok = process_request(connection, left == 1, closed, nullptr);
    // A request cut off at its deadline leaves the stream mid-request: it carries no other.
    if (close_after_answer || connection.timed_out()) {
      connection.Linger(Clock::now() + kLinger);
      break;
    }
    if (!ok || closed) break;
  }
  return ok;
}

}  // namespace custodian::server
