// SQLite engine: WAL, one read-write connection that does every write and checkpoint, and a pool
// of read-only connections for readers outside transactions. A lock file next to the database
// keeps a second writer process out.
#pragma once

#include <memory>
#include <string>

#include "storage/db.h"

namespace linli::storage {

Result<std::unique_ptr<Db>> OpenSqlite(const std::string& path, const OpenOptions& options);

}  // namespace linli::storage
