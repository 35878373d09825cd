// CAF's "sharing" scheduler, instantiated here without the logging hook its
// worker loop runs for every job.
//
// Debian builds CAF 0.17 with logging at QUIET, which still compiles
// CAF_PUSH_AID_FROM_PTR into worker::run: before each job a cross-cast of
// the job to abstract_actor and a store of its id in the logger's
// thread-local slot, and again after. Nothing reads that slot when nothing
// is logged. callgrind put the cast at 1.8 % of a communication's
// instructions (one job per message, ≈ 1,100 instructions each), the slot
// at 0.4 %. worker::run is a template, so a policy type of Herald's own
// gets its own instantiation, compiled with the hook defined away; the
// policy itself is CAF's, unchanged.

#include <caf/logger.hpp>

#undef CAF_PUSH_AID_FROM_PTR
#define CAF_PUSH_AID_FROM_PTR(some_ptr) static_cast<void>(0)

#include <caf/policy/work_sharing.hpp>
#include <caf/scheduler/coordinator.hpp>

#include <typeinfo>

#include "actors/actor_system_setup.hpp"

namespace herald::actors {
namespace {

struct quiet_work_sharing : caf::policy::work_sharing {};

}  // namespace

caf::actor_system::module* make_sharing_scheduler(caf::actor_system& system) {
  return new caf::scheduler::coordinator<quiet_work_sharing>(system);
}

const std::type_info& sharing_scheduler_type() { return typeid(caf::scheduler::coordinator<quiet_work_sharing>); }

}  // namespace herald::actors
