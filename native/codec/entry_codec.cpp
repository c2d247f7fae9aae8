#include "native/codec/entry_codec.hpp"

#include <string>

#include "core/overloaded.hpp"
#include "native/codec/entry.capnp.h"
#include "native/codec/message_reader.hpp"
#include "native/limits.hpp"

namespace tally::wire {

namespace {

// Thrown inside the reader callback for a value the core cannot represent; turned into
// kCorrupt like a Cap'n Proto exception.
struct Malformed {
  std::string what;
};

kj::StringPtr text(const std::string& s) {
  return kj::StringPtr(s.c_str(), s.size());
}

std::string string_of(capnp::Text::Reader t) {
  return std::string(t.begin(), t.size());
}

capnp::Data::Reader blob(const Bytes& b) {
  return capnp::Data::Reader(b.data(), b.size());
}

Bytes bytes_of(capnp::Data::Reader d) {
  return Bytes(d.begin(), d.end());
}

// ---- encode ----

void put_metadata(capnp::List<msg::MetadataEntry>::Builder out, const domain::Metadata& in) {
  unsigned i = 0;
  for (const auto& [key, value] : in) {
    auto entry = out[i++];
    entry.setKey(text(key));
    auto v = entry.initValue();
    std::visit(
        Overloaded{[&](const domain::MetadataNull&) { v.setNull(); },
                   [&](const std::string& s) { v.setText(text(s)); },
                   [&](std::int64_t n) { v.setInteger(n); }, [&](bool b) { v.setBoolean(b); }},
        value);
  }
}

template <class Builder>
void set_metadata(Builder b, const domain::Metadata& metadata) {
  put_metadata(b.initMetadata(static_cast<unsigned>(metadata.size())), metadata);
}

void put_transaction(msg::CreateTransaction::Builder b, const domain::CreateTransaction& o) {
  b.setLedger(text(o.ledger));
  auto postings = b.initPostings(static_cast<unsigned>(o.postings.size()));
  for (unsigned i = 0; i < o.postings.size(); ++i) {
    const domain::Posting& p = o.postings[i];
    postings[i].setSource(text(p.source));
    postings[i].setDestination(text(p.destination));
    postings[i].setAmount(blob(p.amount.to_minimal_le()));
    postings[i].setAsset(text(p.asset));
  }
  if (o.reference) b.setReference(text(*o.reference));
  set_metadata(b, o.metadata);
  if (o.timestamp_us) {
    b.getTimestamp().setAtUs(*o.timestamp_us);
  } else {
    b.getTimestamp().setProposal();
  }
  b.setForce(o.force);
  if (!o.account_metadata.empty()) {
    auto accounts = b.initAccountMetadata(static_cast<unsigned>(o.account_metadata.size()));
    unsigned i = 0;
    for (const auto& [account, metadata] : o.account_metadata) {
      accounts[i].setAccount(text(account));
      set_metadata(accounts[i++], metadata);
    }
  }
  if (o.script) {
    auto script = b.initScript();
    script.setPlain(text(o.script->plain));
    auto vars = script.initVars(static_cast<unsigned>(o.script->vars.size()));
    unsigned i = 0;
    for (const auto& [name, value] : o.script->vars) {
      vars[i].setName(text(name));
      vars[i].setValue(text(value));
      ++i;
    }
    script.setRuntime(static_cast<std::uint8_t>(o.script->runtime));
  }
}

void put_order(msg::Order::Builder b, const domain::Order& order) {
  std::visit(
      Overloaded{
          [&](const domain::CreateLedger& o) {
            auto c = b.initCreateLedger();
            c.setLedger(text(o.ledger));
            set_metadata(c, o.metadata);
          },
          [&](const domain::DeleteLedger& o) { b.initDeleteLedger().setLedger(text(o.ledger)); },
          [&](const domain::CreateTransaction& o) {
            put_transaction(b.initCreateTransaction(), o);
          },
          [&](const domain::RevertTransaction& o) {
            auto c = b.initRevertTransaction();
            c.setLedger(text(o.ledger));
            c.setTransactionId(o.transaction_id);
            c.setForce(o.force);
            c.setAtEffectiveDate(o.at_effective_date);
            if (!o.metadata.empty()) set_metadata(c, o.metadata);
          },
          [&](const domain::SetAccountMetadata& o) {
            auto c = b.initSetAccountMetadata();
            c.setLedger(text(o.ledger));
            c.setAccount(text(o.account));
            set_metadata(c, o.metadata);
          },
          [&](const domain::DeleteAccountMetadata& o) {
            auto c = b.initDeleteAccountMetadata();
            c.setLedger(text(o.ledger));
            c.setAccount(text(o.account));
            c.setKey(text(o.key));
          },
          [&](const domain::SetTransactionMetadata& o) {
            auto c = b.initSetTransactionMetadata();
            c.setLedger(text(o.ledger));
            c.setTransactionId(o.transaction_id);
            set_metadata(c, o.metadata);
          },
          [&](const domain::DeleteTransactionMetadata& o) {
            auto c = b.initDeleteTransactionMetadata();
            c.setLedger(text(o.ledger));
            c.setTransactionId(o.transaction_id);
            c.setKey(text(o.key));
          },
          [&](const domain::SetLedgerMetadata& o) {
            auto c = b.initSetLedgerMetadata();
            c.setLedger(text(o.ledger));
            set_metadata(c, o.metadata);
          },
          [&](const domain::DeleteLedgerMetadata& o) {
            auto c = b.initDeleteLedgerMetadata();
            c.setLedger(text(o.ledger));
            c.setKey(text(o.key));
          },
          [&](const domain::SetRotationThreshold& o) { b.setSetRotationThreshold(o.threshold); },
      },
      order);
}

void put_plan(msg::Plan::Builder b, const plan::Plan& p) {
  b.setBaseIndex(p.base_index);
  b.setEpoch(p.epoch);
  b.setPredictedIndex(p.predicted_index);
  auto entries = b.initEntries(static_cast<unsigned>(p.entries.size()));
  for (unsigned i = 0; i < p.entries.size(); ++i) {
    const plan::PlanEntry& e = p.entries[i];
    entries[i].setKind(e.kind);
    entries[i].setId(blob(e.id));
    entries[i].setTag(e.tag);
    entries[i].setSource(static_cast<std::uint8_t>(e.source));
    if (e.seed) entries[i].setSeed(blob(*e.seed));
  }
}

void put_proposal(msg::Proposal::Builder b, const plan::Proposal& p) {
  auto orders = b.initOrders(static_cast<unsigned>(p.orders.size()));
  for (unsigned i = 0; i < p.orders.size(); ++i) {
    put_order(orders[i].initOrder(), p.orders[i].order);
    orders[i].setCoverageBits(blob(p.orders[i].coverage_bits));
    if (p.orders[i].idempotency_key) {
      orders[i].setIdempotencyKey(text(*p.orders[i].idempotency_key));
    }
  }
  if (p.idempotency_key) b.setIdempotencyKey(text(*p.idempotency_key));
  b.setTimestampUs(p.timestamp_us);
  put_plan(b.initPlan(), p.plan);
  b.setBulkMode(static_cast<std::uint8_t>(p.mode));
}

// ---- decode ----

void check_count(std::size_t count, std::size_t max, const char* what) {
  if (count > max) {
    throw Malformed{std::string(what) + ": " + std::to_string(count) + " exceeds " +
                    std::to_string(max)};
  }
}

domain::Metadata get_metadata(capnp::List<msg::MetadataEntry>::Reader in) {
  check_count(in.size(), limits::kMetadataEntriesMax, "metadata entries");
  domain::Metadata out;
  for (auto entry : in) {
    std::string key = string_of(entry.getKey());
    if (!out.empty() && !(out.rbegin()->first < key)) {
      throw Malformed{"metadata keys not strictly increasing at \"" + key + "\""};
    }
    auto v = entry.getValue();
    domain::MetadataValue value;
    switch (v.which()) {
      case msg::MetadataValue::NULL_: value = domain::MetadataNull{}; break;
      case msg::MetadataValue::TEXT: value = string_of(v.getText()); break;
      case msg::MetadataValue::INTEGER: value = v.getInteger(); break;
      case msg::MetadataValue::BOOLEAN: value = v.getBoolean(); break;
      default: throw Malformed{"unknown metadata value type"};
    }
    out.emplace_hint(out.end(), std::move(key), std::move(value));
  }
  return out;
}

domain::Amount get_amount(capnp::Data::Reader d) {
  auto amount = domain::Amount::from_minimal_le(ByteView(d.begin(), d.size()));
  if (!amount.ok()) throw Malformed{"amount: " + amount.error().message};
  return *amount;
}

domain::Script get_script(msg::Script::Reader r) {
  domain::Script script;
  script.plain = string_of(r.getPlain());
  check_count(r.getVars().size(), limits::kScriptVariablesMax, "script variables");
  for (auto variable : r.getVars()) {
    std::string name = string_of(variable.getName());
    if (!script.vars.empty() && !(script.vars.rbegin()->first < name)) {
      throw Malformed{"script variables not strictly increasing at \"" + name + "\""};
    }
    script.vars.emplace_hint(script.vars.end(), std::move(name), string_of(variable.getValue()));
  }
  if (r.getRuntime() > static_cast<std::uint8_t>(domain::ScriptRuntime::kExperimentalInterpreter)) {
    throw Malformed{"unknown script runtime " + std::to_string(r.getRuntime())};
  }
  script.runtime = static_cast<domain::ScriptRuntime>(r.getRuntime());
  return script;
}

domain::CreateTransaction get_transaction(msg::CreateTransaction::Reader r) {
  domain::CreateTransaction o;
  o.ledger = string_of(r.getLedger());
  check_count(r.getPostings().size(), limits::kPostingsPerTransactionMax, "postings");
  for (auto p : r.getPostings()) {
    o.postings.push_back({string_of(p.getSource()), string_of(p.getDestination()),
                          get_amount(p.getAmount()), string_of(p.getAsset())});
  }
  if (r.hasReference()) o.reference = string_of(r.getReference());
  o.metadata = get_metadata(r.getMetadata());
  auto timestamp = r.getTimestamp();
  switch (timestamp.which()) {
    case msg::CreateTransaction::Timestamp::PROPOSAL: break;
    case msg::CreateTransaction::Timestamp::AT_US: o.timestamp_us = timestamp.getAtUs(); break;
    default: throw Malformed{"unknown transaction timestamp form"};
  }
  o.force = r.getForce();
  check_count(r.getAccountMetadata().size(), limits::kAccountsWithMetadataMax, "account metadata");
  for (auto entry : r.getAccountMetadata()) {
    std::string account = string_of(entry.getAccount());
    if (!o.account_metadata.empty() && !(o.account_metadata.rbegin()->first < account)) {
      throw Malformed{"account metadata not strictly increasing at \"" + account + "\""};
    }
    o.account_metadata.emplace_hint(o.account_metadata.end(), std::move(account),
                                    get_metadata(entry.getMetadata()));
  }
  if (r.hasScript()) o.script = get_script(r.getScript());
  return o;
}

domain::Order get_order(msg::Order::Reader r) {
  switch (r.which()) {
    case msg::Order::CREATE_LEDGER: {
      auto c = r.getCreateLedger();
      return domain::CreateLedger{string_of(c.getLedger()), get_metadata(c.getMetadata())};
    }
    case msg::Order::DELETE_LEDGER:
      return domain::DeleteLedger{string_of(r.getDeleteLedger().getLedger())};
    case msg::Order::CREATE_TRANSACTION: return get_transaction(r.getCreateTransaction());
    case msg::Order::REVERT_TRANSACTION: {
      auto c = r.getRevertTransaction();
      return domain::RevertTransaction{string_of(c.getLedger()), c.getTransactionId(), c.getForce(),
                                       c.getAtEffectiveDate(), get_metadata(c.getMetadata())};
    }
    case msg::Order::SET_ACCOUNT_METADATA: {
      auto c = r.getSetAccountMetadata();
      return domain::SetAccountMetadata{string_of(c.getLedger()), string_of(c.getAccount()),
                                        get_metadata(c.getMetadata())};
    }
    case msg::Order::DELETE_ACCOUNT_METADATA: {
      auto c = r.getDeleteAccountMetadata();
      return domain::DeleteAccountMetadata{string_of(c.getLedger()), string_of(c.getAccount()),
                                           string_of(c.getKey())};
    }
    case msg::Order::SET_TRANSACTION_METADATA: {
      auto c = r.getSetTransactionMetadata();
      return domain::SetTransactionMetadata{string_of(c.getLedger()), c.getTransactionId(),
                                            get_metadata(c.getMetadata())};
    }
    case msg::Order::DELETE_TRANSACTION_METADATA: {
      auto c = r.getDeleteTransactionMetadata();
      return domain::DeleteTransactionMetadata{string_of(c.getLedger()), c.getTransactionId(),
                                               string_of(c.getKey())};
    }
    case msg::Order::SET_LEDGER_METADATA: {
      auto c = r.getSetLedgerMetadata();
      return domain::SetLedgerMetadata{string_of(c.getLedger()), get_metadata(c.getMetadata())};
    }
    case msg::Order::DELETE_LEDGER_METADATA: {
      auto c = r.getDeleteLedgerMetadata();
      return domain::DeleteLedgerMetadata{string_of(c.getLedger()), string_of(c.getKey())};
    }
    case msg::Order::SET_ROTATION_THRESHOLD:
      return domain::SetRotationThreshold{r.getSetRotationThreshold()};
  }
  throw Malformed{"unknown order type " + std::to_string(static_cast<unsigned>(r.which()))};
}

plan::Plan get_plan(msg::Plan::Reader r) {
  plan::Plan p;
  p.base_index = r.getBaseIndex();
  p.epoch = r.getEpoch();
  p.predicted_index = r.getPredictedIndex();
  check_count(r.getEntries().size(), limits::kPlanEntriesMax, "plan entries");
  for (auto e : r.getEntries()) {
    plan::PlanEntry entry;
    entry.kind = e.getKind();
    entry.id = bytes_of(e.getId());
    entry.tag = e.getTag();
    if (e.getSource() > static_cast<std::uint8_t>(plan::EntrySource::kStoreAbsent)) {
      throw Malformed{"unknown plan entry source " + std::to_string(e.getSource())};
    }
    entry.source = static_cast<plan::EntrySource>(e.getSource());
    if (e.hasSeed()) entry.seed = bytes_of(e.getSeed());
    p.entries.push_back(std::move(entry));
  }
  return p;
}

plan::Proposal get_proposal(msg::Proposal::Reader r) {
  plan::Proposal p;
  check_count(r.getOrders().size(), limits::kOrdersPerProposalMax, "orders");
  for (auto admitted : r.getOrders()) {
    std::optional<std::string> key;
    if (admitted.hasIdempotencyKey()) key = string_of(admitted.getIdempotencyKey());
    p.orders.push_back(
        {get_order(admitted.getOrder()), bytes_of(admitted.getCoverageBits()), std::move(key)});
  }
  if (r.hasIdempotencyKey()) p.idempotency_key = string_of(r.getIdempotencyKey());
  p.timestamp_us = r.getTimestampUs();
  p.plan = get_plan(r.getPlan());
  auto mode = domain::bulk_mode_from_byte(r.getBulkMode());
  if (!mode) throw Malformed{"unknown bulk mode " + std::to_string(r.getBulkMode())};
  p.mode = *mode;
  return p;
}

}  // namespace

Bytes encode_entry(const Entry& entry) {
  capnp::MallocMessageBuilder builder;
  auto root = builder.initRoot<msg::Entry>();
  if (entry.proposal) {
    put_proposal(root.initProposal(), *entry.proposal);
  } else {
    root.setNoop();
  }
  root.setProposerId(entry.proposer_id);
  Bytes out = flat_bytes(builder);
  TALLY_INVARIANT(out.size() % 8 == 0, "a flat Cap'n Proto message is whole words");
  return out;
}

Result<Entry> decode_entry(ByteView bytes) {
  return read_message<Entry>(bytes, limits::kEntryBytesMax, "log entry",
                             [](capnp::MessageReader& reader) -> Result<Entry> {
                               try {
                                 auto root = reader.getRoot<msg::Entry>();
                                 Entry entry;
                                 entry.proposer_id = root.getProposerId();
                                 switch (root.which()) {
                                   case msg::Entry::PROPOSAL:
                                     entry.proposal = get_proposal(root.getProposal());
                                     break;
                                   case msg::Entry::NOOP: break;
                                   default: throw Malformed{"unknown entry type"};
                                 }
                                 return entry;
                               } catch (const Malformed& m) {
                                 return make_error(Code::kCorrupt, "log entry: " + m.what);
                               }
                             });
}

}  // namespace tally::wire
