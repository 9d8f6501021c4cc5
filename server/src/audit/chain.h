// The cryptographic core of the audit log: the audit key file, the keyed MAC over a record's
// canonical form, and the anchor file that remembers the chain head outside the database.
//
// Audit key. 32 random bytes, stored as 64 lower-case hex characters and a newline in a file that
// lives OUTSIDE the database (default data/audit.key, or $LINLI_AUDIT_KEY; give the server its own
// directory, readable only by the linli account, and back it up apart from the database backups).
// The file is created on first use with mode 0600 (written to a temporary file, fsync'd and linked
// into place, so two processes starting together agree on one key); a key file readable or
// writable by group or others is refused. Whoever holds the key can forge a chain, so the key
// never enters the database, a log or a response; the bytes are zeroed when an AuditKey dies.
// This version has no key rotation: every record of a store is MACed with the same key.
//
// Canonical form. A record's MAC is HMAC-SHA-256 (libsodium crypto_auth_hmacsha256) over its
// fields in a fixed order, each written as "<decimal byte length>:<bytes>\n", so that no two
// different field lists share a serialisation (a field may contain ':' or '\n').
//
// Anchor file. A small file (default: the key path + ".anchor") that holds the newest chain head
// (seq, hash) this host has seen committed. It has two fixed-size slots, each MACed with the key;
// an update overwrites the slot that does not hold the current newest anchor and is fdatasync'd,
// so a torn write leaves the other slot intact. Updates only move forward (under an exclusive
// flock, so several processes may share the file), are made only after the records they name
// have committed, and only while the chain still holds the anchored record with the anchored hash
// (the caller checks that): so the anchor is always a lower bound of the true chain, and after a
// truncation or rewrite it keeps its evidence even when new records regrow the chain past it.
// A chain shorter than the anchor, or whose record at the anchor's seq has another hash, has been
// truncated or rewritten; someone who can rewrite the database but not the key directory cannot
// hide that.
//
// Thread-safety: an AuditKey is immutable and may be shared. An AnchorFile may be used from
// several threads (a mutex serialises them) and processes (an flock on the file does).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace linli::audit {

inline constexpr size_t kAuditKeyBytes = 32;
// prev_hash of the first record.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// $LINLI_AUDIT_KEY, or data/audit.key when unset.
std::string DefaultAuditKeyPath();

class AuditKey {
 public:
  // Loads the key file at `path`. When it does not exist and `create` is true, creates it (and its
  // directory, mode 0700) and sets *created. Errors: kAuditKey (missing, unreadable, malformed,
  // permissions wider than 0600).
  static Result<AuditKey> Load(const std::string& path, bool create, bool* created = nullptr);
  // A key from raw bytes (tests). REQUIRES: raw.size() == kAuditKeyBytes.
  static AuditKey FromBytes(std::string_view raw);

  AuditKey(AuditKey&& other) noexcept;
  AuditKey& operator=(AuditKey&& other) noexcept;
  AuditKey(const AuditKey&) = delete;
  AuditKey& operator=(const AuditKey&) = delete;
  ~AuditKey();

  // Lower-case hex HMAC-SHA-256 of the canonical form of `fields`.
  std::string Mac(const std::vector<std::string_view>& fields) const;

 private:
  AuditKey() = default;
  std::array<unsigned char, kAuditKeyBytes> bytes_{};
};

// The canonical serialisation MACed by AuditKey::Mac (exposed for tests and documentation).
std::string CanonicalForm(const std::vector<std::string_view>& fields);

struct Anchor {
  int64_t seq = 0;
  std::string hash{kGenesisHash};
};

enum class AnchorState {
  kOk,       // at least one intact slot
  kMissing,  // no file, or an empty one (nothing anchored yet)
  kDamaged   // the file exists but no slot is intact (or it was written with another key)
};

struct AnchorReading {
  AnchorState state = AnchorState::kMissing;
  Anchor anchor;  // meaningful when state == kOk
};

class AnchorFile {
 public:
  // Opens the anchor file at `path`. With `create`, a missing file (and directory) is created with
  // mode 0600; without it a missing file reads as kMissing and Advance() fails.
  // REQUIRES: `key` outlives the AnchorFile. Errors: kAuditAnchorFailed.
  static Result<std::unique_ptr<AnchorFile>> Open(const std::string& path, const AuditKey& key,
                                                  bool create);
  ~AnchorFile();

  const std::string& path() const { return path_; }
  // The newest intact slot. Errors: kAuditAnchorFailed (I/O).
  Result<AnchorReading> Read();
  // Moves the anchor to `a` unless the file already holds an equal or newer seq, or
  // `still_in_chain(current anchor)` answers false (the chain no longer holds the anchored record:
  // the old anchor is kept as evidence). With `sync`, fdatasync's before returning. Runs under an
  // exclusive lock on the file. Errors: kAuditAnchorFailed (no file, write or sync failed), or
  // those of still_in_chain.
  Status Advance(const Anchor& a, bool sync,
                 const std::function<Result<bool>(const Anchor&)>& still_in_chain);

 private:
  AnchorFile(std::string path, const AuditKey& key, int fd)
      : path_(std::move(path)), key_(key), fd_(fd) {}
  Result<AnchorReading> ReadLocked(int* newest_slot);
  Status Fail(std::string detail) const;

  std::string path_;
  const AuditKey& key_;
  int fd_ = -1;    // -1: no file (read-only open of a missing anchor)
  std::mutex mu_;  // flock does not exclude threads sharing one open file
};

}  // namespace linli::audit
