#include "core/domain/amount.hpp"

#include <algorithm>
#include <bit>

#include "core/domain/validation.hpp"
#include "core/invariant.hpp"
#include "core/limits.hpp"

namespace tally::domain {
namespace {

using Limbs = Amount::Limbs;

// 10^9 is the largest power of ten below 2^32: to_decimal peels nine digits per division.
constexpr std::uint32_t kDecimalChunk = 1000000000;
constexpr std::size_t kDecimalChunkDigits = 9;
constexpr std::uint64_t kLow32 = 0xffffffffULL;

bool all_zero(const Limbs& limbs) {
  return std::all_of(limbs.begin(), limbs.end(), [](std::uint64_t limb) { return limb == 0; });
}

// limbs = limbs * factor + addend; returns what carries out of the top limb (0 if it fits).
// Each limb is split into 32-bit halves so that every partial product fits in 64 bits
// without __int128: half * factor + carry < 2^32 * 2^32.
std::uint64_t multiply_add(Limbs& limbs, std::uint32_t factor, std::uint32_t addend) {
  std::uint64_t carry = addend;
  for (auto& limb : limbs) {
    std::uint64_t low = (limb & kLow32) * factor + carry;
    std::uint64_t high = (limb >> 32) * factor + (low >> 32);
    limb = (high << 32) | (low & kLow32);
    carry = high >> 32;
  }
  return carry;
}

// limbs = limbs / divisor; returns the remainder. Same 32-bit halving: the running remainder
// stays below the divisor, so (remainder << 32) | half fits in 64 bits.
// REQUIRES: divisor != 0.
std::uint32_t divide_small(Limbs& limbs, std::uint32_t divisor) {
  TALLY_INVARIANT(divisor != 0, "division by zero");
  std::uint64_t remainder = 0;
  for (std::size_t i = limbs.size(); i-- > 0;) {
    std::uint64_t high = (remainder << 32) | (limbs[i] >> 32);
    remainder = high % divisor;
    std::uint64_t low = (remainder << 32) | (limbs[i] & kLow32);
    remainder = low % divisor;
    limbs[i] = ((high / divisor) << 32) | (low / divisor);
  }
  return static_cast<std::uint32_t>(remainder);
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

Error invalid_amount(std::string_view text, const std::string& problem) {
  return make_error(Code::kValidation, "amount " + quote_input(text) + " " + problem);
}

}  // namespace

Amount Amount::from_limbs(const Limbs& limbs) {
  Amount amount;
  amount.limbs_ = limbs;
  return amount;
}

Amount Amount::max() {
  return from_limbs(Limbs{~0ULL, ~0ULL, ~0ULL, ~0ULL});
}

Result<Amount> Amount::parse_decimal(std::string_view text) {
  if (text.empty()) return invalid_amount(text, "is empty");
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!is_digit(text[i])) {
      return invalid_amount(text, "has a non-digit byte at offset " + std::to_string(i) +
                                      " (only ASCII digits: no sign, space or separator)");
    }
  }
  // Leading zeros carry no value; only the significant digits count against the limit.
  std::size_t first = std::min(text.find_first_not_of('0'), text.size());
  std::size_t significant_digits = text.size() - first;
  if (significant_digits > limits::kAmountDecimalDigitsMax) {
    return invalid_amount(text, "has " + std::to_string(significant_digits) +
                                    " significant digits, more than the " +
                                    std::to_string(limits::kAmountDecimalDigitsMax) + " allowed");
  }
  Amount value;
  for (std::size_t i = first; i < text.size(); ++i) {
    auto digit = static_cast<std::uint32_t>(text[i] - '0');
    if (multiply_add(value.limbs_, 10, digit) != 0)
      return invalid_amount(text, "exceeds 2^256 - 1");
  }
  return value;
}

std::string Amount::to_decimal() const {
  if (is_zero()) return "0";
  // Digits come out least significant first; the loop is bounded by the width (78 digits).
  std::string reversed;
  Limbs rest = limbs_;
  while (!all_zero(rest)) {
    TALLY_INVARIANT(reversed.size() < limits::kAmountDecimalDigitsMax, "too many digits");
    std::uint32_t chunk = divide_small(rest, kDecimalChunk);
    for (std::size_t i = 0; i < kDecimalChunkDigits; ++i) {
      reversed.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
    }
  }
  // The last chunk was padded to nine digits: drop its zeros, which lead once reversed.
  while (reversed.back() == '0')
    reversed.pop_back();
  return std::string(reversed.rbegin(), reversed.rend());
}

