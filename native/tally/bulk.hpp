// `tally bulk LEDGER FILE`: a file holding a JSON array of bulk elements
// ({"action", "data", "ik"?}, docs/design.md §9) sent to a ledger.
//
// One request, one log entry (POST /v2/{ledger}/_bulk). Non-atomic (the default), as
// Formance's bulk without continueOnFailure: the elements apply in order, each on its own, and
// the first that fails stops the run; the rest are not applied (--continue-on-failure runs
// them all). Atomic (--atomic): all or nothing.
//
// Running the same file twice never applies an element twice. An element without its own
// "ik" gets an idempotency key derived from what it asks for: a hash of the ledger, the run
// name (--ik, empty by default), the element's canonical JSON and how many identical elements
// precede it in the file. So after a failure, fixing the failed element (or deleting it) and
// running the file again re-sends the elements that applied (each answered from its record,
// not applied again) and applies the rest; `--ik NAME` starts a new run of the same file. An
// atomic file's key is derived the same way from the whole array, unless --ik names it. The
// node keeps an element's outcome under its key, failures included (docs/design.md §8): a file run
// again unchanged answers a failed element with the same failure, even once its cause is gone
// (an account funded since); give that element an "ik" of its own, or change it, to send it
// anew.
//
// Output: one line per element (ok, replayed when the node says so, failed with its code, or
// not applied); with --json, {"data": [one result per element, in the API's shape, or
// {"responseType": "SKIPPED"}], "firstFailure": index?}. Exit 0 when every element applied,
// 1 when one failed (naming the first), 2 when the file is not a JSON array of objects.
#pragma once

#include <string>

#include "native/tally/client.hpp"

namespace tally::cli {

struct BulkOptions {
  std::string ledger;
  std::string file;
  std::string run_key;  // --ik: atomic, the request's key; else mixed into each element's key
  bool atomic = false;
  bool continue_on_failure = false;
};

// Sends the file and prints the outcome; returns the exit code.
int send_bulk(const Client& client, const BulkOptions& options);

// The key of element `occurrence` (0 for the first) among the file's elements whose
// canonical JSON is `element`, sent to `ledger` in the run named `run_key`.
std::string bulk_element_key(const std::string& ledger, const std::string& run_key,
                             const std::string& element, std::size_t occurrence);

}  // namespace tally::cli
