// The core's encoding of a whole proposal, for the simulator's log, traces and WebAssembly.
// (The cluster's wire format is Cap'n Proto, native/codec/, decoded into the same structs.)
// Decoding never aborts: the fuzz target in tests/fuzz/ feeds it arbitrary bytes.
#pragma once

#include "core/plan/proposal.hpp"
#include "core/result.hpp"

namespace tally::codec {

inline constexpr std::uint8_t kProposalFormat = 1;
inline constexpr std::uint8_t kProposalPerOrderFormat = 2;  // order keys and the bulk mode

Bytes encode_proposal(const plan::Proposal& proposal);
Result<plan::Proposal> decode_proposal(ByteView bytes);

}  // namespace tally::codec
