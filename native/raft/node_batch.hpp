// The leader's queue and batches (node.hpp, "Leader batching"): the records Node keeps for a
// request between submit and its answer, and the replies the node builds itself. Private to
// native/raft/node*.cpp.
#pragma once

#include <optional>
#include <string>

#include "native/raft/node.hpp"

namespace tally::replica {

// A request waiting at the leader for its batch to leave; not admitted yet.
struct Node::Queued {
  plan::Request request;
  ReplyCallback done;
};

// One raft_apply of consecutive entries, first_index .. first_index + entry_count - 1.
// Lives until libraft calls batch_done (the request is libraft's until then).
struct Node::Batch {
  struct raft_apply request = {};
  Node* node = nullptr;
  std::uint64_t serial = 0;  // the key in batches_; tells this batch's entries from others
  std::uint64_t first_index = 0;
  std::uint64_t entry_count = 0;
};

// An admitted entry proposed by this node, until it is answered.
struct Node::Pending {
  std::uint64_t index = 0;
  std::uint64_t batch_serial = 0;
  plan::Proposal proposal;
  ReplyCallback done;
  std::optional<fsm::ApplyReport> report;  // set when this entry applied on this node
};

// An answer that applied nothing, and why.
inline Reply refusal(Reply::Status status, Error error) {
  Reply reply;
  reply.status = status;
  reply.error = std::move(error);
  return reply;
}

}  // namespace tally::replica
