// tally-numscript-specs DIR [--ledger] [--verbose]: runs Formance-style Numscript spec files
// (X.num beside X.num.specs.json, found recursively under DIR) and prints the pass rate.
//
// The spec files are not part of this repository: point DIR at a checkout of
// formancehq/numscript's internal/interpreter/testdata/script-tests. Each test case gives
// balances, variables and account metadata, then the postings, transaction metadata, account
// metadata, end balances, movements or missing-funds error it expects, as Formance's own
// runner checks them. Two modes:
//   default   the interpreter alone, against the case's state (Formance's runner);
//   --ledger  the whole core: a ledger is created, the balances and metadata are written as
//             transactions and metadata orders, the script goes through admission and apply,
//             and the stored transaction, account metadata and balances are compared. A
//             script that moves nothing answers NO_POSTINGS there, as Formance's ledger does.
// Cases under a directory named "experimental" are counted apart.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/numscript/spec_case.hpp"

namespace {

using namespace tally::testing;

struct Tally {
  std::size_t passed = 0;
  std::size_t total = 0;
  std::size_t no_postings = 0;  // passed as NO_POSTINGS (--ledger)
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: tally-numscript-specs DIR [--ledger] [--verbose]\n";
    return 2;
  }
  bool ledger = false;
  bool verbose = false;
  for (int i = 2; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--ledger") ledger = true;
    if (flag == "--verbose") verbose = true;
  }
  std::vector<std::filesystem::path> specs;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(argv[1])) {
    std::string name = entry.path().filename().string();
    if (name.size() > 16 && name.ends_with(".num.specs.json")) specs.push_back(entry.path());
  }
  std::sort(specs.begin(), specs.end());
  Tally stable;
  Tally experimental;
  for (const auto& path : specs) {
    std::string spec_path = path.string();
    std::string script_path =
        spec_path.substr(0, spec_path.size() - std::string(".specs.json").size());
    auto results = run_spec_file(read_file(script_path), read_file(path), ledger);
    bool is_experimental = spec_path.find("/experimental/") != std::string::npos;
    Tally& tally = is_experimental ? experimental : stable;
    for (const CaseResult& result : results) {
      ++tally.total;
      if (result.passed) ++tally.passed;
      if (result.passed && result.no_postings) ++tally.no_postings;
      if (!result.passed || verbose) {
        std::cout << (result.passed ? "pass " : "FAIL ")
                  << std::filesystem::relative(path, argv[1]).string() << " [" << result.name << "]"
                  << (result.why.empty() ? "" : ": " + result.why) << "\n";
      }
    }
  }
  auto line = [](const char* what, const Tally& t) {
    double rate = t.total == 0 ? 0.0 : 100.0 * static_cast<double>(t.passed) / t.total;
    std::cout << what << ": " << t.passed << "/" << t.total << " cases pass ("
              << static_cast<int>(rate * 10) / 10.0 << " %)";
    if (t.no_postings != 0) {
      std::cout << ", of which " << t.no_postings
                << " answered NO_POSTINGS (the script moves nothing, as Formance's ledger answers)";
    }
    std::cout << "\n";
  };
  std::cout << "mode: " << (ledger ? "ledger (admission + apply)" : "interpreter") << "\n";
  line("stable", stable);
  line("experimental", experimental);
  return 0;
}
