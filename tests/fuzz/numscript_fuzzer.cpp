// libFuzzer target: the Numscript pipeline on untrusted text (core/numscript/). The input is a
// script; it must compile or fail with a typed error, never crash, hang or grow memory past
// the limits. A script that compiles is then bound (each declared variable gets a fixed value
// of its type), walked for its footprint and run against a small ledger; each step must end
// in a value or a typed error, and every footprint must name every posting the run makes.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "core/numscript/bindings.hpp"
#include "core/numscript/footprint.hpp"
#include "core/numscript/interpreter.hpp"
#include "core/numscript/program.hpp"

namespace {

using namespace tally;

class SmallLedger final : public numscript::StateView {
 public:
  Result<numscript::Integer> balance(const std::string& account, const std::string&) override {
    return numscript::Integer(numscript::Natural(account.size() * 7));
  }
  Result<std::optional<std::string>> metadata(const std::string& account,
                                              const std::string& key) override {
    if (key.empty()) return std::optional<std::string>();
    return std::optional<std::string>(key.size() % 2 == 0 ? account : "25%");
  }
};

std::map<std::string, std::string> values_for(const numscript::Program& program) {
  std::map<std::string, std::string> values;
  for (const auto& declaration : program.variables) {
    auto type = numscript::type_from_name(declaration.type);
    if (!type) continue;
    static const char* kByType[] = {"USD 5", "users:1", "7", "text", "1/3", "EUR/2"};
    values[declaration.name] = kByType[static_cast<std::size_t>(*type)];
  }
  return values;
}

// A compiled script that binds must run or fail with a business code, and its postings must
// all lie within its footprint (what admission declares covers what apply writes).
void run(const numscript::CompiledScript& script) {
  SmallLedger state;
  auto values = values_for(script.program);
  auto footprint = numscript::script_footprint(script, values, state);
  auto bindings = numscript::bind_variables(script, values, state);
  if (!bindings.ok()) {
    if (!is_business(bindings.error().code)) std::abort();
    return;
  }
  auto output = numscript::run_program(script.program, *bindings, state);
  if (!output.ok()) {
    if (!is_business(output.error().code)) std::abort();
    return;
  }
  if (!footprint.ok() || !footprint->bound) std::abort();  // binding just succeeded
  for (const auto& posting : output->postings) {
    if (footprint->volumes.count({posting.source, posting.asset}) == 0) std::abort();
    if (footprint->volumes.count({posting.destination, posting.asset}) == 0) std::abort();
  }
  for (const auto& [account, values_set] : output->account_metadata) {
    if (footprint->metadata_writes.count(account) == 0) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto compiled = numscript::compile(text);
  if (!compiled.ok()) {
    Code code = compiled.error().code;
    if (code != Code::kInterpreterParse && code != Code::kCompilationFailed) std::abort();
    return 0;
  }
  run(**compiled);
  return 0;
}
