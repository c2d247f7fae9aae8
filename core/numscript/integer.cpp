#include "core/numscript/integer.hpp"

#include "core/invariant.hpp"

namespace tally::numscript {

Integer::Integer(Natural m, bool is_negative)
    : negative(is_negative && !m.is_zero()), magnitude(m) {}

Integer Integer::from_signed_amount(const domain::SignedAmount& amount) {
  return Integer(Natural::from_amount(amount.magnitude), amount.negative);
}

std::optional<Integer> Integer::parse(std::string_view text) {
  bool is_negative = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    is_negative = text.front() == '-';
    text.remove_prefix(1);
  }
  auto magnitude = Natural::parse_decimal(text, limits::kScriptIntegerBitsMax);
  if (!magnitude) return std::nullopt;
  return Integer(*magnitude, is_negative);
}

std::string Integer::to_decimal() const {
  return (negative ? "-" : "") + magnitude.to_decimal();
}

bool Integer::fits() const {
  return magnitude.bit_length() <= limits::kScriptIntegerBitsMax;
}

std::optional<Integer> Integer::add(const Integer& a, const Integer& b) {
  if (a.negative == b.negative) {
    auto sum = Natural::add(a.magnitude, b.magnitude);
    if (!sum) return std::nullopt;
    return Integer(*sum, a.negative);
  }
  if (a.magnitude >= b.magnitude) {
    return Integer(Natural::sub(a.magnitude, b.magnitude), a.negative);
  }
  return Integer(Natural::sub(b.magnitude, a.magnitude), b.negative);
}

std::optional<Integer> Integer::sub(const Integer& a, const Integer& b) {
  return add(a, b.negated());
}

Integer Integer::negated() const {
  return Integer(magnitude, !negative);
}

std::strong_ordering Integer::operator<=>(const Integer& other) const {
  if (negative != other.negative) {
    return negative ? std::strong_ordering::less : std::strong_ordering::greater;
  }
  auto by_magnitude = magnitude <=> other.magnitude;
  if (!negative) return by_magnitude;
  return 0 <=> by_magnitude;
}

bool Integer::operator==(const Integer& other) const {
  return negative == other.negative && magnitude == other.magnitude;
}

Integer min(const Integer& a, const Integer& b) {
  return b < a ? b : a;
}

Integer max(const Integer& a, const Integer& b) {
  return a < b ? b : a;
}

// ---- Portion --------------------------------------------------------------------------------

std::optional<Portion> Portion::make(const Natural& numerator, const Natural& denominator) {
  if (denominator.is_zero()) return std::nullopt;
  Natural divisor = Natural::gcd(numerator, denominator);
  Portion p;
  p.numerator = Natural::divmod(numerator, divisor).first;
  p.denominator = Natural::divmod(denominator, divisor).first;
  if (p.numerator.bit_length() > limits::kScriptPortionBitsMax ||
      p.denominator.bit_length() > limits::kScriptPortionBitsMax) {
    return std::nullopt;
  }
  return p;
}

namespace {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::optional<Natural> power_of_ten(std::size_t exponent) {
  Natural ten(10);
  Natural result(1);
  for (std::size_t i = 0; i < exponent; ++i) {
    auto next = Natural::mul(result, ten);
    if (!next || next->bit_length() > limits::kScriptPortionBitsMax) return std::nullopt;
    result = *next;
  }
  return result;
}

}  // namespace

std::optional<Portion> Portion::parse_percent(std::string_view text) {
  if (text.size() < 2 || text.back() != '%') return std::nullopt;
  text.remove_suffix(1);
  std::string digits;
  std::size_t scale = 0;
  std::size_t dot = text.find('.');
  if (dot == std::string_view::npos) {
    if (!all_digits(text)) return std::nullopt;
    digits = std::string(text);
  } else {
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = text.substr(dot + 1);
    if (!all_digits(whole) || !all_digits(fraction)) return std::nullopt;
    digits = std::string(whole) + std::string(fraction);
    scale = fraction.size();
  }
  auto numerator = Natural::parse_decimal(digits, limits::kScriptPortionBitsMax);
  auto denominator = power_of_ten(scale + 2);  // a percent is hundredths
  if (!numerator || !denominator) return std::nullopt;
  return make(*numerator, *denominator);
}

std::optional<Portion> Portion::parse_value(std::string_view text) {
  std::optional<Portion> parsed;
  if (!text.empty() && text.back() == '%') {
    parsed = parse_percent(text);
  } else {
    std::size_t slash = text.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string_view left = text.substr(0, slash);
    std::string_view right = text.substr(slash + 1);
    auto is_space = [](char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    };
    if (!left.empty() && is_space(left.back())) left.remove_suffix(1);
    if (!right.empty() && is_space(right.front())) right.remove_prefix(1);
    if (!all_digits(left) || !all_digits(right)) return std::nullopt;
    auto numerator = Natural::parse_decimal(left, limits::kScriptPortionBitsMax);
    auto denominator = Natural::parse_decimal(right, limits::kScriptPortionBitsMax);
    if (!numerator || !denominator) return std::nullopt;
    parsed = make(*numerator, *denominator);
  }
  if (!parsed || parsed->numerator > parsed->denominator) return std::nullopt;
  return parsed;
}

std::string Portion::to_string() const {
  return numerator.to_decimal() + "/" + denominator.to_decimal();
}

std::optional<Portion> Portion::add(const Portion& a, const Portion& b) {
  auto left = Natural::mul(a.numerator, b.denominator);
  auto right = Natural::mul(b.numerator, a.denominator);
  auto denominator = Natural::mul(a.denominator, b.denominator);
  if (!left || !right || !denominator) return std::nullopt;
  auto numerator = Natural::add(*left, *right);
  if (!numerator) return std::nullopt;
  return make(*numerator, *denominator);
}

std::optional<Portion> Portion::sub(const Portion& a, const Portion& b) {
  TALLY_INVARIANT(a >= b, "portion subtraction below zero");
  auto left = Natural::mul(a.numerator, b.denominator);
  auto right = Natural::mul(b.numerator, a.denominator);
  auto denominator = Natural::mul(a.denominator, b.denominator);
  if (!left || !right || !denominator) return std::nullopt;
  return make(Natural::sub(*left, *right), *denominator);
}

std::optional<Natural> Portion::floor_times(const Natural& amount) const {
  auto product = Natural::mul(numerator, amount);
  if (!product) return std::nullopt;
  return Natural::divmod(*product, denominator).first;
}

std::strong_ordering Portion::operator<=>(const Portion& other) const {
  // Both terms are at most kScriptPortionBitsMax bits, so the cross products fit.
  auto left = Natural::mul(numerator, other.denominator);
  auto right = Natural::mul(other.numerator, denominator);
  TALLY_INVARIANT(left && right, "portion terms exceed their bound");
  return *left <=> *right;
}

bool Portion::operator==(const Portion& other) const {
  return numerator == other.numerator && denominator == other.denominator;
}

}  // namespace tally::numscript
