// Password hashing (Argon2id via libsodium crypto_pwhash_str), the password policy check, and
// generated passwords.
//
// Hash strings are libsodium's self-describing "$argon2id$v=19$m=…,t=…,p=1$salt$hash" text, so the
// cost can change without a migration: NeedsRehash tells when a stored hash is below the policy.
// All functions are thread-safe. Hashing at HashCost::Interactive takes about 64 MiB and ~0.1 s.
#pragma once

#include <string>
#include <string_view>

#include "auth/policy.h"
#include "common/status.h"

namespace linli::auth {

// The Argon2id hash of `password`. kInternal when libsodium cannot allocate the memory limit.
Result<std::string> HashPassword(std::string_view password, const HashCost& cost);
// True when `password` matches `hash`; false for a wrong password or a malformed hash.
bool VerifyPassword(std::string_view hash, std::string_view password);
// True when `hash` is not Argon2id at exactly `cost` (weaker or stronger): rehash at next login.
bool NeedsRehash(std::string_view hash, const HashCost& cost);

// Number of character classes present: lower-case, upper-case, digits, anything else.
int CharacterClasses(std::string_view password);
// The first policy rule `password` breaks, as kPasswordTooShort, kPasswordTooLong,
// kPasswordClasses or kPasswordContainsUsername (user name compared case-insensitively; skipped
// when empty).
Status CheckPasswordPolicy(std::string_view password, std::string_view username,
                           const AuthPolicy& policy);
// True when a password set at `changed_at` must be changed at `now` under the rotation rule.
bool PasswordExpired(int64_t changed_at, int64_t now, const AuthPolicy& policy);

// A random password of `length` characters (REQUIRES: length >= 4) with all four classes, drawn
// from an alphabet without look-alikes (no 0/O, 1/l/I). 16 characters carry about 95 bits.
std::string GeneratePassword(int length = 16);

}  // namespace linli::auth
