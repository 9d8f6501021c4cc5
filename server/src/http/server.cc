// Boost.Beast implementation of the HTTP server.
#include "http/server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace linli::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

Status ParseListen(const std::string& listen, ServerOptions* o) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return Error(ErrorCode::kInvalidArgument, {{"detail", "--listen 应为 主机:端口，如 127.0.0.1:8080"}});
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = std::atoi(listen.substr(colon + 1).c_str());
  if (port < 0 || port > 65535 || listen.substr(colon + 1).empty())
    return Error(ErrorCode::kInvalidArgument, {{"detail", "端口应为 0–65535：" + listen}});
  o->host = host.empty() ? "0.0.0.0" : host;
  o->port = static_cast<uint16_t>(port);
  return Status::Ok();
}

struct Server::Impl {
  Impl(ServerOptions o, const Router& r) : options(std::move(o)), router(r), acceptor(ioc) {}

  ServerOptions options;
  const Router& router;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<int> connections{0};
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::optional<asio::signal_set> signals;
  std::thread stopper;  // runs StopNow() after a signal
  // Long work (routes marked long_running: imports, exports) runs here, not on the event loops.
  asio::thread_pool workers{2};

  void Accept();
  void StopNow();
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Server::Impl& server) : stream_(std::move(socket)), server_(server) {
    ++server_.connections;
  }
  ~Session() { --server_.connections; }

  void Start() {
    asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

  // Answers 503 and closes: too many connections.
  void RejectOverloaded() {
    Response r = ErrorResponse(Error(ErrorCode::kHttpOverloaded));
    r.headers.emplace_back("Retry-After", "5");
    keep_alive_ = false;
    Send(std::move(r), 11);
  }

 private:
  void Read() {
    if (server_.stopping) return Close();
    parser_.emplace();
    parser_->body_limit(server_.options.max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(server_.options.max_header_bytes));
    stream_.expires_after(server_.options.idle_timeout);
    bhttp::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return Close();
    if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      return Send(ErrorResponse(Error(ErrorCode::kHttpBodyTooLarge, {{"limit", std::to_string(server_.options.max_body_bytes)}})), 11);
    }
    if (ec) {
      keep_alive_ = false;
      return Send(ErrorResponse(Error(ErrorCode::kHttpBadRequest, {{"detail", ec.message()}})), 11);
    }
    ++server_.in_flight;
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(field.value());
    }
    req.body = std::move(msg.body());
    beast::error_code ep_ec;
    auto ep = stream_.socket().remote_endpoint(ep_ec);
    if (!ep_ec) req.client_ip = ep.address().to_string();
    keep_alive_ = msg.keep_alive() && !server_.stopping;
    int version = msg.version();
    if (!ParseTarget(req.target, &req.path, &req.query))
      return Send(ErrorResponse(Error(ErrorCode::kHttpBadRequest, {{"detail", "地址编码错误"}})), version, true);
    if (!server_.router.IsLongRunning(req))
      return Send(server_.router.Dispatch(req), version, /*counted=*/true);
    // Hand the request to the worker pool; the answer is written back on this connection's strand.
    auto self = shared_from_this();
    asio::post(server_.workers, [self, req = std::move(req), version]() mutable {
      Response res = self->server_.router.Dispatch(req);
      asio::dispatch(self->stream_.get_executor(), [self, res = std::move(res), version]() mutable {
        self->Send(std::move(res), version, /*counted=*/true);
      });
    });
  }

  void Send(Response r, int version, bool counted = false) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status), version);
    res->set(bhttp::field::server, "linli");
    res->set(bhttp::field::content_type, r.content_type);
    res->set("X-Content-Type-Options", "nosniff");
    res->set("X-Frame-Options", "DENY");
    res->set("Referrer-Policy", "no-referrer");
    res->set("Content-Security-Policy",
             "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    bool cache_set = false;
    for (const auto& [k, v] : r.headers) {
      res->insert(k, v);
      cache_set = cache_set || k == "Cache-Control";
    }
    if (!cache_set) res->set(bhttp::field::cache_control, "no-store");
    res->keep_alive(keep_alive_);
    res->body() = std::move(r.body);
    res->prepare_payload();
    auto self = shared_from_this();
    bhttp::async_write(stream_, *res, [self, res, counted](beast::error_code ec, std::size_t) {
      if (counted) --self->server_.in_flight;
      if (ec || !self->keep_alive_) return self->Close();
      self->Read();
    });
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Server::Impl& server_;
  bool keep_alive_ = true;
};

}  // namespace

void Server::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor.is_open()) return;
    } else {
      auto session = std::make_shared<Session>(std::move(socket), *this);
      if (connections > options.max_connections) session->RejectOverloaded();
      else session->Start();
    }
    if (!stopping) Accept();
  });
}

void Server::Impl::StopNow() {
  bool expected = false;
  if (!stopping.compare_exchange_strong(expected, true)) return;
  asio::post(ioc, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    if (signals) signals->cancel(ec);
  });
  auto deadline = std::chrono::steady_clock::now() + options.stop_grace;
  while (in_flight > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ioc.stop();
}

Server::Server(ServerOptions options, const Router& router) : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() {
  Stop();
  Wait();
}

Status Server::Start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return Error(ErrorCode::kInvalidArgument, {{"detail", "无法识别的地址 " + impl_->options.host}});
  tcp::endpoint endpoint(address, impl_->options.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return Error(ErrorCode::kInvalidArgument,
                 {{"detail", "无法监听 " + impl_->options.host + ":" + std::to_string(impl_->options.port) + "：" + ec.message()}});
  impl_->Accept();
  int n = impl_->options.threads > 0 ? impl_->options.threads : std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < n; ++i)
    impl_->threads.emplace_back([this] {
      impl_->ioc.run();
    });
  return Status::Ok();
}

uint16_t Server::port() const {
  beast::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? impl_->options.port : ep.port();
}

void Server::StopOnSignals() {
  impl_->signals.emplace(impl_->ioc, SIGTERM, SIGINT);
  impl_->signals->async_wait([this](beast::error_code ec, int) {
    if (ec) return;
    impl_->stopper = std::thread([this] { impl_->StopNow(); });
  });
}

void Server::Stop() {
  if (!impl_->threads.empty()) impl_->StopNow();
}

void Server::Wait() {
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  if (impl_->stopper.joinable()) impl_->stopper.join();
}

}  // namespace linli::http
