// Command table and argument parsing for the linli CLI.
#include "main/cli.h"

#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/code_tables.h"
#include "common/id_number.h"
#include "common/status.h"
#include "common/text.h"
#include "common/time_util.h"
#include "main/commands.h"
#include "storage/db.h"
#include "storage/migrations.h"

namespace linli::cli {
namespace {

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


void PrintHelp() {
  std::printf("linli — 社区治理台账系统 / community-governance ledgers\n\n用法: linli <command> [--db URL] [--json] …\n\n");
  for (const auto& c : Commands()) std::printf("  %-24s %s\n", c.name, c.summary);
  std::printf("\n每个命令都可加 --help 查看参数；打印数据的命令都接受 --json。\n");
  std::printf("\n--db URL: sqlite:PATH（默认 %s）或 postgresql://…\n", kDefaultDb);
  std::printf("--field-key PATH: 身份证号和电话的加密密钥文件（默认 $LINLI_FIELD_KEY 或 data/field.key），放在数据库之外并单独备份\n");
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
      if (name == c.name) {
        Args args = Parse(argc, argv, 1 + words);
        if (args.Has("help")) {
          std::printf("linli %s — %s\n用法: linli %s %s\n", c.name, c.summary, c.name, c.usage);
          return 0;
        }
        return c.fn(args);
      }
  }
  std::fprintf(stderr, "未知命令：%s（运行 linli help 查看全部命令）\n", argv[1]);
  return 2;
}

}  // namespace linli::cli
