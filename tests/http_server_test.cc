// HTTP server tests (engine-independent): the JSON envelope, routing errors (404/405), body
// limits (413), declared body shapes (400/422 with field errors), keep-alive, the connection cap
// (503 + Retry-After), graceful stop letting a request in flight finish, and the public routes.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "http/public_routes.h"
#include "http/server.h"
#include "http/shape.h"

namespace linli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Reply {
  int status = 0;
  nlohmann::json body;
  std::string retry_after;
};

// One request on a new connection (or on `stream` when given, for keep-alive).
Reply Call(uint16_t port, const std::string& method, const std::string& target, const std::string& body = "",
           beast::tcp_stream* stream = nullptr) {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> own;
  if (!stream) {
    own.emplace(ioc);
    own->connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream = &*own;
  }
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  bhttp::write(*stream, req);
  beast::flat_buffer buf;
  bhttp::response<bhttp::string_body> res;
  beast::error_code ec;
  bhttp::read(*stream, buf, res, ec);
  Reply r;
  if (ec) return r;
  r.status = res.result_int();
  r.body = nlohmann::json::parse(res.body(), nullptr, false);
  r.retry_after = std::string(res[bhttp::field::retry_after]);
  return r;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::AddPublicRoutes(router_, {"sqlite", 1});
    router_.Add({"POST", "/api/v1/echo", "public", [](http::Context& ctx) {
                   http::Shape shape{{{"name", http::FieldKind::kString, true, 4}, {"age", http::FieldKind::kInteger}}};
                   std::vector<http::FieldError> fields;
                   auto body = http::ParseBody(ctx.request.body, shape, &fields);
                   if (!body.ok()) return http::ErrorResponse(body.status(), fields);
                   return http::Data(*body, 201);
                 }});
    router_.Add({"GET", "/api/v1/slow", "public", [](http::Context&) {
                   std::this_thread::sleep_for(std::chrono::milliseconds(300));
                   return http::Data("done");
                 }});
  }
  void StartServer(http::ServerOptions options = {}) {
    options.port = 0;
    options.threads = 2;
    options.max_body_bytes = 1024;
    server_ = std::make_unique<http::Server>(options, router_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->port();
  }
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

TEST_F(HttpServerTest, EnvelopeAndRoutingErrors) {
  StartServer();
  Reply ok = Call(port_, "GET", "/api/v1/health");
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["data"]["status"], "ok");
  Reply missing = Call(port_, "GET", "/api/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body["error"]["code"], 8000);
  EXPECT_EQ(missing.body["error"]["name"], "kHttpRouteNotFound");
  EXPECT_FALSE(missing.body["error"]["message"].get<std::string>().empty());
  Reply wrong_method = Call(port_, "DELETE", "/api/v1/health");
  EXPECT_EQ(wrong_method.status, 405);
  Reply table = Call(port_, "GET", "/api/v1/code_tables/ethnicity");
  EXPECT_EQ(table.status, 200);
  EXPECT_EQ(table.body["data"]["items"][0]["label"], "汉族");
  Reply no_table = Call(port_, "GET", "/api/v1/code_tables/%E4%B8%8D%E5%AD%98%E5%9C%A8");  // 不存在
  EXPECT_EQ(no_table.status, 404);
  EXPECT_EQ(no_table.body["error"]["params"]["key"], "不存在");
  Reply codes = Call(port_, "GET", "/api/v1/error_codes");
  EXPECT_GT(codes.body["data"].size(), 50u);
}

TEST_F(HttpServerTest, BodiesAreCheckedAgainstTheirShape) {
  StartServer();
  Reply ok = Call(port_, "POST", "/api/v1/echo", R"({"name":"张三","age":30})");
  EXPECT_EQ(ok.status, 201);
  EXPECT_EQ(ok.body["data"]["name"], "张三");
  Reply not_json = Call(port_, "POST", "/api/v1/echo", "{name:");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.body["error"]["name"], "kHttpBadJson");
  Reply bad = Call(port_, "POST", "/api/v1/echo", R"({"age":"三十","is_admin":true,"name":"欧阳司马"})");
  EXPECT_EQ(bad.status, 422);
  auto fields = bad.body["error"]["fields"];
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0]["field"], "is_admin");
  EXPECT_EQ(fields[0]["name"], "kFieldUnknown");
  EXPECT_EQ(fields[1]["field"], "age");
  EXPECT_EQ(fields[1]["name"], "kFieldType");
  Reply long_name = Call(port_, "POST", "/api/v1/echo", R"({"name":"欧阳司马氏"})");
  EXPECT_EQ(long_name.body["error"]["fields"][0]["name"], "kFieldTooLong");
  Reply empty = Call(port_, "POST", "/api/v1/echo", R"({"name":"  "})");
  EXPECT_EQ(empty.body["error"]["fields"][0]["name"], "kFieldRequired");
  Reply huge = Call(port_, "POST", "/api/v1/echo", std::string(4096, 'x'));
  EXPECT_EQ(huge.status, 413);
  EXPECT_EQ(huge.body["error"]["params"]["limit"], "1024");
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Call(port_, "GET", "/api/v1/health", "", &stream).status, 200);
}

TEST_F(HttpServerTest, OverTheConnectionCapAnswers503WithRetryAfter) {
  http::ServerOptions o;
  o.max_connections = 1;
  StartServer(o);
  asio::io_context ioc;
  beast::tcp_stream first(ioc);
  first.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  EXPECT_EQ(Call(port_, "GET", "/api/v1/health", "", &first).status, 200);
  Reply second = Call(port_, "GET", "/api/v1/health");
  EXPECT_EQ(second.status, 503);
  EXPECT_EQ(second.retry_after, "5");
}

TEST_F(HttpServerTest, GracefulStopFinishesRequestsInFlight) {
  StartServer();
  auto slow = std::async(std::launch::async, [this] { return Call(port_, "GET", "/api/v1/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server_->Stop();
  server_->Wait();
  Reply r = slow.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["data"], "done");
}

TEST(ParseListenTest, Forms) {
  http::ServerOptions o;
  EXPECT_TRUE(http::ParseListen("127.0.0.1:8080", &o).ok());
  EXPECT_EQ(o.host, "127.0.0.1");
  EXPECT_EQ(o.port, 8080);
  EXPECT_TRUE(http::ParseListen("[::1]:9000", &o).ok());
  EXPECT_EQ(o.host, "::1");
  EXPECT_FALSE(http::ParseListen("localhost", &o).ok());
  EXPECT_FALSE(http::ParseListen("1.2.3.4:99999", &o).ok());
}

}  // namespace
}  // namespace linli
