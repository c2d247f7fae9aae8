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

TEST_CASE("a per-order proposal round-trips: order keys, bulk mode, trailing fields", "[codec]") {
  require_round_trip(testing::sample_per_order_proposal());
  // An unknown bulk mode is refused, as every malformed field.
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<msg::Entry>();
  auto proposal = root.initProposal();
  proposal.initOrders(0);
  proposal.initPlan();
  proposal.setBulkMode(7);
  auto words = capnp::messageToFlatArray(builder);
  auto bytes = words.asBytes();
  CHECK_FALSE(decode_entry(ByteView(bytes.begin(), bytes.size())).ok());
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

// A format-2 snapshot as the node builds it: the envelope, then the image in chunks.
Bytes chunked_snapshot(const Bytes& image, std::uint64_t chunk_bytes, SnapshotHeader& header) {
  header.applied_index = 77;
  header.term = 3;
  header.image_kind = ImageKind::kRows;
  header.image_bytes = image.size();
  header.chunk_bytes = chunk_bytes;
  header.chunk_count = static_cast<std::uint32_t>(snapshot_chunk_count(image.size(), chunk_bytes));
  header.image_digest = crypto::sha256(image);
  header.store_digest.fill(0x5a);
  Bytes bytes = encode_snapshot_header(header);
  bytes.insert(bytes.end(), image.begin(), image.end());
  return bytes;
}

Bytes sample_image(std::size_t size) {
  Bytes image(size);
  for (std::size_t i = 0; i < size; ++i)
    image[i] = static_cast<std::uint8_t>(i * 131 + 7);
  return image;
}

TEST_CASE("a snapshot's image spans several chunks after a small envelope and reads back",
          "[codec]") {
  const Bytes image = sample_image(10 * 1024 + 5);  // three 4 KiB chunks, the last short
  SnapshotHeader header;
  Bytes bytes = chunked_snapshot(image, 4096, header);
  REQUIRE(header.chunk_count == 3);
  REQUIRE(bytes.size() - image.size() < 256);  // the envelope never carries the image
  auto view = read_snapshot(bytes);
  REQUIRE(view.ok());
  REQUIRE(view->header == header);
  REQUIRE(view->image() == ByteView(image));
  REQUIRE(verify_snapshot_image(*view).ok());
  // An image of exactly whole chunks, and an empty one.
  SnapshotHeader whole;
  auto exact = read_snapshot(chunked_snapshot(sample_image(8192), 4096, whole));
  REQUIRE(exact.ok());
  REQUIRE(exact->header.chunk_count == 2);
  SnapshotHeader empty;
  Bytes nothing = chunked_snapshot(Bytes{}, 4096, empty);
  REQUIRE(read_snapshot(nothing).ok());
  REQUIRE(read_snapshot(nothing)->header.chunk_count == 0);
}

TEST_CASE("a snapshot with a damaged chunk, a wrong digest or a missing chunk is refused",
          "[codec]") {
  const Bytes image = sample_image(3 * 4096 + 100);
  SnapshotHeader header;
  const Bytes good = chunked_snapshot(image, 4096, header);
  const std::size_t envelope_bytes = good.size() - image.size();

  // A flipped byte in the second chunk: the layout reads, the digest refuses it.
  Bytes damaged = good;
  damaged[envelope_bytes + 4096 + 17] ^= 0x01;
  auto view = read_snapshot(damaged);
  REQUIRE(view.ok());
  REQUIRE(!verify_snapshot_image(*view).ok());

  // The envelope names another digest.
  SnapshotHeader lying = header;
  lying.image_digest[0] ^= 0x01;
  Bytes wrong = encode_snapshot_header(lying);
  wrong.insert(wrong.end(), image.begin(), image.end());
  REQUIRE(read_snapshot(wrong).ok());
  REQUIRE(!verify_snapshot_image(*read_snapshot(wrong)).ok());

  // The last chunk missing, a chunk cut short, a byte too many: refused before any hashing.
  REQUIRE(!read_snapshot(ByteView(good.data(), envelope_bytes + 3 * 4096)).ok());
  REQUIRE(!read_snapshot(ByteView(good.data(), good.size() - 1)).ok());
  Bytes longer = good;
  longer.push_back(0);
  REQUIRE(!read_snapshot(longer).ok());

  // An envelope whose own layout is consistent (3 whole chunks) but not with what follows.
  SnapshotHeader miscounted = header;
  miscounted.image_bytes = 3 * 4096;
  miscounted.chunk_count = 3;
  Bytes short_envelope = encode_snapshot_header(miscounted);
  short_envelope.insert(short_envelope.end(), image.begin(), image.end());
  REQUIRE(!read_snapshot(short_envelope).ok());

  // Truncated envelopes and random prefixes never crash.
  for (std::size_t size = 0; size < envelope_bytes; size += 8)
    REQUIRE(!read_snapshot(ByteView(good.data(), size)).ok());
  Bytes garbage = sample_image(64);
  REQUIRE(!read_snapshot(garbage).ok());
}

TEST_CASE("a format-1 snapshot written by schema revision 1 still reads", "[codec]") {
  // tests/fixtures/snapshot-format1.bin: `capnp encode entry-rev1.capnp SnapshotEnvelope`
  // of snapshot-format1.txt (a two-row image inside the envelope).
  auto view = read_snapshot(read_fixture("snapshot-format1.bin"));
  INFO((view.ok() ? std::string() : view.error().message));
  REQUIRE(view.ok());
  REQUIRE(view->header.format_version == kSnapshotFormatSingle);
  REQUIRE(view->header.applied_index == 42);
  REQUIRE(view->header.term == 7);
  REQUIRE(view->header.image_kind == ImageKind::kRows);
  REQUIRE(view->header.store_digest[31] == 0x5a);
  REQUIRE(verify_snapshot_image(*view).ok());
  auto rows = decode_rows(view->image());
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  REQUIRE(rows->at(Bytes{4}) == Bytes(5, 5));
}

TEST_CASE("a format-1 snapshot (the image inside the envelope) still reads", "[codec]") {
  const Bytes image = encode_rows({{Bytes{1}, Bytes{2}}, {Bytes{1, 0}, Bytes{}}});
  SnapshotHeader header;
  header.applied_index = 77;
  header.term = 3;
  header.image_kind = ImageKind::kRows;
  header.store_digest.fill(0x5a);
  Bytes bytes = encode_single_snapshot(header, image);
  auto view = read_snapshot(bytes);
  REQUIRE(view.ok());
  REQUIRE(view->header.format_version == kSnapshotFormatSingle);
  REQUIRE(view->header.applied_index == 77);
  REQUIRE(view->header.term == 3);
  REQUIRE(view->header.store_digest == header.store_digest);
  REQUIRE(view->image() == ByteView(image));
  REQUIRE(verify_snapshot_image(*view).ok());
  REQUIRE(decode_rows(view->image())->size() == 2);

  // Flip one byte of the image inside the message: the digest no longer matches.
  std::size_t at = 0;
  for (std::size_t i = 0; i + image.size() <= bytes.size(); ++i) {
    if (std::equal(image.begin(), image.end(), bytes.begin() + i)) at = i;
  }
  REQUIRE(at > 0);
  bytes[at + image.size() - 1] ^= 0xff;
  REQUIRE(read_snapshot(bytes).ok());
  REQUIRE(!verify_snapshot_image(*read_snapshot(bytes)).ok());
  Bytes trailing = bytes;
  trailing.insert(trailing.end(), 8, 0);
  REQUIRE(!read_snapshot(trailing).ok());  // format 1 has nothing after its envelope
}

}  // namespace
}  // namespace tally::wire
