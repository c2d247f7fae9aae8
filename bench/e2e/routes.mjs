// The one place where the benchmark names Tally's HTTP routes (and the bodies' shapes that
// depend on them). Everything else asks here.
export const routes = {
  info: () => '/v3/_info',
  check: () => '/v3/_check',
  ledger: (ledger) => `/v3/${ledger}`,
  transactions: (ledger) => `/v3/${ledger}/transactions`,
  bulk: (ledger, atomic) => `/v3/${ledger}/bulk${atomic ? '?atomic=true' : ''}`,
  accounts: (ledger, pageSize, cursor) =>
    `/v3/${ledger}/accounts?pageSize=${pageSize}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''),
  lastTransaction: (ledger) => `/v3/${ledger}/transactions?pageSize=1`,
};

// What /info answers, as the fields the benchmark reads.
export function infoFields(body) {
  const data = body.data;
  return {
    role: data.role,
    leaderAddress: data.leaderAddress,
    appliedIndex: data.appliedIndex,
    storeDigest: data.storeDigest,
    inFlight: data.inFlight,
  };
}

// A bulk element creating one transaction.
export function bulkTransfer(source, destination, amount, asset) {
  return { action: 'CREATE_TRANSACTION', data: { postings: [{ source, destination, amount, asset }] } };
}
