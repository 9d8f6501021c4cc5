// One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238), Base32 secrets (RFC 4648 §6) and the
// otpauth:// key URI that authenticator apps scan.
//
// Secrets are raw bytes inside the library and Base32 text at its edges (storage, URIs, users).
// Verification compares in constant time and walks the whole window whatever matches, so its
// duration does not depend on which step matched. Pure functions except NewTotpSecret (random);
// all thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/hmac.h"
#include "common/status.h"

namespace linli::auth {

struct TotpParams {
  HashAlgorithm algorithm = HashAlgorithm::kSha1;
  int digits = 6;       // REQUIRES: 6..8 (RFC 4226 §5.3)
  int64_t period = 30;  // seconds per step (X in RFC 6238); REQUIRES: > 0
  int64_t t0 = 0;       // Unix time of step 0
};

// Base32 without padding, upper case ("JBSWY3DPEHPK3PXP").
std::string Base32Encode(std::string_view bytes);
// Accepts upper or lower case, spaces, hyphens and trailing '=' padding. kTotpSecretInvalid on any
// other character or on trailing bits that are not zero.
Result<std::string> Base32Decode(std::string_view text);

// HOTP value of `counter` for `key`, zero-padded to `digits` digits.
std::string Hotp(std::string_view key, uint64_t counter, int digits,
                 HashAlgorithm algorithm = HashAlgorithm::kSha1);
// The time step T = floor((unix_time - t0) / period); negative times give step -1.
int64_t TotpStep(int64_t unix_time, const TotpParams& params = {});
// TOTP value at `unix_time`.
std::string TotpCode(std::string_view key, int64_t unix_time, const TotpParams& params = {});

struct TotpCheck {
  bool matched = false;   // the code belongs to some step in the window
  bool replayed = false;  // ... but that step is not after `last_used_step`
  int64_t step = 0;       // the matching step when matched
};
// Checks `code` against the steps now-window … now+window. A step at or before `last_used_step`
// counts as a replay (RFC 6238 §5.2: an accepted code is never accepted again, nor is an older
// one). Codes with spaces ("123 456") are accepted; other non-digits never match.
TotpCheck VerifyTotp(std::string_view key, std::string_view code, int64_t unix_time,
                     const TotpParams& params = {}, int window = 1,
                     int64_t last_used_step = INT64_MIN);

// A new random 20-byte secret (RFC 4226 §4 recommends 160 bits), Base32-encoded.
std::string NewTotpSecret();
// otpauth://totp/ISSUER:ACCOUNT?secret=…&issuer=…&algorithm=…&digits=…&period=… with the label
// and issuer percent-encoded (Key URI Format of Google Authenticator).
std::string OtpauthUri(std::string_view issuer, std::string_view account,
                       std::string_view secret_base32, const TotpParams& params = {});

}  // namespace linli::auth
