#include "tests/support/ledger_node.hpp"

#include <catch2/catch.hpp>

#include "core/cache/parity.hpp"

namespace tally::testing {

domain::Posting posting(std::string source, std::string destination, std::uint64_t amount,
                        std::string asset) {
  return domain::Posting{std::move(source), std::move(destination),
                         domain::Amount::from_u64(amount), std::move(asset)};
}

domain::CreateTransaction transfer(std::string ledger, std::vector<domain::Posting> postings) {
  domain::CreateTransaction order;
  order.ledger = std::move(ledger);
  order.postings = std::move(postings);
  return order;
}

fsm::FsmOptions node_options() {
  fsm::FsmOptions options;
  options.audit_key = audit::public_demo_audit_key();
  return options;
}

fsm::FsmOptions with_threshold(std::uint64_t threshold) {
  fsm::FsmOptions options = node_options();
  options.rotation_threshold = threshold;
  return options;
}

fsm::FsmOptions checker_options() {
  fsm::FsmOptions options = with_threshold(3);
  options.cluster_id = "check";
  return options;
}

LedgerNode::LedgerNode(const std::string& store_kind, const TempDir& dir, fsm::FsmOptions options,
                       const std::string& file)
    : store_kind_(store_kind), dir_(&dir), file_(file), options_(std::move(options)) {
  store_ = make_store(store_kind, dir, file);
  auto opened = fsm::StateMachine::open(*store_, options_);
  if (!opened.ok()) FAIL(opened.error().message);
  fsm_ = std::move(opened).value();
}

Result<plan::Proposal> LedgerNode::admit(const plan::Request& request,
                                         std::optional<std::uint64_t> predicted) {
  clock_us += 1000;
  return plan::admit(request,
                     {fsm_->cache(), *store_, predicted.value_or(applied() + 1), clock_us});
}

fsm::ApplyReport LedgerNode::apply(const plan::Proposal& proposal) {
  auto report = fsm_->apply(applied() + 1, proposal);
  if (!report.ok()) FAIL("hard error: " << report.error().message);
  return std::move(report).value();
}

fsm::ApplyReport LedgerNode::submit(const plan::Request& request) {
  auto proposal = admit(request);
  if (!proposal.ok()) FAIL("admission refused: " << proposal.error().message);
  return apply(*proposal);
}

fsm::ApplyReport LedgerNode::submit(const domain::Order& order) {
  return submit(plan::Request{{order}, std::nullopt});
}

fsm::ApplyReport LedgerNode::submit_unrefused(const plan::Request& request) {
  clock_us += 1000;
  plan::AdmissionInput input{fsm_->cache(), *store_, applied() + 1, clock_us};
  input.refusal_rules = false;
  auto proposal = plan::admit(request, input);
  if (!proposal.ok()) FAIL("admission refused: " << proposal.error().message);
  return apply(*proposal);
}

fsm::ApplyReport LedgerNode::submit_unrefused(const domain::Order& order) {
  return submit_unrefused(plan::Request{{order}, std::nullopt});
}

void LedgerNode::noop() {
  auto advanced = fsm_->apply_noop(applied() + 1);
  if (!advanced.ok()) FAIL(advanced.error().message);
}

void LedgerNode::require_parity() {
  auto report = cache::check_parity(fsm_->cache(), *store_);
  REQUIRE(report.ok());
  INFO("parity at index " << applied() << ": " << report->first_difference);
  REQUIRE(report->ok);
}

void LedgerNode::restart() {
  fsm_.reset();
  if (store_kind_ == "sqlite") {
    store_.reset();
    store_ = make_store("sqlite", *dir_, file_);
  }
  auto opened = fsm::StateMachine::open(*store_, options_);
  if (!opened.ok()) FAIL(opened.error().message);
  fsm_ = std::move(opened).value();
}

const domain::Outcome& applied_outcome(const fsm::ApplyReport& report) {
  INFO((report.rejection ? report.rejection->message : std::string()));
  REQUIRE(report.status == fsm::ApplyReport::Status::kApplied);
  return report.outcome;
}

}  // namespace tally::testing
