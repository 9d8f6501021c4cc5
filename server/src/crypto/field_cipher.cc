// XChaCha20-Poly1305 field encryption and keyed BLAKE2b blind indexes (see field_cipher.h).
#include "crypto/field_cipher.h"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "crypto/key_file.h"

namespace linli::crypto {
namespace {

constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "linlifld";
constexpr std::string_view kPrefix = "e1:";
constexpr std::string_view kAdPrefix = "linli-field-v1:";
constexpr size_t kIndexBytes = 16;
constexpr const char* kHexDigits = "0123456789abcdef";

std::string AssociatedData(std::string_view field) {
  std::string ad(kAdPrefix);
  ad += field;
  return ad;
}

// Random nonces from a per-thread buffer refilled 4 KiB at a time: one getrandom() call per 170
// values instead of one per value (nonces are public; only their uniqueness matters). linli never
// forks without exec, so no two processes share a pool.
void RandomNonce(unsigned char* out, size_t n) {
  thread_local unsigned char pool[4096];
  thread_local size_t used = sizeof pool;
  if (used + n > sizeof pool) {
    randombytes_buf(pool, sizeof pool);
    used = 0;
  }
  std::memcpy(out, pool + used, n);
  used += n;
}

Status DecryptError(std::string_view field) { return Error(ErrorCode::kFieldDecrypt, {{"field", std::string(field)}}); }

}  // namespace

std::string DefaultFieldKeyPath() {
  const char* env = std::getenv("LINLI_FIELD_KEY");
  return env && *env ? env : "data/field.key";
}

Result<std::shared_ptr<const FieldCipher>> FieldCipher::Load(const std::string& path, bool create, bool* created) {
  ASSIGN_OR_RETURN(auto master, LoadKeyFile(path, create, created, ErrorCode::kFieldKey));
  auto cipher = FromBytes(std::string_view(reinterpret_cast<const char*>(master.data()), master.size()), path);
  sodium_memzero(master.data(), master.size());
  return cipher;
}

std::shared_ptr<const FieldCipher> FieldCipher::FromBytes(std::string_view raw, std::string path) {
  if (sodium_init() < 0) std::abort();  // no randomness: nothing can be encrypted safely
  std::shared_ptr<FieldCipher> c(new FieldCipher());
  c->path_ = std::move(path);
  unsigned char master[crypto_kdf_KEYBYTES] = {};
  std::memcpy(master, raw.data(), std::min(raw.size(), sizeof master));
  crypto_kdf_derive_from_key(c->enc_key_.data(), c->enc_key_.size(), 1, kKdfContext, master);
  crypto_kdf_derive_from_key(c->index_key_.data(), c->index_key_.size(), 2, kKdfContext, master);
  crypto_kdf_derive_from_key(c->check_key_.data(), c->check_key_.size(), 3, kKdfContext, master);
  sodium_memzero(master, sizeof master);
  return c;
}

FieldCipher::~FieldCipher() {
  sodium_memzero(enc_key_.data(), enc_key_.size());
  sodium_memzero(index_key_.data(), index_key_.size());
  sodium_memzero(check_key_.data(), check_key_.size());
}

std::string FieldCipher::Encrypt(std::string_view field, std::string_view plain) const {
  if (plain.empty()) return {};
  std::string ad = AssociatedData(field);
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string raw(kNonce + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  RandomNonce(out, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kNonce, &clen, reinterpret_cast<const unsigned char*>(plain.data()),
                                             plain.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                             nullptr, out, enc_key_.data());
  size_t b64_len = sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string b64(b64_len, '\0');
  sodium_bin2base64(b64.data(), b64_len, out, raw.size(), sodium_base64_VARIANT_ORIGINAL);
  b64.resize(std::strlen(b64.c_str()));
  return std::string(kPrefix) + b64;
}

bool FieldCipher::LooksEncrypted(std::string_view stored) { return stored.substr(0, kPrefix.size()) == kPrefix; }

Result<std::string> FieldCipher::Decrypt(std::string_view field, std::string_view stored) const {
  if (stored.empty()) return std::string();
  if (!LooksEncrypted(stored)) return DecryptError(field);
  std::string_view b64 = stored.substr(kPrefix.size());
  std::string raw(b64.size(), '\0');
  size_t raw_len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), b64.data(), b64.size(), nullptr,
                        &raw_len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return DecryptError(field);
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (raw_len < kNonce + kTag) return DecryptError(field);
  const auto* in = reinterpret_cast<const unsigned char*>(raw.data());
  std::string ad = AssociatedData(field);
  std::string plain(raw_len - kNonce - kTag, '\0');
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &plain_len, nullptr,
                                                 in + kNonce, raw_len - kNonce,
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), in,
                                                 enc_key_.data()) != 0)
    return DecryptError(field);
  plain.resize(plain_len);
  return plain;
}

std::string FieldCipher::Digest(std::string_view kind, std::string_view value) const {
  crypto_generichash_state st;
  crypto_generichash_init(&st, index_key_.data(), index_key_.size(), kIndexBytes);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kind.data()), kind.size());
  const unsigned char zero = 0;
  crypto_generichash_update(&st, &zero, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  unsigned char out[kIndexBytes];
  crypto_generichash_final(&st, out, sizeof out);
  std::string hex;
  hex.reserve(2 * kIndexBytes);
  for (unsigned char b : out) {
    hex += kHexDigits[b >> 4];
    hex += kHexDigits[b & 15];
  }
  return hex;
}

std::string FieldCipher::BlindIndex(std::string_view field, std::string_view value) const {
  if (value.empty()) return {};
  return Digest(field, value);
}

std::string FieldCipher::TailChars(std::string_view value) {
  std::string out;
  for (char c : value)
    if ((c >= '0' && c <= '9') || c == 'X' || c == 'x') out += c == 'x' ? 'X' : c;
  return out;
}

std::string FieldCipher::TailIndex(std::string_view field, std::string_view value) const {
  std::string chars = TailChars(value);
  if (chars.size() < 4) return {};
  std::string kind(field);
  kind += ":tail4";
  return Digest(kind, std::string_view(chars).substr(chars.size() - 4));
}

std::string FieldCipher::KeyCheck() const {
  static constexpr std::string_view kCheck = "linli-field-key-check-v1";
  unsigned char out[kIndexBytes];
  crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(kCheck.data()), kCheck.size(),
                     check_key_.data(), check_key_.size());
  std::string hex;
  for (unsigned char b : out) {
    hex += kHexDigits[b >> 4];
    hex += kHexDigits[b & 15];
  }
  return hex;
}

}  // namespace linli::crypto
