// The SHA-256 compression function (FIPS 180-4 §6.2.2), portable and, natively on x86-64,
// with the SHA extensions (SHA-NI), chosen once at run time by CPUID.
//
// Both fold whole 64-byte blocks into the eight-word state and give identical results; tests
// pin each to the same vectors. WebAssembly and CPUs without SHA-NI take the portable path.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace tally::crypto {

using Sha256State = std::array<std::uint32_t, 8>;

// Folds block_count 64-byte blocks starting at blocks into state.
void compress_portable(Sha256State& state, const std::uint8_t* blocks, std::size_t block_count);

// Whether this CPU and build have the SHA-NI path.
bool sha_ni_available();

// REQUIRES: sha_ni_available().
void compress_sha_ni(Sha256State& state, const std::uint8_t* blocks, std::size_t block_count);

// The fastest available path.
void compress(Sha256State& state, const std::uint8_t* blocks, std::size_t block_count);

}  // namespace tally::crypto
