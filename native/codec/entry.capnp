# The Raft log entry and the snapshot envelope on the wire (docs/design.md §9).
#
# Rules of evolution (docs/design.md §9): ordinals are never reused and never renumbered; a
# retired field stays where it is, renamed obsoleteX, and is neither written nor read. New
# fields take the next ordinal and must default to "absent" (zero, false, null), so an
# entry written by an earlier revision decodes to the same core struct.
# tests/fixtures/entry-rev1.bin is an entry, and snapshot-format1.bin a snapshot envelope,
# written by revision 1 of this file; the [codec] tests decode them after every change.
#
# Revisions:
#   1: Entry, Proposal, Plan, orders, SnapshotEnvelope.
#   2: Entry.proposerId (the node that admitted the proposal; traces only, not applied).
#   3: SnapshotEnvelope.imageBytes, chunkBytes, chunkCount (snapshot format 2: the image
#      follows the envelope in raw chunks instead of riding in `image`).
#   4: CreateTransaction.accountMetadata, RevertTransaction.metadata, AdmittedOrder.
#      idempotencyKey, Proposal.bulkMode (orders answering one outcome each, in one entry).
#   5: CreateTransaction.script (a Numscript script instead of postings).
@0x845136f79b524d41;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tally::wire::msg");

# Metadata value: the core's MetadataValue variant (null, string, int, bool).
struct MetadataValue {
  union {
    null @0 :Void;
    text @1 :Text;
    integer @2 :Int64;
    boolean @3 :Bool;
  }
}

struct MetadataEntry {
  key @0 :Text;
  value @1 :MetadataValue;
}

struct Posting {
  source @0 :Text;
  destination @1 :Text;
  amount @2 :Data;  # minimal little-endian bytes of the 256-bit amount (core Amount)
  asset @3 :Text;
}

struct CreateLedger {
  ledger @0 :Text;
  metadata @1 :List(MetadataEntry);
}

struct DeleteLedger {
  ledger @0 :Text;
}

struct CreateTransaction {
  ledger @0 :Text;
  postings @1 :List(Posting);
  reference @2 :Text;  # null pointer: no reference
  metadata @3 :List(MetadataEntry);
  timestamp :union {
    proposal @4 :Void;  # the proposal's timestamp
    atUs @5 :UInt64;
  }
  force @6 :Bool;
  accountMetadata @7 :List(AccountMetadata);  # revision 4; empty: none
  script @8 :Script;  # revision 5; null pointer: the transaction is given as postings
}

struct AccountMetadata {
  account @0 :Text;
  metadata @1 :List(MetadataEntry);
}

# A Numscript script as the core's domain::Script carries it.
struct Script {
  plain @0 :Text;
  vars @1 :List(ScriptVariable);  # sorted by name, each name once
  runtime @2 :UInt8;              # core domain::ScriptRuntime: 0 machine, 1 experimental-interpreter
}

struct ScriptVariable {
  name @0 :Text;
  value @1 :Text;
}

struct RevertTransaction {
  ledger @0 :Text;
  transactionId @1 :UInt64;
  force @2 :Bool;
  atEffectiveDate @3 :Bool;
  metadata @4 :List(MetadataEntry);  # revision 4; the revert's own metadata
}

struct SetAccountMetadata {
  ledger @0 :Text;
  account @1 :Text;
  metadata @2 :List(MetadataEntry);
}

struct DeleteAccountMetadata {
  ledger @0 :Text;
  account @1 :Text;
  key @2 :Text;
}

struct SetTransactionMetadata {
  ledger @0 :Text;
  transactionId @1 :UInt64;
  metadata @2 :List(MetadataEntry);
}

struct DeleteTransactionMetadata {
  ledger @0 :Text;
  transactionId @1 :UInt64;
  key @2 :Text;
}

struct SetLedgerMetadata {
  ledger @0 :Text;
  metadata @1 :List(MetadataEntry);
}

struct DeleteLedgerMetadata {
  ledger @0 :Text;
  key @1 :Text;
}

# The union's ordinals follow the core's Order alternatives; append only.
struct Order {
  union {
    createLedger @0 :CreateLedger;
    deleteLedger @1 :DeleteLedger;
    createTransaction @2 :CreateTransaction;
    revertTransaction @3 :RevertTransaction;
    setAccountMetadata @4 :SetAccountMetadata;
    deleteAccountMetadata @5 :DeleteAccountMetadata;
    setTransactionMetadata @6 :SetTransactionMetadata;
    deleteTransactionMetadata @7 :DeleteTransactionMetadata;
    setLedgerMetadata @8 :SetLedgerMetadata;
    deleteLedgerMetadata @9 :DeleteLedgerMetadata;
    setRotationThreshold @10 :UInt64;
  }
}

struct AdmittedOrder {
  order @0 :Order;
  coverageBits @1 :Data;    # bit n (LSB-first) set when plan entry n is declared
  idempotencyKey @2 :Text;  # revision 4; null pointer: the order has no key of its own
}

struct PlanEntry {
  kind @0 :UInt8;    # an AttributeKind byte; the FSM validates it
  id @1 :Data;       # 16 bytes; the FSM validates the length
  tag @2 :UInt64;
  source @3 :UInt8;  # core plan::EntrySource: 0 hit, 1 seed, 2 absent
  seed @4 :Data;     # null pointer: no seed
}

struct Plan {
  baseIndex @0 :UInt64;
  epoch @1 :UInt64;
  predictedIndex @2 :UInt64;
  entries @3 :List(PlanEntry);
}

struct Proposal {
  orders @0 :List(AdmittedOrder);
  idempotencyKey @1 :Text;  # null pointer: no key
  timestampUs @2 :UInt64;   # the leader's clock at admission
  plan @3 :Plan;
  bulkMode @4 :UInt8;       # revision 4; core domain::BulkMode: 0 atomic, 1 continue, 2 stop
}

# One Raft command entry. The payload Raft carries is this message, padded with zero bytes
# to a multiple of 8 (libraft requires it; a flat message is already word-aligned).
struct Entry {
  union {
    proposal @0 :Proposal;
    noop @1 :Void;  # advances the applied index only (the FSM's apply_noop)
  }
  proposerId @2 :UInt64;  # revision 2; 0: unknown (an entry of revision 1)
}

# What a Raft snapshot carries: the store of a node at an applied index.
struct SnapshotEnvelope {
  enum ImageKind {
    sqlite @0;  # a SQLite database file image (sqlite3_serialize)
    rows @1;    # every row of an ordered store, in key order (RowImage)
  }
  formatVersion @0 :UInt32;  # 1: the image is `image`; 2: it follows in chunks
  appliedIndex @1 :UInt64;   # the store's applied index
  term @2 :UInt64;           # the node's Raft term when the snapshot was taken
  imageKind @3 :ImageKind;
  image @4 :Data;            # format 1 only (a Data blob caps the image at 512 MiB)
  imageDigest @5 :Data;      # SHA-256 of the image (format 2: of the chunks concatenated)
  storeDigest @6 :Data;      # the store digest (SHA-256 over the ordered rows)
  # Format 2: the snapshot is this message, then the image in chunkCount raw chunks, each of
  # chunkBytes but the last (1..chunkBytes); imageBytes in all. `image` stays empty.
  imageBytes @7 :UInt64;
  chunkBytes @8 :UInt64;
  chunkCount @9 :UInt32;
}

struct Row {
  key @0 :Data;
  value @1 :Data;
}

struct RowImage {
  rows @0 :List(Row);
}
