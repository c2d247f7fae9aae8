// SHA-256 compression with the x86 SHA extensions (Intel's published instruction sequence:
// four rounds per two sha256rnds2, the schedule by sha256msg1 / sha256msg2). Compiled for
// x86-64 only; elsewhere sha_ni_available() is false and the portable path runs.
#include "core/crypto/sha256_compress.hpp"

#include "core/invariant.hpp"

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#define TALLY_HAVE_SHA_NI 1
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace tally::crypto {

#ifdef TALLY_HAVE_SHA_NI

namespace {

bool detect_sha_ni() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  bool ssse3 = (c & (1u << 9)) != 0;
  bool sse41 = (c & (1u << 19)) != 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  bool sha = (b & (1u << 29)) != 0;
  return ssse3 && sse41 && sha;
}

}  // namespace

bool sha_ni_available() {
  static const bool available = detect_sha_ni();
  return available;
}

__attribute__((target("sha,sse4.1,ssse3"))) void compress_sha_ni(Sha256State& state,
                                                                 const std::uint8_t* blocks,
                                                                 std::size_t block_count) {
  TALLY_INVARIANT(sha_ni_available(), "compress_sha_ni on a CPU without SHA-NI");
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  __m128i tmp = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[0]));
  __m128i state1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&state[4]));
  tmp = _mm_shuffle_epi32(tmp, 0xB1);                // CDAB
  state1 = _mm_shuffle_epi32(state1, 0x1B);          // EFGH
  __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);  // ABEF
  state1 = _mm_blend_epi16(state1, tmp, 0xF0);       // CDGH
  for (std::size_t block = 0; block < block_count; ++block) {
    const std::uint8_t* data = blocks + 64 * block;
    const __m128i abef_saved = state0;
    const __m128i cdgh_saved = state1;
    __m128i w[16];
    for (int i = 0; i < 16; ++i) {
      if (i < 4) {
        w[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)),
                                byte_swap);
      } else {
        __m128i mixed = _mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
                                      _mm_alignr_epi8(w[i - 1], w[i - 2], 4));
        w[i] = _mm_sha256msg2_epu32(mixed, w[i - 1]);
      }
      __m128i message = _mm_add_epi32(
          w[i], _mm_load_si128(reinterpret_cast<const __m128i*>(&kRoundConstants[4 * i])));
      state1 = _mm_sha256rnds2_epu32(state1, state0, message);
      message = _mm_shuffle_epi32(message, 0x0E);
      state0 = _mm_sha256rnds2_epu32(state0, state1, message);
    }
    state0 = _mm_add_epi32(state0, abef_saved);
    state1 = _mm_add_epi32(state1, cdgh_saved);
  }
  tmp = _mm_shuffle_epi32(state0, 0x1B);        // FEBA
  state1 = _mm_shuffle_epi32(state1, 0xB1);     // DCHG
  state0 = _mm_blend_epi16(tmp, state1, 0xF0);  // DCBA
  state1 = _mm_alignr_epi8(state1, tmp, 8);     // ABEF
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[0]), state0);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(&state[4]), state1);
}

#else

bool sha_ni_available() {
  return false;
}

void compress_sha_ni(Sha256State&, const std::uint8_t*, std::size_t) {
  TALLY_UNREACHABLE("compress_sha_ni in a build without SHA-NI");
}

#endif

void compress(Sha256State& state, const std::uint8_t* blocks, std::size_t block_count) {
  if (sha_ni_available()) {
    compress_sha_ni(state, blocks, block_count);
  } else {
    compress_portable(state, blocks, block_count);
  }
}

}  // namespace tally::crypto
