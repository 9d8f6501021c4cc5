// linli_bench: B1 (import) and B2a–B2c (search) of docs/PERFORMANCE.md, each as a ratio against a
// limit measured in the same run, with every answer checked before any time is reported.
//
//   linli_bench all --tier S|M --out DIR [--rounds N] [--b1-rounds N] [--queries N]
//   linli_bench gen --tier S|M --out DIR          (the CSV files only)
//   linli_bench b1  --tier S|M --out DIR [--rounds N]
//   linli_bench b2  --tier S|M --out DIR [--rounds N] [--queries N]   (needs DIR/linli.db from b1)
//   linli_bench b3  --tier S|M --out DIR [--source B1_STORE] [--rounds N] [--queries N] [--deep-page N]
//
// B1  ours:  a fresh store (linli's schema, pragmas, triggers), the demo org tree, then
//            registry::ImportRegistryFile() of each community's CSV, in process.
//     limit: the sqlite3 CLI: same pragmas, a persons table with the CSV's 17 columns (named as
//            linli names them), `.import --csv --skip 1` of the same files, then the indexes linli
//            has on those columns and the FTS5 trigram table filled by INSERT … SELECT.
//     check: same number of persons; every row of one store found in the other by id_number with
//            the same name and address.
//     times: wall clock, and CPU time (user + system: getrusage of this process around the
//            import, wait4's rusage of the CLI), which machine load does not inflate.
// B2a/B2b ours:  registry::SearchPersons() on a read-only store, warm, one call per query.
//     limit: the sqlite3 CLI (same file, -readonly, same reader pragmas, warm) running exactly the
//            statements SearchPersons ran for that query (captured with sqlite3_trace_v2 on
//            linli's own connections, bound values expanded), driven through a pipe; per-query
//            latency minus the pipe round trip of an empty statement measured in the same round.
//     check: the ids SearchPersons returns equal (in order) the ids the CLI's rows give, and equal
//            an independent in-memory oracle of the ranking documented in registry/search.h.
// B2c ours:  SearchPersons() with 1–2 character CJK fragments.
//     limit: one memmem pass over the names column in memory (then the addresses when fewer than
//            `limit` names match), ranked like search.h (exact name, name contains, address).
//     check: ordered ids at limit 20 equal; full sets at an unbounded limit equal.
//
// B3  ours:  ledger::Engine::List() on a read-only store (the tier's B1 store plus ledger entries
//            of every declared ledger at its demo rate), warm: a community's, a street's or the
//            district's entries of one ledger with a code filter, open entries, sorted by
//            next_due_on or enrolled_on, page size 20, the total; page 1 and a deep page reached
//            by following the keyset cursor; and the overdue list.
//     limit: the sqlite3 CLI running exactly the statements List ran (captured as for B2).
//     check: total and ids equal the bench's own SQL (count, page by OFFSET) and the CLI's
//            answers to linli's SQL; every listed entry equals Engine::Get of its id.
//
// Warm: every query runs once in linli before timing (that pass captures the SQL) and once in the
// CLI (that pass checks its answers), except kinds whose linli pass took over 30 s (M: the name
// searches that scan the table, seconds per query): there linli's first pass is its first timed
// round, the CLI's first timed round checks its answers, and the line says warmup=none.
//
// Output: one line per operation, e.g.
//   B2a search_id tier=S p95_ms=… limit_p95_ms=… ratio=… mean_ms=… limit_mean_ms=… n=200 rounds=3
// Ratios are ours/limit for latencies (lower is better) and ours/limit for throughput (higher is
// better); each is the median over rounds of the per-round ratio. Exit status 1 on any mismatch.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/text.h"
#include "crypto/field_cipher.h"
#include "demo/generator.h"
#include "ledger/declaration.h"
#include "ledger/engine.h"
#include "ledger/values.h"
#include "org/org.h"
#include "registry/import.h"
#include "registry/search.h"
#include "storage/db.h"

extern char** environ;

namespace fs = std::filesystem;
using namespace linli;

namespace {

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double ThreadCpuMs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "linli_bench: %s\n", what.c_str());
  std::exit(2);
}

void Check(const Status& st, const std::string& what) {
  if (!st.ok()) Die(what + ": " + st.ToString());
}

std::string Fmt(double v, int digits = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Nearest-rank percentile.
double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * v.size()));
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

double Mean(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / v.size();
}

// Deterministic sampling (not <random>: the same queries on every platform).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
};

std::string SqlQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// ---- Arguments ---------------------------------------------------------------------------------

struct Args {
  std::string command;
  std::map<std::string, std::string> kv;
  std::string Get(const std::string& k, const std::string& def = "") const {
    auto it = kv.find(k);
    return it == kv.end() ? def : it->second;
  }
  int Int(const std::string& k, int def) const { return kv.count(k) ? std::atoi(kv.at(k).c_str()) : def; }
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  if (argc < 2) Die("usage: linli_bench all|gen|b1|b2|b3 --tier S|M --out DIR [--rounds N] [--b1-rounds N] [--queries N]");
  a.command = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) != 0 || i + 1 >= argc) Die("bad argument " + s);
    a.kv[s.substr(2)] = argv[++i];
  }
  return a;
}

// ---- Child processes ---------------------------------------------------------------------------

// Runs argv with stdin from `in_path` (or /dev/null) and stdout/stderr to files; returns the exit
// status (or -1 when it did not exit normally).
int RunProcess(const std::vector<std::string>& argv, const std::string& in_path, const std::string& out_path,
               const std::string& err_path, double* cpu_s = nullptr) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in_path.empty() ? "/dev/null" : in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> cargv;
  for (const auto& s : argv) cargv.push_back(const_cast<char*>(s.c_str()));
  cargv.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) Die("cannot start " + argv[0] + ": " + std::strerror(rc));
  int status = 0;
  struct rusage ru {};
  wait4(pid, &status, 0, &ru);
  if (cpu_s)
    *cpu_s = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// CPU time (user + system) of this process so far, in seconds.
double ProcessCpuSeconds() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The sqlite3 CLI driven through pipes: statements in, rows out. stdout is line-buffered through
// stdbuf; rows are separated by TAB (not newline) so that a query's rows leave in one write. Each
// batch is sent as ONE line: the query's statements, then a sentinel statement whose value ends in
// a newline. `.timer on` makes the CLI print, after each input line, the CPU time (user + sys,
// from getrusage) the line took inside the CLI: no pipe, no scheduling.
class CliPipe {
 public:
  struct Answer {
    std::string rows;    // everything the statements printed before the sentinel
    double cpu_ms = 0;   // user + sys of the line, as .timer reports it
  };

  CliPipe(const std::string& db_path, const std::string& err_path, const std::string& init_sql) {
    int in_pipe[2], out_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) Die("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in_pipe[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> argv = {"stdbuf", "-oL", "sqlite3", "-batch", "-bail", "-readonly", db_path};
    std::vector<char*> cargv;
    for (auto& s : argv) cargv.push_back(s.data());
    cargv.push_back(nullptr);
    int rc = posix_spawnp(&pid_, "stdbuf", &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) Die(std::string("cannot start sqlite3: ") + std::strerror(rc));
    close(in_pipe[0]);
    close(out_pipe[1]);
    to_ = in_pipe[1];
    from_ = out_pipe[0];
    err_path_ = err_path;
    Send(".mode list\n.separator | \"\\t\"\n.headers off\n" + init_sql);
    Write(".timer on\n");
  }
  ~CliPipe() {
    if (to_ >= 0) close(to_);
    if (from_ >= 0) close(from_);
    int status;
    if (pid_ > 0) waitpid(pid_, &status, 0);
  }

  // Sends `sql` (statements without newlines) and the sentinel on one line; waits for the answer.
  Answer Roundtrip(const std::string& sql) {
    Write(sql + kSentinel);
    size_t pos = ReadUntil("@@END\n", 0);
    size_t eol = ReadUntil("\n", pos + 6);  // the line's "Run Time: real … user … sys …"
    Answer a;
    a.rows = buf_.substr(0, pos);
    std::string timer = buf_.substr(pos + 6, eol - pos - 6);
    double user = 0, sys = 0;
    const char* u = std::strstr(timer.c_str(), "user ");
    const char* y = std::strstr(timer.c_str(), "sys ");
    if (!u || !y) Die("unexpected .timer output: " + timer);
    user = std::atof(u + 5);
    sys = std::atof(y + 4);
    a.cpu_ms = (user + sys) * 1e3;
    buf_.erase(0, eol + 1);
    return a;
  }

  // The first field (p.id) of each row in an answer.
  static std::vector<int64_t> Ids(const std::string& out) {
    std::vector<int64_t> ids;
    size_t start = 0;
    while (start <= out.size()) {
      size_t end = out.find('\t', start);
      if (end == std::string::npos) end = out.size();
      if (end > start) ids.push_back(std::atoll(out.c_str() + start));
      start = end + 1;
    }
    return ids;
  }

 private:
  static constexpr const char* kSentinel = " SELECT '@@END'||char(10);\n";

