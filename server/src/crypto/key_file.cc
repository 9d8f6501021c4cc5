// Loading and race-free creation of the 0600 hex key files beside the store.
#include "crypto/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace linli::crypto {
namespace {

constexpr const char* kHexDigits = "0123456789abcdef";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Errno() { return std::strerror(errno); }

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

class KeyFileLoader {
 public:
  KeyFileLoader(const std::string& path, ErrorCode error) : path_(path), error_(error) {}

  Status Fail(std::string detail) const { return Error(error_, {{"path", path_}, {"detail", std::move(detail)}}); }

  // Writes a fresh key to a private temporary file and links it into place; EEXIST means another
  // process won the race, whose key is then used.
  Status Create(bool* lost_race) const {
    *lost_race = false;
    if (sodium_init() < 0) return Fail("libsodium 初始化失败（无可用随机源）");
    Status dir = MakePrivateParentDir(path_);
    if (!dir.ok()) return Fail(dir.Param("detail"));
    std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return Fail("无法创建：" + Errno());
    unsigned char raw[kKeyFileBytes];
    randombytes_buf(raw, sizeof raw);
    std::string text;
    for (unsigned char b : raw) {
      text += kHexDigits[b >> 4];
      text += kHexDigits[b & 15];
    }
    text += '\n';
    sodium_memzero(raw, sizeof raw);
    bool ok = ::fchmod(fd, 0600) == 0 && WriteAll(fd, text) && ::fsync(fd) == 0;
    std::string err = ok ? "" : Errno();
    sodium_memzero(text.data(), text.size());
    ::close(fd);
    if (!ok) {
      ::unlink(tmp.c_str());
      return Fail("写入失败：" + err);
    }
    int rc = ::link(tmp.c_str(), path_.c_str());
    int link_errno = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      if (link_errno == EEXIST) {
        *lost_race = true;
        return Status::Ok();
      }
      return Fail(std::string("无法创建：") + std::strerror(link_errno));
    }
    Status synced = FsyncParentDir(path_);
    if (!synced.ok()) return Fail(synced.Param("detail"));
    return Status::Ok();
  }

  Result<std::array<unsigned char, kKeyFileBytes>> Load(bool create, bool* created) const {
    if (created) *created = false;
    for (int attempt = 0; attempt < 2; ++attempt) {
      int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) {
        if (errno != ENOENT) return Fail("无法打开：" + Errno());
        if (!create) return Fail("文件不存在");
        bool lost_race = false;
        RETURN_IF_ERROR(Create(&lost_race));
        if (!lost_race && created) *created = true;
        continue;
      }
      struct stat st {};
      if (::fstat(fd, &st) != 0) {
        std::string err = Errno();
        ::close(fd);
        return Fail("无法读取：" + err);
      }
      if (!S_ISREG(st.st_mode)) {
        ::close(fd);
        return Fail("不是普通文件");
      }
      if ((st.st_mode & 077) != 0) {
        ::close(fd);
        return Fail("权限过宽，只允许属主读写（请执行 chmod 600）");
      }
      char buf[128];
      ssize_t n = ::read(fd, buf, sizeof buf);
      ::close(fd);
      if (n < 0) return Fail("无法读取：" + Errno());
      std::string_view text(buf, static_cast<size_t>(n));
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.remove_suffix(1);
      std::array<unsigned char, kKeyFileBytes> key{};
      bool ok = text.size() == 2 * kKeyFileBytes;
      for (size_t i = 0; ok && i < kKeyFileBytes; ++i) {
        int hi = HexValue(text[2 * i]), lo = HexValue(text[2 * i + 1]);
        if (hi < 0 || lo < 0)
          ok = false;
        else
          key[i] = static_cast<unsigned char>(hi * 16 + lo);
      }
      sodium_memzero(buf, sizeof buf);
      if (!ok) {
        sodium_memzero(key.data(), key.size());
        return Fail("内容不是64位十六进制密钥");
      }
      return key;
    }
    return Fail("创建后仍无法打开");
  }

 private:
  const std::string& path_;
  ErrorCode error_;
};

}  // namespace

Status MakePrivateParentDir(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return Status::Ok();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Internal("create directory " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  return Status::Ok();
}

Status FsyncParentDir(const std::string& path) {
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

Result<std::array<unsigned char, kKeyFileBytes>> LoadKeyFile(const std::string& path, bool create, bool* created,
                                                             ErrorCode error) {
  return KeyFileLoader(path, error).Load(create, created);
}

}  // namespace linli::crypto
