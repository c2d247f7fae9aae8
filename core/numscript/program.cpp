#include "core/numscript/program.hpp"

#include <map>
#include <string>

#include "core/limits.hpp"
#include "core/numscript/parser.hpp"

namespace tally::numscript {

namespace {

Result<std::shared_ptr<const CompiledScript>> compile_uncached(std::string_view script) {
  auto program = parse(script);
  if (!program.ok()) return std::move(program).error();
  auto features = check_program(*program);
  if (!features.ok()) return std::move(features).error();
  return std::shared_ptr<const CompiledScript>(
      new CompiledScript{std::move(program).value(), *features});
}

// Compiled scripts by text; a successful compile only (errors are cheap to find again).
// Full: emptied, so the cache never holds more than its bound.
struct ScriptCache {
  std::map<std::string, std::shared_ptr<const CompiledScript>, std::less<>> scripts;
};

ScriptCache& thread_cache() {
  thread_local ScriptCache cache;
  return cache;
}

}  // namespace

Result<std::shared_ptr<const CompiledScript>> compile(std::string_view script) {
  ScriptCache& cache = thread_cache();
  auto found = cache.scripts.find(script);
  if (found != cache.scripts.end()) return found->second;
  auto compiled = compile_uncached(script);
  if (!compiled.ok()) return compiled;
  if (cache.scripts.size() >= limits::kScriptCacheEntriesMax) cache.scripts.clear();
  cache.scripts.emplace(std::string(script), *compiled);
  return compiled;
}

}  // namespace tally::numscript
