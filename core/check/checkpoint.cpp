#include "core/check/checkpoint.hpp"

#include "core/codec/writer.hpp"
#include "core/crypto/sha256.hpp"

namespace tally::check {

crypto::Digest checkpoint_digest(const CheckCheckpoint& checkpoint) {
  const ChainState& chain = checkpoint.chain;
  codec::Writer out;
  out.string("tally-check-checkpoint/1");
  out.string(checkpoint.cluster_id);
  out.optional(checkpoint.audit_key_id,
               [&](const audit::AuditKeyId& id) { out.raw(ByteView(id.data(), id.size())); });
  out.u64(chain.next_sequence);
  out.raw(ByteView(chain.head.data(), chain.head.size()));
  out.u64(chain.last_log_index);
  out.u64(chain.threshold_changes);
  out.optional(chain.last_threshold, [&](std::uint64_t threshold) { out.u64(threshold); });
  return crypto::sha256(out.view());
}

}  // namespace tally::check