  void Write(const std::string& msg) {
    for (size_t off = 0; off < msg.size();) {
      ssize_t n = write(to_, msg.data() + off, msg.size() - off);
      if (n <= 0) Die("sqlite3 CLI closed its input; see " + err_path_ + ": " + ReadFile(err_path_));
      off += static_cast<size_t>(n);
    }
  }
  // Reads until `pattern` occurs in buf_ at or after `from`; returns its offset. A row separator
  // (TAB) printed after the previous sentinel is dropped from the front.
  size_t ReadUntil(const char* pattern, size_t from) {
    char chunk[1 << 16];
    for (;;) {
      if (from == 0 && !buf_.empty() && buf_[0] == '\t') buf_.erase(0, 1);
      size_t pos = buf_.find(pattern, from);
      if (pos != std::string::npos) return pos;
      ssize_t n = read(from_, chunk, sizeof chunk);
      if (n <= 0) Die("sqlite3 CLI ended; see " + err_path_ + ": " + ReadFile(err_path_));
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }
  // Sends setup lines (no timer yet) followed by a bare sentinel, and drains the output.
  void Send(const std::string& lines) {
    Write(lines + "SELECT '@@END'||char(10);\n");
    size_t pos = ReadUntil("@@END\n", 0);
    buf_.erase(0, pos + 6);
  }

  pid_t pid_ = -1;
  int to_ = -1, from_ = -1;
  std::string err_path_, buf_;
};

// ---- Datasets ----------------------------------------------------------------------------------

struct Dataset {
  demo::DemoOptions options;
  demo::DemoPlan plan;
  std::vector<std::string> codes, files;  // one CSV per community
  int64_t rows = 0;
};

int64_t TierResidents(const std::string& tier) {
  if (tier == "S") return 30'000;
  if (tier == "M") return 1'000'000;
  Die("unknown tier " + tier + " (S or M)");
}

// Writes the tier's CSV files under DIR/data (once: reused when the marker says they are complete).
Dataset MakeDataset(const std::string& tier, const std::string& out_dir) {
  Dataset d;
  d.options.residents = TierResidents(tier);
  d.options.seed = 1;
  d.plan = demo::PlanDemo(d.options);
  std::string dir = out_dir + "/data";
  fs::create_directories(dir);
  std::string marker = dir + "/COMPLETE";
  std::string expect = "residents=" + std::to_string(d.options.residents) + " seed=1\n";
  bool have = fs::exists(marker) && ReadFile(marker) == expect;
  auto t0 = Clock::now();
  for (size_t ci = 0; ci < demo::CommunityCount(d.plan); ++ci) {
    const auto& c = demo::CommunityAt(d.plan, ci);
    std::string path = dir + "/" + c.code + ".csv";
    if (!have) {
      std::ofstream out(path, std::ios::binary);
      demo::WriteResidentsCsv(d.options, d.plan, ci, out);
      if (!out) Die("cannot write " + path);
    }
    d.codes.push_back(c.code);
    d.files.push_back(fs::absolute(path).string());
    d.rows += c.residents;
  }
  if (!have) {
    std::ofstream(marker) << expect;
    std::fprintf(stderr, "[gen] %s: %lld residents in %zu CSV files, %.1f s\n", tier.c_str(),
                 static_cast<long long>(d.rows), d.files.size(), SecondsSince(t0));
  }
  return d;
}

void RemoveStore(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".lock"}) fs::remove(path + suffix);
}

// ---- B1: import --------------------------------------------------------------------------------

// linli: fresh store, org tree, ImportRegistryFile per community. Returns seconds.
double LinliImport(const Dataset& d, const std::string& db_path, double* cpu_s) {
  RemoveStore(db_path);
  double cpu0 = ProcessCpuSeconds();
  auto t0 = Clock::now();
  {
    auto db_or = storage::Db::Open("sqlite:" + db_path);
    Check(db_or.status(), "open " + db_path);
    storage::Db& db = **db_or;
    Check(storage::InTransaction(db,
                                 [&]() -> Status {
                                   ASSIGN_OR_RETURN(int64_t district,
                                                    org::UpsertOrgUnit(db, d.plan.district_code, d.plan.district_name,
                                                                       org::Level::kDistrict, 0));
                                   for (const auto& street : d.plan.streets) {
                                     ASSIGN_OR_RETURN(int64_t sid, org::UpsertOrgUnit(db, street.code, street.name,
                                                                                      org::Level::kStreet, district));
                                     for (const auto& c : street.communities) {
                                       ASSIGN_OR_RETURN(int64_t cid, org::UpsertOrgUnit(db, c.code, c.name,
                                                                                        org::Level::kCommunity, sid));
                                       ASSIGN_OR_RETURN(org::OrgUnit cu, org::GetOrg(db, cid));
                                       for (const auto& g : c.grids) RETURN_IF_ERROR(org::EnsureGrid(db, cu, g).status());
                                     }
                                   }
                                   return Status::Ok();
                                 }),
          "org tree");
    for (size_t i = 0; i < d.files.size(); ++i) {
      registry::ImportOptions opts;
      opts.org_code = d.codes[i];
      auto report = registry::ImportRegistryFile(db, d.files[i], opts);
      Check(report.status(), "import " + d.files[i]);
      if (report->rejected || report->imported != demo::CommunityAt(d.plan, i).residents)
        Die("import of " + d.files[i] + " imported " + std::to_string(report->imported) + ", rejected " +
            std::to_string(report->rejected) + ":\n" + registry::ReportToText(*report).substr(0, 4000));
    }
  }  // closing the store checkpoints the WAL, as the CLI does when it exits
  *cpu_s = ProcessCpuSeconds() - cpu0;
  return SecondsSince(t0);
}

// The pragmas linli's writer connection sets (storage/sqlite_db.cc), for the limit too.
constexpr const char* kWriterPragmas =
    "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=FULL;\nPRAGMA foreign_keys=ON;\nPRAGMA secure_delete=ON;\n"
    "PRAGMA busy_timeout=5000;\nPRAGMA mmap_size=0;\nPRAGMA wal_autocheckpoint=1000;\nPRAGMA cache_size=-65536;\n"
    "PRAGMA temp_store=MEMORY;\n";

// The 17 CSV columns under the names linli's persons table uses (grid, household_number and
// occupancy are not persons columns in linli; they are kept as text here).
constexpr const char* kLimitTable =
    "CREATE TABLE persons (name TEXT NOT NULL, id_number TEXT, gender TEXT, birth_date TEXT, ethnicity TEXT,\n"
    "  political_status TEXT, education TEXT, marital_status TEXT, occupation TEXT, phone TEXT,\n"
    "  hukou_address TEXT, address TEXT, grid TEXT, household_number TEXT, relation TEXT,\n"
    "  residence_status TEXT, occupancy TEXT);\n";

// linli's indexes on persons (storage/migrations.cc), on the columns the CSV has; then FTS5.
constexpr const char* kLimitIndexes =
    "CREATE UNIQUE INDEX persons_id_number ON persons(id_number);\n"  // id_number TEXT UNIQUE
    "CREATE INDEX persons_name_birth ON persons(name, birth_date);\n"
    "CREATE INDEX persons_grid ON persons(grid);\n"                   // linli: grid_id
    "CREATE INDEX persons_household ON persons(household_number);\n"  // linli: household_id
    "CREATE INDEX persons_room ON persons(address);\n"                // linli: room_id
    "CREATE INDEX persons_phone ON persons(phone);\n"                 // linli: phone_rev
    "CREATE VIRTUAL TABLE person_fts USING fts5(name, address, content='persons', content_rowid='rowid', "
    "tokenize='trigram');\n"
    "INSERT INTO person_fts(rowid, name, address) SELECT rowid, name, address FROM persons;\n";

std::string LimitImportScript(const Dataset& d) {
  std::string s = kWriterPragmas;
  s += kLimitTable;
  for (const auto& f : d.files) s += ".import --csv --skip 1 " + f + " persons\n";
  s += "BEGIN;\n";
  s += kLimitIndexes;
  s += "COMMIT;\n";
  return s;
}

// Runs `script` (saved as WORK_DIR/NAME.sql) in the `sqlite3` CLI on a fresh DB_PATH; its time.
double CliImport(const std::string& name, const std::string& script, const std::string& db_path,
                 const std::string& work_dir, double* cpu_s) {
  RemoveStore(db_path);
  std::string path = work_dir + "/" + name + ".sql";
  std::ofstream(path) << script;
  std::string out = work_dir + "/" + name + ".out", err = work_dir + "/" + name + ".err";
  auto t0 = Clock::now();
  int rc = RunProcess({"sqlite3", "-bail", db_path}, path, out, err, cpu_s);
  double s = SecondsSince(t0);
  std::string err_text = ReadFile(err);
  if (rc != 0 || !err_text.empty())
    Die(name + " failed (" + std::to_string(rc) + "): " + err_text.substr(0, 2000));
  return s;
}

// The floor of linli's own write: the `sqlite3` CLI writes the rows linli's import left in `ours`
// into a fresh file with linli's schema (its tables, indexes and triggers as `ours` holds them),
// linli's pragmas, in one transaction: one INSERT … SELECT per table in creation order, the
// full-text rows filled at the end by one statement as linli's import does (the insert trigger
// created after them). Households take their heads after the persons, as in linli's import
// (persons reference households). No parsing, validation, encryption or statement overhead: what
// is left is SQLite's own work for linli's schema and rows, so limit_s / floor_s is the best ratio
// linli's import code could reach without changing what it stores.
std::string FloorScript(const std::string& ours) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(ours.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
    Die("open " + ours);
  std::string ddl, copy, after;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT "
                     "LIKE 'sqlite_%' "
                     "AND name NOT LIKE 'person_fts_%' ORDER BY rowid",
                     -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW) {
    std::string type = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    std::string name = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    std::string sql = reinterpret_cast<const char*>(sqlite3_column_text(st, 2));
    if (name == "persons_fts_ai") {
      after += sql + ";\n";
      continue;
    }
    ddl += sql + ";\n";
    if (type != "table" || name == "person_fts") continue;
    if (name == "households") {
      copy +=
          "INSERT INTO households SELECT * FROM src.households ORDER BY id;\n"
          "UPDATE households SET head_person_id = NULL;\n";
      after =
          "UPDATE households SET head_person_id = (SELECT s.head_person_id FROM src.households s "
          "WHERE s.id = "
          "households.id);\n" +
          after;
      continue;
    }
    copy += "INSERT INTO main." + name + " SELECT * FROM src." + name + ";\n";
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  std::string s = kWriterPragmas;
  s += ddl;
  s += "ATTACH " + SqlQuote(ours) + " AS src;\nBEGIN;\n" + copy;
  s += "INSERT INTO person_fts(rowid, name, address) SELECT id, name, address FROM persons ORDER "
       "BY id;\n";
  s += after + "COMMIT;\n";
  return s;
}

int64_t QueryInt(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) Die(std::string("sql: ") + sqlite3_errmsg(db));
  int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return v;
}

