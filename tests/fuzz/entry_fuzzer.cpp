// libFuzzer target: the Cap'n Proto log entry decoder (native/codec) and the snapshot reader,
// fed what a peer or a damaged log could hand a node. It must return an error or a value, never
// crash, hang or leak; a value it accepts must survive the wire again unchanged, and its core
// encoding must decode back to it (the decoder accepts nothing the core cannot represent).
#include <cstdint>
#include <cstdlib>

#include "core/codec/proposal_codec.hpp"
#include "native/codec/entry_codec.hpp"
#include "native/codec/snapshot_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tally;
  // The same bytes as a snapshot (envelope and chunk layout): refused or read, never a crash.
  auto snapshot = wire::read_snapshot(ByteView(data, size));
  if (snapshot.ok()) (void)wire::verify_snapshot_image(*snapshot);
  auto decoded = wire::decode_entry(ByteView(data, size));
  if (!decoded.ok()) return 0;
  auto again = wire::decode_entry(wire::encode_entry(*decoded));
  if (!again.ok() || !(*again == *decoded)) std::abort();
  if (decoded->proposal) {
    auto core = codec::decode_proposal(codec::encode_proposal(*decoded->proposal));
    if (!core.ok() || !(*core == *decoded->proposal)) std::abort();
  }
  return 0;
}
