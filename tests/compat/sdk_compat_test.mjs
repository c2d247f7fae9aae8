// [compat] Formance's official TypeScript SDK (@formance/formance-sdk, pinned in
// package-lock.json) against a running Tally cluster: every v2 operation Tally supports,
// each result checked by value (ids, balances, metadata, counts, pages) and each error by
// code; the operations Tally does not have answer 501.
//
//   TALLY_TOKEN=<token> NODE_EXTRA_CA_CERTS=DIR/tls/ca.pem node sdk_compat_test.mjs \
//     https://127.0.0.1:PORT
//
// The server URL may be any node: a follower redirects writes and reads to the leader.
// Exits 0 when every check passed, 1 otherwise (the first failure is printed).
import { SDK } from "@formance/formance-sdk";
import { HTTPClient } from "@formance/formance-sdk/lib/http.js";
import * as models from "@formance/formance-sdk/sdk/models/ledger/index.js";

const serverURL = process.argv[2];
if (!serverURL) {
  console.error("usage: node sdk_compat_test.mjs SERVER_URL");
  process.exit(2);
}
// Node's fetch drops Authorization when it follows a redirect to another origin (the Fetch
// standard), and a follower redirects to the leader on another port: this fetcher follows a
// node's redirects itself, with the request's headers and body.
async function followNodes(input, init) {
  const first = new Request(input, init);
  const method = first.method;
  const headers = new Headers(first.headers);
  const body = method === "GET" || method === "HEAD" ? undefined : await first.arrayBuffer();
  let url = first.url;
  for (let hop = 0; hop <= 5; hop++) {
    const response = await fetch(url, { method, headers, body, redirect: "manual" });
    if (response.status !== 307 && response.status !== 308) return response;
    url = new URL(response.headers.get("location"), url).toString();
  }
  throw new Error(`more than 5 redirects from ${first.url}`);
}

// The SDK's own security is OAuth2 client credentials (it fetches a token from a token
// URL); a token minted with `tally token create` (TALLY_TOKEN) is sent by a request hook.
const httpClient = new HTTPClient({ fetcher: followNodes });
const token = process.env.TALLY_TOKEN;
if (token) {
  httpClient.addHook("beforeRequest", (request) => {
    request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  });
}
const sdk = new SDK({ serverURL, httpClient });
const v2 = sdk.ledger.v2;
const ledger = `compat-${process.pid}-${Date.now() % 100000}`;
let checks = 0;