// Both stores hold the same people: counts, and every row matched by id_number with equal name and
// birth date (addresses are compared through FTS only: linli writes them in canonical form,
// 1号楼 -> 1栋); the FTS tables answer a sample phrase alike.
bool CheckImportsAgree(const std::string& ours, const std::string& limit, int64_t expected_rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(ours.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) Die("open " + ours);
  sqlite3_exec(db, ("ATTACH " + SqlQuote(limit) + " AS lim").c_str(), nullptr, nullptr, nullptr);
  int64_t n_ours = QueryInt(db, "SELECT count(*) FROM main.persons");
  int64_t n_lim = QueryInt(db, "SELECT count(*) FROM lim.persons");
  // linli stores ID numbers encrypted: match through its blind index, computed here for the
  // limit's clear ID numbers.
  auto cipher = crypto::FieldCipher::Load(crypto::DefaultFieldKeyPath(), /*create=*/false);
  Check(cipher.status(), "field key");
  sqlite3_exec(db, "CREATE TEMP TABLE lim_digest (digest TEXT, name TEXT, birth_date TEXT); BEGIN", nullptr, nullptr,
               nullptr);
  {
    sqlite3_stmt* rd = nullptr;
    sqlite3_stmt* wr = nullptr;
    sqlite3_prepare_v2(db, "SELECT id_number, name, birth_date FROM lim.persons", -1, &rd, nullptr);
    sqlite3_prepare_v2(db, "INSERT INTO lim_digest VALUES (?, ?, ?)", -1, &wr, nullptr);
    while (sqlite3_step(rd) == SQLITE_ROW) {
      const char* id = reinterpret_cast<const char*>(sqlite3_column_text(rd, 0));
      std::string digest = (*cipher)->BlindIndex("id_number", id ? id : "");
      sqlite3_bind_text(wr, 1, digest.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_value(wr, 2, sqlite3_column_value(rd, 1));
      sqlite3_bind_value(wr, 3, sqlite3_column_value(rd, 2));
      sqlite3_step(wr);
      sqlite3_reset(wr);
    }
    sqlite3_finalize(rd);
    sqlite3_finalize(wr);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  int64_t matched = QueryInt(db,
                             "SELECT count(*) FROM main.persons p JOIN lim_digest q ON q.digest = p.id_number_digest "
                             "AND q.name = p.name AND q.birth_date IS p.birth_date");
  int64_t fts_ours = QueryInt(db, "SELECT count(*) FROM main.person_fts WHERE person_fts MATCH 'address : \"1单元1\"'");
  int64_t fts_lim = QueryInt(db, "SELECT count(*) FROM lim.person_fts WHERE person_fts MATCH 'address : \"1单元1\"'");
  sqlite3_close(db);
  bool ok = n_ours == expected_rows && n_lim == expected_rows && matched == expected_rows && fts_ours == fts_lim;
  if (!ok)
    std::fprintf(stderr, "B1 MISMATCH: expected %lld rows; linli %lld, limit %lld, matched %lld; fts %lld vs %lld\n",
                 static_cast<long long>(expected_rows), static_cast<long long>(n_ours), static_cast<long long>(n_lim),
                 static_cast<long long>(matched), static_cast<long long>(fts_ours), static_cast<long long>(fts_lim));
  return ok;
}

bool RunB1(const Dataset& d, const std::string& tier, const std::string& out_dir, int rounds) {
  std::vector<double> ours_s, limit_s, ratios, ours_cpu, limit_cpu, cpu_ratios, floor_s, floor_cpu,
      floor_ratios;
  std::string ours_db = out_dir + "/linli.db", limit_db = out_dir + "/limit.db",
              floor_db = out_dir + "/floor.db";
  for (int r = 0; r < rounds; ++r) {
    double oc = 0, lc = 0, fc = 0;
    double o = LinliImport(d, ours_db, &oc);
    double l = CliImport("limit_import", LimitImportScript(d), limit_db, out_dir, &lc);
    double f = CliImport("floor_import", FloorScript(ours_db), floor_db, out_dir, &fc);
    std::fprintf(stderr,
                 "[B1 %s round %d] linli %.2f s (%.0f rows/s, cpu %.2f s)  limit %.2f s (%.0f "
                 "rows/s, cpu %.2f s)"
                 "  floor %.2f s (cpu %.2f s)\n",
                 tier.c_str(), r + 1, o, d.rows / o, oc, l, d.rows / l, lc, f, fc);
    ours_s.push_back(o);
    limit_s.push_back(l);
    ratios.push_back(l / o);  // throughput ratio ours/limit = limit time / our time
    ours_cpu.push_back(oc);
    limit_cpu.push_back(lc);
    cpu_ratios.push_back(lc / oc);
    floor_s.push_back(f);
    floor_cpu.push_back(fc);
    floor_ratios.push_back(l / f);
  }
  bool ok = CheckImportsAgree(ours_db, limit_db, d.rows);
  // The floor store must hold what linli's does.
  {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(floor_db.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      Die("open " + floor_db);
    sqlite3_exec(db, ("ATTACH " + SqlQuote(ours_db) + " AS ours").c_str(), nullptr, nullptr,
                 nullptr);
    for (const char* t :
         {"persons", "households", "places", "person_grams", "place_grams", "person_events"}) {
      std::string q = std::string("SELECT (SELECT count(*) FROM main.") + t +
                      ") = (SELECT count(*) FROM ours." + t + ")";
      if (QueryInt(db, q) != 1) {
        std::fprintf(stderr, "B1 MISMATCH: the floor store's %s differs from linli's\n", t);
        ok = false;
      }
    }
    if (QueryInt(db,
                 "SELECT count(*) FROM person_fts WHERE person_fts MATCH 'address : \"1单元1\"'") !=
        QueryInt(
            db,
            "SELECT count(*) FROM ours.person_fts WHERE person_fts MATCH 'address : \"1单元1\"'")) {
      std::fprintf(stderr, "B1 MISMATCH: the floor store's full-text index differs from linli's\n");
      ok = false;
    }
    sqlite3_close(db);
  }
  std::string line =
      "B1 import tier=" + tier + " rows=" + std::to_string(d.rows) +
      " rows_per_s=" + Fmt(d.rows / Median(ours_s), 0) +
      " limit_rows_per_s=" + Fmt(d.rows / Median(limit_s), 0) + " ratio=" + Fmt(Median(ratios)) +
      " s=" + Fmt(Median(ours_s), 2) + " limit_s=" + Fmt(Median(limit_s), 2) +
      " cpu_s=" + Fmt(Median(ours_cpu), 2) + " limit_cpu_s=" + Fmt(Median(limit_cpu), 2) +
      " cpu_ratio=" + Fmt(Median(cpu_ratios)) + " floor_s=" + Fmt(Median(floor_s), 2) +
      " floor_cpu_s=" + Fmt(Median(floor_cpu), 2) + " floor_ratio=" + Fmt(Median(floor_ratios)) +
      " rounds=" + std::to_string(rounds) + (ok ? "" : " MISMATCH");
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
  return ok;
}

// ---- B2: search --------------------------------------------------------------------------------

// Every top-level statement linli's connections run, with bound values expanded, while capturing.
// Statements that FTS5 runs inside a MATCH (its config and data_version reads) are nested: a
// statement that starts while another is running is not captured.
bool g_capture = false;
int g_depth = 0;
std::vector<std::string> g_captured;
std::vector<sqlite3*> g_traced;

int TraceStatement(unsigned type, void*, void* stmt, void* sql_text) {
  if (type == SQLITE_TRACE_PROFILE) {
    g_depth = std::max(0, g_depth - 1);
    return 0;
  }
  if (type != SQLITE_TRACE_STMT) return 0;
  const char* unexpanded = static_cast<const char*>(sql_text);
  if (unexpanded && unexpanded[0] == '-' && unexpanded[1] == '-') return 0;  // trigger programs
  if (g_depth++ > 0 || !g_capture) return 0;
  char* sql = sqlite3_expanded_sql(static_cast<sqlite3_stmt*>(stmt));
  if (sql) {
    g_captured.emplace_back(sql);
    sqlite3_free(sql);
  }
  return 0;
}

int InstallTrace(sqlite3* db, const char**, const sqlite3_api_routines*) {
  sqlite3_trace_v2(db, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, TraceStatement, nullptr);
  g_traced.push_back(db);
  return SQLITE_OK;
}

void RemoveTraces() {
  for (sqlite3* db : g_traced) sqlite3_trace_v2(db, 0, nullptr, nullptr);
  sqlite3_reset_auto_extension();
}

// Closes a connection of the bench's own; it leaves g_traced first (RemoveTraces must not touch a
// closed connection: that wrote into freed memory and crashed a run).
void CloseConnection(sqlite3* db) {
  g_traced.erase(std::remove(g_traced.begin(), g_traced.end(), db), g_traced.end());
  sqlite3_close(db);
}

// The persons as in-memory columns (active persons only: the search scope without --all).
struct Columns {
  std::vector<int64_t> id;
  std::vector<std::string> name, id_number, pinyin, initials, address;
  // Names and addresses concatenated, '\n'-separated, for memmem scans; starts[i] = offset of row i.
  std::string name_blob, address_blob;
  std::vector<size_t> name_start, address_start;
};

Columns LoadColumns(const std::string& db_path) {
  Columns c;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) Die("open " + db_path);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "SELECT id, name, id_number, name_pinyin, name_initials, address FROM persons "
                     "WHERE status = 'active' ORDER BY id",
                     -1, &st, nullptr);
  auto text = [&](int i) {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
    return std::string(p ? p : "");
  };
  auto cipher = crypto::FieldCipher::Load(crypto::DefaultFieldKeyPath(), /*create=*/false);
  Check(cipher.status(), "field key");
  while (sqlite3_step(st) == SQLITE_ROW) {
    c.id.push_back(sqlite3_column_int64(st, 0));
    c.name.push_back(text(1));
    auto id_number = (*cipher)->Decrypt("id_number", text(2));
    Check(id_number.status(), "decrypt");
    c.id_number.push_back(*id_number);
    c.pinyin.push_back(text(3));
    c.initials.push_back(text(4));
    c.address.push_back(text(5));
  }
  sqlite3_finalize(st);
  CloseConnection(db);
  // Not one of linli's connections: its trace (installed by the auto extension) must not be
  // touched again once it is closed.
  g_traced.erase(std::remove(g_traced.begin(), g_traced.end(), db), g_traced.end());
  for (size_t i = 0; i < c.id.size(); ++i) {
    c.name_start.push_back(c.name_blob.size());
    c.name_blob += c.name[i];
    c.name_blob += '\n';
    c.address_start.push_back(c.address_blob.size());
    c.address_blob += c.address[i];
    c.address_blob += '\n';
  }
  return c;
}

// Mirrors of search.cc's query classification (the oracle follows the documented ranking).
bool AllLetters(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); });
}
bool AllDigitsOrX(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i])) && !(s[i] == 'X' && i + 1 == s.size())) return false;
  return !s.empty();
}
// Row indexes matching `pred`, ordered by (name, id) as the SQL's ORDER BY p.name, p.id.
// Only the first `limit` are ordered and kept: a rank can repeat at most the persons already
// taken, so its first `limit` rows always hold enough new ones.
template <typename Pred>
std::vector<size_t> RankMatches(const Columns& c, size_t limit, Pred pred) {
  std::vector<size_t> out;
  for (size_t i = 0; i < c.id.size(); ++i)
    if (pred(i)) out.push_back(i);
  size_t k = std::min(limit, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(), [&](size_t a, size_t b) {
    int cmp = c.name[a].compare(c.name[b]);
    return cmp != 0 ? cmp < 0 : c.id[a] < c.id[b];
  });
  out.resize(k);
  return out;
}

