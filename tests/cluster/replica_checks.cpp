#include "tests/cluster/replica_checks.hpp"

#include <catch2/catch.hpp>

#include "core/audit/audit_key.hpp"
#include "core/cache/parity.hpp"
#include "core/check/checker.hpp"
#include "native/raft/store_digest.hpp"

namespace tally::testing {

std::string digest_hex_of(const replica::Node& node) {
  auto digest = node.digest();
  REQUIRE(digest.ok());
  return replica::digest_hex(*digest);
}

void require_replica_sound(const replica::Node& node, const std::string& reference_digest_hex) {
  INFO("node " << node.id() << " at applied index " << node.applied_index());
  REQUIRE(!node.failed());
  REQUIRE(digest_hex_of(node) == reference_digest_hex);
  auto parity = cache::check_parity(node.state_machine().cache(), node.state_machine().read_view());
  REQUIRE(parity.ok());
  INFO(parity->first_difference);
  REQUIRE(parity->ok);
  auto check = check::run_check({node.state_machine().read_view(), &node.state_machine().cache(),
                                 "tally", audit::public_demo_audit_key()});
  REQUIRE(check.ok());
  INFO(check->describe());
  REQUIRE(check->ok());
  REQUIRE(check->hashes_verified);
}

}  // namespace tally::testing
