// The configurable rules of accounts and sessions, with the 等保 2.0 level-3 defaults of test
// practice (STANDARDS.md §7): passwords of at least 8 characters from 3 of 4 classes changed every
// 90 days, lockout for 15 minutes after 5 failures within 15 minutes, a 30-minute idle timeout and
// a 12-hour absolute session lifetime, and TOTP (RFC 6238, SHA-1, 30 s, 6 digits, ±1 step).
//
// A plain value type; copy it freely. A configuration file will fill it later.
#pragma once

#include <cstdint>
#include <string>

#include "auth/totp.h"

namespace linli::auth {

// The Argon2id work factors of password hashes (libsodium crypto_pwhash).
struct HashCost {
  uint64_t opslimit;
  size_t memlimit;
  static HashCost Interactive();  // OPSLIMIT/MEMLIMIT_INTERACTIVE: 2 passes, 64 MiB
  static HashCost Minimum();      // OPSLIMIT/MEMLIMIT_MIN: for tests only
};

struct AuthPolicy {
  // Passwords (等保 身份鉴别 a).
  int min_length = 8;           // in characters (code points)
  int max_length = 128;         // bounds the hashing work a request can cause
  int min_classes = 3;          // of: lower-case, upper-case, digits, other symbols
  bool forbid_username = true;  // the password may not contain the user name
  int rotation_days = 90;       // 0 turns rotation off

  // Failed logins (等保 身份鉴别 b).
  int max_failures = 5;
  int64_t failure_window_seconds = 15 * 60;
  int64_t lockout_seconds = 15 * 60;

  // Sessions.
  int64_t idle_timeout_seconds = 30 * 60;
  int64_t absolute_lifetime_seconds = 12 * 3600;
  // last_seen_at is written at most this often, so that reads do not each cost a write; the idle
  // timeout can therefore strike up to this much early, never late.
  int64_t touch_interval_seconds = 60;

  // Second factor (等保 身份鉴别 d).
  TotpParams totp;
  int totp_window = 1;  // accepted steps either side of now
  std::string totp_issuer = "linli";

  HashCost hash_cost = HashCost::Interactive();
};

}  // namespace linli::auth
