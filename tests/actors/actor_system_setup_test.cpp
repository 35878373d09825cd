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
