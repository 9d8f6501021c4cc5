// Encryption of sensitive registry fields (ID numbers, phone numbers) and their keyed blind indexes.
//
// Which fields are sensitive is declared in data/registry/columns.csv (the columns of type
// id_number and phone, see registry::IsSensitive); this class only knows field names.
//
// Keys. One 32-byte master key in a key file OUTSIDE the database (crypto/key_file.h; default
// data/field.key, or $LINLI_FIELD_KEY, or an explicit path). Three subkeys are derived from it with
// crypto_kdf (context "linlifld"): 1 encryption, 2 blind indexes, 3 the key-check value.
//
// Ciphertext. XChaCha20-Poly1305 (crypto_aead_xchacha20poly1305_ietf) with a random 24-byte nonce
// per value; the associated data is "linli-field-v1:" + the field name, so a value moved to another
// column (or a tampered value) fails to decrypt. Stored as text: "e1:" + base64(nonce || ciphertext
// || tag). The same value encrypts differently every time; lookups use the blind indexes.
//
// Blind index. BLAKE2b (crypto_generichash) keyed with the blind-index subkey over
// kind + '\0' + value, truncated to 16 bytes, as 32 lower-case hex characters. Kinds are
// "<field>" (the whole normalised value) and "<field>:tail4" (its last four characters, digits and
// X only). Without the key nobody can compute an index, so the indexes cannot be brute-forced from
// the database alone, but equal values have equal indexes (see docs/ARCHITECTURE.md).
//
// Thread-safety: immutable after Load; share freely. Key bytes are zeroed on destruction.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace linli::crypto {

// $LINLI_FIELD_KEY, or data/field.key when unset.
std::string DefaultFieldKeyPath();

class FieldCipher {
 public:
  // Loads the master key file (creating it when missing and `create`). Errors: kFieldKey.
  static Result<std::shared_ptr<const FieldCipher>> Load(const std::string& path, bool create,
                                                         bool* created = nullptr);
  // A cipher from raw key bytes (tests). REQUIRES: raw.size() == 32.
  static std::shared_ptr<const FieldCipher> FromBytes(std::string_view raw, std::string path = "(memory)");

  FieldCipher(const FieldCipher&) = delete;
  FieldCipher& operator=(const FieldCipher&) = delete;
  ~FieldCipher();

  const std::string& path() const { return path_; }

  // "" for an empty value (NULL stays NULL); otherwise "e1:…".
  std::string Encrypt(std::string_view field, std::string_view plain) const;
  // "" for ""; errors: kFieldDecrypt (tampered, truncated, another key or another field).
  Result<std::string> Decrypt(std::string_view field, std::string_view stored) const;
  // True when `stored` has the ciphertext form (not a check of authenticity).
  static bool LooksEncrypted(std::string_view stored);

  // Blind index of the whole value of `field`; "" for "".
  std::string BlindIndex(std::string_view field, std::string_view value) const;
  // Blind index of the last four characters of TailChars(value); "" when it has fewer than four.
  std::string TailIndex(std::string_view field, std::string_view value) const;
  // The digits (and X) of a value, the characters a tail search matches: "010-12345678" → "01012345678".
  static std::string TailChars(std::string_view value);

  // A value identifying the key without revealing it (32 hex characters), kept in the store.
  std::string KeyCheck() const;

 private:
  FieldCipher() = default;
  std::string Digest(std::string_view kind, std::string_view value) const;

  std::string path_;
  std::array<unsigned char, 32> enc_key_{};
  std::array<unsigned char, 32> index_key_{};
  std::array<unsigned char, 32> check_key_{};
};

}  // namespace linli::crypto
