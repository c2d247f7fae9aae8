#include "core/numscript/allotment.hpp"

namespace tally::numscript {

namespace {

Error portions_out_of_bounds(Position at) {
  return runtime_error(at, "allotment portions exceed their bounds");
}

}  // namespace

Result<std::vector<Natural>> allot(Evaluator& evaluator, const Natural& amount,
                                   const std::vector<Allotment>& shares, Position at) {
  std::vector<Portion> portions(shares.size(), *Portion::make(Natural(), Natural(1)));
  Portion total = portions.front();
  std::optional<std::size_t> remaining;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    if (!shares[i].portion) {
      remaining = i;
      continue;
    }
    auto portion = evaluator.portion(*shares[i].portion);
    if (!portion.ok()) return std::move(portion).error();
    auto sum = Portion::add(total, *portion);
    if (!sum) return portions_out_of_bounds(at);
    total = *sum;
    portions[i] = std::move(portion).value();
  }
  Portion one = *Portion::make(Natural(1), Natural(1));
  if (remaining && total <= one) {
    auto rest = Portion::sub(one, total);
    if (!rest) return portions_out_of_bounds(at);
    portions[*remaining] = *rest;
  } else if (!total.is_one()) {
    return runtime_error(at, "allotment portions sum to " + total.to_string() +
                                 (remaining ? ", more than 1" : ", not 1"));
  }
  std::vector<Natural> parts;
  Natural allocated;
  for (const Portion& portion : portions) {
    auto part = portion.floor_times(amount);
    if (!part) return portions_out_of_bounds(at);
    allocated = *Natural::add(allocated, *part);
    parts.push_back(*part);
  }
  for (Natural& part : parts) {
    if (allocated >= amount) break;
    part = *Natural::add(part, Natural(1));
    allocated = *Natural::add(allocated, Natural(1));
  }
  return parts;
}

}  // namespace tally::numscript