// The answer search.h documents: exact matches of the whole query first, then prefixes, then
// fragments; ties by name and id; each person once; at most `limit`.
std::vector<int64_t> Oracle(const Columns& c, const std::string& q, size_t limit) {
  std::vector<std::vector<size_t>> ranks;
  auto contains = [](const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; };
  if (AllDigitsOrX(q)) {
    ranks.push_back(RankMatches(c, limit, [&](size_t i) { return c.id_number[i] == q; }));
  } else if (AllLetters(q)) {
    std::string l = q;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char ch) { return std::tolower(ch); });
    ranks.push_back(RankMatches(c, limit, [&](size_t i) { return c.initials[i] == l; }));
    ranks.push_back(RankMatches(c, limit, [&](size_t i) { return c.pinyin[i] == l; }));
    ranks.push_back(RankMatches(c, limit, [&](size_t i) { return c.pinyin[i].rfind(l, 0) == 0; }));
    ranks.push_back(RankMatches(c, limit, [&](size_t i) { return c.initials[i].rfind(l, 0) == 0; }));
  } else {
    if (!registry::LooksLikeAddress(q)) {
      ranks.push_back(RankMatches(c, limit, [&](size_t i) { return c.name[i] == q; }));
      ranks.push_back(RankMatches(c, limit, [&](size_t i) { return contains(c.name[i], q); }));
    }
    ranks.push_back(RankMatches(c, limit, [&](size_t i) { return contains(c.address[i], q); }));
  }
  std::vector<int64_t> out;
  std::unordered_set<int64_t> seen;
  for (const auto& rank : ranks)
    for (size_t i : rank) {
      if (out.size() >= limit) return out;
      if (seen.insert(c.id[i]).second) out.push_back(c.id[i]);
    }
  return out;
}

// B2c's limit: one memmem pass over the names column, then (only when fewer than `limit` names
// match) over the addresses; ranked exact name, name contains, address contains; ties by name, id.
std::vector<int64_t> ScanFragment(const Columns& c, const std::string& q, size_t limit, bool names_only = false) {
  struct Cand {
    int rank;
    size_t row;
  };
  std::vector<Cand> cands;
  std::vector<char> taken;
  auto scan = [&](const std::string& blob, const std::vector<size_t>& starts, auto on_row) {
    const char* base = blob.data();
    const char* p = base;
    const char* end = base + blob.size();
    size_t last_row = SIZE_MAX;
    while (p < end) {
      const void* hit = memmem(p, static_cast<size_t>(end - p), q.data(), q.size());
      if (!hit) break;
      size_t off = static_cast<size_t>(static_cast<const char*>(hit) - base);
      size_t row = static_cast<size_t>(std::upper_bound(starts.begin(), starts.end(), off) - starts.begin()) - 1;
      if (row != last_row) on_row(row);
      last_row = row;
      // Continue after this row: a row counts once.
      p = base + (row + 1 < starts.size() ? starts[row + 1] : blob.size());
    }
  };
  scan(c.name_blob, c.name_start, [&](size_t row) {
    cands.push_back({c.name[row].size() == q.size() ? 0 : 1, row});
  });
  if (cands.size() < limit && !names_only) {
    taken.assign(c.id.size(), 0);
    for (const auto& cd : cands) taken[cd.row] = 1;
    scan(c.address_blob, c.address_start, [&](size_t row) {
      if (!taken[row]) cands.push_back({2, row});
    });
  }
  auto less = [&](const Cand& a, const Cand& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    int cmp = c.name[a.row].compare(c.name[b.row]);
    return cmp != 0 ? cmp < 0 : c.id[a.row] < c.id[b.row];
  };
  size_t k = std::min(limit, cands.size());
  std::partial_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(k), cands.end(), less);
  std::vector<int64_t> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) out.push_back(c.id[cands[i].row]);
  return out;
}

struct QuerySet {
  std::string op;    // "B2a search_id"
  std::string kind;  // id, name, …
  std::vector<std::string> queries;
};

// Queries drawn from the data with a fixed seed.
std::vector<QuerySet> MakeQueries(const Columns& c, int n) {
  std::vector<QuerySet> sets = {{"B2a search_id", "id", {}},
                                {"B2a search_name", "name", {}},
                                {"B2a search_name_prefix", "name_prefix", {}},
                                {"B2a search_pinyin_prefix", "pinyin_prefix", {}},
                                {"B2a search_initials_prefix", "initials_prefix", {}},
                                {"B2b search_address", "address", {}},
                                {"B2c search_fragment", "fragment", {}}};
  uint64_t seed = 20250601;
  for (auto& s : sets) {
    Rng rng(seed++);
    int guard = 0;
    while (static_cast<int>(s.queries.size()) < n && ++guard < n * 100) {
      size_t i = rng.Below(c.id.size());
      std::vector<std::string> chars = Utf8Chars(c.name[i]);
      std::string q;
      if (s.kind == "id") q = c.id_number[i];
      else if (s.kind == "name") q = c.name[i];
      else if (s.kind == "name_prefix") {
        if (chars.size() < 3) continue;
        q = chars[0] + chars[1];  // surname + first given character
      } else if (s.kind == "pinyin_prefix") {
        const std::string& py = c.pinyin[i];
        if (py.size() < 4) continue;
        q = py.substr(0, 2 + rng.Below(py.size() - 2));  // 2 … len-1 letters
      } else if (s.kind == "initials_prefix") {
        if (c.initials[i].size() < 3) continue;
        q = c.initials[i].substr(0, 2);
      } else if (s.kind == "address") {
        std::vector<std::string> ac = Utf8Chars(c.address[i]);
        if (ac.size() < 4) continue;
        size_t len = 3 + rng.Below(std::min<size_t>(6, ac.size() - 3));  // 3 … 8 characters
        size_t start = rng.Below(ac.size() - len + 1);
        for (size_t k = start; k < start + len; ++k) q += ac[k];
        if (AllDigitsOrX(q)) continue;  // digits alone are ID/phone tails to search.cc, not addresses
      } else if (s.kind == "fragment") {
        size_t len = 1 + rng.Below(2);
        if (chars.size() < len) continue;
        size_t start = rng.Below(chars.size() - len + 1);
        for (size_t k = start; k < start + len; ++k) q += chars[k];
        // Fragments search.cc reads as addresses (registry::LooksLikeAddress) never reach the name
        // search.
        if (!HasHan(q) || registry::LooksLikeAddress(q)) continue;
      }
      if (!q.empty()) s.queries.push_back(q);
    }
  }
  return sets;
}

struct Timed {
  std::vector<double> ms;  // per query
};

constexpr int kLimit = 20;  // the search page size of the CLI and the API

std::vector<int64_t> LinliIds(storage::Db& db, const std::string& q, int limit) {
  registry::SearchQuery sq;
  sq.text = q;
  sq.limit = limit;
  auto hits = registry::SearchPersons(db, sq);
  Check(hits.status(), "search " + q);
  std::vector<int64_t> ids;
  for (const auto& h : *hits) ids.push_back(h.person_id);
  return ids;
}

std::vector<int64_t> DedupeTruncate(const std::vector<int64_t>& ids, size_t limit) {
  std::vector<int64_t> out;
  std::unordered_set<int64_t> seen;
  for (int64_t id : ids) {
    if (out.size() >= limit) break;
    if (seen.insert(id).second) out.push_back(id);
  }
  return out;
}

std::string IdList(const std::vector<int64_t>& ids, size_t max = 12) {
  std::string s;
  for (size_t i = 0; i < ids.size() && i < max; ++i) s += (i ? "," : "") + std::to_string(ids[i]);
  if (ids.size() > max) s += ",…(" + std::to_string(ids.size()) + ")";
  return s;
}

// Names that contain a character also used in addresses (张国栋: 栋) must still be found by an exact
// name search (they were read as addresses only before registry::LooksLikeAddress was fixed).
// Reported as a finding line: not_found should be 0.
void NameMarkFinding(storage::Db& db, const Columns& c, const std::string& tier) {
  std::map<std::string, int> holders;
  for (const auto& n : c.name)
    for (const char* mark : {"栋", "幢", "室", "路", "街", "巷", "苑", "里", "院", "号"})
      if (n.find(mark) != std::string::npos) {
        ++holders[n];
        break;
      }
  int tried = 0, missed = 0;
  std::string example;
  for (const auto& [name, count] : holders) {
    if (tried >= 50) break;
    ++tried;
    registry::SearchQuery sq;
    sq.text = name;
    auto hits = registry::SearchPersons(db, sq);
    Check(hits.status(), "search " + name);
    bool found = std::any_of(hits->begin(), hits->end(), [&](const registry::SearchHit& h) { return h.name == name; });
    if (!found) {
      ++missed;
      if (example.empty()) example = name;
    }
  }
  size_t persons = 0;
  for (const auto& [name, count] : holders) persons += count;
  std::printf("# FINDING search_name_address_mark tier=%s persons=%zu distinct_names=%zu tried=%d not_found=%d%s\n",
              tier.c_str(), persons, holders.size(), tried, missed,
              example.empty() ? "" : (" example=" + example).c_str());
}

