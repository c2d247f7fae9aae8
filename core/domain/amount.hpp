// Amounts (docs/design.md §6): unsigned 256-bit integers with overflow-checked arithmetic, one
// decimal text form and one binary encoding.
//
// An Amount is a plain value (copyable, no allocation). Every addition and subtraction is
// checked: a ledger that wraps around mints or destroys money, so there is no unchecked
// operator+ / operator-. Parsing rejects anything but ASCII digits; the encoding is minimal so
// that every amount has exactly one byte form (what is hashed into the audit chain must not
// depend on who encoded it). Portable C++20 only: no __int128, no floating point, so that the
// same code builds natively and with Emscripten.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"
#include "core/result.hpp"

namespace tally::domain {

inline constexpr std::size_t kAmountLimbCount = 4;
inline constexpr std::size_t kAmountBytesMax = 8 * kAmountLimbCount;  // 256 bits

class Amount {
 public:
  // Little-endian limb order: limbs[0] holds the least significant 64 bits.
  using Limbs = std::array<std::uint64_t, kAmountLimbCount>;

  Amount() = default;  // zero
  explicit Amount(std::uint64_t value) : limbs_{value, 0, 0, 0} {}
  static Amount from_u64(std::uint64_t value) { return Amount(value); }
  static Amount from_limbs(const Limbs& limbs);
  static Amount max();  // 2^256 - 1

  // ASCII digits only, leading zeros accepted ("007" is 7). Rejects (kValidation) an empty
  // string, signs, spaces, any other byte, more than limits::kAmountDecimalDigitsMax
  // significant digits, and values above 2^256 - 1.
  static Result<Amount> parse_decimal(std::string_view text);
  // Shortest decimal form, "0" for zero; parse_decimal(to_decimal()) gives back the value.
  std::string to_decimal() const;

  // nullopt when the sum exceeds 2^256 - 1.
  static std::optional<Amount> checked_add(const Amount& a, const Amount& b);
  // nullopt when b > a (an amount never goes negative; see SignedAmount for balances).
  static std::optional<Amount> checked_sub(const Amount& a, const Amount& b);

  // Little-endian bytes with the trailing zero bytes stripped; zero is the empty string.
  Bytes to_minimal_le() const;
  // The same bytes into out (no allocation: the codec's hot path); returns their count.
  std::size_t write_minimal_le(std::array<std::uint8_t, kAmountBytesMax>& out) const;
  // Inverse of to_minimal_le. Rejects (kCorrupt) more than kAmountBytesMax bytes and a
  // non-minimal encoding (a last byte of 0), so every amount has exactly one encoding.
  static Result<Amount> from_minimal_le(ByteView bytes);

  bool is_zero() const;
  const Limbs& limbs() const { return limbs_; }

  // Numeric order. Written out: a defaulted <=> would compare limbs[0] (the low limb) first.
  std::strong_ordering operator<=>(const Amount& other) const;
  bool operator==(const Amount& other) const = default;

 private:
  Limbs limbs_{};
};

// A balance: input − output can be negative (an overdraft of `world`, or a forced posting).
// Zero is never negative: balance_of never yields a negative zero, and == and to_decimal treat
// one built by hand as zero.
struct SignedAmount {
  bool negative = false;
  Amount magnitude;

  // "-5", "0", "42".
  std::string to_decimal() const;
  bool operator==(const SignedAmount& other) const;
};

// The balance of a volume: input − output, exact (no overflow is possible).
SignedAmount balance_of(const Amount& input, const Amount& output);

}  // namespace tally::domain