std::optional<Amount> Amount::checked_add(const Amount& a, const Amount& b) {
  Amount sum;
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < kAmountLimbCount; ++i) {
    std::uint64_t partial = a.limbs_[i] + b.limbs_[i];  // unsigned: wraps, never UB
    std::uint64_t carry_partial = partial < a.limbs_[i] ? 1 : 0;
    sum.limbs_[i] = partial + carry;
    std::uint64_t carry_final = sum.limbs_[i] < partial ? 1 : 0;
    carry = carry_partial | carry_final;  // at most one of the two can be set
  }
  if (carry != 0) return std::nullopt;
  return sum;
}

std::optional<Amount> Amount::checked_sub(const Amount& a, const Amount& b) {
  if (a < b) return std::nullopt;
  Amount difference;
  std::uint64_t borrow = 0;
  for (std::size_t i = 0; i < kAmountLimbCount; ++i) {
    std::uint64_t partial = a.limbs_[i] - b.limbs_[i];  // unsigned: wraps, never UB
    std::uint64_t borrow_partial = a.limbs_[i] < b.limbs_[i] ? 1 : 0;
    difference.limbs_[i] = partial - borrow;
    std::uint64_t borrow_final = partial < borrow ? 1 : 0;
    borrow = borrow_partial | borrow_final;
  }
  TALLY_INVARIANT(borrow == 0, "a >= b yet the subtraction borrowed past the top limb");
  return difference;
}

std::size_t Amount::write_minimal_le(std::array<std::uint8_t, kAmountBytesMax>& out) const {
  for (std::size_t limb = 0; limb < kAmountLimbCount; ++limb) {
    for (std::size_t byte = 0; byte < 8; ++byte)
      out[limb * 8 + byte] = static_cast<std::uint8_t>(limbs_[limb] >> (8 * byte));
  }
  // The minimal size: up to the most significant non-zero byte.
  for (std::size_t limb = kAmountLimbCount; limb-- > 0;) {
    if (limbs_[limb] != 0)
      return limb * 8 + (static_cast<std::size_t>(std::bit_width(limbs_[limb])) + 7) / 8;
  }
  return 0;
}

Bytes Amount::to_minimal_le() const {
  std::array<std::uint8_t, kAmountBytesMax> le;
  std::size_t size = write_minimal_le(le);
  return Bytes(le.begin(), le.begin() + static_cast<std::ptrdiff_t>(size));
}

Result<Amount> Amount::from_minimal_le(ByteView bytes) {
  if (bytes.size > kAmountBytesMax) {
    return make_error(Code::kCorrupt, "encoded amount has " + std::to_string(bytes.size) +
                                          " bytes, more than " + std::to_string(kAmountBytesMax));
  }
  // A trailing zero byte would give a second encoding of the same value.
  if (!bytes.empty() && bytes[bytes.size - 1] == 0) {
    return make_error(Code::kCorrupt,
                      "encoded amount is not minimal (last byte is 0): " + to_hex(bytes));
  }
  Amount amount;
  for (std::size_t i = 0; i < bytes.size; ++i)
    amount.limbs_[i / 8] |= static_cast<std::uint64_t>(bytes[i]) << (8 * (i % 8));
  std::array<std::uint8_t, kAmountBytesMax> again;
  TALLY_INVARIANT(amount.write_minimal_le(again) == bytes.size, "decode/encode round trip");
  return amount;
}

bool Amount::is_zero() const {
  return all_zero(limbs_);
}

std::strong_ordering Amount::operator<=>(const Amount& other) const {
  for (std::size_t i = kAmountLimbCount; i-- > 0;) {
    if (limbs_[i] != other.limbs_[i]) return limbs_[i] <=> other.limbs_[i];
  }
  return std::strong_ordering::equal;
}

std::string SignedAmount::to_decimal() const {
  if (negative && !magnitude.is_zero()) return "-" + magnitude.to_decimal();
  return magnitude.to_decimal();
}

bool SignedAmount::operator==(const SignedAmount& other) const {
  if (magnitude != other.magnitude) return false;
  return negative == other.negative || magnitude.is_zero();  // -0 == 0
}

SignedAmount balance_of(const Amount& input, const Amount& output) {
  // Subtract the smaller from the larger: the magnitude of a difference of two 256-bit
  // values always fits in 256 bits, so neither branch can fail.
  bool negative = input < output;
  auto magnitude =
      negative ? Amount::checked_sub(output, input) : Amount::checked_sub(input, output);
  TALLY_INVARIANT(magnitude.has_value(), "the larger minus the smaller cannot underflow");
  return SignedAmount{negative, *magnitude};
}

}  // namespace tally::domain
