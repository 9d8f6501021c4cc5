// Content hashes for reports and audit: SHA-256 as lower-case hex (libsodium).
#pragma once

#include <string>
#include <string_view>

namespace linli {

std::string Sha256Hex(std::string_view bytes);
// Hash of a file's bytes; "" when it cannot be read.
std::string FileSha256Hex(const std::string& path);

}  // namespace linli
