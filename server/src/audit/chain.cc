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

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status KeyError(const std::string& path, std::string detail) {
  return Error(ErrorCode::kAuditKey, {{"path", path}, {"detail", std::move(detail)}});
}

std::string Errno() { return std::strerror(errno); }

// Fsyncs the directory of `path` after an entry was created in it, so the new name survives a
// crash.
Status FsyncDir(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Internal("open directory " + dir.string() + ": " + Errno());
  int rc = ::fsync(fd);
  std::string err = rc != 0 ? Errno() : "";
  ::close(fd);
  if (rc != 0) return Internal("fsync directory " + dir.string() + ": " + err);
  return Status::Ok();
}

// Creates the directory of `path` (mode 0700) when missing.
Status MakeParentDir(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return Status::Ok();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("create directory " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  return Status::Ok();
}

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Writes a fresh key to a private temporary file and links it into place; EEXIST means another
// process won the race, whose key is then used.
Status CreateKeyFile(const std::string& path, bool* lost_race) {
  *lost_race = false;
  if (sodium_init() < 0) return KeyError(path, "libsodium 初始化失败（无可用随机源）");
  RETURN_IF_ERROR(MakeParentDir(path));
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return KeyError(path, "无法创建：" + Errno());
  unsigned char raw[kAuditKeyBytes];
  randombytes_buf(raw, sizeof raw);
  std::string text = ToHex(raw, sizeof raw) + "\n";
  sodium_memzero(raw, sizeof raw);
  bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, text) && ::fsync(fd) == 0;
  std::string err = ok ? "" : Errno();
  sodium_memzero(text.data(), text.size());
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return KeyError(path, "写入失败：" + err);
  }
  int rc = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0) {
    if (link_errno == EEXIST) {
      *lost_race = true;
      return Status::Ok();
    }
    return KeyError(path, std::string("无法创建：") + std::strerror(link_errno));
  }
  Status st = FsyncDir(path);
  if (!st.ok()) return KeyError(path, st.Param("detail"));
  return Status::Ok();
}

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
  if (created) *created = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno != ENOENT) return KeyError(path, "无法打开：" + Errno());
      if (!create) return KeyError(path, "文件不存在");
      bool lost_race = false;
      RETURN_IF_ERROR(CreateKeyFile(path, &lost_race));
      if (!lost_race && created) *created = true;
      continue;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      std::string err = Errno();
      ::close(fd);
      return KeyError(path, "无法读取：" + err);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return KeyError(path, "不是普通文件");
    }
    if ((st.st_mode & 077) != 0) {
      ::close(fd);
      return KeyError(path, "权限过宽，只允许属主读写（请执行 chmod 600）");
    }
    char buf[128];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    if (n < 0) return KeyError(path, "无法读取：" + Errno());
    std::string_view text(buf, static_cast<size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
      text.remove_suffix(1);
    AuditKey key;
    bool ok = text.size() == 2 * kAuditKeyBytes;
    for (size_t i = 0; ok && i < kAuditKeyBytes; ++i) {
      int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
      if (hi < 0 || lo < 0)
        ok = false;
      else
        key.bytes_[i] = static_cast<unsigned char>(hi * 16 + lo);
    }
    sodium_memzero(buf, sizeof buf);
    if (!ok) return KeyError(path, "内容不是64位十六进制密钥");
    return key;
  }
  return KeyError(path, "创建后仍无法打开");
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
    Status st = MakeParentDir(path);
    if (!st.ok()) return fail(st.Param("detail"));
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
      st = FsyncDir(path);
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
