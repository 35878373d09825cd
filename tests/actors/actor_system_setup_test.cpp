#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "actors/actor_system_setup.hpp"
#include "storage/rocksdb_perf.hpp"

TEST_CASE("actor workers leave RocksDB's perf counts off, other threads keep its default", "[actors]") {
  caf::actor_system_config cfg;
  herald::actors::configure_actor_system(cfg);
  caf::actor_system system{cfg};
  auto probe = system.spawn([]() -> caf::behavior {
    return {[](int) { return herald::storage::rocksdb_perf_counts_on_this_thread(); }};
  });
  caf::scoped_actor self{system};
  bool answered = false;
  self->request(probe, caf::infinite, 1)
      .receive(
          [&](bool counts) {
            answered = true;
            CHECK_FALSE(counts);
          },
          [&](caf::error& e) { FAIL(system.render(e)); });
  CHECK(answered);
  CHECK(herald::storage::rocksdb_perf_counts_on_this_thread());  // this thread is not CAF's
  caf::anon_send_exit(probe, caf::exit_reason::user_shutdown);
}

TEST_CASE("the actor system runs Herald's sharing scheduler with two workers", "[actors]") {
  caf::actor_system_config cfg;
  herald::actors::configure_actor_system(cfg);
  caf::actor_system system{cfg};
  CHECK(typeid(system.scheduler()) == herald::actors::sharing_scheduler_type());
  CHECK(system.scheduler().num_workers() == 2);
  // And it runs actors: an answer comes back from one.
  auto echo = system.spawn([]() -> caf::behavior { return {[](int x) { return x + 1; }}; });
  caf::scoped_actor self{system};
  int answer = 0;
  self->request(echo, caf::infinite, 41).receive([&](int x) { answer = x; }, [&](caf::error& e) { FAIL(system.render(e)); });
  CHECK(answer == 42);
  caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
}
