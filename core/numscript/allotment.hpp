// Allotments: splitting an amount by portions, exactly as Formance does.
//
// The portions must add up to exactly 1, or to at most 1 with a `remaining` share taking the
// rest (the last `remaining` when there are several; the others get nothing). Each share is
// floor(portion × amount); what flooring leaves over is handed out one unit at a time to the
// shares in order, first share first. So 100 split three ways in thirds is 34, 33, 33.
#pragma once

#include <vector>

#include "core/numscript/ast.hpp"
#include "core/numscript/evaluator.hpp"

namespace tally::numscript {

// One amount per share, summing to amount. Errors: kInterpreterRuntime (portions that do not
// sum to 1, terms past their bounds) and the evaluator's.
Result<std::vector<Natural>> allot(Evaluator& evaluator, const Natural& amount,
                                   const std::vector<Allotment>& shares, Position at);

}  // namespace tally::numscript
