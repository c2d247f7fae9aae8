// Natural: a bounded unsigned big integer for Numscript's arithmetic (no heap, no __int128).
//
// Numscript computes with unbounded integers and rationals; Tally bounds every value
// (core/limits.hpp: integers below 2^256, portion terms below 2^kScriptPortionBitsMax), but
// intermediate products (a portion times an amount, the sum of two portions) need more room.
// A Natural holds up to kNaturalBits bits in 32-bit limbs, little-endian, in a fixed array:
// copying one never allocates. Operations that could exceed the capacity say so (nullopt);
// callers turn that into a typed error. Plain value type, not thread-affine.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/domain/amount.hpp"
#include "core/limits.hpp"

namespace tally::numscript {

// Two portion terms multiplied, plus a carry limb: the widest intermediate we form.
inline constexpr std::size_t kNaturalBits = 2 * limits::kScriptPortionBitsMax + 64;
inline constexpr std::size_t kNaturalLimbs = kNaturalBits / 32;
static_assert(kNaturalBits % 32 == 0);
static_assert(limits::kScriptPortionBitsMax >= limits::kScriptIntegerBitsMax);

class Natural {
 public:
  Natural() = default;  // zero
  explicit Natural(std::uint64_t value);
  static Natural from_amount(const domain::Amount& amount);

  // ASCII digits only (no sign, no separator); nullopt when empty, malformed, or wider than
  // bits_max bits.
  static std::optional<Natural> parse_decimal(std::string_view digits, std::size_t bits_max);
  std::string to_decimal() const;

  // The amount, or nullopt at 2^256 and above.
  std::optional<domain::Amount> to_amount() const;

  bool is_zero() const { return used_ == 0; }
  std::size_t bit_length() const;

  // nullopt when the result exceeds the capacity.
  static std::optional<Natural> add(const Natural& a, const Natural& b);
  static std::optional<Natural> mul(const Natural& a, const Natural& b);
  // REQUIRES: a >= b.
  static Natural sub(const Natural& a, const Natural& b);
  // Quotient and remainder. REQUIRES: divisor is not zero.
  static std::pair<Natural, Natural> divmod(const Natural& dividend, const Natural& divisor);
  static Natural gcd(Natural a, Natural b);

  std::strong_ordering operator<=>(const Natural& other) const;
  bool operator==(const Natural& other) const;

 private:
  using Limbs = std::array<std::uint32_t, kNaturalLimbs>;
  void trim();
  // Multiplies by small and adds addend in place; false on overflow.
  bool mul_add_small(std::uint32_t small, std::uint32_t addend);
  // Divides by small in place and returns the remainder. REQUIRES: small != 0.
  std::uint32_t div_small(std::uint32_t small);
  void shift_left_one();
  bool bit(std::size_t index) const;

  Limbs limbs_{};
  std::size_t used_ = 0;  // limbs in use: limbs_[used_ - 1] != 0, or zero limbs for zero
};

}  // namespace tally::numscript
