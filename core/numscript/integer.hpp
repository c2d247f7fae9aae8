// Integer and Portion: Numscript's numbers (signed, |n| < 2^256 once bounded) and portions
// (non-negative rationals, each term below 2^kScriptPortionBitsMax), over Natural.
//
// Arithmetic never fails on its own: results may exceed the script bounds transiently (a
// balance plus an overdraft), and the evaluator checks fits() where a value becomes visible.
// Portions are kept in lowest terms, so "3/6" and "1/2" are one value and print as "1/2".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/domain/amount.hpp"
#include "core/numscript/natural.hpp"

namespace tally::numscript {

struct Integer {
  bool negative = false;  // never true for zero
  Natural magnitude;

  Integer() = default;
  explicit Integer(Natural m, bool is_negative = false);
  static Integer from_signed_amount(const domain::SignedAmount& amount);

  // [+-]?[0-9]+ (what Go's big.Int SetString accepts in base 10); nullopt when malformed or
  // when |n| does not fit kScriptIntegerBitsMax bits.
  static std::optional<Integer> parse(std::string_view text);
  std::string to_decimal() const;

  bool is_zero() const { return magnitude.is_zero(); }
  bool is_positive() const { return !negative && !is_zero(); }
  // |n| < 2^kScriptIntegerBitsMax.
  bool fits() const;

  // nullopt only past Natural's capacity, which bounded operands never reach.
  static std::optional<Integer> add(const Integer& a, const Integer& b);
  static std::optional<Integer> sub(const Integer& a, const Integer& b);
  Integer negated() const;
  Integer non_negative() const { return negative ? Integer() : *this; }

  std::strong_ordering operator<=>(const Integer& other) const;
  bool operator==(const Integer& other) const;
};

Integer min(const Integer& a, const Integer& b);
Integer max(const Integer& a, const Integer& b);

struct Portion {
  Natural numerator;
  Natural denominator{1};

  // numerator / denominator in lowest terms; nullopt for a zero denominator or a term past
  // kScriptPortionBitsMax bits once reduced.
  static std::optional<Portion> make(const Natural& numerator, const Natural& denominator);
  // "12.5%" (digits, an optional fraction, then '%'), as a number literal or a variable.
  static std::optional<Portion> parse_percent(std::string_view text);
  // A variable's portion: "12.5%" or "1/3" (spaces allowed around the slash, one each), in
  // [0, 1]. nullopt when malformed or out of range.
  static std::optional<Portion> parse_value(std::string_view text);
  // "n/d", as Go's big.Rat prints it (always with a denominator).
  std::string to_string() const;

  static std::optional<Portion> add(const Portion& a, const Portion& b);
  // a - b. REQUIRES: a >= b.
  static std::optional<Portion> sub(const Portion& a, const Portion& b);
  // floor(p * amount); nullopt past Natural's capacity.
  std::optional<Natural> floor_times(const Natural& amount) const;

  bool is_one() const { return numerator == denominator; }
  std::strong_ordering operator<=>(const Portion& other) const;
  bool operator==(const Portion& other) const;
};

}  // namespace tally::numscript
