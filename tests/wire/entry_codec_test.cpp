// [codec] The Cap'n Proto wire format: exact round trips into the core's structs, untrusted
// bytes refused without a crash, and schema evolution against a fixture of revision 1.
#include <capnp/message.h>
#include <capnp/schema.h>
#include <capnp/serialize.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "core/codec/proposal_codec.hpp"
#include "core/sim/prng.hpp"
#include "native/codec/entry.capnp.h"
#include "native/codec/entry_codec.hpp"
#include "native/codec/snapshot_codec.hpp"
#include "tests/support/samples.hpp"

namespace tally::wire {
namespace {

plan::Proposal proposal_of(std::vector<domain::Order> orders) {
  plan::Proposal proposal;
  for (auto& order : orders)
    proposal.orders.push_back({std::move(order), Bytes{0x01}});
  proposal.timestamp_us = 1700000000000000;
  return proposal;
}

void require_round_trip(const plan::Proposal& proposal) {
  Entry entry{proposal, 3};
  Bytes bytes = encode_entry(entry);
  REQUIRE(bytes.size() % 8 == 0);
  auto decoded = decode_entry(bytes);
  INFO((decoded.ok() ? std::string() : decoded.error().message));
  REQUIRE(decoded.ok());
  REQUIRE(*decoded == entry);
  // The core's own encoding of what came back is the original's, byte for byte.
  REQUIRE(codec::encode_proposal(*decoded->proposal) == codec::encode_proposal(proposal));
}

Bytes read_fixture(const std::string& name) {
  std::ifstream in(std::string(TALLY_SOURCE_DIR) + "/tests/fixtures/" + name, std::ios::binary);
  REQUIRE(in.good());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST_CASE("every order kind round-trips through the wire entry", "[codec]") {
  for (const domain::Order& order : testing::sample_orders()) {
    INFO(domain::order_name(order));
    require_round_trip(proposal_of({order}));
  }
}

TEST_CASE("optional fields round-trip as absent and as empty", "[codec]") {
  domain::CreateTransaction bare;
  bare.ledger = "main";
  bare.postings.push_back({"world", "a", domain::Amount(), "USD"});  // zero: empty amount bytes
  domain::CreateTransaction empty_reference = bare;
  empty_reference.reference = "";
  empty_reference.timestamp_us = 0;
  empty_reference.metadata = {{"", std::string()}};
  auto max = proposal_of({domain::CreateTransaction{
      "main", {{"world", "b", domain::Amount::max(), "EUR/2"}}, "r", {}, 5, false}});
  max.idempotency_key = "";
  require_round_trip(proposal_of({bare}));
  require_round_trip(proposal_of({empty_reference}));
  require_round_trip(max);
}

TEST_CASE("every plan shape round-trips: empty, hits, seeds (empty and not), absent", "[codec]") {
  plan::Proposal proposal = testing::sample_proposal();
  require_round_trip(proposal);
  proposal.plan.entries.clear();
  require_round_trip(proposal);
  plan::PlanEntry seed{4, Bytes(16, 0x42), ~std::uint64_t{0}, plan::EntrySource::kStoreSeed,
                       Bytes{}};
  proposal.plan.entries.push_back(seed);
  proposal.orders[0].coverage_bits = Bytes{};
  proposal.plan.base_index = ~std::uint64_t{0};
  require_round_trip(proposal);
}

TEST_CASE("a no-op entry round-trips and is whole words", "[codec]") {
  Entry noop{std::nullopt, 9};
  Bytes bytes = encode_entry(noop);
  REQUIRE(bytes.size() % 8 == 0);
  auto decoded = decode_entry(bytes);
  REQUIRE(decoded.ok());
  REQUIRE(*decoded == noop);
}

TEST_CASE("an entry in an unaligned buffer decodes through an aligned copy", "[codec]") {
  Bytes bytes = encode_entry({testing::sample_proposal(), 1});
  Bytes shifted(bytes.size() + 1);
  std::copy(bytes.begin(), bytes.end(), shifted.begin() + 1);
  auto decoded = decode_entry(ByteView(shifted.data() + 1, bytes.size()));
  REQUIRE(decoded.ok());
  REQUIRE(decoded->proposal == testing::sample_proposal());
}

TEST_CASE("truncated entries are refused without a crash", "[codec]") {
  Bytes bytes = encode_entry({testing::sample_proposal(), 1});
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    auto decoded = decode_entry(ByteView(bytes.data(), size));
    INFO("size " << size);
    REQUIRE(!decoded.ok());
    REQUIRE(decoded.error().code == Code::kCorrupt);
  }
}

TEST_CASE("random and mutated bytes never crash the entry decoder", "[codec]") {
  sim::Prng prng(20261126);
  Bytes valid = encode_entry({testing::sample_proposal(), 1});
  std::size_t accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes bytes;
    if (round % 2 == 0) {
      bytes.resize(8 * (1 + prng.below(64)));
      for (auto& b : bytes)
        b = static_cast<std::uint8_t>(prng.next());
    } else {
      bytes = valid;
      const std::uint64_t flips = 1 + prng.below(8);
      for (std::uint64_t i = 0; i < flips; ++i) {
        const std::uint64_t at = prng.below(bytes.size());
        bytes[at] = static_cast<std::uint8_t>(prng.next());
      }
    }
    auto decoded = decode_entry(bytes);
    if (decoded.ok()) {
      ++accepted;
      // Whatever is accepted is a value the wire can carry again.
      REQUIRE(decode_entry(encode_entry(*decoded)).ok());
    }
  }
  REQUIRE(accepted < 3000);
}

TEST_CASE(
    "values the core cannot hold twice are refused: a non-minimal amount, unsorted "
    "metadata, an unknown plan source",
    "[codec]") {
  auto build = [](auto edit) {
    capnp::MallocMessageBuilder builder;
    auto proposal = builder.initRoot<msg::Entry>().initProposal();
    auto order = proposal.initOrders(1)[0].initOrder();
    edit(proposal, order);
    auto words = capnp::messageToFlatArray(builder);
    auto chars = words.asBytes();
    return Bytes(chars.begin(), chars.end());
  };
  Bytes padded_amount = build([](msg::Proposal::Builder, msg::Order::Builder order) {
    auto tx = order.initCreateTransaction();
    tx.setLedger("main");
    auto posting = tx.initPostings(1)[0];
    std::uint8_t amount[] = {5, 0};
    posting.setAmount(capnp::Data::Reader(amount, 2));
  });
  Bytes unsorted = build([](msg::Proposal::Builder, msg::Order::Builder order) {
    auto ledger = order.initCreateLedger();
    auto metadata = ledger.initMetadata(2);
    metadata[0].setKey("b");
    metadata[1].setKey("a");
  });
  Bytes source = build([](msg::Proposal::Builder proposal, msg::Order::Builder order) {
    order.initDeleteLedger().setLedger("main");
    proposal.initPlan().initEntries(1)[0].setSource(3);
  });
  for (const Bytes& bytes : {padded_amount, unsorted, source}) {
    auto decoded = decode_entry(bytes);
    REQUIRE(!decoded.ok());
    REQUIRE(decoded.error().code == Code::kCorrupt);
  }
}

TEST_CASE("an entry written by schema revision 1 still decodes after fields were added",
          "[codec]") {
  auto decoded = decode_entry(read_fixture("entry-rev1.bin"));
  INFO((decoded.ok() ? std::string() : decoded.error().message));
  REQUIRE(decoded.ok());
  REQUIRE(decoded->proposer_id == 0);  // revision 2's field reads as absent
  const plan::Proposal& p = *decoded->proposal;
  REQUIRE(p.orders.size() == 3);
  REQUIRE(std::get<domain::CreateLedger>(p.orders[0].order).metadata.at("owner") ==
          domain::MetadataValue(std::string("ops")));
  const auto& tx = std::get<domain::CreateTransaction>(p.orders[1].order);
  REQUIRE(tx.postings.at(0).amount == domain::Amount(100));
  REQUIRE(tx.reference == std::optional<std::string>("ref-1"));
  REQUIRE(tx.timestamp_us == std::optional<std::uint64_t>(1700000000000001));
  REQUIRE(tx.force);
  REQUIRE(std::get<domain::RevertTransaction>(p.orders[2].order).at_effective_date);
  REQUIRE(p.orders[1].coverage_bits == Bytes{0x06});
  REQUIRE(p.idempotency_key == std::optional<std::string>("idem-rev1"));
  REQUIRE(p.timestamp_us == 1700000000000123);
  REQUIRE(p.plan.predicted_index == 11);
  REQUIRE(p.plan.epoch == 2);
  REQUIRE(p.plan.entries.size() == 4);
  REQUIRE(p.plan.entries[1].seed == std::optional<Bytes>(Bytes{1, 2, 3}));
  REQUIRE(!p.plan.entries[0].seed);
  // Written again by today's schema, it decodes to the same proposal.
  auto again = decode_entry(encode_entry({p, 0}));
  REQUIRE(again.ok());
  REQUIRE(again->proposal == decoded->proposal);
}

// Revision 1's fields by struct, ordinal -> name. A later revision may rename a field only
// to obsoleteX (retired, never reused) and may only append ordinals.
const std::map<std::string, std::vector<std::string>>& revision1_fields() {
  static const std::map<std::string, std::vector<std::string>> fields = {
      {"Entry", {"proposal", "noop"}},
      {"Proposal", {"orders", "idempotencyKey", "timestampUs", "plan"}},
      {"Plan", {"baseIndex", "epoch", "predictedIndex", "entries"}},
      {"PlanEntry", {"kind", "id", "tag", "source", "seed"}},
      {"AdmittedOrder", {"order", "coverageBits"}},
      {"Posting", {"source", "destination", "amount", "asset"}},
      {"CreateTransaction",
       {"ledger", "postings", "reference", "metadata", "proposal", "atUs", "force"}},
      {"SnapshotEnvelope",
       {"formatVersion", "appliedIndex", "term", "imageKind", "image", "imageDigest",
        "storeDigest"}},
  };
  return fields;
}

void collect_ordinals(capnp::StructSchema schema, std::map<unsigned, std::string>& out) {
  for (auto field : schema.getFields()) {
    auto proto = field.getProto();
    if (proto.isGroup()) {
      collect_ordinals(field.getType().asStruct(), out);
    } else {
      out[proto.getOrdinal().getExplicit()] = proto.getName();
    }
  }
}

TEST_CASE(
    "schema ordinals are never reused: revision 1's fields keep their names or are "
    "renamed obsoleteX",
    "[codec]") {
  const std::map<std::string, capnp::StructSchema> current = {
      {"Entry", capnp::Schema::from<msg::Entry>()},
      {"Proposal", capnp::Schema::from<msg::Proposal>()},
      {"Plan", capnp::Schema::from<msg::Plan>()},
      {"PlanEntry", capnp::Schema::from<msg::PlanEntry>()},
      {"AdmittedOrder", capnp::Schema::from<msg::AdmittedOrder>()},
      {"Posting", capnp::Schema::from<msg::Posting>()},
      {"CreateTransaction", capnp::Schema::from<msg::CreateTransaction>()},
      {"SnapshotEnvelope", capnp::Schema::from<msg::SnapshotEnvelope>()},
  };
  for (const auto& [name, old_fields] : revision1_fields()) {
    std::map<unsigned, std::string> ordinals;
    collect_ordinals(current.at(name), ordinals);
    for (unsigned ordinal = 0; ordinal < old_fields.size(); ++ordinal) {
      INFO(name << " @" << ordinal);
      REQUIRE(ordinals.count(ordinal) == 1);
      const std::string& now = ordinals[ordinal];
      REQUIRE((now == old_fields[ordinal] || now.rfind("obsolete", 0) == 0));
    }
    // Ordinals are dense: nothing was renumbered or removed.
    REQUIRE(ordinals.rbegin()->first + 1 == ordinals.size());
  }
}

TEST_CASE("a snapshot envelope round-trips and refuses a damaged image", "[codec]") {
  SnapshotEnvelope envelope;
  envelope.applied_index = 77;
  envelope.term = 3;
  envelope.image_kind = ImageKind::kRows;
  envelope.image = encode_rows({{Bytes{1}, Bytes{2}}, {Bytes{1, 0}, Bytes{}}});
  envelope.store_digest.fill(0x5a);
  Bytes bytes = encode_snapshot(envelope);
  auto decoded = decode_snapshot(bytes);
  REQUIRE(decoded.ok());
  REQUIRE(decoded->applied_index == 77);
  REQUIRE(decoded->term == 3);
  REQUIRE(decoded->image == envelope.image);
  REQUIRE(decoded->store_digest == envelope.store_digest);
  REQUIRE(decoded->image_digest == crypto::sha256(envelope.image));
  auto rows = decode_rows(decoded->image);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);

  // Flip one byte of the image inside the message: the digest no longer matches.
  std::size_t at = 0;
  for (std::size_t i = 0; i + envelope.image.size() <= bytes.size(); ++i) {
    if (std::equal(envelope.image.begin(), envelope.image.end(), bytes.begin() + i)) at = i;
  }
  REQUIRE(at > 0);
  bytes[at + envelope.image.size() - 1] ^= 0xff;
  REQUIRE(!decode_snapshot(bytes).ok());
  for (std::size_t size = 0; size < 64; size += 8)
    REQUIRE(!decode_snapshot(ByteView(bytes.data(), size)).ok());
}

}  // namespace
}  // namespace tally::wire
