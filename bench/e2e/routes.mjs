// The one place where the benchmark names Tally's HTTP routes (and the bodies' shapes that
// depend on them). Everything else asks here.
export const routes = {
  info: () => '/_tally/info',
  check: () => '/_tally/check',
  digest: () => '/_tally/digest',
  ledger: (ledger) => `/v2/${ledger}`,
  transactions: (ledger) => `/v2/${ledger}/transactions`,
  bulk: (ledger, atomic) => `/v2/${ledger}/_bulk${atomic ? '?atomic=true' : ''}`,
  accounts: (ledger, pageSize, cursor) =>
    cursor ? `/v2/${ledger}/accounts?cursor=${encodeURIComponent(cursor)}`
           : `/v2/${ledger}/accounts?expand=volumes&pageSize=${pageSize}`,
  lastTransaction: (ledger) => `/v2/${ledger}/transactions?pageSize=1`,
};

// What /info answers, as the fields the benchmark reads.
export function infoFields(body) {
  const data = body.data;
  return {
    role: data.role,
    leaderAddress: data.leaderAddress,
    appliedIndex: data.appliedIndex,
    inFlight: data.inFlight,
    loopStallMaxUs: data.loopStallMaxUs,
    snapshotsTaken: data.snapshotsTaken,
  };
}

// A bulk element creating one transaction.
export function bulkTransfer(source, destination, amount, asset) {
  return { action: 'CREATE_TRANSACTION', data: { postings: [{ source, destination, amount, asset }] } };
}