bool RunB2(const std::string& tier, const std::string& out_dir, int rounds, int n_queries) {
  std::string db_path = fs::absolute(out_dir + "/linli.db").string();
  if (!fs::exists(db_path)) Die(db_path + " missing: run b1 first");
  sqlite3_auto_extension(reinterpret_cast<void (*)()>(InstallTrace));
  storage::OpenOptions oo;
  oo.create = false;
  oo.read_only = true;
  auto db_or = storage::Db::Open("sqlite:" + db_path, oo);
  Check(db_or.status(), "open " + db_path);
  storage::Db& db = **db_or;

  auto t_load = Clock::now();
  Columns cols = LoadColumns(db_path);
  std::vector<QuerySet> sets = MakeQueries(cols, n_queries);
  std::fprintf(stderr, "[B2 %s] %zu active persons loaded, queries drawn in %.1f s\n", tier.c_str(), cols.id.size(),
               SecondsSince(t_load));

  // Pass 0 (warm-up for linli): run every query once, capturing the SQL it runs. One search of
  // each kind first, so that the reader connection (its pragmas) and the FTS5 table's connection
  // (its config reads) exist before capturing: they are per connection, not per query.
  for (const auto& set : sets) LinliIds(db, set.queries.at(0), kLimit);
  std::vector<std::vector<std::vector<int64_t>>> ours_ids(sets.size());
  std::vector<std::vector<std::string>> captured(sets.size());
  std::vector<std::vector<int>> statements(sets.size());
  std::vector<double> capture_s(sets.size());
  std::vector<std::vector<double>> capture_ms(sets.size()), capture_cpu_ms(sets.size());
  for (size_t s = 0; s < sets.size(); ++s) {
    auto t_kind = Clock::now();
    for (const auto& q : sets[s].queries) {
      g_captured.clear();
      g_capture = true;
      auto t0 = Clock::now();
      double c0 = ThreadCpuMs();
      ours_ids[s].push_back(LinliIds(db, q, kLimit));
      capture_cpu_ms[s].push_back(ThreadCpuMs() - c0);
      capture_ms[s].push_back(SecondsSince(t0) * 1e3);
      g_capture = false;
      std::string batch;
      for (auto sql : g_captured) {
        std::replace(sql.begin(), sql.end(), '\n', ' ');
        batch += sql + "; ";
      }
      captured[s].push_back(batch);
      if (getenv("LINLI_BENCH_SHOW_SQL")) std::fprintf(stderr, "-- %s\n%s\n", q.c_str(), batch.c_str());
      statements[s].push_back(static_cast<int>(g_captured.size()));
    }
    capture_s[s] = SecondsSince(t_kind);
    std::fprintf(stderr, "[B2 %s] %s: linli first pass %.1f s\n", tier.c_str(), sets[s].op.c_str(), capture_s[s]);
  }
  RemoveTraces();
  std::fprintf(stderr, "[B2 %s] linli warm-up and SQL capture in %.1f s\n", tier.c_str(), SecondsSince(t_load));

  // Correctness first: linli's answers against the oracle and (B2c) the memmem scan. The CLI's
  // answers are compared below, from its warm-up pass or, without one, from its first timed round.
  bool ok = true;
  int reported = 0;
  auto mismatch = [&](const std::string& op, const std::string& q, const std::string& what,
                      const std::vector<int64_t>& ours, const std::vector<int64_t>& theirs) {
    ok = false;
    if (++reported <= 30)
      std::fprintf(stderr, "MISMATCH %s q=%s (%s): linli=[%s] expected=[%s]\n", op.c_str(), q.c_str(), what.c_str(),
                   IdList(ours).c_str(), IdList(theirs).c_str());
  };
  auto t_check = Clock::now();
  int full_sets = 0;
  for (size_t s = 0; s < sets.size(); ++s) {
    const auto& set = sets[s];
    for (size_t k = 0; k < set.queries.size(); ++k) {
      const std::string& q = set.queries[k];
      const auto& ours = ours_ids[s][k];
      auto expect = Oracle(cols, q, kLimit);
      if (expect != ours) mismatch(set.op, q, "vs oracle", ours, expect);
      if (set.kind != "fragment") continue;
      auto scan = ScanFragment(cols, q, kLimit);
      if (scan != ours) mismatch(set.op, q, "vs memmem scan, limit 20", ours, scan);
      // Exactness of the full set of name matches: with `limit` = the number of names the scan
      // finds, linli must return exactly those persons (a missed name would let an address match
      // in; a wrong one would show). Fewer than 20 are already covered by the check above.
      auto all_scan = ScanFragment(cols, q, SIZE_MAX, /*names_only=*/true);
      if (all_scan.size() <= static_cast<size_t>(kLimit)) continue;
      auto all_ours = LinliIds(db, q, static_cast<int>(all_scan.size()));
      ++full_sets;
      std::sort(all_ours.begin(), all_ours.end());
      std::sort(all_scan.begin(), all_scan.end());
      if (all_ours != all_scan) mismatch(set.op, q, "full name-match set vs memmem scan", all_ours, all_scan);
    }
  }
  std::fprintf(stderr, "[B2 %s] oracle and scan checks in %.1f s (%d full name-match sets): %s\n", tier.c_str(),
               SecondsSince(t_check), full_sets, ok ? "all equal" : "MISMATCHES");
  if (!ok) return false;
  NameMarkFinding(db, cols, tier);

  // The CLI with linli's reader pragmas (storage/sqlite_db.cc AcquireReader).
  CliPipe cli(db_path, out_dir + "/cli.err", "PRAGMA busy_timeout=5000;\nPRAGMA mmap_size=0;\nPRAGMA cache_size=-65536;\n");
  auto check_cli = [&](size_t s, size_t k, const std::string& rows) {
    auto cli_ids = DedupeTruncate(CliPipe::Ids(rows), kLimit);
    if (cli_ids != ours_ids[s][k]) mismatch(sets[s].op, sets[s].queries[k], "vs sqlite3 CLI", ours_ids[s][k], cli_ids);
  };
  // Warm-up passes cost one more pass per side. For a kind whose linli pass took longer than
  // kWarmupBudgetS (M: the name searches that scan the table, seconds per query, where a warm
  // cache changes nothing) neither side gets one: linli's first pass (capturing; the trace costs
  // microseconds against seconds) is its first timed round, and the CLI's first timed round is
  // also its answer check. The line then says warmup=none. Other kinds: the CLI's warm-up pass
  // checks its answers, and every timed round runs after both warm-ups.
  const double kWarmupBudgetS =
      getenv("LINLI_BENCH_WARMUP_BUDGET_S") ? std::atof(getenv("LINLI_BENCH_WARMUP_BUDGET_S")) : 30;
  std::vector<bool> warmed(sets.size(), false);
  {
    auto t0 = Clock::now();
    for (size_t s = 0; s < sets.size(); ++s) {
      if (sets[s].kind == "fragment" || capture_s[s] > kWarmupBudgetS) continue;
      for (size_t k = 0; k < sets[s].queries.size(); ++k) check_cli(s, k, cli.Roundtrip(captured[s][k]).rows);
      warmed[s] = true;
    }
    std::fprintf(stderr, "[B2 %s] sqlite3 CLI warm-up and answer check in %.1f s: %s\n", tier.c_str(),
                 SecondsSince(t0), ok ? "all equal" : "MISMATCHES");
    if (!ok) return false;
  }

  // Timed rounds, interleaved: ours, limit, ours, limit, … per operation. Wall time (steady
  // clock) and CPU time (ours: this thread's CPU clock; the CLI: its .timer user + sys) per query.
  double sink = 0;
  for (size_t s = 0; s < sets.size(); ++s) {
    const auto& set = sets[s];
    bool scan = set.kind == "fragment";
    bool set_ok = true;
    std::vector<double> p95_o, p95_l, mean_o, mean_l, ratio, cp95_o, cp95_l, cratio, rtts;
    for (int r = 0; r < rounds; ++r) {
      std::vector<double> o_ms, l_ms, oc_ms, lc_ms;
      if (r == 0 && !scan && !warmed[s]) {
        o_ms = capture_ms[s];
        oc_ms = capture_cpu_ms[s];
      }
      for (size_t k = 0; k < set.queries.size() && o_ms.size() < set.queries.size(); ++k) {
        auto t0 = Clock::now();
        double c0 = ThreadCpuMs();
        auto ids = LinliIds(db, set.queries[k], kLimit);
        oc_ms.push_back(ThreadCpuMs() - c0);
        o_ms.push_back(SecondsSince(t0) * 1e3);
        if (ids != ours_ids[s][k]) {
          mismatch(set.op, set.queries[k], "timed run vs first run", ids, ours_ids[s][k]);
          set_ok = false;
        }
        sink += ids.empty() ? 0 : static_cast<double>(ids[0]);
      }
      if (scan) {
        for (const auto& q : set.queries) {
          auto t0 = Clock::now();
          double c0 = ThreadCpuMs();
          auto ids = ScanFragment(cols, q, kLimit);
          lc_ms.push_back(ThreadCpuMs() - c0);
          l_ms.push_back(SecondsSince(t0) * 1e3);
          sink += ids.empty() ? 0 : static_cast<double>(ids[0]);
        }
      } else {
        // The round trip of a batch holding only the sentinel, measured in this round: its median
        // is subtracted from each query's wall time (and its CPU time from each .timer figure).
        std::vector<double> rtt, rtt_cpu;
        for (int i = 0; i < 200; ++i) {
          auto t0 = Clock::now();
          auto a = cli.Roundtrip("");
          rtt.push_back(SecondsSince(t0) * 1e3);
          rtt_cpu.push_back(a.cpu_ms);
        }
        double base = Median(rtt), base_cpu = Median(rtt_cpu);
        rtts.push_back(base);
        for (size_t k = 0; k < set.queries.size(); ++k) {
          auto t0 = Clock::now();
          auto a = cli.Roundtrip(captured[s][k]);
          double ms = SecondsSince(t0) * 1e3;
          l_ms.push_back(std::max(ms - base, 0.001));
          lc_ms.push_back(std::max(a.cpu_ms - base_cpu, 0.001));
          if (r == 0 && !warmed[s]) {
            bool before = ok;
            check_cli(s, k, a.rows);
            if (before && !ok) set_ok = false;
          }
          sink += static_cast<double>(a.rows.size());
        }
      }
      p95_o.push_back(Percentile(o_ms, 95));
      p95_l.push_back(Percentile(l_ms, 95));
      mean_o.push_back(Mean(o_ms));
      mean_l.push_back(Mean(l_ms));
      ratio.push_back(p95_o.back() / p95_l.back());
      cp95_o.push_back(Percentile(oc_ms, 95));
      cp95_l.push_back(Percentile(lc_ms, 95));
      cratio.push_back(cp95_o.back() / cp95_l.back());
      std::fprintf(stderr, "[%s %s round %d] wall p95 %.3f vs %.3f ms, mean %.3f vs %.3f ms; cpu p95 %.3f vs %.3f ms\n",
                   set.op.c_str(), tier.c_str(), r + 1, p95_o.back(), p95_l.back(), mean_o.back(), mean_l.back(),
                   cp95_o.back(), cp95_l.back());
    }
    double stmts = Mean(std::vector<double>(statements[s].begin(), statements[s].end()));
    std::string line = set.op + " tier=" + tier + " p95_ms=" + Fmt(Median(p95_o)) + " limit_p95_ms=" +
                       Fmt(Median(p95_l)) + " ratio=" + Fmt(Median(ratio), 2) + " mean_ms=" + Fmt(Median(mean_o)) +
                       " limit_mean_ms=" + Fmt(Median(mean_l)) + " cpu_p95_ms=" + Fmt(Median(cp95_o)) +
                       " limit_cpu_p95_ms=" + Fmt(Median(cp95_l)) + " cpu_ratio=" + Fmt(Median(cratio), 2) +
                       " limit=" + (scan ? "memmem_scan" : "sqlite3_cli") + " n=" + std::to_string(set.queries.size()) +
                       " rounds=" + std::to_string(rounds);
    if (!scan)
      line += " stmts_per_query=" + Fmt(stmts, 2) + " pipe_rtt_ms=" + Fmt(Median(rtts)) +
              (warmed[s] ? "" : " warmup=none");
    if (!set_ok) line += " MISMATCH";
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  if (sink == -1) std::fprintf(stderr, "\n");  // keeps the answers alive
  return ok;
}

// ---- B3: ledger lists --------------------------------------------------------------------------

using storage::Value;

// Ledger entries at the declared demo rates, written with SQL in one transaction (the demo
// generator enrols one entry at a time through the engine, with its events, visits and reports:
// too slow for a million residents). For each declared ledger with a demo section: the same
// eligible subjects (persons, or household heads for household ledgers; age and sex bounds), the
// same share, values from the demo section (or a plausible value for required fields it does not
// describe), stored as the engine stores them (ParseInput; phones and ID numbers encrypted), and
// a follow-up history folded into last_followup_on / next_due_on as the demo does it (visits
// mostly on time, one in ten stopping, which leaves the entry overdue). No events or visit rows:
// Engine::List does not read them.
struct B3Person {
  int64_t id = 0, household_id = 0, community_id = 0;
  std::string birth, gender, relation;
};

int AgeOn(const std::string& birth, const Date& today) {
  auto d = ParseDateText(birth);
  if (!d) return -1;
  int age = today.year - d->date.year;
  if (today.month < d->date.month || (today.month == d->date.month && today.day < d->date.day)) --age;
  return age;
}

std::string AddDaysTo(const std::string& date, int days) {
  auto d = ParseDateText(date);
  return Date::FromDays(d->date.DaysSinceEpoch() + days).ToString();
}

std::map<std::string, int64_t> InsertLedgerEntries(storage::Db& db, const std::string& db_path,
                                                  const ledger::Catalog& catalog, uint64_t seed) {
  std::vector<B3Person> persons;
  {
    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) Die("open " + db_path);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(raw,
                       "SELECT id, coalesce(household_id, 0), community_id, birth_date, gender, relation FROM persons "
                       "WHERE status = 'active' ORDER BY id",
                       -1, &st, nullptr);
    auto text = [&](int i) {
      const unsigned char* t = sqlite3_column_text(st, i);
      return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    while (sqlite3_step(st) == SQLITE_ROW)
      persons.push_back({sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                         text(3), text(4), text(5)});
    sqlite3_finalize(st);
    sqlite3_close(raw);
  }
  auto cipher_or = db.Cipher();
  Check(cipher_or.status(), "field cipher");
  const crypto::FieldCipher& cipher = **cipher_or;
  Date today = Today();
  std::string today_s = today.ToString();
  std::map<std::string, int64_t> counts;
  auto next_id = db.QueryInt("SELECT coalesce(max(id), 0) + 1 FROM ledger_entries");
  Check(next_id.status(), "max entry id");
  int64_t id = *next_id;
  std::string now = today_s + "T00:00:00Z";
  Check(storage::InTransaction(db, [&]() -> Status {
    for (const ledger::Ledger& l : catalog.ledgers()) {
      if (l.demo.rate <= 0) continue;
      Rng rng(seed ^ std::hash<std::string>()(l.key));
      auto chance = [&] { return static_cast<double>(rng.Next() >> 11) / 9007199254740992.0; };
      auto uniform = [&](int lo, int hi) { return lo + static_cast<int>(rng.Below(static_cast<size_t>(hi - lo + 1))); };
      std::string insert_cols, marks;
      for (const ledger::Field& f : l.fields) {
        insert_cols += ", f_" + f.key;
        marks += ", ?";
      }
      std::string insert_values = "INSERT INTO ledger_" + l.key + " (entry_id" + insert_cols + ") VALUES (?" + marks + ")";
      int64_t n = 0;
      std::unordered_set<int64_t> subjects;
      for (const B3Person& c : persons) {
        if (l.household && (!c.household_id || (c.relation != "01" && c.relation != "02"))) continue;
        int age = AgeOn(c.birth, today);
        if (age < l.demo.min_age || age > l.demo.max_age) continue;
        if (!l.demo.sex.empty() && c.gender != l.demo.sex) continue;
        if (chance() >= l.demo.rate) continue;
        int64_t subject = l.household ? c.household_id : c.id;
        if (!subjects.insert(subject).second) continue;
        std::string on = Date::FromDays(today.DaysSinceEpoch() - uniform(20, 540)).ToString();
        std::map<std::string, nlohmann::json> values;
        for (const ledger::DemoValue& v : l.demo.values) {
          const ledger::Field* f = l.FindField(v.field);
          if (!f) continue;
          if (!v.choices.empty()) {
            size_t k = 0;
            if (v.weights.empty()) {
              k = rng.Below(v.choices.size());
            } else {
              int total = std::accumulate(v.weights.begin(), v.weights.end(), 0);
              int r = static_cast<int>(rng.Below(static_cast<size_t>(total)));
              while (k + 1 < v.weights.size() && r >= v.weights[k]) r -= v.weights[k++];
            }
            values[v.field] = v.choices[k];
          } else if (v.min && v.max) {
            int lo = static_cast<int>(*v.min), hi = static_cast<int>(*v.max);
            int x = uniform(std::min(lo, hi), std::max(lo, hi));
            values[v.field] = f->type == ledger::ValueType::kDate ? nlohmann::json(AddDaysTo(on, -x)) : nlohmann::json(x);
          }
        }
        for (const ledger::Field& f : l.fields) {
          if (!f.required || values.count(f.key)) continue;
          switch (f.type) {
            case ledger::ValueType::kCode:
            case ledger::ValueType::kCodes: {
              const auto& items = l.FindTable(f.table)->items();
              values[f.key] = items[rng.Below(items.size())].code;
              break;
            }
            case ledger::ValueType::kInteger: values[f.key] = f.min ? static_cast<int>(*f.min) : 1; break;
            case ledger::ValueType::kDecimal:
            case ledger::ValueType::kMoney: values[f.key] = uniform(0, 1000); break;
            case ledger::ValueType::kDate: values[f.key] = on; break;
            case ledger::ValueType::kBoolean: values[f.key] = chance() < 0.5; break;
            case ledger::ValueType::kPhone: values[f.key] = "139" + std::to_string(uniform(10000000, 99999999)); break;
            case ledger::ValueType::kText:
              if (f.pattern.empty()) values[f.key] = "待补充";
              break;
            default: break;
          }
        }
        storage::Params row = {Value{id}};
        std::string by_code;
        for (const ledger::Field& f : l.fields) {
          Value stored;
          auto it = values.find(f.key);
          if (it != values.end()) {
            auto parsed = ledger::ParseInput(l, f, it->second, today);
            if (parsed.ok() && !ledger::IsEmpty(*parsed)) {
              stored = *parsed;
              if (f.key == l.schedule.by_field && std::holds_alternative<std::string>(stored))
                by_code = std::get<std::string>(stored);
              if (ledger::IsSensitiveType(f.type))
                stored = cipher.Encrypt("ledger." + l.key + "." + f.key, std::get<std::string>(stored));
            }
          }
          row.push_back(stored);
        }
        // The schedule: first due after the declared interval (or first_due_days), then visits
        // as the demo makes them until one is skipped (10%) or the next is still ahead.
        Value last_followup, next_due;
        if (l.schedule.enabled()) {
          int every = l.schedule.every_days;
          if (auto b = l.schedule.every_days_by.find(by_code); b != l.schedule.every_days_by.end()) every = b->second;
          if (every <= 0) every = 365;
          std::string next = AddDaysTo(on, l.schedule.first_due_days > 0 ? l.schedule.first_due_days : every);
          std::string last;
          for (int guard = 0; guard < 40 && next <= today_s && chance() >= 0.1; ++guard) {
            std::string v = AddDaysTo(next, -uniform(0, 10));
            if (v < on) v = on;
            if (!last.empty() && v <= last) v = next;
            if (v > today_s) v = today_s;
            last = v;
            next = AddDaysTo(v, every);
          }
          if (!last.empty()) last_followup = last;
          next_due = next;
        }
        RETURN_IF_ERROR(db.Exec(
            "INSERT INTO ledger_entries (id, ledger, subject_id, person_id, household_id, stage, enrolled_on, "
            "last_followup_on, next_due_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {id, l.key, subject, c.id, c.household_id ? Value{c.household_id} : Value{}, l.Enrol().to, on,
             last_followup, next_due, now, now}));
        RETURN_IF_ERROR(db.Exec(insert_values, row));
        ++id;
        ++n;
      }
      counts[l.key] = n;
    }
    return Status::Ok();
  }),
        "insert ledger entries");
  return counts;
}

