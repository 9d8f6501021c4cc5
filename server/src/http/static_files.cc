// Static files of the web UI.
#include "http/static_files.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace linli::http {
namespace {

std::string ContentType(const std::string& ext) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},     {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},               {".png", "image/png"},
      {".jpg", "image/jpeg"},                  {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},                {".woff", "font/woff"},
      {".ttf", "font/ttf"},                    {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"}};
  for (const auto& [e, t] : kTypes)
    if (ext == e) return t;
  return "application/octet-stream";
}

bool ReadFile(const std::filesystem::path& p, std::string* out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(p, ec)) return false;
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return true;
}

}  // namespace

std::string DefaultWebDir() {
  if (const char* env = std::getenv("LINLI_WEB_DIR")) return env;
  return LINLI_WEB_DIR;
}

Response ServeStatic(const std::string& root, const Request& request) {
  Response r;
  const std::string& path = request.path;
  auto not_found = [&] { return ErrorResponse(Error(ErrorCode::kHttpRouteNotFound, {{"path", path}, {"method", request.method}})); };
  if (request.method != "GET" && request.method != "HEAD") return not_found();
  if (path.empty() || path[0] != '/' || path.find("..") != std::string::npos || path.find('\\') != std::string::npos ||
      path.find('\0') != std::string::npos)
    return not_found();
  std::filesystem::path rel = path == "/" ? "index.html" : path.substr(1);
  std::filesystem::path file = std::filesystem::path(root) / rel;
  bool is_index = false;
  if (!std::filesystem::is_regular_file(file)) {
    if (rel.has_extension()) return not_found();
    file = std::filesystem::path(root) / "index.html";  // a client-side route
    is_index = true;
  }
  is_index = is_index || rel == "index.html";
  std::string ext = file.extension().string();
  bool gzip = request.Header("accept-encoding").find("gzip") != std::string::npos;
  if (!(gzip && ReadFile(file.string() + ".gz", &r.body))) {
    gzip = false;
    if (!ReadFile(file, &r.body)) return not_found();
  }
  r.content_type = ContentType(ext);
  if (gzip) r.headers.emplace_back("Content-Encoding", "gzip");
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("Cache-Control", is_index || rel.string().rfind("assets/", 0) != 0
                                              ? "no-cache"
                                              : "public, max-age=31536000, immutable");
  if (request.method == "HEAD") r.body.clear();
  return r;
}

}  // namespace linli::http
