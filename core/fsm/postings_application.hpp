// Moving money: applies postings to volumes through the gated scope, checking overflow on
// every addition and, at the end, that no source other than `world` went below zero unless
// the order forces it (docs/design.md §6).
#pragma once

#include <string>
#include <vector>

#include "core/domain/posting.hpp"
#include "core/fsm/gated_scope.hpp"

namespace tally::fsm {

Status apply_postings(GatedScope& scope, const std::string& ledger,
                      const std::vector<domain::Posting>& postings, bool force);

}  // namespace tally::fsm
