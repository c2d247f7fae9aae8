#include "core/check/zone_census.hpp"

#include <algorithm>

#include "core/fsm/fsm_state.hpp"
#include "core/store/layout.hpp"
#include "core/store/schema_version.hpp"

namespace tally::check {

namespace {

struct Range {
  Bytes begin;
  Bytes end;  // empty: unbounded
  const char* what;
};

}  // namespace

Status count_stray_rows(const store::KeyValueStore& store, CheckReport& report) {
  const Bytes version = store::schema_version_key();
  const Bytes state = fsm::fsm_state_key();
  // The ranges no pass owns, in key order; a few known rows inside them are allowed.
  const Range ranges[] = {
      {Bytes{}, Bytes{store::kZoneMeta}, "before zone 0x00"},
      {store::zone_begin(store::kZoneMeta), store::zone_end(store::kZoneMeta), "zone 0x00"},
      {Bytes{store::kZoneAudit}, Bytes{store::kZoneAudit, 'A'}, "zone 0x03"},
      {Bytes{store::kZoneAudit, 'B'}, Bytes{store::kZoneAudit, 'L'}, "zone 0x03"},
      {Bytes{store::kZoneAudit, 'M'}, store::zone_end(store::kZoneAudit), "zone 0x03"},
      {store::zone_begin(store::kZoneFsm), Bytes{}, "zone 0x05 and beyond"},
  };
  for (const Range& range : ranges) {
    TALLY_TRY(store::scan_range(store, range.begin, range.end, [&](ByteView key, ByteView value) {
      if (key == ByteView(version) || key == ByteView(state)) return true;
      std::string zone = key.size == 0 ? "no zone" : "zone 0x" + to_hex(key.sub(0, 1));
      report.add({MismatchKind::kStrayRow, zone + " row " + to_hex(key),
                  std::string("no row here (") + range.what + ")",
                  std::to_string(value.size) + " bytes " +
                      to_hex(value.sub(0, std::min<std::size_t>(value.size, 32)))});
      return true;
    }));
  }
  return ok_status();
}

}  // namespace tally::check
