// SHA-1 (FIPS 180-4) and the HMAC construction over SHA-1, SHA-256 and SHA-512.
#include "auth/hmac.h"

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace linli::auth {
namespace {

uint32_t Rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

void Sha1Block(std::array<uint32_t, 5>& h, const unsigned char* block) {
  uint32_t w[80];
  for (int t = 0; t < 16; ++t)
    w[t] = (uint32_t{block[4 * t]} << 24) | (uint32_t{block[4 * t + 1]} << 16) |
           (uint32_t{block[4 * t + 2]} << 8) | uint32_t{block[4 * t + 3]};
  for (int t = 16; t < 80; ++t) w[t] = Rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int t = 0; t < 80; ++t) {
    uint32_t f, k;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDC;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6;
    }
    uint32_t temp = Rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = Rotl(b, 30);
    b = a;
    a = temp;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
}

constexpr size_t kSha1BlockSize = 64;

std::string HmacSha1(std::string_view key, std::string_view message) {
  std::string k(key);
  if (k.size() > kSha1BlockSize) k = Sha1(k);
  k.resize(kSha1BlockSize, '\0');
  std::string inner(kSha1BlockSize, '\0'), outer(kSha1BlockSize, '\0');
  for (size_t byte_idx = 0; byte_idx < kSha1BlockSize; ++byte_idx) {
    inner[byte_idx] = static_cast<char>(k[byte_idx] ^ 0x36);
    outer[byte_idx] = static_cast<char>(k[byte_idx] ^ 0x5c);
  }
  inner.append(message);
  outer.append(Sha1(inner));
  std::string mac = Sha1(outer);
  sodium_memzero(k.data(), k.size());
  sodium_memzero(inner.data(), kSha1BlockSize);
  sodium_memzero(outer.data(), kSha1BlockSize);
  return mac;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

const char* HashAlgorithmName(HashAlgorithm algorithm) {
  switch (algorithm) {
    case HashAlgorithm::kSha1:
      return "SHA1";
    case HashAlgorithm::kSha256:
      return "SHA256";
    case HashAlgorithm::kSha512:
      return "SHA512";
  }
  return "SHA1";
}

std::string Sha1(std::string_view data) {
  std::array<uint32_t, 5> h = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t full = data.size() / kSha1BlockSize * kSha1BlockSize;
  for (size_t offset = 0; offset < full; offset += kSha1BlockSize)
    Sha1Block(h, Bytes(data) + offset);
  // Padding: 0x80, zeros, then the message length in bits as a big-endian 64-bit number.
  unsigned char tail[2 * kSha1BlockSize] = {};
  size_t rest = data.size() - full;
  if (rest) std::memcpy(tail, data.data() + full, rest);
  tail[rest] = 0x80;
  size_t tail_len = rest + 1 + 8 <= kSha1BlockSize ? kSha1BlockSize : 2 * kSha1BlockSize;
  uint64_t bits = static_cast<uint64_t>(data.size()) * 8;
  for (int byte_idx = 0; byte_idx < 8; ++byte_idx)
    tail[tail_len - 1 - byte_idx] = static_cast<unsigned char>(bits >> (8 * byte_idx));
  for (size_t offset = 0; offset < tail_len; offset += kSha1BlockSize) Sha1Block(h, tail + offset);
  std::string out(20, '\0');
  for (int word = 0; word < 5; ++word)
    for (int byte_idx = 0; byte_idx < 4; ++byte_idx)
      out[4 * word + byte_idx] = static_cast<char>(h[word] >> (24 - 8 * byte_idx));
  return out;
}

std::string Hmac(HashAlgorithm algorithm, std::string_view key, std::string_view message) {
  switch (algorithm) {
    case HashAlgorithm::kSha1:
      return HmacSha1(key, message);
    case HashAlgorithm::kSha256: {
      crypto_auth_hmacsha256_state state;
      std::string out(crypto_auth_hmacsha256_BYTES, '\0');
      crypto_auth_hmacsha256_init(&state, Bytes(key), key.size());
      crypto_auth_hmacsha256_update(&state, Bytes(message), message.size());
      crypto_auth_hmacsha256_final(&state, reinterpret_cast<unsigned char*>(out.data()));
      sodium_memzero(&state, sizeof state);
      return out;
    }
    case HashAlgorithm::kSha512: {
      crypto_auth_hmacsha512_state state;
      std::string out(crypto_auth_hmacsha512_BYTES, '\0');
      crypto_auth_hmacsha512_init(&state, Bytes(key), key.size());
      crypto_auth_hmacsha512_update(&state, Bytes(message), message.size());
      crypto_auth_hmacsha512_final(&state, reinterpret_cast<unsigned char*>(out.data()));
      sodium_memzero(&state, sizeof state);
      return out;
    }
  }
  return {};
}

std::string ToHex(std::string_view bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * bytes.size());
  for (unsigned char b : bytes) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return hex;
}

}  // namespace linli::auth
