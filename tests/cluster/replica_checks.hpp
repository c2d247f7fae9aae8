// What every cluster test asserts of a node once its run ends: it has not failed, its store
// digest is the reference's, its cache agrees with its store (parity), and the checker finds
// its store clean with every audit hash verified.
#pragma once

#include <string>

#include "native/raft/node.hpp"

namespace tally::testing {

// The node's store digest, in hex (REQUIREs that it can be computed).
std::string digest_hex_of(const replica::Node& node);

// REQUIREs all of the above; reference_digest_hex is digest_hex_of(a node of the same run).
void require_replica_sound(const replica::Node& node, const std::string& reference_digest_hex);

}  // namespace tally::testing
