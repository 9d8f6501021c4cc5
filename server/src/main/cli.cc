// Command table and argument parsing for the linli CLI.
#include "main/cli.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/db.h"
#include "storage/migrations.h"

namespace linli::cli {
namespace {

constexpr const char* kDefaultDb = "sqlite:data/linli.db";

// Parsed arguments: --key value / --flag, and positional arguments.
struct Args {
  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
  bool Has(const std::string& k) const { return options.count(k) > 0; }
  std::string Get(const std::string& k, const std::string& fallback = "") const {
    auto it = options.find(k);
    return it == options.end() ? fallback : it->second;
  }
};

// Flags that take no value.
bool IsFlag(const std::string& name) {
  static const char* kFlags[] = {"json", "help", "dry-run", "all"};
  for (const char* f : kFlags)
    if (name == f) return true;
  return false;
}

Args Parse(int argc, char** argv, int start) {
  Args a;
  for (int i = start; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0) {
      std::string key = s.substr(2), value;
      size_t eq = key.find('=');
      if (eq != std::string::npos) {
        value = key.substr(eq + 1);
        key = key.substr(0, eq);
      } else if (!IsFlag(key) && i + 1 < argc) {
        value = argv[++i];
      }
      a.options[key] = value;
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

int Fail(const Status& st, bool json) {
  if (json) {
    std::printf("{\"error\":{\"code\":%d,\"name\":\"%s\",\"message\":\"%s\"}}\n", st.number(),
                std::string(LookupError(st.code()).name).c_str(), st.Message().c_str());
  }
  std::fprintf(stderr, "错误 %s\n", st.ToString().c_str());
  return 1;
}

int CmdInit(const Args& a) {
  auto db = storage::Db::Open(a.Get("db", kDefaultDb));
  if (!db.ok()) return Fail(db.status(), a.Has("json"));
  auto v = storage::SchemaVersion(**db);
  if (!v.ok()) return Fail(v.status(), a.Has("json"));
  std::printf("已初始化 %s（结构版本 %d）\n", (*db)->url().c_str(), *v);
  return 0;
}

struct Command {
  const char* name;
  const char* summary;
  int (*fn)(const Args&);
};

const std::vector<Command>& Commands() {
  static const std::vector<Command> kCommands = {
      {"init", "创建空的数据库（或升级到最新结构） / create or migrate a store", CmdInit},
  };
  return kCommands;
}

void PrintHelp() {
  std::printf("linli — 社区治理台账系统 / community-governance ledgers\n\n用法: linli <command> [--db URL] [--json] …\n\n");
  for (const auto& c : Commands()) std::printf("  %-22s %s\n", c.name, c.summary);
  std::printf("\n--db URL: sqlite:PATH（默认 %s）或 postgresql://…\n", kDefaultDb);
}

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "help") {
    PrintHelp();
    return argc < 2 ? 2 : 0;
  }
  // Commands may have two words ("org list"); try the longest match first.
  for (int words = 2; words >= 1; --words) {
    if (argc < 1 + words) continue;
    std::string name = argv[1];
    for (int w = 1; w < words; ++w) name += std::string(" ") + argv[1 + w];
    for (const auto& c : Commands())
      if (name == c.name) return c.fn(Parse(argc, argv, 1 + words));
  }
  std::fprintf(stderr, "未知命令：%s（运行 linli help 查看全部命令）\n", argv[1]);
  return 2;
}

}  // namespace linli::cli
