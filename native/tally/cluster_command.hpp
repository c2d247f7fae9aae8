// `tally cluster up|down|status|start-node`: a local cluster of tallyd processes (cluster.hpp
// does the work). The tallyd binary is $TALLYD, else the one beside this tally, else "tallyd"
// on the PATH.
#pragma once

#include <CLI/CLI.hpp>

namespace tally::cli {

// Adds the `cluster` command to app; its result goes to rc. Returns the command, so that
// main() can tell whether it was the one parsed.
CLI::App* add_cluster_command(CLI::App& app, int& rc);

}  // namespace tally::cli
