// Argon2id password hashes, the password policy, rotation and generated passwords.
#include "auth/password.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

namespace linli::auth {
namespace {

void EnsureSodium() {
  if (sodium_init() < 0) std::abort();  // no entropy source: cannot continue safely
}

int CodePoints(std::string_view text) {
  int n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

HashCost HashCost::Interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

HashCost HashCost::Minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Result<std::string> HashPassword(std::string_view password, const HashCost& cost) {
  EnsureSodium();
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), cost.opslimit,
                                 cost.memlimit) != 0)
    return Internal("Argon2id 计算失败（内存不足？）");
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  EnsureSodium();
  std::string str(hash);  // NUL-terminated for libsodium
  if (str.size() >= crypto_pwhash_argon2id_STRBYTES) return false;
  return crypto_pwhash_argon2id_str_verify(str.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(std::string_view hash, const HashCost& cost) {
  std::string str(hash);
  return crypto_pwhash_argon2id_str_needs_rehash(str.c_str(), cost.opslimit, cost.memlimit) != 0;
}

int CharacterClasses(std::string_view password) {
  bool lower = false, upper = false, digit = false, other = false;
  for (unsigned char c : password) {
    if (c >= 'a' && c <= 'z')
      lower = true;
    else if (c >= 'A' && c <= 'Z')
      upper = true;
    else if (c >= '0' && c <= '9')
      digit = true;
    else
      other = true;  // ASCII symbols, spaces and any non-ASCII character
  }
  return int{lower} + int{upper} + int{digit} + int{other};
}

Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                           const AuthPolicy& policy) {
  int length = CodePoints(password);
  if (length < policy.min_length)
    return Error(ErrorCode::kPasswordTooShort,
                 {{"min", std::to_string(policy.min_length)}, {"length", std::to_string(length)}});
  if (length > policy.max_length)
    return Error(ErrorCode::kPasswordTooLong, {{"max", std::to_string(policy.max_length)}});
  int classes = CharacterClasses(password);
  if (classes < policy.min_classes)
    return Error(ErrorCode::kPasswordClasses,
                 {{"min", std::to_string(policy.min_classes)}, {"found", std::to_string(classes)}});
  if (policy.forbid_username && !username.empty() &&
      Lower(password).find(Lower(username)) != std::string::npos)
    return Error(ErrorCode::kPasswordContainsUsername);
  return Status::Ok();
}

bool PasswordExpired(int64_t changed_at, int64_t now, const AuthPolicy& policy) {
  if (policy.rotation_days <= 0) return false;
  return now - changed_at >= int64_t{policy.rotation_days} * 86400;
}

std::string GeneratePassword(int length) {
  EnsureSodium();
  static constexpr std::string_view kClasses[] = {
      "abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "@#%+=-_."};
  std::string all;
  for (std::string_view cls : kClasses) all += cls;
  auto pick = [](std::string_view from) {
    return from[randombytes_uniform(static_cast<uint32_t>(from.size()))];
  };
  std::string out;
  for (std::string_view cls : kClasses) out += pick(cls);
  while (static_cast<int>(out.size()) < length) out += pick(all);
  // Fisher–Yates, so the guaranteed characters are not always first.
  for (size_t idx = out.size() - 1; idx > 0; --idx)
    std::swap(out[idx], out[randombytes_uniform(static_cast<uint32_t>(idx + 1))]);
  return out;
}

}  // namespace linli::auth
