// [raft] libraft's entry checksum goes through native/raft/entry_checksum.cpp, and that
// computes exactly what libraft's own byte-at-a-time function does: the segments a node writes
// are the ones libraft would write, and it reads back what earlier builds wrote.
#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

// libraft's entry point (src/byte.c): the link sends calls to the wrapper, and __real_ to
// libraft's own.
extern "C" unsigned byteCrc32(const void* buf, std::size_t size, unsigned init);
extern "C" unsigned __real_byteCrc32(const void* buf, std::size_t size, unsigned init);
extern "C" unsigned __wrap_byteCrc32(const void* buf, std::size_t size, unsigned init);

namespace tally::testing {
namespace {

TEST_CASE("the entry checksum equals libraft's on every length, offset and initial value",
          "[raft][native]") {
  std::mt19937_64 random(20261206);
  std::vector<std::uint8_t> bytes(4096 + 8);
  for (auto& byte : bytes)
    byte = static_cast<std::uint8_t>(random());
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t size = 0; size <= 520; ++size) {
      const unsigned init = static_cast<unsigned>(random());
      const std::uint8_t* start = bytes.data() + offset;
      INFO("offset " << offset << ", size " << size << ", init " << init);
      REQUIRE(__wrap_byteCrc32(start, size, init) == __real_byteCrc32(start, size, init));
    }
  }
  CHECK(__wrap_byteCrc32(bytes.data(), bytes.size(), 0) ==
        __real_byteCrc32(bytes.data(), bytes.size(), 0));
  // A checksum taken in pieces, as libraft chains a header and its entries.
  const unsigned whole = __real_byteCrc32(bytes.data(), 1000, 0);
  CHECK(__wrap_byteCrc32(bytes.data() + 333, 667, __wrap_byteCrc32(bytes.data(), 333, 0)) == whole);
}

TEST_CASE("libraft's calls to its entry checksum reach the wrapper", "[raft][native]") {
  // Not a coincidence of equal results: the wrapper differs from libraft's function on no
  // input, so the test looks at where the symbol resolves.
  CHECK(reinterpret_cast<void*>(&byteCrc32) == reinterpret_cast<void*>(&__wrap_byteCrc32));
  const std::uint8_t known[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  // CRC-32/MPEG-2's check value is 0x0376E6E7 with init 0xFFFFFFFF and no final xor.
  CHECK(byteCrc32(known, sizeof known, 0xFFFFFFFFu) == 0x0376E6E7u);
}

}  // namespace
}  // namespace tally::testing
