// Every limit Tally enforces, in one place (docs/style.md, after TigerBeetle's constants.zig).
// Each says why; related limits are tied together by static_assert.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tally::limits {

// Names. Short enough that a volume key (ledger, account, asset) stays well under a page.
inline constexpr std::size_t kLedgerNameBytesMax = 63;
inline constexpr std::size_t kAccountBytesMax = 256;
inline constexpr std::size_t kAssetBytesMax = 21;  // [A-Z][A-Z0-9]{0,16} "/" 3 digits
inline constexpr std::size_t kReferenceBytesMax = 256;
inline constexpr std::size_t kIdempotencyKeyBytesMax = 256;  // docs/design.md §8

// Metadata: keys and string values are bounded so one attribute stays small in the cache.
inline constexpr std::size_t kMetadataKeyBytesMax = 256;
inline constexpr std::size_t kMetadataValueBytesMax = 4096;
inline constexpr std::size_t kMetadataEntriesMax = 256;  // per account, transaction or ledger
// Accounts a transaction may set metadata on with it: each is one more plan entry.
inline constexpr std::size_t kAccountsWithMetadataMax = 256;

// A request: the orders of a bulk apply atomically in one log entry.
inline constexpr std::size_t kPostingsPerTransactionMax = 256;
inline constexpr std::size_t kOrdersPerProposalMax = 256;
// Every attribute an order reads or deletes is one plan entry: 2 volumes per posting plus
// the transaction's own attributes, for every order.
inline constexpr std::size_t kPlanEntriesMax = std::size_t{1} << 18;

// The cache rotation threshold K (entries per generation). At least 1 (Gen(i) divides by it);
// at most 2^30 so that generation maths stay far from overflow.
inline constexpr std::uint64_t kRotationThresholdMin = 1;
inline constexpr std::uint64_t kRotationThresholdMax = std::uint64_t{1} << 30;

// Amounts are unsigned 256-bit integers: at most 78 decimal digits.
inline constexpr std::size_t kAmountDecimalDigitsMax = 78;

// Numscript (core/numscript/): a script, its variables and every value it computes are
// bounded, so that an overlong or hostile script is a typed error, never a crash, a hang or a
// large allocation. Parsing and running are linear in the script's size; these caps keep that
// size, and the bignum arithmetic, small.
inline constexpr std::size_t kScriptBytesMax = 64 * 1024;
inline constexpr std::size_t kScriptNestingMax = 32;  // nested sources, destinations, parens
inline constexpr std::size_t kScriptStatementsMax = 256;
inline constexpr std::size_t kScriptVariablesMax = 256;  // declared and passed alike
inline constexpr std::size_t kScriptVariableNameBytesMax = 128;
inline constexpr std::size_t kScriptVariableValueBytesMax = kMetadataValueBytesMax;
inline constexpr std::size_t kScriptVarsBytesMax = 64 * 1024;  // names and values, all of them
inline constexpr std::size_t kScriptIntegerBitsMax = 256;      // numbers and amounts: |n| < 2^256
inline constexpr std::size_t kScriptPortionBitsMax = 512;      // numerator and denominator
// What one script may touch: the accounts named as sources, destinations and in meta(),
// balance() and set_account_meta(), each with the assets it moves; every one is a plan entry.
inline constexpr std::size_t kScriptFootprintKeysMax = 2 * kPostingsPerTransactionMax;
// Parsed scripts kept per thread, so a script sent again is not parsed again.
inline constexpr std::size_t kScriptCacheEntriesMax = 64;

// Listing.
inline constexpr std::size_t kPageSizeDefault = 15;
inline constexpr std::size_t kPageSizeMax = 1000;

// Encoded values: no decoder allocates more than this for one field, whatever a length
// prefix claims.
inline constexpr std::size_t kEncodedFieldBytesMax = 16 * 1024 * 1024;

static_assert(kAssetBytesMax == 1 + 16 + 1 + 3);
static_assert(kPlanEntriesMax >= kOrdersPerProposalMax * (2 * kPostingsPerTransactionMax +
                                                          kAccountsWithMetadataMax + 5) +
                                     1);
static_assert(kPageSizeDefault <= kPageSizeMax);
// A scripted transaction's footprint fits the plan's per-order budget for postings.
static_assert(kScriptFootprintKeysMax <= 2 * kPostingsPerTransactionMax);
static_assert(kScriptBytesMax <= kEncodedFieldBytesMax);

}  // namespace tally::limits
