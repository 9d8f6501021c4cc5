// PostgreSQL engine over libpq: one connection per Db, text-format parameters, `?` rewritten to $n.
#pragma once

#include <memory>
#include <string>

#include "storage/db.h"

namespace linli::storage {

Result<std::unique_ptr<Db>> OpenPostgres(const std::string& url, const OpenOptions& options);

}  // namespace linli::storage
