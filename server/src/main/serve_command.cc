// Starts the HTTP server with the routes of this version and serves until SIGTERM/SIGINT.
#include "main/serve_command.h"

#include <cstdio>

#include "http/public_routes.h"
#include "http/server.h"
#include "storage/migrations.h"

namespace linli::cli {

int CmdServe(const Args& a) {
  http::ServerOptions options;
  Status st = http::ParseListen(a.Get("listen", "127.0.0.1:8080"), &options);
  if (st.ok() && a.Has("threads")) options.threads = std::atoi(a.Get("threads").c_str());
  auto db = st.ok() ? storage::Db::Open(a.Get("db", kDefaultDb)) : Result<std::unique_ptr<storage::Db>>(st);
  if (!db.ok()) {
    std::fprintf(stderr, "错误 %s\n", db.status().ToString().c_str());
    return 1;
  }
  auto version = storage::SchemaVersion(**db);
  http::ServiceInfo info{(*db)->dialect() == storage::Dialect::kSqlite ? "sqlite" : "postgresql",
                         version.ok() ? *version : 0};
  http::Router router;
  http::AddPublicRoutes(router, info);
  http::Server server(options, router);
  st = server.Start();
  if (!st.ok()) {
    std::fprintf(stderr, "错误 %s\n", st.ToString().c_str());
    return 1;
  }
  server.StopOnSignals();
  std::printf("linli 已启动：http://%s:%u/ （%s，Ctrl-C 停止）\n", options.host.c_str(), server.port(),
              (*db)->url().c_str());
  std::fflush(stdout);
  server.Wait();
  std::printf("linli 已停止\n");
  return 0;
}

}  // namespace linli::cli
