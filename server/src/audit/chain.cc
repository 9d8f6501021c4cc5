// Audit key file, canonical MAC and the two-slot anchor file kept beside the key.
#include "audit/chain.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "crypto/key_file.h"

namespace linli::audit {
namespace {

constexpr const char* kHexDigits = "0123456789abcdef";

std::string ToHex(const unsigned char* bytes, size_t n) {
  std::string hex;
  hex.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    hex += kHexDigits[bytes[i] >> 4];
    hex += kHexDigits[bytes[i] & 15];
  }
  return hex;
}

std::string Errno() { return std::strerror(errno); }

// Anchor slot: "LAA1 <seq, 20 digits> <hash, 64 hex> <mac, 64 hex>\n".
constexpr size_t kSlotSize = 5 + 20 + 1 + 64 + 1 + 64 + 1;
constexpr int kSlots = 2;

std::string AnchorMac(const AuditKey& key, const std::string& seq_text, std::string_view hash) {
  return key.Mac({"linli-audit-anchor-v1", seq_text, hash});
}

std::string FormatSlot(const AuditKey& key, const Anchor& a) {
  char seq_text[32];
  std::snprintf(seq_text, sizeof seq_text, "%020lld", static_cast<long long>(a.seq));
  return std::string("LAA1 ") + seq_text + " " + a.hash + " " + AnchorMac(key, seq_text, a.hash) +
         "\n";
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// Parses and authenticates one slot; false when torn, empty or MACed with another key.
bool ParseSlot(const AuditKey& key, std::string_view slot, Anchor* out) {
  if (slot.size() != kSlotSize || slot.substr(0, 5) != "LAA1 " || slot.back() != '\n') return false;
  std::string seq_text(slot.substr(5, 20));
  for (char c : seq_text)
    if (c < '0' || c > '9') return false;
  if (slot[25] != ' ' || slot[90] != ' ') return false;
  std::string_view hash = slot.substr(26, 64);
  std::string_view mac = slot.substr(91, 64);
  if (!IsHex64(hash) || !IsHex64(mac)) return false;
  std::string expected = AnchorMac(key, seq_text, hash);
  if (sodium_memcmp(expected.data(), mac.data(), 64) != 0) return false;
  out->seq = std::strtoll(seq_text.c_str(), nullptr, 10);
  out->hash = std::string(hash);
  return true;
}

// Holds a flock for one scope.
class FileLock {
 public:
  FileLock(int fd, int op) : fd_(fd) {
    while ((rc_ = ::flock(fd_, op)) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() {
    if (rc_ == 0) ::flock(fd_, LOCK_UN);
  }
  bool ok() const { return rc_ == 0; }

 private:
  int fd_;
  int rc_ = -1;
};

}  // namespace

std::string DefaultAuditKeyPath() {
  const char* env = std::getenv("LINLI_AUDIT_KEY");
  return env && *env ? env : "data/audit.key";
}

std::string CanonicalForm(const std::vector<std::string_view>& fields) {
  std::string out;
  size_t total = 0;
  for (std::string_view f : fields) total += f.size() + 22;
  out.reserve(total);
  for (std::string_view f : fields) {
    out += std::to_string(f.size());
    out += ':';
    out += f;
    out += '\n';
  }
  return out;
}

Result<AuditKey> AuditKey::Load(const std::string& path, bool create, bool* created) {
  ASSIGN_OR_RETURN(auto bytes, crypto::LoadKeyFile(path, create, created, ErrorCode::kAuditKey));
  AuditKey key;
  key.bytes_ = bytes;
  sodium_memzero(bytes.data(), bytes.size());
  return key;
}

AuditKey AuditKey::FromBytes(std::string_view raw) {
  AuditKey key;
  std::memcpy(key.bytes_.data(), raw.data(), std::min(raw.size(), kAuditKeyBytes));
  return key;
}

AuditKey::AuditKey(AuditKey&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

AuditKey& AuditKey::operator=(AuditKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

AuditKey::~AuditKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

std::string AuditKey::Mac(const std::vector<std::string_view>& fields) const {
  std::string message = CanonicalForm(fields);
  unsigned char out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, bytes_.data(), bytes_.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
  return ToHex(out, sizeof out);
}

// ---- AnchorFile ----------------------------------------------------------------------------

Result<std::unique_ptr<AnchorFile>> AnchorFile::Open(const std::string& path, const AuditKey& key,
                                                     bool create) {
  auto fail = [&](std::string detail) {
    return Error(ErrorCode::kAuditAnchorFailed, {{"path", path}, {"detail", std::move(detail)}});
  };
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0 && errno == ENOENT && create) {
    Status st = crypto::MakePrivateParentDir(path);
    if (!st.ok()) return fail(st.Param("detail"));
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      st = crypto::FsyncParentDir(path);
      if (!st.ok()) {
        ::close(fd);
        return fail(st.Param("detail"));
      }
    }
  }
  if (fd < 0 && errno == ENOENT && !create)
    return std::unique_ptr<AnchorFile>(new AnchorFile(path, key, -1));
  if (fd < 0) return fail("无法打开：" + Errno());
  return std::unique_ptr<AnchorFile>(new AnchorFile(path, key, fd));
}

AnchorFile::~AnchorFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status AnchorFile::Fail(std::string detail) const {
  return Error(ErrorCode::kAuditAnchorFailed, {{"path", path_}, {"detail", std::move(detail)}});
}

Result<AnchorReading> AnchorFile::ReadLocked(int* newest_slot) {
  *newest_slot = -1;
  AnchorReading out;
  char buf[kSlotSize * kSlots];
  ssize_t n;
  while ((n = ::pread(fd_, buf, sizeof buf, 0)) < 0 && errno == EINTR) {
  }
  if (n < 0) return Fail("读取失败：" + Errno());
  if (n == 0) return out;
  bool any_bytes = false;
  for (ssize_t i = 0; i < n && !any_bytes; ++i) any_bytes = buf[i] != 0;
  if (!any_bytes) return out;
  for (int slot = 0; slot < kSlots; ++slot) {
    size_t begin = slot * kSlotSize;
    if (static_cast<size_t>(n) < begin + kSlotSize) break;
    Anchor a;
    if (!ParseSlot(key_, std::string_view(buf + begin, kSlotSize), &a)) continue;
    if (out.state != AnchorState::kOk || a.seq > out.anchor.seq) {
      out.state = AnchorState::kOk;
      out.anchor = a;
      *newest_slot = slot;
    }
  }
  if (out.state != AnchorState::kOk) out.state = AnchorState::kDamaged;
  return out;
}

Result<AnchorReading> AnchorFile::Read() {
  if (fd_ < 0) return AnchorReading{};
  std::lock_guard<std::mutex> guard(mu_);
  FileLock lock(fd_, LOCK_SH);
  if (!lock.ok()) return Fail("加锁失败：" + Errno());
  int newest = -1;
  return ReadLocked(&newest);
}

Status AnchorFile::Advance(const Anchor& a, bool sync,
                           const std::function<Result<bool>(const Anchor&)>& still_in_chain) {
  if (fd_ < 0) return Fail("文件不存在");
  std::lock_guard<std::mutex> guard(mu_);
  FileLock lock(fd_, LOCK_EX);
  if (!lock.ok()) return Fail("加锁失败：" + Errno());
  int newest = -1;
  ASSIGN_OR_RETURN(AnchorReading now, ReadLocked(&newest));
  if (now.state == AnchorState::kOk) {
    if (now.anchor.seq >= a.seq) return Status::Ok();
    ASSIGN_OR_RETURN(bool intact, still_in_chain(now.anchor));
    if (!intact) return Status::Ok();  // keep the evidence of a truncated or rewritten chain
  }
  int slot = newest == 0 ? 1 : 0;
  std::string text = FormatSlot(key_, a);
  ssize_t n;
  while ((n = ::pwrite(fd_, text.data(), text.size(), static_cast<off_t>(slot * kSlotSize))) < 0 &&
         errno == EINTR) {
  }
  if (n != static_cast<ssize_t>(text.size()))
    return Fail("写入失败：" + (n < 0 ? Errno() : "写入不完整"));
  if (sync && ::fdatasync(fd_) != 0) return Fail("同步到磁盘失败：" + Errno());
  return Status::Ok();
}

}  // namespace linli::audit
