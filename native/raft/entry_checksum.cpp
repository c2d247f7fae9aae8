// libraft's checksum of log entries, eight bytes at a time.
//
// libraft checksums every batch of entries it writes to a segment, sends or loads (the CRC-32
// of polynomial 0x04C11DB7, most significant bit first, no reflection and no final xor; the
// caller passes the initial value): src/byte.c computes it a byte at a time from one table,
// which is 2-4% of a node's CPU under load (bench/results/e2e.md). The linker redirects
// libraft's calls here (--wrap, set by native/raft/CMakeLists.txt against libraft's static
// archive); this computes the same function with eight tables, one lookup per input byte and
// no dependency between the lookups of one word. The segments on disk do not change: the
// [raft] case holds it equal to libraft's own on every length, alignment and initial value.
#include <array>
#include <cstddef>
#include <cstdint>

namespace {

constexpr std::uint32_t kPolynomial = 0x04C11DB7;

using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

// tables[0][b]: the CRC of byte b; tables[k][b]: of byte b followed by k zero bytes.
constexpr Tables make_tables() {
  Tables tables{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t crc = b << 24;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x80000000u) != 0 ? (crc << 1) ^ kPolynomial : crc << 1;
    tables[0][b] = crc;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::uint32_t b = 0; b < 256; ++b) {
      const std::uint32_t previous = tables[k - 1][b];
      tables[k][b] = (previous << 8) ^ tables[0][previous >> 24];
    }
  }
  return tables;
}

constexpr Tables kTables = make_tables();

std::uint32_t big_endian_32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

}  // namespace

extern "C" unsigned __wrap_byteCrc32(const void* buf, std::size_t size, unsigned init) {
  static_assert(sizeof(unsigned) == sizeof(std::uint32_t));
  const auto* p = static_cast<const std::uint8_t*>(buf);
  std::uint32_t crc = init;
  for (; size >= 8; size -= 8, p += 8) {
    const std::uint32_t high = crc ^ big_endian_32(p);
    const std::uint32_t low = big_endian_32(p + 4);
    crc = kTables[7][high >> 24] ^ kTables[6][(high >> 16) & 0xFF] ^
          kTables[5][(high >> 8) & 0xFF] ^ kTables[4][high & 0xFF] ^ kTables[3][low >> 24] ^
          kTables[2][(low >> 16) & 0xFF] ^ kTables[1][(low >> 8) & 0xFF] ^ kTables[0][low & 0xFF];
  }
  for (; size > 0; --size, ++p)
    crc = (crc << 8) ^ kTables[0][((crc >> 24) ^ *p) & 0xFF];
  return crc;
}
