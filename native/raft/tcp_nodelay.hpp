// Nagle off on libraft's own TCP transport (raft_uv_tcp_init, the plaintext peers of
// --insecure-peers). libraft never calls uv_tcp_nodelay, so its small messages (heartbeats,
// append results) wait behind unacknowledged ones; the TLS transport sets TCP_NODELAY itself.
#pragma once

extern "C" {
#include <raft/uv.h>
}

namespace tally::replica {

// Wraps t's listen and connect so that every stream they hand to libraft, accepted or
// connected, has TCP_NODELAY set first. REQUIRES: t was set up by raft_uv_tcp_init, before
// raft_uv_init takes it.
void set_tcp_nodelay(struct raft_uv_transport* t);

}  // namespace tally::replica
