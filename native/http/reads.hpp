// Reads see what the client already saw. A read that sends back a write's
// Tally-Applied-Index runs on the node it reached once that node has applied that index
// (bounded by ServerConfig::read_wait_ms, then 503 STALE_READ; not at all when its
// Tally-Cluster-Id names another cluster): a client that keeps the index reads from any node.
// A read without one, as the Go ledger's clients send them, goes to the leader (307 from a
// follower, which may not have applied the client's last write yet; answered here while no
// leader is known). Then the handler answers from the node's store.
#pragma once

#include "native/http/route_table.hpp"

namespace tally::http {

void run_read(Server::Impl& impl, const CallPtr& call, Handler handler);

}  // namespace tally::http
