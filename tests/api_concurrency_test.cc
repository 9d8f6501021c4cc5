// Concurrent requests through one App (as `linli serve` runs them, one per thread): reads on both
// engines run side by side (on SQLite all stores share one Db: readers on read-only connections,
// writes in turn), and the audit records of concurrent reads are group-committed — every request
// that answered has exactly its own record, in one gapless chain that verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "api_world.h"
#include "test_db.h"

namespace linli::testing {
namespace {

using nlohmann::json;

TEST(ApiConcurrencyTest, ConcurrentSearchesAndChangesEachHaveTheirAuditRecordInOneVerifiedChain) {
  auto world = ApiWorld::Build();
  ASSERT_TRUE(world);
  const WorldUser& worker = world->User("community_worker@110105001001");
  const WorldUser& district = world->User("supervisor@110105");
  const WorldPerson& p = world->persons[0];
  int64_t head = world->AuditHead();
  constexpr int kThreads = 6, kRequests = 15;
  std::atomic<int> ok{0}, failed{0}, changes{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRequests; ++i) {
        Reply r;
        if (t == 0 && i % 5 == 0) {  // a change among the reads: its record commits with it
          json body = {{"hukou_address", "并发测试" + std::to_string(i)}, {"reason", "核实户籍地"}};
          r = world->Call(&worker, "PATCH", "/api/v1/persons/" + std::to_string(p.id), body.dump());
          if (r.status == 200) ++changes;
        } else {
          const WorldUser* who = t % 2 ? &worker : &district;
          r = world->Call(who, "GET", "/api/v1/persons/search?q=%E8%AF%95&limit=5");  // 试
        }
        (r.status == 200 ? ok : failed)++;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(ok.load(), kThreads * kRequests);
  auto records = world->AuditSince(head);
  int searches = 0, updates = 0;
  for (const auto& rec : records) {
    if (rec["action"] == "search") ++searches;
    if (rec["action"] == "update") ++updates;
  }
  EXPECT_EQ(updates, changes.load());
  EXPECT_EQ(searches + updates, kThreads * kRequests);
  const WorldUser& auditor = world->User("auditor@110105");
  Reply v = world->Call(&auditor, "GET", "/api/v1/audit_records/verify");
  ASSERT_EQ(v.status, 200) << v.raw;
  EXPECT_TRUE(v.body["data"]["ok"].get<bool>()) << v.raw;
}

}  // namespace
}  // namespace linli::testing
