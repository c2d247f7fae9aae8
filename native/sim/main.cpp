// tally-sim: the simulator on the command line.
//   tally-sim scenario N [--pre-fix]      narrate a docs/design.md §10 scenario step by step
//   tally-sim scenario N --explain        the same steps as the visualiser shows them: event,
//                                         why it is safe or not, invariant checks
//   tally-sim run [--seeds N] [--steps M] run seeds, a progress line, a summary
//   tally-sim export [--seed S] [--out F] write one run as a tally-trace/4 file for the
//                                         visualiser (core/sim/TRACE_FORMAT.md)
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "core/sim/scenarios.hpp"
#include "core/sim/simulator.hpp"
#include "core/sim/trace_file.hpp"

namespace {

using namespace tally;

struct RunFlags {
  std::uint64_t first_seed = 1;
  std::uint64_t seeds = 1;
  bool seed_given = false;
  std::uint64_t trace_lines = 40;
  bool quiet = false;
  sim::SimOptions options;
};

void add_sim_flags(CLI::App* command, RunFlags& flags) {
  command->add_option("--steps", flags.options.steps, "steps per seed")->capture_default_str();
  command->add_option("--nodes", flags.options.nodes, "nodes in the cluster")
      ->capture_default_str();
  command->add_option("--group", flags.options.group_entries,
                      "entries per group commit (0: 1 + seed % 4)");
  command->add_option("--threshold", flags.options.threshold, "rotation threshold (0: per seed)")
      ->capture_default_str();
  command
      ->add_option("--in-flight", flags.options.max_in_flight,
                   "proposals between admission and apply")
      ->capture_default_str();
  command->add_option("--check-every", flags.options.check_every, "checker period in steps")
      ->capture_default_str();
  command->add_flag("--pre-fix", flags.options.pre_fix, "use the pre-fix delete (finds the race)");
  command->add_flag("!--no-faults", flags.options.faults, "no crashes, lost batches, snapshots");
  command->add_option("--plant-divergence", flags.options.plant_divergence_at,
                      "the last node skips the first proposal at or after this log index "
                      "(a deliberately broken run)");
}

void print_stats(const sim::SimStats& s) {
  std::printf(
      "  %llu steps, log %llu entries: %llu admitted (%llu refused: horizon, %llu by a rule), "
      "%llu applied, %llu of them per order\n"
      "  outcomes: %llu success, %llu business failure, %llu replay, %llu coverage miss "
      "(explained), %llu stale\n"
      "  faults: %llu crashes, %llu lost batches, %llu snapshots, %llu leader changes; "
      "%llu rotations, %llu threshold changes\n"
      "  checks: parity every step, %llu checker runs, %llu model comparisons\n",
      (unsigned long long)s.steps, (unsigned long long)s.log_length, (unsigned long long)s.admitted,
      (unsigned long long)s.horizon_refusals, (unsigned long long)s.admission_refusals,
      (unsigned long long)s.entries_applied, (unsigned long long)s.per_order_entries,
      (unsigned long long)s.successes, (unsigned long long)s.business_failures,
      (unsigned long long)s.replays, (unsigned long long)s.coverage_misses,
      (unsigned long long)s.stale, (unsigned long long)s.crashes,
      (unsigned long long)s.lost_batches, (unsigned long long)s.snapshots,
      (unsigned long long)s.leader_changes, (unsigned long long)s.rotations,
      (unsigned long long)s.threshold_changes, (unsigned long long)s.checker_runs,
      (unsigned long long)s.model_comparisons);
}

void add(sim::SimStats& total, const sim::SimStats& s) {
  total.steps += s.steps, total.admitted += s.admitted,
      total.horizon_refusals += s.horizon_refusals;
  total.entries_applied += s.entries_applied, total.successes += s.successes;
  total.business_failures += s.business_failures, total.coverage_misses += s.coverage_misses;
  total.replays += s.replays, total.stale += s.stale, total.crashes += s.crashes;
  total.lost_batches += s.lost_batches, total.snapshots += s.snapshots;
  total.leader_changes += s.leader_changes, total.configuration_entries += s.configuration_entries;
  total.rotations += s.rotations, total.threshold_changes += s.threshold_changes;
  total.checker_runs += s.checker_runs, total.model_comparisons += s.model_comparisons;
  total.log_length += s.log_length;
  total.admission_refusals += s.admission_refusals;
  total.per_order_entries += s.per_order_entries;
}

int run(RunFlags& flags) {
  auto started = std::chrono::steady_clock::now();
  sim::SimStats total;
  std::uint64_t failures = 0;
  for (std::uint64_t i = 0; i < flags.seeds; ++i) {
    flags.options.seed = flags.first_seed + i;
    sim::SimResult result = sim::simulate(flags.options);
    add(total, result.stats);
    if (!result.ok) {
      ++failures;
      std::uint64_t seen_at = result.failed_step;
      result = sim::locate_first_failure(flags.options, result);
      std::printf("\nseed %llu FAILED at step %llu (seen at step %llu): %s\n",
                  (unsigned long long)flags.options.seed, (unsigned long long)result.failed_step,
                  (unsigned long long)seen_at, result.violation.c_str());
      std::size_t from =
          result.trace.size() > flags.trace_lines ? result.trace.size() - flags.trace_lines : 0;
      std::printf("last %zu steps of the trace:\n", result.trace.size() - from);
      for (std::size_t t = from; t < result.trace.size(); ++t) {
        std::printf("  %s\n", sim::format_step(result.trace[t]).c_str());
      }
      std::printf("reproduce: %s\n", result.reproduce_command(flags.options).c_str());
      if (flags.seed_given) break;
    }
    if (!flags.quiet) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::fprintf(stderr, "\r%llu/%llu seeds, %llu failed, %.1f seeds/s   ",
                   (unsigned long long)(i + 1), (unsigned long long)flags.seeds,
                   (unsigned long long)failures, (i + 1) / seconds);
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!flags.quiet) std::fprintf(stderr, "\n");
  std::printf("%llu seeds (%llu..%llu) x %llu steps: %llu failed, %.2f s, %.1f seeds/s\n",
              (unsigned long long)flags.seeds, (unsigned long long)flags.first_seed,
              (unsigned long long)(flags.first_seed + flags.seeds - 1),
              (unsigned long long)flags.options.steps, (unsigned long long)failures, seconds,
              flags.seeds / seconds);
  print_stats(total);
  return failures == 0 ? 0 : 1;
}

int explain_scenario(int number, bool pre_fix) {
  auto recording = sim::record_scenario(number, pre_fix);
  if (!recording.ok()) {
    std::fprintf(stderr, "%s\n", recording.error().message.c_str());
    return 2;
  }
  for (const sim::StepState& step : recording->steps) {
    if (!step.narration.empty()) std::printf("\n%s\n", step.narration.c_str());
    std::printf("step %zu [%s] %s\n    %s\n", step.number, step.kind.c_str(), step.event.c_str(),
                step.explanation.c_str());
    for (const sim::InvariantStep& inv : step.invariants) {
      std::printf("    %s %s: %s\n", inv.ok ? "ok  " : "FAIL", inv.name.c_str(),
                  inv.detail.c_str());
    }
  }
  return recording->expected_outcome ? 0 : 1;
}

int run_scenario(int number, bool pre_fix) {
  auto narration = sim::run_scenario(number, pre_fix);
  if (!narration.ok()) {
    std::fprintf(stderr, "%s\n", narration.error().message.c_str());
    return 2;
  }
  std::fputs(narration->text.c_str(), stdout);
  return narration->expected_outcome ? 0 : 1;
}

int export_trace(RunFlags& flags, const std::string& out) {
  flags.options.seed = flags.first_seed;
  flags.options.record_rows = true;
  sim::SimResult result = sim::simulate(flags.options);
  std::string json = sim::trace_file_json(*result.recording);
  if (out.empty() || out == "-") {
    std::fwrite(json.data(), 1, json.size(), stdout);
    std::fputc('\n', stdout);
  } else {
    std::ofstream file(out, std::ios::binary);
    file << json << '\n';
    if (!file) {
      std::fprintf(stderr, "cannot write %s\n", out.c_str());
      return 2;
    }
    std::fprintf(stderr, "wrote %zu steps (%zu bytes, tally-trace/4) to %s (%s)\n",
                 result.recording->steps.size(), json.size() + 1, out.c_str(),
                 result.ok ? "clean run" : result.violation.c_str());
  }
  return result.ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"tally-sim: Tally's deterministic simulator"};
  app.require_subcommand(1);

