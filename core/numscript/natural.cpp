#include "core/numscript/natural.hpp"

#include <algorithm>

#include "core/invariant.hpp"

namespace tally::numscript {

Natural::Natural(std::uint64_t value) {
  limbs_[0] = static_cast<std::uint32_t>(value);
  limbs_[1] = static_cast<std::uint32_t>(value >> 32);
  used_ = 2;
  trim();
}

Natural Natural::from_amount(const domain::Amount& amount) {
  Natural n;
  const auto& limbs = amount.limbs();
  for (std::size_t i = 0; i < limbs.size(); ++i) {
    n.limbs_[2 * i] = static_cast<std::uint32_t>(limbs[i]);
    n.limbs_[2 * i + 1] = static_cast<std::uint32_t>(limbs[i] >> 32);
  }
  n.used_ = 2 * limbs.size();
  n.trim();
  return n;
}

std::optional<domain::Amount> Natural::to_amount() const {
  if (used_ > 2 * domain::kAmountLimbCount) return std::nullopt;
  domain::Amount::Limbs limbs{};
  for (std::size_t i = 0; i < used_; ++i) {
    limbs[i / 2] |= std::uint64_t{limbs_[i]} << (32 * (i % 2));
  }
  return domain::Amount::from_limbs(limbs);
}

void Natural::trim() {
  while (used_ > 0 && limbs_[used_ - 1] == 0)
    --used_;
}

std::size_t Natural::bit_length() const {
  if (used_ == 0) return 0;
  std::uint32_t top = limbs_[used_ - 1];
  std::size_t bits = 0;
  while (top != 0) {
    ++bits;
    top >>= 1;
  }
  return 32 * (used_ - 1) + bits;
}

bool Natural::bit(std::size_t index) const {
  std::size_t limb = index / 32;
  if (limb >= used_) return false;
  return ((limbs_[limb] >> (index % 32)) & 1U) != 0;
}

bool Natural::mul_add_small(std::uint32_t small, std::uint32_t addend) {
  std::uint64_t carry = addend;
  for (std::size_t i = 0; i < used_; ++i) {
    std::uint64_t product = std::uint64_t{limbs_[i]} * small + carry;
    limbs_[i] = static_cast<std::uint32_t>(product);
    carry = product >> 32;
  }
  if (carry != 0) {
    if (used_ == kNaturalLimbs) return false;
    limbs_[used_++] = static_cast<std::uint32_t>(carry);
  }
  trim();
  return true;
}

std::uint32_t Natural::div_small(std::uint32_t small) {
  TALLY_INVARIANT(small != 0, "division by zero");
  std::uint64_t remainder = 0;
  for (std::size_t i = used_; i-- > 0;) {
    std::uint64_t current = (remainder << 32) | limbs_[i];
    limbs_[i] = static_cast<std::uint32_t>(current / small);
    remainder = current % small;
  }
  trim();
  return static_cast<std::uint32_t>(remainder);
}

void Natural::shift_left_one() {
  std::uint32_t carry = 0;
  for (std::size_t i = 0; i < used_; ++i) {
    std::uint32_t next = limbs_[i] >> 31;
    limbs_[i] = (limbs_[i] << 1) | carry;
    carry = next;
  }
  if (carry != 0) limbs_[used_++] = carry;  // callers keep one limb of headroom
}

std::optional<Natural> Natural::parse_decimal(std::string_view digits, std::size_t bits_max) {
  if (digits.empty()) return std::nullopt;
  Natural n;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    if (!n.mul_add_small(10, static_cast<std::uint32_t>(c - '0'))) return std::nullopt;
    if (n.bit_length() > bits_max) return std::nullopt;
  }
  return n;
}

std::string Natural::to_decimal() const {
  if (is_zero()) return "0";
  Natural rest = *this;
  std::string reversed;
  while (!rest.is_zero()) {
    std::uint32_t chunk = rest.div_small(1'000'000'000);
    for (int i = 0; i < 9; ++i) {
      reversed.push_back(static_cast<char>('0' + chunk % 10));
      chunk /= 10;
      if (rest.is_zero() && chunk == 0) break;
    }
  }
  return std::string(reversed.rbegin(), reversed.rend());
}

std::optional<Natural> Natural::add(const Natural& a, const Natural& b) {
  Natural sum;
  std::size_t used = std::max(a.used_, b.used_);
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < used; ++i) {
    std::uint64_t limb = std::uint64_t{a.limbs_[i]} + b.limbs_[i] + carry;
    sum.limbs_[i] = static_cast<std::uint32_t>(limb);
    carry = limb >> 32;
  }
  sum.used_ = used;
  if (carry != 0) {
    if (used == kNaturalLimbs) return std::nullopt;
    sum.limbs_[sum.used_++] = static_cast<std::uint32_t>(carry);
  }
  return sum;
}