function fail(message) {
  throw new Error(message);
}
function eq(actual, expected, what) {
  checks++;
  const a = JSON.stringify(actual, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
  const e = JSON.stringify(expected, (_, v) => (typeof v === "bigint" ? `${v}n` : v));
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}
function ok(condition, what) {
  checks++;
  if (!condition) fail(what);
}
// The call must fail with the Go ledger's error code and status.
async function rejects(promise, code, status, what) {
  try {
    await promise;
  } catch (error) {
    checks++;
    if (!(error instanceof models.ErrorsV2ErrorResponse)) {
      fail(`${what}: expected ${code}, got ${error.name}: ${error.message}`);
    }
    eq(error.errorCode, code, `${what}: errorCode`);
    eq(error.statusCode, status, `${what}: status`);
    return error;
  }
  fail(`${what}: expected ${code}, the call succeeded`);
}
// The call must answer a typed 501 (Tally lacks the feature).
async function notImplemented(promise, what) {
  try {
    await promise;
  } catch (error) {
    eq(error.statusCode, 501, `${what}: status`);
    if (error instanceof models.ErrorsV2ErrorResponse) {
      eq(error.details, "NOT_IMPLEMENTED", `${what}: details`);
    } else {
      // Operations whose spec declares no error body (exportLogs) surface the raw answer.
      const body = JSON.parse(error.body ?? "{}");
      eq([body.errorCode, body.details], ["VALIDATION", "NOT_IMPLEMENTED"], `${what}: body`);
    }
    return;
  }
  fail(`${what}: expected 501, the call succeeded`);
}
const posting = (source, destination, amount, asset = "USD/2") => ({
  source,
  destination,
  amount: BigInt(amount),
  asset,
});
const ids = (list) => list.map((tx) => tx.id);

async function service() {
  const info = await v2.getInfo();
  eq(info.v2ConfigInfo.server, "tally", "getInfo server");
  ok(info.v2ConfigInfo.version.length > 0, "getInfo version");
  const metrics = await v2.getMetrics();
  ok(typeof metrics.object === "object", "getMetrics answers an object");
}

async function ledgers() {
  await v2.createLedger({ ledger, v2CreateLedgerRequest: { metadata: { team: "ops" } } });
  const got = (await v2.getLedger({ ledger })).v2GetLedgerResponse.data;
  eq(got.name, ledger, "getLedger name");
  eq(got.bucket, "_default", "getLedger bucket");
  eq(got.metadata, { team: "ops" }, "getLedger metadata");
  ok(got.addedAt instanceof Date && Math.abs(got.addedAt - Date.now()) < 60000, "addedAt now");
  await rejects(v2.createLedger({ ledger, v2CreateLedgerRequest: {} }), "LEDGER_ALREADY_EXISTS",
                400, "createLedger twice");
  await rejects(v2.getLedger({ ledger: `${ledger}-none` }), "NOT_FOUND", 404, "getLedger unknown");
  await v2.updateLedgerMetadata({ ledger, requestBody: { region: "eu", tier: "3" } });
  await v2.deleteLedgerMetadata({ ledger, key: "team" });
  eq((await v2.getLedger({ ledger })).v2GetLedgerResponse.data.metadata,
     { region: "eu", tier: "3" }, "ledger metadata after update and delete");
  await v2.createLedger({ ledger: `${ledger}-b`, v2CreateLedgerRequest: {} });
  // Page through every ledger one at a time: ours are there, in name order.
  const names = [];
  let page = await v2.listLedgers({ pageSize: 1 });
  for (let guard = 0; guard < 1000; guard++) {
    const cursor = page.v2LedgerListResponse.cursor;
    eq(cursor.pageSize, 1, "listLedgers pageSize");
    names.push(...cursor.data.map((l) => l.name));
    if (!cursor.hasMore) break;
    page = await v2.listLedgers({ cursor: cursor.next });
  }
  ok(names.indexOf(ledger) >= 0 && names.indexOf(ledger) + 1 === names.indexOf(`${ledger}-b`),
     "listLedgers pages hold both ledgers in order");
  const filtered = await v2.listLedgers({ query: { $match: { name: `${ledger}-b` } } });
  eq(filtered.v2LedgerListResponse.cursor.data.map((l) => l.name), [`${ledger}-b`],
     "listLedgers filtered by name");
  const info = (await v2.getLedgerInfo({ ledger })).v2LedgerInfoResponse.data;
  eq(info.name, ledger, "getLedgerInfo name");
  await rejects(v2.getLedgerInfo({ ledger: `${ledger}-none` }), "LEDGER_NOT_FOUND", 404,
                "getLedgerInfo unknown");
}

async function transactions() {
  const created = await v2.createTransaction({
    ledger,
    idempotencyKey: `${ledger}-first`,
    v2PostTransaction: {
      postings: [posting("world", "users:1", 100), posting("world", "users:2", 50)],
      reference: "ref-1",
      metadata: { order: "1" },
      timestamp: new Date("2024-01-02T03:04:05Z"),
    },
  });
  const tx = created.v2CreateTransactionResponse.data;
  eq(tx.id, 0n, "first transaction id");
  eq(tx.postings.map((p) => [p.source, p.destination, p.amount, p.asset]),
     [["world", "users:1", 100n, "USD/2"], ["world", "users:2", 50n, "USD/2"]], "postings");
  eq(tx.reference, "ref-1", "reference");
  eq(tx.metadata, { order: "1" }, "transaction metadata");
  eq(tx.timestamp.toISOString(), "2024-01-02T03:04:05.000Z", "timestamp");
  eq(tx.reverted, false, "not reverted");
  eq(tx.postCommitVolumes["users:1"]["USD/2"].input, 100n, "post-commit volume of users:1");
  // The same key and body: the stored answer, not a second transaction.
  const replay = await v2.createTransaction({
    ledger,
    idempotencyKey: `${ledger}-first`,
    v2PostTransaction: {
      postings: [posting("world", "users:1", 100), posting("world", "users:2", 50)],
      reference: "ref-1",
      metadata: { order: "1" },
      timestamp: new Date("2024-01-02T03:04:05Z"),
    },
  });
  eq(replay.v2CreateTransactionResponse.data.id, 0n, "replayed id");
  eq(replay.headers["idempotency-hit"], ["true"], "Idempotency-Hit");
  await rejects(v2.createTransaction({ ledger, idempotencyKey: `${ledger}-first`,
                                       v2PostTransaction: { postings: [posting("world", "x", 1)],
                                                            metadata: {} } }),
                "VALIDATION", 400, "a key reused with another body");
  await rejects(v2.createTransaction({ ledger, v2PostTransaction: {
                  postings: [posting("world", "x", 1)], reference: "ref-1", metadata: {} } }),
                "CONFLICT", 409, "a reference used twice");
  await rejects(v2.createTransaction({ ledger, v2PostTransaction: {
                  postings: [posting("users:1", "users:3", 1000)], metadata: {} } }),
                "INSUFFICIENT_FUND", 400, "an overdraft");
  await rejects(v2.createTransaction({ ledger, v2PostTransaction: { postings: [], metadata: {} } }),
                "NO_POSTINGS", 400, "no postings");
  await rejects(v2.createTransaction({ ledger, v2PostTransaction: {
                  postings: [posting("world", "bad account!", 1)], metadata: {} } }),
                "VALIDATION", 400, "an invalid address");
  await rejects(v2.createTransaction({ ledger: `${ledger}-none`, v2PostTransaction: {
                  postings: [posting("world", "a", 1)], metadata: {} } }),
                "LEDGER_NOT_FOUND", 404, "a transaction on an unknown ledger");
  // force (as a query parameter and in the body), dry run, account metadata.
  const forced = await v2.createTransaction({ ledger, force: true, v2PostTransaction: {
    postings: [posting("users:3", "users:4", 7)], metadata: {} } });
  eq(forced.v2CreateTransactionResponse.data.id, 1n, "forced transaction id");
  const dry = await v2.createTransaction({ ledger, dryRun: true, v2PostTransaction: {
    postings: [posting("users:1", "users:2", 10)], metadata: { dry: "yes" } } });
  eq(dry.v2CreateTransactionResponse.data.id, 2n, "dry run id");
  eq(dry.v2CreateTransactionResponse.data.metadata, { dry: "yes" }, "dry run metadata");
  const third = await v2.createTransaction({ ledger, v2PostTransaction: {
    postings: [posting("users:1", "bank:eu:1", 10)], metadata: { order: "3" }, force: false,
    accountMetadata: { "bank:eu:1": { kind: "bank" } } } });
  eq(third.v2CreateTransactionResponse.data.id, 2n, "after a dry run, the next id is unused");
  const effective = await v2.createTransaction({ ledger, v2PostTransaction: {
    postings: [posting("users:4", "users:5", 3)], metadata: {},
    timestamp: new Date("2020-06-01T00:00:00Z") } });
  eq(effective.v2CreateTransactionResponse.data.id, 3n, "a transaction dated in the past");

  const got = (await v2.getTransaction({ ledger, id: 2n, expand: "volumes,effectiveVolumes" }))
    .v2GetTransactionResponse.data;
  eq(got.postCommitVolumes["users:1"]["USD/2"].output, 10n, "expanded post-commit output");
  eq(got.preCommitVolumes["users:1"]["USD/2"].output, 0n, "expanded pre-commit output");
  eq(got.postCommitEffectiveVolumes["bank:eu:1"]["USD/2"].input, 10n, "effective volumes");
  await rejects(v2.getTransaction({ ledger, id: 99n }), "NOT_FOUND", 404, "an unknown transaction");

  const all = (await v2.listTransactions({ ledger })).v2TransactionsCursorResponse.cursor;
  eq(ids(all.data), [3n, 2n, 1n, 0n], "newest first");
  const oldest = (await v2.listTransactions({ ledger, reverse: true, pageSize: 3 }))
    .v2TransactionsCursorResponse.cursor;
  eq(ids(oldest.data), [0n, 1n, 2n], "reverse, one page");
  ok(oldest.hasMore, "hasMore");
  const rest = (await v2.listTransactions({ ledger, cursor: oldest.next }))
    .v2TransactionsCursorResponse.cursor;
  eq(ids(rest.data), [3n], "the cursor's page keeps its order and size");
  const byDate = (await v2.listTransactions({ ledger, order: "effective" }))
    .v2TransactionsCursorResponse.cursor;
  eq(ids(byDate.data), [2n, 1n, 0n, 3n], "effective order");
  const filtered = async (query) =>
    ids((await v2.listTransactions({ ledger, query })).v2TransactionsCursorResponse.cursor.data);
  eq(await filtered({ $match: { "metadata[order]": "3" } }), [2n], "filter on metadata");
  eq(await filtered({ $match: { account: "users:" } }), [3n, 2n, 1n, 0n], "segment pattern users:");
  eq(await filtered({ $match: { account: "bank:" } }), [], "users: matches two segments only");
  eq(await filtered({ $match: { source: "users:" } }), [3n, 2n, 1n], "segment pattern on sources");
  eq(await filtered({ $match: { destination: "bank:..." } }), [2n], "segment pattern bank:...");
  eq(await filtered({ $or: [{ $match: { reference: "ref-1" } }, { $gte: { id: 3 } }] }), [3n, 0n],
     "$or of reference and id");
  eq(await filtered({ $and: [{ $lt: { timestamp: "2023-01-01T00:00:00Z" } },
                             { $not: { $match: { id: 0 } } }] }), [3n], "$and, $lt, $not");
  const count = await v2.countTransactions({ ledger, query: { $match: { source: "world" } } });
  eq(count.headers.count, ["1"], "countTransactions with a filter");
  eq((await v2.countTransactions({ ledger })).headers.count, ["4"], "countTransactions");

  // Revert: the revert carries Formance's revert key; twice is ALREADY_REVERT.
  const revert = (await v2.revertTransaction({ ledger, id: 2n, atEffectiveDate: true,
                                                v2RevertTransactionRequest: { metadata: { why: "test" } } }))
    .v2CreateTransactionResponse;
  eq(revert.data.id, 4n, "revert id");
  eq(revert.data.metadata, { "com.formance.spec/state/reverts": "2", why: "test" }, "revert metadata");
  eq(revert.data.postings.map((p) => [p.source, p.destination, p.amount]),
     [["bank:eu:1", "users:1", 10n]], "revert postings");
  const original = (await v2.getTransaction({ ledger, id: 2n })).v2GetTransactionResponse.data;
  eq(original.reverted, true, "original reverted");
  ok(original.revertedAt instanceof Date, "revertedAt");
  await rejects(v2.revertTransaction({ ledger, id: 2n }), "ALREADY_REVERT", 400, "revert twice");
  // users:4 spent 3 of the 7 transaction 1 gave it.
  await rejects(v2.revertTransaction({ ledger, id: 1n }), "INSUFFICIENT_FUND", 400,
                "a revert that would overdraw");
  const forcedRevert = await v2.revertTransaction({ ledger, id: 1n, force: true });
  eq(forcedRevert.v2CreateTransactionResponse.data.id, 5n, "forced revert");

  await v2.addMetadataOnTransaction({ ledger, id: 0n, requestBody: { note: "x", order: "9" } });
  await v2.deleteTransactionMetadata({ ledger, id: 0n, key: "order" });
  eq((await v2.getTransaction({ ledger, id: 0n })).v2GetTransactionResponse.data.metadata,
     { note: "x" }, "transaction metadata after add and delete");
  await rejects(v2.addMetadataOnTransaction({ ledger, id: 77n, requestBody: { a: "b" } }),
                "NOT_FOUND", 404, "metadata on an unknown transaction");
}

async function accounts() {
  await v2.addMetadataToAccount({ ledger, address: "users:1", requestBody: { tier: "gold", x: "y" } });
  await v2.deleteAccountMetadata({ ledger, address: "users:1", key: "x" });
  const account = (await v2.getAccount({ ledger, address: "users:1", expand: "volumes" }))
    .v2AccountResponse.data;
  eq(account.address, "users:1", "account address");
  eq(account.metadata, { tier: "gold" }, "account metadata");
  eq(account.volumes["USD/2"].input, 110n, "account input");
  eq(account.volumes["USD/2"].output, 10n, "account output");
  eq(account.volumes["USD/2"].balance, 100n, "account balance");
  eq((await v2.getAccount({ ledger, address: "bank:eu:1" })).v2AccountResponse.data.metadata,
     { kind: "bank" }, "account metadata set with a transaction");
  await rejects(v2.getAccount({ ledger, address: "nobody:here" }), "NOT_FOUND", 404,
                "an unknown account");
  const list = (await v2.listAccounts({ ledger, pageSize: 2 })).v2AccountsCursorResponse.cursor;
  eq(list.data.map((a) => a.address), ["bank:eu:1", "users:1"], "accounts in address order");
  const more = (await v2.listAccounts({ ledger, cursor: list.next })).v2AccountsCursorResponse.cursor;
  eq(more.data.map((a) => a.address), ["users:2", "users:3"], "the next page of accounts");
  const users = (await v2.listAccounts({ ledger, query: { $match: { address: "users:" } } }))
    .v2AccountsCursorResponse.cursor.data.map((a) => a.address);
  eq(users, ["users:1", "users:2", "users:3", "users:4", "users:5"], "accounts users:");
  const rich = (await v2.listAccounts({ ledger, expand: "volumes",
                                        query: { $gte: { "balance[USD/2]": 50 } } }))
    .v2AccountsCursorResponse.cursor.data;
  eq(rich.map((a) => [a.address, a.volumes["USD/2"].balance]),
     [["users:1", 100n], ["users:2", 50n]], "accounts by balance");
  eq((await v2.countAccounts({ ledger })).headers.count, ["7"], "countAccounts");
  eq((await v2.countAccounts({ ledger, query: { $match: { "metadata[tier]": "gold" } } }))
       .headers.count, ["1"], "countAccounts with a filter");
  const balances = (await v2.getBalancesAggregated({ ledger })).v2AggregateBalancesResponse.data;
  eq(balances, { "USD/2": 0n }, "every balance sums to zero");
  const userBalances = (await v2.getBalancesAggregated({ ledger,
                                                         query: { $match: { address: "users:" } } }))
    .v2AggregateBalancesResponse.data;
  eq(userBalances, { "USD/2": 150n }, "the users' balances");
  const volumes = (await v2.getVolumesWithBalances({ ledger, groupBy: 1 }))
    .v2VolumesWithBalanceCursorResponse.cursor.data;
  eq(volumes.map((v) => [v.account, v.asset, v.balance]),
     [["bank", "USD/2", 0n], ["users", "USD/2", 150n], ["world", "USD/2", -150n]],
     "volumes grouped by the first segment");
  const stats = (await v2.readStats({ ledger })).v2StatsResponse.data;
  eq([stats.accounts, stats.transactions], [7, 6n], "readStats");
}

async function logs() {
  const page = (await v2.listLogs({ ledger, pageSize: 100 })).v2LogsCursorResponse.cursor;
  ok(page.data.length >= 10, "logs listed");
  const newest = page.data[0];
  eq(newest.type, "DELETE_METADATA", "the newest log");
  eq(newest.data.targetType, "ACCOUNT", "its target type");
  ok(newest.date instanceof Date && newest.hash.length > 0, "log date and hash");
  const reverted = page.data.find((log) => log.type === "REVERTED_TRANSACTION");
  eq(reverted.data.revertedTransaction.id, 1n, "a revert's log names what it reverted");
  const first = (await v2.listLogs({ ledger, sort: "id:asc", pageSize: 1 }))
    .v2LogsCursorResponse.cursor.data[0];
  eq(first.type, "NEW_TRANSACTION", "the first log");
  eq(first.id, 3n, "the first log id (0 to 2: the ledger's creation and metadata)");
  eq(first.data.transaction.reference, "ref-1", "the first log's transaction");
}

async function bulks() {
  const atomic = await v2.createBulk({ ledger, atomic: true, requestBody: [
    { action: "CREATE_TRANSACTION", data: { postings: [posting("world", "bulk:a", 5)], metadata: {} } },
    { action: "ADD_METADATA", data: { targetType: "ACCOUNT", targetId: "bulk:a", metadata: { b: "1" } } },
    { action: "DELETE_METADATA", data: { targetType: "ACCOUNT", targetId: "bulk:a", key: "b" } },
    { action: "REVERT_TRANSACTION", data: { id: 6n } },
  ] });
  const results = atomic.v2BulkResponse.data;
  eq(results.map((r) => r.responseType),
     ["CREATE_TRANSACTION", "ADD_METADATA", "DELETE_METADATA", "REVERT_TRANSACTION"],
     "atomic bulk results");
  eq(results[0].data.id, 6n, "the bulk's transaction");
  eq(results[3].data.metadata["com.formance.spec/state/reverts"], "6", "the bulk's revert");
  ok(results.every((r, i) => i === 0 || r.logID === results[i - 1].logID + 1), "log ids follow");

  const failing = await v2.createBulk({ ledger, atomic: true, requestBody: [
    { action: "CREATE_TRANSACTION", data: { postings: [posting("world", "bulk:b", 1)], metadata: {} } },
    { action: "CREATE_TRANSACTION", data: { postings: [posting("bulk:c", "bulk:d", 5)], metadata: {} } },
  ] });
  eq(failing.statusCode, 400, "a failing atomic bulk");
  eq(failing.v2BulkResponse.data.map((r) => [r.responseType, r.errorCode]),
     [["ERROR", "INTERNAL"], ["ERROR", "INSUFFICIENT_FUND"]], "nothing applied");
  await rejects(v2.getAccount({ ledger, address: "bulk:b" }), "NOT_FOUND", 404,
                "an atomic bulk that failed left nothing");

  const body = [
    { action: "CREATE_TRANSACTION", ik: `${ledger}-e1`, data: { postings: [posting("world", "bulk:e", 2)], metadata: {} } },
    { action: "CREATE_TRANSACTION", data: { postings: [posting("bulk:f", "bulk:g", 5)], metadata: {} } },
    { action: "CREATE_TRANSACTION", ik: `${ledger}-e3`, data: { postings: [posting("world", "bulk:h", 3)], metadata: {} } },
  ];
  const going = await v2.createBulk({ ledger, continueOnFailure: true, requestBody: body });
  eq(going.v2BulkResponse.data.map((r) => r.responseType),
     ["CREATE_TRANSACTION", "ERROR", "CREATE_TRANSACTION"], "continueOnFailure runs every element");
  eq(going.v2BulkResponse.data[1].errorCode, "INSUFFICIENT_FUND", "the failed element's code");
  eq(going.v2BulkResponse.data[1].logID, 0, "a failed element has no log");
  const again = await v2.createBulk({ ledger, continueOnFailure: true, requestBody: body });
  eq([again.v2BulkResponse.data[0].data.id, again.v2BulkResponse.data[2].data.id],
     [going.v2BulkResponse.data[0].data.id, going.v2BulkResponse.data[2].data.id],
     "keyed elements replay");
  const stopping = await v2.createBulk({ ledger, requestBody: [
    { action: "CREATE_TRANSACTION", data: { postings: [posting("bulk:f", "bulk:g", 5)], metadata: {} } },
    { action: "CREATE_TRANSACTION", data: { postings: [posting("world", "bulk:i", 1)], metadata: {} } },
  ] });
  eq(stopping.v2BulkResponse.data.map((r) => r.errorCode), ["INSUFFICIENT_FUND", "INTERNAL"],
     "stop at the first failure");
  await rejects(v2.getAccount({ ledger, address: "bulk:i" }), "NOT_FOUND", 404,
                "the element after a failure did not apply");
}

// Numscript: a script with variables, Formance's compile and runtime codes, a bulk element.
async function scripts() {
  const scripted = `${ledger}-numscript`;
  await v2.createLedger({ ledger: scripted, v2CreateLedgerRequest: {} });
  const plain = `vars {
  monetary $amount
  account $to
}
send $amount (
  source = @world
  destination = {
    50% to $to
    remaining to @platform:fees
  }
)
set_tx_meta("kind", "payout")
`;
  const created = await v2.createTransaction({ ledger: scripted, v2PostTransaction: {
    script: { plain, vars: { amount: "USD/2 101", to: "users:1" } }, metadata: { from: "sdk" } } });
  const tx = created.v2CreateTransactionResponse.data;
  eq(tx.postings.map((p) => [p.source, p.destination, p.amount, p.asset]),
     [["world", "users:1", 51n, "USD/2"], ["world", "platform:fees", 50n, "USD/2"]],
     "a script's postings (allotment rounding)");
  // Metadata comes back in key order, as Tally stores it.
  eq(tx.metadata, { from: "sdk", kind: "payout" }, "a script's metadata beside the request's");
  await rejects(v2.createTransaction({ ledger: scripted, v2PostTransaction: {
                  script: { plain: "send [USD/2 1] (" }, metadata: {} } }),
                "COMPILATION_FAILED", 400, "a script that does not parse (machine)");
  await rejects(v2.createTransaction({ ledger: scripted, v2PostTransaction: {
                  script: { plain: "send [USD/2 1] (" }, metadata: {},
                  runtime: "experimental-interpreter" } }),
                "INTERPRETER_PARSE", 400, "a script that does not parse (interpreter)");
  await rejects(v2.createTransaction({ ledger: scripted, v2PostTransaction: {
                  script: { plain, vars: { to: "users:1" } }, metadata: {} } }),
                "COMPILATION_FAILED", 400, "a missing variable");
  await rejects(v2.createTransaction({ ledger: scripted, v2PostTransaction: {
                  script: { plain: "send [USD/2 5] ( source = @users:2 destination = @a )" },
                  metadata: {} } }),
                "INSUFFICIENT_FUND", 400, "a script short of funds");
  await rejects(v2.createTransaction({ ledger: scripted, v2PostTransaction: {
                  script: { plain: "send [USD/2 1] ( source = @world destination = @a )\n" +
                                   "set_tx_meta(\"k\", \"script\")" },
                  metadata: { k: "request" } } }),
                "METADATA_OVERRIDE", 400, "request metadata over the script's");
  const bulk = await v2.createBulk({ ledger: scripted, continueOnFailure: true, requestBody: [
    { action: "CREATE_TRANSACTION", data: { script: {
        plain: "send [USD/2 7] ( source = @users:1 destination = @users:2 )" }, metadata: {} } },
    { action: "CREATE_TRANSACTION", data: { script: { plain: "send (" }, metadata: {} } },
  ] });
  eq(bulk.v2BulkResponse.data.map((r) => [r.responseType, r.errorCode]),
     [["CREATE_TRANSACTION", undefined], ["ERROR", "COMPILATION_FAILED"]],
     "bulk elements with scripts");
  const account = await v2.getAccount({ ledger: scripted, address: "users:2", expand: "volumes" });
  eq(account.v2AccountResponse.data.volumes["USD/2"].balance, 7n, "the bulk's script applied");
}

async function unsupported() {
  await notImplemented(v2.listExporters(), "listExporters");
  await notImplemented(v2.createExporter({ driver: "clickhouse", config: {} }), "createExporter");
  await notImplemented(v2.listPipelines({ ledger }), "listPipelines");
  await notImplemented(v2.deleteBucket({ bucket: "b" }), "deleteBucket");
  await notImplemented(v2.listSchemas({ ledger }), "listSchemas");
  await notImplemented(v2.insertSchema({ ledger, version: "v1", v2SchemaData: { chart: {} } }),
                       "insertSchema");
  await notImplemented(v2.importLogs({ ledger, v2ImportLogsRequest: new Uint8Array() }),
                       "importLogs");
  await notImplemented(v2.exportLogs({ ledger }), "exportLogs");
  await notImplemented(v2.getExporterState({ exporterID: "e" }), "getExporterState");
  await notImplemented(v2.updateExporter({ exporterID: "e",
                                           v2ExporterConfiguration: { driver: "d", config: {} } }),
                       "updateExporter");
  await notImplemented(v2.deleteExporter({ exporterID: "e" }), "deleteExporter");
  await notImplemented(v2.restoreBucket({ bucket: "b" }), "restoreBucket");
  await notImplemented(v2.createPipeline({ ledger, v2CreatePipelineRequest: { exporterID: "e" } }),
                       "createPipeline");
  await notImplemented(v2.getPipelineState({ ledger, pipelineID: "p" }), "getPipelineState");
  await notImplemented(v2.deletePipeline({ ledger, pipelineID: "p" }), "deletePipeline");
  await notImplemented(v2.startPipeline({ ledger, pipelineID: "p" }), "startPipeline");
  await notImplemented(v2.stopPipeline({ ledger, pipelineID: "p" }), "stopPipeline");
  await notImplemented(v2.resetPipeline({ ledger, pipelineID: "p" }), "resetPipeline");
  await notImplemented(v2.getSchema({ ledger, version: "v1" }), "getSchema");
  await notImplemented(v2.runQuery({ ledger, id: "q", schemaVersion: "v1", requestBody: {} }),
                       "runQuery");
}

const steps = { service, ledgers, transactions, accounts, logs, bulks, scripts, unsupported };
for (const [name, step] of Object.entries(steps)) {
  try {
    await step();
  } catch (error) {
    console.error(`compat: ${name}: ${error.stack ?? error}`);
    process.exit(1);
  }
}
console.log(`compat: ${checks} checks passed against ${serverURL} (ledger ${ledger})`);
