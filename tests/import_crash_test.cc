// Crash atomicity of `linli import` (G1, SQLite): the import process killed with SIGKILL at more
// than 100 moments across its run leaves a store that passes PRAGMA integrity_check and holds the
// import wholly or not at all.
//
//   - A demo community is split in two: the first households form a baseline file, imported once
//     into a baseline store; the second file has the remaining households (new persons) and the
//     first baseline persons again with a new phone number (updates).
//   - The second file is imported to completion three times, each into a fresh copy of the
//     baseline (VACUUM INTO, never a file copy), to measure the run time T and record the
//     "present" state; the baseline itself is the "absent" state.
//   - Then, for delays swept from 0 to 110% of T plus a few drawn from a seeded generator (run
//     in a seeded order; T follows the shortest complete run seen, as the machine's load
//     changes), a copy is made, `linli import` is started on it (posix_spawn) and killed with
//     SIGKILL after the delay. The reopened store must pass integrity_check, match either state
//     exactly (row counts of every registry table and the stable columns of persons, households,
//     places and person_events), have 0 or 1 new `imports` rows accordingly, and no
//     person_events row may name an absent import.
// Runs on SQLite only; skipped on PostgreSQL (the engine's own crash safety is not under test).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "crypto/field_cipher.h"
#include "demo/generator.h"
#include "org/org.h"
#include "registry/columns.h"
#include "registry/import.h"
#include "test_db.h"

extern char** environ;

