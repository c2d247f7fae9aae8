// Packed ops (core/store/packed_ops.hpp): what SqliteStore's generation tables hold. A pack
// reads back as the ops written, in order, and has one encoding: anything else is CORRUPT.
#include <catch2/catch.hpp>

#include "core/store/packed_ops.hpp"

namespace tally {
namespace {

Bytes sample_pack() {
  Bytes pack;
  store::pack_put(pack, Bytes{2, 0, 1, 9}, Bytes{7, 7});
  store::pack_delete(pack, Bytes{2, 0, 1, 9});
  store::pack_put(pack, Bytes{2, 0, 1, 3}, Bytes{});          // a present, empty value
  store::pack_put(pack, Bytes(200, 0x42), Bytes(300, 0x43));  // sizes of two LEB128 bytes
  return pack;
}

TEST_CASE("packed ops read back as written, in order", "[store]") {
  Bytes pack = sample_pack();
  auto ops = store::unpack_ops(pack);
  REQUIRE(ops.ok());
  REQUIRE(ops->size() == 4);
  CHECK((*ops)[0].put);
  CHECK((*ops)[0].key == ByteView(Bytes{2, 0, 1, 9}));
  CHECK((*ops)[0].value == ByteView(Bytes{7, 7}));
  CHECK_FALSE((*ops)[1].put);
  CHECK((*ops)[1].key == ByteView(Bytes{2, 0, 1, 9}));
  CHECK((*ops)[2].put);
  CHECK((*ops)[2].value.size == 0);
  CHECK((*ops)[3].key == ByteView(Bytes(200, 0x42)));
  CHECK((*ops)[3].value == ByteView(Bytes(300, 0x43)));
  CHECK(pack.size() ==
        (1 + 1 + 4 + 1 + 2) + (1 + 1 + 4) + (1 + 1 + 4 + 1) + (1 + 2 + 200 + 2 + 300));
}

TEST_CASE("a pack cut anywhere, or with a byte added, is refused as corrupt", "[store]") {
  Bytes pack = sample_pack();
  for (std::size_t size = 0; size < pack.size(); ++size) {
    auto ops = store::unpack_ops(ByteView(pack.data(), size));
    // A cut that falls between two ops leaves a shorter, valid pack of the ops before it.
    if (ops.ok()) {
      CHECK(size > 0);
      CHECK(ops->size() < 4);
      continue;
    }
    CHECK(ops.error().code == Code::kCorrupt);
  }
  Bytes longer = pack;
  longer.push_back(0);  // a put whose key size is missing
  CHECK(store::unpack_ops(longer).error().code == Code::kCorrupt);
}

TEST_CASE("a pack refuses unknown kinds, long sizes and sizes not in their shortest form",
          "[store]") {
  const Bytes refused[] = {
      {},                                       // no op
      {2, 1, 0},                                // kind 2
      {1, 0x81, 0x00, 0},                       // size 1 in two bytes
      {1, 0x80, 0x80, 0x80, 0x80, 0x10},        // 2^32: past four bytes
      {1, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},  // more than five bytes
      {0, 1, 9, 5, 1, 2},                       // a value of 5 bytes with 2 left
  };
  for (const Bytes& pack : refused) {
    auto ops = store::unpack_ops(pack);
    REQUIRE_FALSE(ops.ok());
    CHECK(ops.error().code == Code::kCorrupt);
  }
  const Bytes one_delete{1, 0x01, 9};
  auto shortest = store::unpack_ops(one_delete);
  REQUIRE(shortest.ok());
  CHECK((*shortest)[0].key == ByteView(Bytes{9}));
}

}  // namespace
}  // namespace tally
