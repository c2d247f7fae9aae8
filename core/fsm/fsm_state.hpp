// The state machine's own row (zone 0x05): what recovery needs beside the cache mirror.
//   [0x05]"state" -> [format 2][applied index u64][next audit sequence u64]
//                    [audit head hash 32][cluster id string][audit key id 32]
//                    [cache epoch u64][rotation threshold u64]
// Written in every committed batch, so a batch carries its own applied index (inv#9). The
// epoch and threshold repeat the cache meta row's: open() refuses a store whose two rows
// disagree (docs/design.md §3), so a single damaged row cannot silently realign the cache.
#pragma once

#include <string>

#include "core/audit/audit_key.hpp"
#include "core/crypto/sha256.hpp"
#include "core/result.hpp"

namespace tally::fsm {

struct FsmState {
  std::uint64_t applied_index = 0;
  std::uint64_t next_audit_sequence = 1;
  crypto::Digest audit_head{};  // hash of the last audit entry; zeros before the first
  std::string cluster_id;
  audit::AuditKeyId audit_key_id{};      // the id of the key that chains this store's audit log
  std::uint64_t cache_epoch = 0;         // equals the cache meta row's epoch
  std::uint64_t rotation_threshold = 0;  // equals the cache meta row's threshold

  friend bool operator==(const FsmState&, const FsmState&) = default;
};

Bytes fsm_state_key();
Bytes encode_fsm_state(const FsmState& state);
Result<FsmState> decode_fsm_state(ByteView bytes);

}  // namespace tally::fsm