  int scenario_number = 1;
  bool scenario_pre_fix = false;
  CLI::App* scenario = app.add_subcommand("scenario", "narrate a docs/design.md §10 race scenario");
  scenario->add_option("number", scenario_number, "1 to 7")->required()->check(CLI::Range(1, 7));
  scenario->add_flag("--pre-fix", scenario_pre_fix, "the delete before formancehq/ledger#1455");
  bool scenario_explain = false;
  scenario->add_flag("--explain", scenario_explain,
                     "each step's event, explanation and invariant checks");

  RunFlags run_flags;
  CLI::App* run_command = app.add_subcommand("run", "run seeds and report violations");
  run_command->add_option("--seeds", run_flags.seeds, "how many seeds")->capture_default_str();
  run_command->add_option("--first-seed", run_flags.first_seed, "the first seed")
      ->capture_default_str();
  auto* seed = run_command->add_option("--seed", run_flags.first_seed, "run exactly this seed");
  run_command->add_option("--trace-lines", run_flags.trace_lines, "trace lines shown on failure")
      ->capture_default_str();
  run_command->add_flag("--quiet", run_flags.quiet, "no progress line");
  add_sim_flags(run_command, run_flags);

  RunFlags export_flags;
  std::string out;
  CLI::App* export_command =
      app.add_subcommand("export", "write one run as a tally-trace/4 file (JSON)");
  export_command->add_option("--seed", export_flags.first_seed, "the seed")->capture_default_str();
  export_command->add_option("--out", out, "file (default: standard output)");
  add_sim_flags(export_command, export_flags);

  CLI11_PARSE(app, argc, argv);
  if (*scenario) {
    return scenario_explain ? explain_scenario(scenario_number, scenario_pre_fix)
                            : run_scenario(scenario_number, scenario_pre_fix);
  }
  if (*run_command) {
    if (*seed) {
      run_flags.seeds = 1;
      run_flags.seed_given = true;
    }
    return run(run_flags);
  }
  if (*export_command) {
    if (export_flags.options.steps == 1000) export_flags.options.steps = 200;
    return export_trace(export_flags, out);
  }
  return 2;
}
