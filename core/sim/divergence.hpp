// Finding the divergence (docs/design.md §10): the first step at which something that must agree
// does not. Nodes at one applied index whose digests or cache rows differ (inv#1), a node
// whose memory differs from its disk mirror (parity, inv#1), the checker (inv#7), two nodes
// that answered one entry differently (inv#2), or a simulator violation. Names the key when
// one row says it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/sim/step_state.hpp"

namespace tally::sim {

struct Divergence {
  std::size_t step = 0;  // position in the recording (StepState::number)
  std::string what;      // "digest", "parity", "nodes", "checker", "verdict", "violation"
  std::string key;       // the key's label, or "" when no row names one
  std::string detail;    // in words, for people

  friend bool operator==(const Divergence&, const Divergence&) = default;
};

// What is wrong in one step's state, if anything: parity on a node, nodes disagreeing on a
// row, then any other failed invariant (the checker).
std::optional<Divergence> divergence_in(const StepState& step);

// The first step of a recording that diverges (scenarios and free play).
std::optional<Divergence> first_divergence(const std::vector<StepState>& steps);

// The label of the first row of node whose memory differs from its disk mirror, or "".
std::string parity_key(const NodeStep& node);
// The label of the first row any node marks nodes_differ, or "".
std::string differing_key(const std::vector<NodeStep>& nodes);

}  // namespace tally::sim
