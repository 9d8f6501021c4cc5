// Routes open without signing in: health and reference data that holds nothing personal.
#pragma once

#include "http/router.h"
#include "storage/db.h"

namespace linli::http {

struct ServiceInfo {
  std::string engine;  // "sqlite" / "postgresql"
  int schema_version = 0;
};

// GET /api/v1/health, GET /api/v1/error_codes, GET /api/v1/code_tables[/{key}].
void AddPublicRoutes(Router& router, const ServiceInfo& info);

}  // namespace linli::http