// The B3 store: the B1 store of the tier (copied from --source when given, else imported here),
// its ledger tables synced with the built-in declarations and filled by InsertLedgerEntries.
// Made once; later runs reuse it (the marker table b3_marker holds the seed).
void PrepareB3Store(const std::string& tier, const std::string& out_dir, const std::string& source) {
  std::string db_path = out_dir + "/linli.db";
  auto t0 = Clock::now();
  if (!fs::exists(db_path)) {
    if (!source.empty() && fs::exists(source)) {
      std::string key = fs::path(source).parent_path().string() + "/field.key";
      if (!fs::exists(key)) Die("no field.key beside " + source);
      fs::copy_file(key, out_dir + "/field.key", fs::copy_options::overwrite_existing);
      fs::copy_file(source, db_path + ".tmp", fs::copy_options::overwrite_existing);
      if (fs::exists(source + "-wal") && fs::file_size(source + "-wal") > 0)
        fs::copy_file(source + "-wal", db_path + ".tmp-wal", fs::copy_options::overwrite_existing);
      fs::rename(db_path + ".tmp", db_path);
      if (fs::exists(db_path + ".tmp-wal")) fs::rename(db_path + ".tmp-wal", db_path + "-wal");
      std::fprintf(stderr, "[B3 %s] store copied from %s in %.1f s\n", tier.c_str(), source.c_str(), SecondsSince(t0));
    } else {
      Dataset d = MakeDataset(tier, out_dir);
      double cpu = 0;
      double s = LinliImport(d, db_path, &cpu);
      std::fprintf(stderr, "[B3 %s] store imported (%lld residents) in %.1f s\n", tier.c_str(),
                   static_cast<long long>(d.rows), s);
    }
  }
  auto db_or = storage::Db::Open("sqlite:" + db_path);
  Check(db_or.status(), "open " + db_path);
  storage::Db& db = **db_or;
  auto catalog = ledger::Catalog::BuiltIn();
  Check(ledger::SyncSchema(db, *catalog), "sync ledger schema");
  Check(db.ExecScript("CREATE TABLE IF NOT EXISTS b3_marker (seed INTEGER)"), "marker");
  auto have = db.QueryInt("SELECT count(*) FROM b3_marker");
  Check(have.status(), "marker");
  if (*have == 0) {
    auto t1 = Clock::now();
    auto counts = InsertLedgerEntries(db, db_path, *catalog, 1);
    Check(db.Exec("INSERT INTO b3_marker (seed) VALUES (1)"), "marker");
    std::string list;
    for (const auto& [k, n] : counts) list += " " + k + "=" + std::to_string(n);
    std::fprintf(stderr, "[B3 %s] ledger entries inserted in %.1f s:%s\n", tier.c_str(), SecondsSince(t1), list.c_str());
  }
  std::fprintf(stderr, "[B3 %s] store ready in %.1f s\n", tier.c_str(), SecondsSince(t0));
}

