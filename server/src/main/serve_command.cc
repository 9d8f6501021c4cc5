// Starts the HTTP server with the routes of this version and serves until SIGTERM/SIGINT.
#include "main/serve_command.h"

#include <csignal>
#include <cstdio>

#include "audit/chain.h"
#include "http/app.h"
#include "http/server.h"
#include "http/static_files.h"
#include "main/commands.h"

namespace linli::cli {

int CmdServe(const Args& a) {
  // A closed stdout or client socket must not kill the server: write errors are handled instead.
  std::signal(SIGPIPE, SIG_IGN);
  http::ServerOptions options;
  Status st = http::ParseListen(a.Get("listen", "127.0.0.1:8080"), &options);
  if (st.ok() && a.Has("threads")) options.threads = std::atoi(a.Get("threads").c_str());
  if (!st.ok()) return Fail(st, a);
  http::AppOptions app_options;
  app_options.db_url = a.Get("db", kDefaultDb);
  app_options.audit.key_path = a.Get("audit-key", audit::DefaultAuditKeyPath());
  app_options.secure_cookies = a.Has("secure-cookies");
  app_options.export_dir = a.Get("export-dir", "");
  app_options.ledger_dirs = a.Get("ledgers", "");
  // Uploads (imports) are the largest bodies; JSON bodies are bounded by their declared shapes.
  options.max_body_bytes = app_options.max_upload_bytes;
  auto app = http::App::Open(app_options);
  if (!app.ok()) return Fail(app.status(), a);
  http::Router router;
  (*app)->AddRoutes(router);
  std::string web_dir = a.Get("web", http::DefaultWebDir());
  router.SetFallback([web_dir](http::Context& ctx) { return http::ServeStatic(web_dir, ctx.request); });
  http::Server server(options, router);
  st = server.Start();
  if (!st.ok()) return Fail(st, a);
  server.StopOnSignals();
  std::printf("linli 已启动：http://%s:%u/ （%s，Ctrl-C 停止）\n", options.host.c_str(), server.port(),
              app_options.db_url.c_str());
  std::fflush(stdout);
  server.Wait();
  std::printf("linli 已停止\n");
  return 0;
}

}  // namespace linli::cli
