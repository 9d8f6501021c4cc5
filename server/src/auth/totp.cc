// HOTP/TOTP computation and verification, Base32 coding and otpauth:// URIs.
#include "auth/totp.h"

#include <sodium.h>

#include <cstdlib>

#include "common/text.h"

namespace linli::auth {
namespace {

constexpr const char* kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int Base32Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

// The code's digits without grouping spaces; empty when anything else is present.
std::string NormaliseCode(std::string_view code) {
  std::string digits;
  for (char c : code) {
    if (c == ' ') continue;
    if (c < '0' || c > '9') return {};
    digits += c;
  }
  return digits;
}

}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += kBase32Alphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

Result<std::string> Base32Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    int v = Base32Value(c);
    if (v < 0) return Error(ErrorCode::kTotpSecretInvalid);
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out += static_cast<char>((buffer >> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (bits >= 5 || (buffer & ((1u << bits) - 1)) != 0) return Error(ErrorCode::kTotpSecretInvalid);
  return out;
}

std::string Hotp(std::string_view key, uint64_t counter, int digits, HashAlgorithm algorithm) {
  char message[8];
  for (int byte_idx = 7; byte_idx >= 0; --byte_idx) {
    message[byte_idx] = static_cast<char>(counter & 0xff);
    counter >>= 8;
  }
  std::string mac = Hmac(algorithm, key, std::string_view(message, sizeof message));
  // Dynamic truncation (RFC 4226 §5.3).
  size_t offset = static_cast<unsigned char>(mac.back()) & 0x0f;
  uint32_t binary = (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset]) & 0x7f) << 24) |
                    (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 1])) << 16) |
                    (static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 2])) << 8) |
                    static_cast<uint32_t>(static_cast<unsigned char>(mac[offset + 3]));
  sodium_memzero(mac.data(), mac.size());
  uint32_t modulus = 1;
  for (int digit_idx = 0; digit_idx < digits; ++digit_idx) modulus *= 10;
  std::string code = std::to_string(binary % modulus);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

int64_t TotpStep(int64_t unix_time, const TotpParams& params) {
  if (unix_time < params.t0) return -1;
  return (unix_time - params.t0) / params.period;
}

std::string TotpCode(std::string_view key, int64_t unix_time, const TotpParams& params) {
  return Hotp(key, static_cast<uint64_t>(TotpStep(unix_time, params)), params.digits,
              params.algorithm);
}

TotpCheck VerifyTotp(std::string_view key, std::string_view code, int64_t unix_time,
                     const TotpParams& params, int window, int64_t last_used_step) {
  TotpCheck check;
  std::string given = NormaliseCode(code);
  bool well_formed = given.size() == static_cast<size_t>(params.digits);
  int64_t now_step = TotpStep(unix_time, params);
  for (int64_t delta = -window; delta <= window; ++delta) {
    int64_t step = now_step + delta;
    if (step < 0) continue;
    std::string expected = Hotp(key, static_cast<uint64_t>(step), params.digits, params.algorithm);
    bool equal = well_formed && sodium_memcmp(expected.data(), given.data(), expected.size()) == 0;
    // The same code may (rarely) belong to two steps of the window: prefer one still unused.
    if (equal && (!check.matched || (check.step <= last_used_step && step > last_used_step))) {
      check.matched = true;
      check.step = step;
    }
  }
  check.replayed = check.matched && check.step <= last_used_step;
  return check;
}

std::string NewTotpSecret() {
  if (sodium_init() < 0) std::abort();  // no entropy source: cannot continue safely
  unsigned char secret[20];
  randombytes_buf(secret, sizeof secret);
  std::string encoded =
      Base32Encode(std::string_view(reinterpret_cast<char*>(secret), sizeof secret));
  sodium_memzero(secret, sizeof secret);
  return encoded;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret_base32, const TotpParams& params) {
  std::string uri = "otpauth://totp/" + PercentEncode(issuer) + ":" + PercentEncode(account);
  uri += "?secret=" + std::string(secret_base32);
  uri += "&issuer=" + PercentEncode(issuer);
  uri += "&algorithm=" + std::string(HashAlgorithmName(params.algorithm));
  uri += "&digits=" + std::to_string(params.digits);
  uri += "&period=" + std::to_string(params.period);
  return uri;
}

}  // namespace linli::auth