struct B3Set {
  std::string op;
  const ledger::Ledger* ledger = nullptr;
  int page = 1;  // 1 = first page; otherwise reached by following the keyset cursor
  std::vector<ledger::ListQuery> queries;
  std::vector<std::string> scope;  // "community 12" / "street 3" / "district" per query
};

std::string DescribeQuery(const ledger::ListQuery& q) {
  std::string s = "communities=" + std::to_string(q.community_ids.size()) + " sort=" + q.sort +
                  (q.descending ? " desc" : "") + " due=" + std::string(ledger::DueWindowName(q.due));
  for (const auto& [k, v] : q.filters) s += " " + k + "=" + v;
  return s;
}

// The bench's own SQL for a query (count, then the ids of page `page` by OFFSET), to check linli's
// answers independently of the SQL linli writes.
std::pair<std::string, std::string> OracleSql(const ledger::Ledger& l, const ledger::ListQuery& q, int page) {
  std::string from = " FROM ledger_entries e JOIN persons p ON p.id = e.person_id JOIN ledger_" + l.key +
                     " d ON d.entry_id = e.id WHERE e.ledger = " + SqlQuote(l.key) + " AND e.exited_on IS NULL";
  std::string ids;
  for (int64_t c : q.community_ids) ids += (ids.empty() ? "" : ",") + std::to_string(c);
  from += " AND p.community_id IN (" + ids + ")";
  for (const auto& [k, v] : q.filters) from += " AND d.f_" + k + " = " + SqlQuote(v);
  if (q.due == ledger::DueWindow::kOverdue)
    from += " AND e.next_due_on < " +
            SqlQuote(Date::FromDays(Today().DaysSinceEpoch() - l.schedule.grace_days).ToString());
  std::string key = q.sort == "next_due_on" ? "coalesce(e.next_due_on, '9999-12-31')" : "e." + q.sort;
  std::string dir = q.descending ? " DESC" : " ASC";
  return {"SELECT count(*)" + from + ";",
          "SELECT e.id" + from + " ORDER BY " + key + dir + ", e.id" + dir + " LIMIT " + std::to_string(q.limit) +
              " OFFSET " + std::to_string((page - 1) * q.limit) + ";"};
}

