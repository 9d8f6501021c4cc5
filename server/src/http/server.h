// The asynchronous HTTP/1.1 server (Boost.Beast): an io_context run by one thread per core, a
// strand per connection, keep-alive, body and header size limits, a cap on open connections
// (beyond it: 503 with Retry-After), idle timeouts and a graceful stop that lets requests in
// flight finish. Requests are handed to a Router; handlers run on the connection's strand.
//
// Thread-safety: Start/Stop/Wait from one controlling thread; the Router must stay alive and
// unchanged while the server runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/router.h"

namespace linli::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port (tests)
  int threads = 0;       // 0 = one per core
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  int max_connections = 1024;
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds stop_grace{10};
};

// Parses "127.0.0.1:8080" / "[::1]:8080" / ":8080" into host and port.
Status ParseListen(const std::string& listen, ServerOptions* options);

class Server {
 public:
  Server(ServerOptions options, const Router& router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving on background threads. Errors: kInvalidArgument (cannot bind).
  Status Start();
  uint16_t port() const;
  // Stops accepting, waits up to stop_grace for requests in flight, then stops the threads.
  void Stop();
  // Blocks until the server has stopped (after Stop(), or SIGTERM/SIGINT when
  // StopOnSignals() was called).
  void Wait();
  // Installs SIGTERM/SIGINT handlers that stop the server gracefully.
  void StopOnSignals();

 struct Impl;  // public only so that connection objects in server.cc can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace linli::http