Natural Natural::sub(const Natural& a, const Natural& b) {
  TALLY_INVARIANT(a >= b, "natural subtraction below zero");
  Natural difference;
  std::int64_t borrow = 0;
  for (std::size_t i = 0; i < a.used_; ++i) {
    std::int64_t limb = std::int64_t{a.limbs_[i]} - b.limbs_[i] - borrow;
    borrow = limb < 0 ? 1 : 0;
    difference.limbs_[i] = static_cast<std::uint32_t>(limb + (borrow << 32));
  }
  difference.used_ = a.used_;
  difference.trim();
  return difference;
}

std::optional<Natural> Natural::mul(const Natural& a, const Natural& b) {
  if (a.is_zero() || b.is_zero()) return Natural();
  if (a.used_ + b.used_ > kNaturalLimbs + 1) return std::nullopt;
  std::array<std::uint32_t, kNaturalLimbs + 1> wide{};
  for (std::size_t i = 0; i < a.used_; ++i) {
    std::uint64_t carry = 0;
    for (std::size_t j = 0; j < b.used_; ++j) {
      std::uint64_t cell = std::uint64_t{a.limbs_[i]} * b.limbs_[j] + wide[i + j] + carry;
      wide[i + j] = static_cast<std::uint32_t>(cell);
      carry = cell >> 32;
    }
    if (i + b.used_ < wide.size()) wide[i + b.used_] = static_cast<std::uint32_t>(carry);
  }
  std::size_t used = a.used_ + b.used_;
  while (used > 0 && wide[used - 1] == 0)
    --used;
  if (used > kNaturalLimbs) return std::nullopt;
  Natural product;
  std::copy(wide.begin(), wide.begin() + static_cast<std::ptrdiff_t>(used), product.limbs_.begin());
  product.used_ = used;
  return product;
}

// Bit-serial long division: as many steps as the dividend has bits, each touching only the
// limbs in use. Operands here are a few hundred bits at most.
std::pair<Natural, Natural> Natural::divmod(const Natural& dividend, const Natural& divisor) {
  TALLY_INVARIANT(!divisor.is_zero(), "division by zero");
  if (divisor.used_ == 1) {
    Natural quotient = dividend;
    std::uint32_t remainder = quotient.div_small(divisor.limbs_[0]);
    return {quotient, Natural(remainder)};
  }
  if (dividend < divisor) return {Natural(), dividend};
  Natural quotient;
  Natural remainder;
  std::size_t bits = dividend.bit_length();
  quotient.used_ = (bits + 31) / 32;
  for (std::size_t i = bits; i-- > 0;) {
    remainder.shift_left_one();  // remainder < divisor <= capacity - 1 limb
    if (dividend.bit(i)) {
      if (remainder.used_ == 0) remainder.used_ = 1;
      remainder.limbs_[0] |= 1U;
    }
    if (remainder >= divisor) {
      remainder = sub(remainder, divisor);
      quotient.limbs_[i / 32] |= 1U << (i % 32);
    }
  }
  quotient.trim();
  return {quotient, remainder};
}

// Binary GCD: shifts and subtractions only.
Natural Natural::gcd(Natural a, Natural b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  std::size_t shift = 0;
  auto even = [](const Natural& n) { return (n.limbs_[0] & 1U) == 0; };
  auto halve = [](Natural& n) {
    for (std::size_t i = 0; i < n.used_; ++i) {
      std::uint32_t high = i + 1 < n.used_ ? n.limbs_[i + 1] : 0;
      n.limbs_[i] = (n.limbs_[i] >> 1) | (high << 31);
    }
    n.trim();
  };
  while (even(a) && even(b)) {
    halve(a);
    halve(b);
    ++shift;
  }
  while (even(a))
    halve(a);
  while (!b.is_zero()) {
    while (even(b))
      halve(b);
    if (a > b) std::swap(a, b);
    b = sub(b, a);
  }
  for (std::size_t i = 0; i < shift; ++i)
    a.shift_left_one();
  return a;
}

std::strong_ordering Natural::operator<=>(const Natural& other) const {
  if (used_ != other.used_) return used_ <=> other.used_;
  for (std::size_t i = used_; i-- > 0;) {
    if (limbs_[i] != other.limbs_[i]) return limbs_[i] <=> other.limbs_[i];
  }
  return std::strong_ordering::equal;
}

bool Natural::operator==(const Natural& other) const {
  return (*this <=> other) == std::strong_ordering::equal;
}

}  // namespace tally::numscript
