#pragma once
// Herald's message tags. CAF 0.17 atoms are at most 10 characters and are
// compared by text, so ours all start with 'h' to stay clear of CAF's own
// (`get`, `put`, `ok`, `tick`, ...).

#include <caf/atom.hpp>

namespace herald::actors {

using apply_atom = caf::atom_constant<caf::atom("happly")>;
using view_atom = caf::atom_constant<caf::atom("hview")>;
using passivate_atom = caf::atom_constant<caf::atom("hpassiv")>;
using route_atom = caf::atom_constant<caf::atom("hroute")>;
using sweep_atom = caf::atom_constant<caf::atom("hsweep")>;
using tick_atom = caf::atom_constant<caf::atom("htick")>;
using live_atom = caf::atom_constant<caf::atom("hlive")>;
using fire_atom = caf::atom_constant<caf::atom("hfire")>;
using persisted_atom = caf::atom_constant<caf::atom("hpersist")>;
using dispatch_atom = caf::atom_constant<caf::atom("hdispatch")>;
using timer_atom = caf::atom_constant<caf::atom("htimer")>;
using advance_atom = caf::atom_constant<caf::atom("hadvance")>;
using wake_atom = caf::atom_constant<caf::atom("hwake")>;
using settle_atom = caf::atom_constant<caf::atom("hsettle")>;
using untimer_atom = caf::atom_constant<caf::atom("huntimer")>;
using checkpoint_atom = caf::atom_constant<caf::atom("hcheckpt")>;
using status_atom = caf::atom_constant<caf::atom("hstatus")>;
using call_done_atom = caf::atom_constant<caf::atom("hcalldone")>;
using retry_atom = caf::atom_constant<caf::atom("hretry")>;
using marked_atom = caf::atom_constant<caf::atom("hmarked")>;
using health_atom = caf::atom_constant<caf::atom("hhealth")>;
using operate_atom = caf::atom_constant<caf::atom("hoperate")>;
using stats_atom = caf::atom_constant<caf::atom("hstats")>;
using answered_atom = caf::atom_constant<caf::atom("hanswered")>;
using retire_atom = caf::atom_constant<caf::atom("hretire")>;
using lost_atom = caf::atom_constant<caf::atom("hlost")>;
using fired_atom = caf::atom_constant<caf::atom("hfired")>;

constexpr apply_atom apply_atom_v{};
constexpr view_atom view_atom_v{};
constexpr passivate_atom passivate_atom_v{};
constexpr route_atom route_atom_v{};
constexpr sweep_atom sweep_atom_v{};
constexpr tick_atom tick_atom_v{};
constexpr live_atom live_atom_v{};
constexpr fire_atom fire_atom_v{};
constexpr persisted_atom persisted_atom_v{};
constexpr dispatch_atom dispatch_atom_v{};
constexpr timer_atom timer_atom_v{};
constexpr advance_atom advance_atom_v{};
constexpr wake_atom wake_atom_v{};
constexpr settle_atom settle_atom_v{};
constexpr untimer_atom untimer_atom_v{};
constexpr checkpoint_atom checkpoint_atom_v{};
constexpr status_atom status_atom_v{};
constexpr call_done_atom call_done_atom_v{};
constexpr retry_atom retry_atom_v{};
constexpr marked_atom marked_atom_v{};
constexpr health_atom health_atom_v{};
constexpr operate_atom operate_atom_v{};
constexpr stats_atom stats_atom_v{};
constexpr answered_atom answered_atom_v{};
constexpr retire_atom retire_atom_v{};
constexpr lost_atom lost_atom_v{};
constexpr fired_atom fired_atom_v{};

}  // namespace herald::actors
