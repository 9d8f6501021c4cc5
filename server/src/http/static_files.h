// The built web UI (web/dist), served by `linli serve` itself: one process, one port. Any GET
// outside /api/ is a file of the build or, for a path without an extension, the app's
// index.html (client-side routes). Hashed assets are cached for a year; index.html never.
// The UI is public like a login page: everything it shows comes from the guarded API.
#pragma once

#include <string>

#include "http/api.h"

namespace linli::http {

// Serves `request` from the folder `root`. Paths with "..", NUL or a backslash answer 404;
// a .gz sibling is sent (Content-Encoding: gzip) when the client accepts gzip.
Response ServeStatic(const std::string& root, const Request& request);

// The default web folder: $LINLI_WEB_DIR, else the build's web/dist.
std::string DefaultWebDir();

}  // namespace linli::http
