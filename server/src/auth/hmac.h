// HMAC over SHA-1, SHA-256 and SHA-512 for one-time passwords (RFC 2104, RFC 4226, RFC 6238).
//
// SHA-1 is implemented here (libsodium has none) and used only inside HMAC, where its collision
// weakness does not matter; SHA-256 and SHA-512 come from libsodium. Pure functions, thread-safe.
// Inputs and outputs are raw bytes in std::string.
#pragma once

#include <string>
#include <string_view>

namespace linli::auth {

enum class HashAlgorithm { kSha1, kSha256, kSha512 };

// "SHA1", "SHA256", "SHA512" (the otpauth:// spelling).
const char* HashAlgorithmName(HashAlgorithm algorithm);

// The 20-byte SHA-1 digest (FIPS 180-4).
std::string Sha1(std::string_view data);
// HMAC(key, message) with the given hash: 20, 32 or 64 bytes.
std::string Hmac(HashAlgorithm algorithm, std::string_view key, std::string_view message);
// Lower-case hex of raw bytes.
std::string ToHex(std::string_view bytes);

}  // namespace linli::auth
