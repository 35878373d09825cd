#include <catch2/catch.hpp>

#include <caf/all.hpp>
#include <chrono>

#include "actors/actor_system_setup.hpp"
#include "storage/rocksdb_perf.hpp"
#include "tests/support/eventually.hpp"

using herald::test::eventually;

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

TEST_CASE("actors that set no timeout stop without waking the clock, and timeouts still fire and are cancelled",
          "[actors]") {
  caf::actor_system_config cfg;
  herald::actors::configure_actor_system(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  const auto before = herald::actors::clock_cancellations_of(system);

  // Fifty actors answer once and quit: none of them set a timeout.
  for (int i = 0; i < 50; ++i) {
    auto once = system.spawn([](caf::event_based_actor* a) -> caf::behavior {
      return {[a](int x) {
        a->quit();
        return x;
      }};
    });
    self->request(once, caf::infinite, i).receive([](int) {}, [&](caf::error& e) { FAIL(system.render(e)); });
  }
  REQUIRE(eventually([&] { return herald::actors::clock_cancellations_of(system).skipped >= before.skipped + 50; }));
  CHECK(herald::actors::clock_cancellations_of(system).forwarded == before.forwarded);

  // A request timeout still fires through the clock.
  auto silent = system.spawn([]() -> caf::behavior { return {[](int) -> caf::result<int> { return caf::delegated<int>{}; }}; });
  bool timed_out = false;
  self->request(silent, std::chrono::milliseconds(20), 1)
      .receive([](int) {}, [&](caf::error& e) { timed_out = e == caf::sec::request_timeout; });
  CHECK(timed_out);

  // An actor that stops with a timeout pending has its cancellation forwarded.
  const auto forwarded_before = herald::actors::clock_cancellations_of(system).forwarded;
  auto waiting = system.spawn([silent](caf::event_based_actor* a) -> caf::behavior {
    return {[a, silent](int x) {
      a->request(silent, std::chrono::seconds(3600), x).then([](int) {});
      a->quit();
    }};
  });
  caf::anon_send(waiting, 7);
  CHECK(eventually([&] { return herald::actors::clock_cancellations_of(system).forwarded > forwarded_before; }));
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}
