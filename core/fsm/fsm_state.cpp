#include "core/fsm/fsm_state.hpp"

#include "core/codec/domain_fields.hpp"
#include "core/store/layout.hpp"

namespace tally::fsm {

namespace {
constexpr std::uint8_t kStateFormat = 2;
}

Bytes fsm_state_key() {
  Bytes key{store::kZoneFsm};
  append(key, std::string_view("state"));
  return key;
}

Bytes encode_fsm_state(const FsmState& state) {
  codec::Writer w(128);
  w.u8(kStateFormat);
  w.u64(state.applied_index);
  w.u64(state.next_audit_sequence);
  codec::write_digest(w, state.audit_head);
  w.string(state.cluster_id);
  codec::write_digest(w, state.audit_key_id);
  w.u64(state.cache_epoch);
  w.u64(state.rotation_threshold);
  return w.take();
}

Result<FsmState> decode_fsm_state(ByteView bytes) {
  return codec::decode_all<FsmState>(bytes, "fsm state", [](codec::Reader& r) {
    codec::expect_format(r, kStateFormat);
    FsmState state;
    state.applied_index = r.u64();
    state.next_audit_sequence = r.u64();
    state.audit_head = codec::read_digest(r);
    state.cluster_id = r.string();
    state.audit_key_id = codec::read_digest(r);
    state.cache_epoch = r.u64();
    state.rotation_threshold = r.u64();
    return state;
  });
}

}  // namespace tally::fsm
