// Work the node does for itself, beside the loops that serve writes: a snapshot's copy and
// digests. On a machine with fewer cores than busy threads (three nodes and a load generator
// on two cores), such work at the loops' own priority takes their time slices and shows as
// their tail latency. Run here, it takes the cores the loops leave idle first.
#pragma once

#include <functional>

namespace tally::replica {

// Runs work on a thread of its own at the lowest priority (nice 19) and returns when it is
// done. A thread lowers its own priority freely, but raising it back needs a privilege, so the
// caller's thread (one of libuv's pool) keeps its own. Without a thread to be had, the work
// runs on the caller's.
void run_at_background_priority(const std::function<void()>& work);

}  // namespace tally::replica
