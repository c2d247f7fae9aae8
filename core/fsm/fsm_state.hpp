// The state machine's own row (zone 0x05): what recovery needs beside the cache mirror.
//   [0x05]"state" -> [format 1][applied index u64][next audit sequence u64]
//                    [audit head hash 32][cluster id string]
// Written in every applied batch, so a batch carries its own applied index (inv#9).
#pragma once

#include <string>

#include "core/crypto/sha256.hpp"
#include "core/result.hpp"

namespace tally::fsm {

struct FsmState {
  std::uint64_t applied_index = 0;
  std::uint64_t next_audit_sequence = 1;
  crypto::Digest audit_head{};  // hash of the last audit entry; zeros before the first
  std::string cluster_id;

  friend bool operator==(const FsmState&, const FsmState&) = default;
};

Bytes fsm_state_key();
Bytes encode_fsm_state(const FsmState& state);
Result<FsmState> decode_fsm_state(ByteView bytes);

}  // namespace tally::fsm
