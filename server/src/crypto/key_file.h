// Secret key files kept OUTSIDE the database: 32 random bytes stored as 64 lower-case hex
// characters and a newline, mode 0600, created on first use.
//
// Creation writes a temporary file, fsyncs it and links it into place (then fsyncs the directory),
// so two processes starting together agree on one key: the loser of the race reads the winner's
// file. A file that is not a regular file, is readable or writable by group or others, or does not
// hold exactly 64 hex characters is refused. Used by the audit key (audit/chain.h) and the field
// encryption key (crypto/field_cipher.h). Thread-safe (no shared state).
#pragma once

#include <array>
#include <string>

#include "common/status.h"

namespace linli::crypto {

inline constexpr size_t kKeyFileBytes = 32;

// Loads the key at `path`. When the file does not exist and `create` is true, creates it (and its
// directory, mode 0700) and sets *created. Errors carry `error` with parameters path and detail
// (a Chinese description: 文件不存在, 权限过宽…).
// REQUIRES: `error` is a registered code whose message uses {path} and {detail}.
Result<std::array<unsigned char, kKeyFileBytes>> LoadKeyFile(const std::string& path, bool create, bool* created,
                                                             ErrorCode error);

// Creates the directory of `path` with mode 0700 when missing. Errors: kInternal.
Status MakePrivateParentDir(const std::string& path);
// Fsyncs the directory of `path`, so that a name just created in it survives a crash. Errors: kInternal.
Status FsyncParentDir(const std::string& path);

}  // namespace linli::crypto