namespace linli {
namespace {

constexpr int64_t kResidents = 3000;     // the demo community; about half is the baseline
constexpr size_t kUpdatedPersons = 100;  // baseline persons listed again with a new phone
constexpr int kSweepPoints = 110;        // delays 0 … 110% of T
constexpr int kRandomPoints = 12;        // delays drawn in [0, T] from a fixed seed
constexpr int kMinimumKills = 100;
// Runs that finish before their kill (the run time varies with the machine's load) are made up
// for with more seeded delays in [0, 0.9 T], at most this many.
constexpr int kMaxExtraPoints = 60;
constexpr int kRemeasureEvery = 20;
constexpr size_t kPhoneColumn = 9;      // 联系电话 in the registry column order
constexpr size_t kRelationColumn = 14;  // 与户主关系

constexpr const char* kTables[] = {"org_units",     "places",       "households", "persons",
                                   "person_events", "person_grams", "imports"};

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void WriteCsv(const std::string& path, const std::vector<std::vector<std::string>>& rows) {
  std::ofstream out(path, std::ios::binary);
  const auto& header = demo::ResidentColumns();
  for (size_t col = 0; col < header.size(); ++col) out << (col ? "," : "") << header[col];
  out << "\n";
  for (const auto& row : rows) {
    for (size_t col = 0; col < row.size(); ++col) out << (col ? "," : "") << CsvField(row[col]);
    out << "\n";
  }
}

// The state of a store that must be all-or-nothing: row counts and the stable columns of the
// registry tables (timestamps differ from run to run and are left out).
struct StoreState {
  std::vector<int64_t> counts;
  std::string digest;  // the stable columns, row by row
  bool operator==(const StoreState&) const = default;
};

Result<StoreState> ReadState(storage::Db& db) {
  StoreState state;
  for (const char* table : kTables) {
    ASSIGN_OR_RETURN(int64_t n, db.QueryInt(std::string("SELECT count(*) FROM ") + table));
    state.counts.push_back(n);
  }
  static const char* kDigestQueries[] = {
      "SELECT id, id_number, name, phone, address, birth_date, grid_id, room_id, household_id, "
      "status FROM persons "
      "ORDER BY id",
      "SELECT id, number, room_id, head_person_id FROM households ORDER BY id",
      "SELECT id, parent_id, address, grid_id, occupancy FROM places ORDER BY id",
      "SELECT person_id, event, field, old_value, new_value, import_id FROM person_events ORDER BY "
      "id",
  };
  // ID numbers and phones are stored encrypted with a fresh nonce each time: compare clear values.
  ASSIGN_OR_RETURN(const crypto::FieldCipher* cipher, db.Cipher());
  std::string text;
  for (const char* sql : kDigestQueries) {
    ASSIGN_OR_RETURN(auto rows, db.Query(sql));
    bool persons = std::string_view(sql).find("FROM persons") != std::string_view::npos;
    bool events = std::string_view(sql).find("FROM person_events") != std::string_view::npos;
    for (const auto& row : rows) {
      for (size_t col = 0; col < row.size(); ++col) {
        std::string field;
        if (persons && (col == 1 || col == 3)) field = col == 1 ? "id_number" : "phone";
        if (events && (col == 3 || col == 4) && registry::IsSensitiveKey(row.Text(2))) field = row.Text(2);
        if (field.empty()) {
          text += row.Text(col) + "|";
        } else {
          ASSIGN_OR_RETURN(std::string clear, cipher->Decrypt(field, row.Text(col)));
          text += clear + "|";
        }
      }
      text += "\n";
    }
  }
  state.digest = std::move(text);
  return state;
}

void RemoveStore(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm", "-journal", ".lock"})
    std::filesystem::remove(path + suffix);
}

// An online copy of `from` (VACUUM INTO, as RELIABILITY.md asks) at `to`.
void CopyStore(const std::string& from, const std::string& to) {
  RemoveStore(to);
  sqlite3* src = nullptr;
  ASSERT_EQ(sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  std::string sql = "VACUUM INTO '" + to + "'";
  char* error = nullptr;
  int rc = sqlite3_exec(src, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(src);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

struct RunResult {
  bool killed = false;  // ended by our SIGKILL (not finished before it)
  int exit_code = -1;
  double seconds = 0;
};

// Runs `linli import` on `store`, killing it after `kill_after` seconds (negative: never).
RunResult RunImport(const std::string& store, const std::string& org, const std::string& file,
                    double kill_after) {
  std::string db_arg = "sqlite:" + store;
  std::vector<std::string> args = {LINLI_BINARY, "import", "--db",   db_arg,
                                   "--org",      org,      "--json", file};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  RunResult result;
  auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  int rc = posix_spawn(&pid, LINLI_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "posix_spawn " << LINLI_BINARY << ": " << std::strerror(rc);
    return result;
  }
  int status = 0;
  if (kill_after >= 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(kill_after));
    kill(pid, SIGKILL);
  }
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

TEST(ImportCrashTest, KilledImportLeavesAllOrNothing) {
  if (testing::TestingPostgres()) GTEST_SKIP() << "crash atomicity is tested on SQLite";
  setenv("LINLI_TODAY", "2026-06-30", 1);
  const std::string dir = testing::TempDir() + "/crash";
  std::filesystem::create_directories(dir);

  // The two files.
  demo::DemoOptions options;
  options.residents = kResidents;
  options.seed = 11;
  demo::DemoPlan plan = demo::PlanDemo(options);
  ASSERT_EQ(demo::CommunityCount(plan), 1u);
  const demo::CommunityPlan& community = demo::CommunityAt(plan, 0);
  std::vector<std::vector<std::string>> rows;
  demo::GenerateResidents(options, plan, 0,
                          [&](const std::vector<std::string>& row) { rows.push_back(row); });
  ASSERT_EQ(rows.size(), static_cast<size_t>(kResidents));
  size_t split = rows.size() / 2;
  while (split < rows.size() && rows[split][kRelationColumn] != "户主")
    ++split;  // a household boundary
  ASSERT_LT(split, rows.size());
  std::vector<std::vector<std::string>> baseline(rows.begin(), rows.begin() + split);
  std::vector<std::vector<std::string>> second(rows.begin() + split, rows.end());
  const size_t new_persons = second.size();
  for (size_t idx = 0; idx < kUpdatedPersons; ++idx) {
    auto row = baseline[idx];
    char phone[16];
    std::snprintf(phone, sizeof phone, "199%08zu", idx);
    row[kPhoneColumn] = phone;
    second.push_back(std::move(row));
  }
  const std::string baseline_csv = dir + "/baseline.csv";
  const std::string second_csv = dir + "/second.csv";
  WriteCsv(baseline_csv, baseline);
  WriteCsv(second_csv, second);

  // The baseline store.
  const std::string base = dir + "/base.db";
  RemoveStore(base);
  StoreState absent;
  {
    auto db = storage::Db::Open("sqlite:" + base);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto district =
        org::UpsertOrgUnit(**db, plan.district_code, plan.district_name, org::Level::kDistrict, 0);
    ASSERT_TRUE(district.ok()) << district.status().ToString();
    const auto& street = plan.streets.at(0);
    auto street_id =
        org::UpsertOrgUnit(**db, street.code, street.name, org::Level::kStreet, *district);
    ASSERT_TRUE(street_id.ok());
    ASSERT_TRUE(
        org::UpsertOrgUnit(**db, community.code, community.name, org::Level::kCommunity, *street_id)
            .ok());
    registry::ImportOptions import_options;
    import_options.org_code = community.code;
    auto report = registry::ImportRegistryFile(**db, baseline_csv, import_options);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->imported, static_cast<int64_t>(baseline.size()))
        << registry::ReportToText(*report);
    auto state = ReadState(**db);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    absent = *state;
  }
  const size_t imports_column = std::size(kTables) - 1;

  // Uninterrupted runs: the run time T and the "present" state. One more runs after every
  // kRemeasureEvery crash points, and T is the median of the last three, so that the delays
  // follow the machine's speed when its load changes.
  const std::string copy = dir + "/copy.db";
  std::optional<StoreState> present;
  std::vector<double> durations;
  auto complete_run = [&]() {
    CopyStore(base, copy);
    RunResult r = RunImport(copy, community.code, second_csv, -1);
    ASSERT_EQ(r.exit_code, 0) << "the uninterrupted import failed";
    durations.push_back(r.seconds);
    auto db = storage::Db::Open("sqlite:" + copy);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto state = ReadState(**db);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    if (present) {
      EXPECT_TRUE(*state == *present) << "two complete runs left different stores";
      return;
    }
    present = *state;
    auto counts = (*db)->Query("SELECT imported, updated, rejected FROM imports ORDER BY id DESC");
    ASSERT_TRUE(counts.ok() && !counts->empty());
    EXPECT_EQ((*counts)[0].Int(0), static_cast<int64_t>(new_persons));
    EXPECT_EQ((*counts)[0].Int(1), static_cast<int64_t>(kUpdatedPersons));
    EXPECT_EQ((*counts)[0].Int(2), 0);
  };
  auto run_time = [&durations]() {
    std::vector<double> last(durations.end() - std::min<size_t>(3, durations.size()),
                             durations.end());
    std::sort(last.begin(), last.end());
    return last[last.size() / 2];
  };
  for (int run = 0; run < 3; ++run) {
    complete_run();
    if (HasFatalFailure()) return;
  }
  ASSERT_EQ(present->counts[imports_column], absent.counts[imports_column] + 1);
  ASSERT_NE(present->digest, absent.digest);

  // The crash points, as fractions of T, in a seeded random order.
  std::vector<double> fractions;
  for (int point = 0; point < kSweepPoints; ++point)
    fractions.push_back(1.1 * point / (kSweepPoints - 1));
  std::mt19937 rng(20260630);
  std::uniform_real_distribution<double> uniform(0, 1);
  for (int point = 0; point < kRandomPoints; ++point) fractions.push_back(uniform(rng));
  std::shuffle(fractions.begin(), fractions.end(), rng);

  int killed = 0, finished = 0, killed_present = 0, killed_absent = 0, extra = 0;
  for (size_t point = 0; point < fractions.size(); ++point) {
    if (point > 0 && point % kRemeasureEvery == 0) {
      complete_run();
      if (HasFatalFailure()) return;
    }
    const double delay = fractions[point] * run_time();
    if (point + 1 == fractions.size() && killed < kMinimumKills && extra < kMaxExtraPoints) {
      fractions.push_back(0.9 * uniform(rng));
      ++extra;
    }
    SCOPED_TRACE("kill after " + std::to_string(delay) + " s");
    CopyStore(base, copy);
    RunResult r = RunImport(copy, community.code, second_csv, delay);
    if (r.killed) {
      ++killed;
    } else {
      ASSERT_EQ(r.exit_code, 0) << "the import ended otherwise than by the kill";
      ++finished;
    }
    auto db = storage::Db::Open("sqlite:" + copy);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto integrity = (*db)->IntegrityCheck();
    ASSERT_TRUE(integrity.ok()) << integrity.status().ToString();
    EXPECT_EQ(*integrity, "ok");
    auto orphans = (*db)->QueryInt(
        "SELECT count(*) FROM person_events e WHERE e.import_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.id = e.import_id)");
    ASSERT_TRUE(orphans.ok());
    EXPECT_EQ(*orphans, 0) << "history rows of an import that is not there";
    auto state = ReadState(**db);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    bool is_present = *state == *present;
    bool is_absent = *state == absent;
    EXPECT_TRUE(is_present || is_absent)
        << "a half-applied import: imports rows " << state->counts[imports_column] << ", persons "
        << state->counts[3];
    if (r.killed) {
      killed_present += is_present;
      killed_absent += is_absent;
    } else {
      EXPECT_TRUE(is_present) << "a finished import is missing";
    }
  }
  std::printf("crash points: %d, present: %d, absent: %d\n", killed, killed_present, killed_absent);
  std::printf(
      "  import of %zu rows (%zu new, %zu updated): %zu complete runs of %.2f–%.2f s; %zu delays "
      "(%d added), %d runs finished before their kill\n",
      second.size(), new_persons, kUpdatedPersons, durations.size(),
      *std::min_element(durations.begin(), durations.end()),
      *std::max_element(durations.begin(), durations.end()), fractions.size(), extra, finished);
  EXPECT_GE(killed, kMinimumKills);
  EXPECT_GT(killed_absent, 0) << "no kill came early enough to find the import absent";
  if (!HasFailure()) std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace linli
