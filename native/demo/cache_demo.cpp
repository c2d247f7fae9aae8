// tally-cache-demo: walks the seed's race (formancehq/ledger#1455, T0-T3) on a SQLite file,
// with the pre-fix delete and with the fix, printing parity after each step. A stand-in for
// `./build.sh run` until the simulator lands.
#include <cstdio>
#include <filesystem>
#include <string>

#include "core/cache/cache.hpp"
#include "core/cache/parity.hpp"
#include "core/keys/attribute_key.hpp"
#include "native/sqlite/sqlite_store.hpp"

namespace {

using namespace tally;

void report(const char* step, const cache::Cache& cache, const store::KeyValueStore& store) {
  auto parity = cache::check_parity(cache, store);
  std::printf("  %-44s gen=%llu gen0=%zu gen1=%zu  parity: %s\n", step,
              static_cast<unsigned long long>(cache.generation()), cache.gen0_size(),
              cache.gen1_size(),
              !parity.ok() ? parity.error().message.c_str()
              : parity->ok ? "OK"
                           : ("BROKEN: " + parity->first_difference).c_str());
}

int run(bool pre_fix, const std::string& path) {
  std::printf("%s delete (store %s)\n", pre_fix ? "pre-fix" : "fixed", path.c_str());
  auto opened = sqlite::SqliteStore::open(path);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  store::KeyValueStore& store = *opened.value();
  auto commit = [&](const store::Batch& batch) {
    Status written = store.write(batch);
    if (!written.ok()) std::fprintf(stderr, "%s\n", written.error().message.c_str());
  };
  store::Batch batch;
  cache::Cache cache = cache::Cache::create(4, batch);
  commit(batch);
  auto key = keys::volume_key("main", "alice", "USD");
  auto id = keys::attribute_id(key.canonical);
  auto tag = keys::attribute_tag(key.canonical);

  std::printf("  T0 admission at 4: CheckCache -> %s\n",
              std::string(cache::verdict_name(cache.check(4, key.kind, id))).c_str());
  batch.clear();
  cache.advance_to(3, batch);
  cache.put(key.kind, id, tag, Bytes{1, 2, 3}, batch);
  commit(batch);
  report("T1 save applies at index 3", cache, store);
  batch.clear();
  cache.advance_to(5, batch);
  commit(batch);
  report("T2 index 5: rotation, key now in gen1", cache, store);
  batch.clear();
  if (pre_fix) {
    cache.del_pre_fix_for_teaching(key.kind, id, batch);
  } else {
    cache.del(key.kind, id, batch);
  }
  commit(batch);
  report("T3 delete applies", cache, store);
  auto restored = cache::Cache::restore(store, 5, 4);
  if (!restored.ok()) {
    std::fprintf(stderr, "%s\n", restored.error().message.c_str());
    return 1;
  }
  report("crash + restore from the mirror", *restored, store);
  return 0;
}

}  // namespace

int main() {
  auto dir = std::filesystem::temp_directory_path() / "tally-cache-demo";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  int rc = run(true, (dir / "pre-fix.db").string()) | run(false, (dir / "fixed.db").string());
  std::filesystem::remove_all(dir);
  return rc;
}
