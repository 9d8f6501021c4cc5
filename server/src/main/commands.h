// The linli subcommands: one handler per command, declared in the command table of commands.cc.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "storage/db.h"

namespace linli::cli {

inline constexpr const char* kDefaultDb = "sqlite:data/linli.db";

// Parsed arguments: --key value, --key=value, --flag, and positional arguments.
struct Args {
  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
  bool Has(const std::string& k) const { return options.count(k) > 0; }
  std::string Get(const std::string& k, const std::string& fallback = "") const {
    auto it = options.find(k);
    return it == options.end() ? fallback : it->second;
  }
  bool json() const { return Has("json"); }
};

// Prints the error (as JSON on stdout with --json, always on stderr) and returns exit status 1.
int Fail(const Status& st, const Args& a);
// Fail() with kUsage and the given usage text.
int Usage(const Args& a, const std::string& what);

// Options that take no value.
bool IsFlag(const std::string& name);

// Shared by the command files: JSON output, the store of --db (and --field-key), and the
// communities under --org (every community when absent).
void PrintJson(const nlohmann::json& j);
Result<std::unique_ptr<storage::Db>> OpenDb(const Args& a);
Result<std::vector<int64_t>> ScopeCommunities(storage::Db& db, const Args& a);

struct Command {
  const char* name;     // "org list"
  const char* summary;  // Chinese / English one-liner
  const char* usage;    // arguments
  int (*fn)(const Args&);
};
const std::vector<Command>& Commands();

}  // namespace linli::cli