bool RunB3(const std::string& tier, const std::string& out_dir, const std::string& source, int rounds, int n_queries,
           int deep_page) {
  PrepareB3Store(tier, out_dir, source);
  std::string db_path = fs::absolute(out_dir + "/linli.db").string();
  sqlite3_auto_extension(reinterpret_cast<void (*)()>(InstallTrace));
  storage::OpenOptions oo;
  oo.create = false;
  oo.read_only = true;
  auto db_or = storage::Db::Open("sqlite:" + db_path, oo);
  Check(db_or.status(), "open " + db_path);
  storage::Db& db = **db_or;
  auto catalog = ledger::Catalog::BuiltIn();
  auto engine_or = ledger::Engine::Create(db, *catalog);
  Check(engine_or.status(), "engine");
  ledger::Engine& engine = *engine_or;
  const ledger::Ledger* laonian = catalog->Find("laonian");
  const ledger::Ledger* dibao = catalog->Find("dibao");
  if (!laonian || !dibao) Die("built-in ledgers laonian and dibao expected");

  // Org units: communities, and the communities of each street.
  auto rows = db.Query("SELECT c.id, c.parent_id FROM org_units c WHERE c.level = 'community' ORDER BY c.id");
  Check(rows.status(), "communities");
  std::vector<int64_t> communities;
  std::map<int64_t, std::vector<int64_t>> streets;
  for (const auto& r : *rows) {
    communities.push_back(r.Int(0));
    streets[r.Int(1)].push_back(r.Int(0));
  }
  std::vector<int64_t> street_ids;
  for (const auto& [s, cs] : streets) street_ids.push_back(s);
  {
    std::string counts;
    auto per = db.Query("SELECT ledger, count(*) FROM ledger_entries GROUP BY ledger ORDER BY ledger");
    Check(per.status(), "entry counts");
    for (const auto& r : *per) counts += " " + r.Text(0) + "=" + std::to_string(r.Int(1));
    std::printf("# B3 store tier=%s communities=%zu streets=%zu entries:%s\n", tier.c_str(), communities.size(),
                street_ids.size(), counts.c_str());
  }

  Rng rng(20261123);
  const std::vector<std::string> kLiving = {"1", "2", "3"}, kClass = {"A", "B", "C"};
  auto make = [&](const ledger::Ledger* l, const std::string& scope, const std::string& field,
                  const std::vector<std::string>& codes, const std::string& sort, bool desc, ledger::DueWindow due,
                  std::string* label) {
    ledger::ListQuery q;
    if (scope == "community") {
      int64_t c = communities[rng.Below(communities.size())];
      q.community_ids = {c};
      *label = "community " + std::to_string(c);
    } else if (scope == "street") {
      int64_t s = street_ids[rng.Below(street_ids.size())];
      q.community_ids = streets[s];
      *label = "street " + std::to_string(s);
    } else {
      q.community_ids = communities;
      *label = "district";
    }
    if (!field.empty()) q.filters[field] = codes[rng.Below(codes.size())];
    q.sort = sort;
    q.descending = desc;
    q.due = due;
    q.limit = kLimit;
    (void)l;
    return q;
  };
  struct Kind {
    std::string op;
    const ledger::Ledger* l;
    std::string scope, field;
    std::vector<std::string> codes;
    std::string sort;
    bool desc;
    ledger::DueWindow due;
    bool deep;
  };
  const std::vector<Kind> kinds = {
      {"laonian_community_p1", laonian, "community", "living", kLiving, "next_due_on", false, ledger::DueWindow::kAny, false},
      {"laonian_street", laonian, "street", "living", kLiving, "enrolled_on", true, ledger::DueWindow::kAny, true},
      {"laonian_district", laonian, "district", "living", kLiving, "next_due_on", false, ledger::DueWindow::kAny, true},
      {"laonian_street_overdue_p1", laonian, "street", "", {}, "next_due_on", false, ledger::DueWindow::kOverdue, false},
      {"dibao_street_p1", dibao, "street", "class", kClass, "next_due_on", false, ledger::DueWindow::kAny, false},
  };
  std::vector<B3Set> sets;
  auto t_draw = Clock::now();
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) Die("open " + db_path);
  for (const Kind& k : kinds) {
    B3Set first{k.deep ? k.op + "_p1" : k.op, k.l, 1, {}, {}};
    B3Set deep{k.op + "_p" + std::to_string(deep_page), k.l, deep_page, {}, {}};
    for (int attempt = 0; first.queries.size() < static_cast<size_t>(n_queries) && attempt < n_queries * 20; ++attempt) {
      std::string label;
      ledger::ListQuery q = make(k.l, k.scope, k.field, k.codes, k.sort, k.desc, k.due, &label);
      if (k.deep) {
        // The deep page's cursor: the sort value and id of the last row of page deep_page − 1, by
        // the bench's own SQL (queries with fewer pages are redrawn). For the first query of
        // each kind the cursor is also reached by following List's own cursors page by page, and
        // must be the same.
        ledger::ListQuery d = q;
        std::string sql = OracleSql(*k.l, q, deep_page).second;
        sql = "SELECT " + std::string(q.sort == "next_due_on" ? "coalesce(e.next_due_on, '9999-12-31')" : "e." + q.sort) +
              " || char(31) || e.id" + sql.substr(sql.find(" FROM "));
        sql = sql.substr(0, sql.rfind(" LIMIT ")) + " LIMIT 1 OFFSET " + std::to_string((deep_page - 1) * kLimit - 1);
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) Die("prepare " + sql);
        if (sqlite3_step(st) == SQLITE_ROW) d.after = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        if (d.after.empty()) continue;
        if (deep.queries.empty()) {
          ledger::ListQuery f = q;
          for (int page = 1; page < deep_page; ++page) {
            auto res = engine.List(*k.l, f);
            Check(res.status(), "list " + DescribeQuery(f));
            f.after = res->next;
          }
          if (f.after != d.after) Die("B3 " + k.op + ": followed cursor " + f.after + " != jumped cursor " + d.after);
        }
        deep.queries.push_back(d);
        deep.scope.push_back(label);
      }
      first.queries.push_back(q);
      first.scope.push_back(label);
    }
    if (first.queries.size() < static_cast<size_t>(n_queries)) Die("B3 " + k.op + ": too few queries with enough pages");
    sets.push_back(std::move(first));
    if (k.deep) sets.push_back(std::move(deep));
  }
  CloseConnection(raw);
  std::fprintf(stderr, "[B3 %s] %zu query sets drawn in %.1f s\n", tier.c_str(), sets.size(),
               SecondsSince(t_draw));

  // Pass 0: linli once per query (warm-up), capturing its SQL.
  engine.List(*sets[0].ledger, sets[0].queries[0]).status();
  std::vector<std::vector<ledger::ListResult>> ours(sets.size());
  std::vector<std::vector<std::string>> captured(sets.size());
  std::vector<double> stmts(sets.size());
  for (size_t s = 0; s < sets.size(); ++s) {
    double total_stmts = 0;
    for (const auto& q : sets[s].queries) {
      g_captured.clear();
      g_capture = true;
      auto res = engine.List(*sets[s].ledger, q);
      g_capture = false;
      Check(res.status(), "list " + DescribeQuery(q));
      ours[s].push_back(*res);
      std::string batch;
      for (auto sql : g_captured) {
        std::replace(sql.begin(), sql.end(), '\n', ' ');
        batch += sql + "; ";
      }
      if (getenv("LINLI_BENCH_SHOW_SQL")) std::fprintf(stderr, "-- %s\n%s\n", DescribeQuery(q).c_str(), batch.c_str());
      captured[s].push_back(batch);
      total_stmts += static_cast<double>(g_captured.size());
    }
    stmts[s] = total_stmts / static_cast<double>(sets[s].queries.size());
  }
  RemoveTraces();

  // Checks before timing: (1) linli's total and ids equal the bench's own SQL (count; ids by
  // OFFSET of the page), run in the CLI; (2) the CLI running linli's captured SQL gives the same
  // total and the same ids (first statement's value, then the page's rows) — also its warm-up;
  // (3) every entry on the page equals Engine::Get of its id.
  CliPipe cli(db_path, out_dir + "/cli.err", "PRAGMA busy_timeout=5000;\nPRAGMA mmap_size=0;\nPRAGMA cache_size=-65536;\n");
  bool ok = true;
  int reported = 0;
  auto mismatch = [&](const B3Set& set, size_t k, const std::string& what, const std::string& detail) {
    ok = false;
    if (++reported <= 30)
      std::fprintf(stderr, "MISMATCH B3 %s [%s %s] %s: %s\n", set.op.c_str(), set.scope[k].c_str(),
                   DescribeQuery(set.queries[k]).c_str(), what.c_str(), detail.c_str());
  };
  auto t_check = Clock::now();
  for (size_t s = 0; s < sets.size(); ++s) {
    const B3Set& set = sets[s];
    for (size_t k = 0; k < set.queries.size(); ++k) {
      const ledger::ListResult& r = ours[s][k];
      std::vector<int64_t> ids;
      for (const auto& e : r.entries) ids.push_back(e.id);
      auto [count_sql, page_sql] = OracleSql(*set.ledger, set.queries[k], set.page);
      int64_t total = std::atoll(cli.Roundtrip(count_sql).rows.c_str());
      auto expect = CliPipe::Ids(cli.Roundtrip(page_sql).rows);
      if (total != r.total)
        mismatch(set, k, "total vs bench SQL", std::to_string(r.total) + " vs " + std::to_string(total));
      if (ids != expect) mismatch(set, k, "ids vs bench SQL (OFFSET)", IdList(ids) + " vs " + IdList(expect));
      if (ids.empty()) mismatch(set, k, "empty page", "");
      // Each entry of the page as Engine::Get gives it (all fields, decrypted values).
      for (const ledger::Entry& e : r.entries) {
        auto g = engine.Get(*set.ledger, e.id);
        Check(g.status(), "get entry " + std::to_string(e.id));
        if (g->ledger != e.ledger || g->subject_id != e.subject_id || g->person_id != e.person_id ||
            g->household_id != e.household_id || g->stage != e.stage || g->enrolled_on != e.enrolled_on ||
            g->exited_on != e.exited_on || g->last_followup_on != e.last_followup_on ||
            g->next_due_on != e.next_due_on || g->version != e.version || g->person_name != e.person_name ||
            g->community_id != e.community_id || g->grid_id != e.grid_id || g->values != e.values)
          mismatch(set, k, "entry vs Engine::Get", std::to_string(e.id));
      }
      // linli's own SQL in the CLI.
      std::string rows = cli.Roundtrip(captured[s][k]).rows;
      std::vector<std::string> tokens;
      for (size_t a = 0; a <= rows.size();) {
        size_t b = rows.find('\t', a);
        if (b == std::string::npos) b = rows.size();
        if (b > a) tokens.push_back(rows.substr(a, b - a));
        a = b + 1;
      }
      std::vector<int64_t> cli_ids;
      for (size_t t = 1; t < tokens.size() && cli_ids.size() < ids.size(); ++t) cli_ids.push_back(std::atoll(tokens[t].c_str()));
      if (tokens.empty() || std::atoll(tokens[0].c_str()) != r.total)
        mismatch(set, k, "total vs CLI running linli's SQL", tokens.empty() ? "no rows" : tokens[0]);
      if (cli_ids != ids) mismatch(set, k, "ids vs CLI running linli's SQL", IdList(ids) + " vs " + IdList(cli_ids));
    }
  }
  std::fprintf(stderr, "[B3 %s] answers checked in %.1f s: %s\n", tier.c_str(), SecondsSince(t_check),
               ok ? "all equal" : "MISMATCHES");
  if (!ok) return false;

  // Timed rounds, interleaved per set: ours, limit, ours, limit, …
  double sink = 0;
  std::map<std::string, double> p50_ours, p50_limit;
  for (size_t s = 0; s < sets.size(); ++s) {
    const B3Set& set = sets[s];
    bool set_ok = true;
    std::vector<double> p50_o, p50_l, p95_o, p95_l, ratio, cp95_o, cp95_l, cratio, rtts, totals;
    for (int r = 0; r < rounds; ++r) {
      std::vector<double> o_ms, l_ms, oc_ms, lc_ms;
      for (size_t k = 0; k < set.queries.size(); ++k) {
        auto t0 = Clock::now();
        double c0 = ThreadCpuMs();
        auto res = engine.List(*set.ledger, set.queries[k]);
        oc_ms.push_back(ThreadCpuMs() - c0);
        o_ms.push_back(SecondsSince(t0) * 1e3);
        Check(res.status(), "list");
        if (res->total != ours[s][k].total || res->entries.size() != ours[s][k].entries.size() ||
            (!res->entries.empty() && res->entries[0].id != ours[s][k].entries[0].id)) {
          mismatch(set, k, "timed run vs first run", "");
          set_ok = false;
        }
        sink += static_cast<double>(res->total);
      }
      std::vector<double> rtt, rtt_cpu;
      for (int i = 0; i < 200; ++i) {
        auto t0 = Clock::now();
        auto a = cli.Roundtrip("");
        rtt.push_back(SecondsSince(t0) * 1e3);
        rtt_cpu.push_back(a.cpu_ms);
      }
      double base = Median(rtt), base_cpu = Median(rtt_cpu);
      rtts.push_back(base);
      for (size_t k = 0; k < set.queries.size(); ++k) {
        auto t0 = Clock::now();
        auto a = cli.Roundtrip(captured[s][k]);
        double ms = SecondsSince(t0) * 1e3;
        l_ms.push_back(std::max(ms - base, 0.001));
        lc_ms.push_back(std::max(a.cpu_ms - base_cpu, 0.001));
        sink += static_cast<double>(a.rows.size());
      }
      p50_o.push_back(Percentile(o_ms, 50));
      p50_l.push_back(Percentile(l_ms, 50));
      p95_o.push_back(Percentile(o_ms, 95));
      p95_l.push_back(Percentile(l_ms, 95));
      ratio.push_back(p95_o.back() / p95_l.back());
      cp95_o.push_back(Percentile(oc_ms, 95));
      cp95_l.push_back(Percentile(lc_ms, 95));
      cratio.push_back(cp95_o.back() / cp95_l.back());
      std::fprintf(stderr, "[B3 %s %s round %d] wall p50 %.3f vs %.3f ms, p95 %.3f vs %.3f ms; cpu p95 %.3f vs %.3f ms\n",
                   set.op.c_str(), tier.c_str(), r + 1, p50_o.back(), p50_l.back(), p95_o.back(), p95_l.back(),
                   cp95_o.back(), cp95_l.back());
    }
    for (const auto& res : ours[s]) totals.push_back(static_cast<double>(res.total));
    p50_ours[set.op] = Median(p50_o);
    p50_limit[set.op] = Median(p50_l);
    std::string line = "B3 " + set.op + " tier=" + tier + " p50_ms=" + Fmt(Median(p50_o)) + " limit_p50_ms=" +
                       Fmt(Median(p50_l)) + " p95_ms=" + Fmt(Median(p95_o)) + " limit_p95_ms=" + Fmt(Median(p95_l)) +
                       " ratio=" + Fmt(Median(ratio), 2) + " cpu_p95_ms=" + Fmt(Median(cp95_o)) +
                       " limit_cpu_p95_ms=" + Fmt(Median(cp95_l)) + " cpu_ratio=" + Fmt(Median(cratio), 2) +
                       " limit=sqlite3_cli n=" + std::to_string(set.queries.size()) + " rounds=" +
                       std::to_string(rounds) + " page=" + std::to_string(set.page) + " median_total=" +
                       Fmt(Median(totals), 0) + " stmts_per_query=" + Fmt(stmts[s], 2) +
                       " pipe_rtt_ms=" + Fmt(Median(rtts));
    if (!set_ok) line += " MISMATCH";
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  // Deep pages against page 1 of the same queries (p50 over p50, ours and the limit's).
  for (const auto& set : sets) {
    if (set.page == 1) continue;
    std::string base = set.op.substr(0, set.op.rfind("_p")) + "_p1";
    std::printf("B3 %s_vs_p1 tier=%s deep_p50_ms=%s p1_p50_ms=%s ratio=%s limit_deep_p50_ms=%s limit_p1_p50_ms=%s "
                "limit_ratio=%s\n",
                set.op.c_str(), tier.c_str(), Fmt(p50_ours[set.op]).c_str(), Fmt(p50_ours[base]).c_str(),
                Fmt(p50_ours[set.op] / p50_ours[base], 2).c_str(), Fmt(p50_limit[set.op]).c_str(),
                Fmt(p50_limit[base]).c_str(), Fmt(p50_limit[set.op] / p50_limit[base], 2).c_str());
  }
  std::fflush(stdout);
  if (sink == -1) std::fprintf(stderr, "\n");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  Args a = ParseArgs(argc, argv);
  std::string tier = a.Get("tier", "S");
  std::string out_dir = fs::absolute(a.Get("out", "bench/out/" + tier)).string();
  fs::create_directories(out_dir);
  // The stores' field-encryption key lives beside them (crypto/field_cipher.h).
  setenv("LINLI_FIELD_KEY", (out_dir + "/field.key").c_str(), /*overwrite=*/1);
  int rounds = a.Int("rounds", 3);
  int b1_rounds = a.Int("b1-rounds", rounds);
  int n_queries = a.Int("queries", 200);
  bool ok = true;
  auto t0 = Clock::now();
  if (a.command == "gen" || a.command == "b1" || a.command == "all") {
    Dataset d = MakeDataset(tier, out_dir);
    if (a.command != "gen") ok = RunB1(d, tier, out_dir, a.command == "b1" ? rounds : b1_rounds) && ok;
  }
  if (ok && (a.command == "b2" || a.command == "all")) ok = RunB2(tier, out_dir, rounds, n_queries) && ok;
  if (a.command == "b3")
    ok = RunB3(tier, out_dir, a.Get("source"), rounds, a.Int("queries", 20), a.Int("deep-page", 60)) && ok;
  if (a.command != "gen" && a.command != "b1" && a.command != "b2" && a.command != "b3" && a.command != "all")
    Die("unknown command " + a.command);
  std::fprintf(stderr, "[%s] tier %s finished in %.1f s: %s\n", a.command.c_str(), tier.c_str(), SecondsSince(t0),
               ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
