#include "native/tallyd/peer_tls.hpp"

#include "native/tallyd/log.hpp"

namespace tally::tallyd {

Result<std::optional<tls::PeerTlsConfig>> peer_tls_config(const PeerFlags& flags,
                                                          std::uint64_t node_id,
                                                          const std::string& cluster_id) {
  using Config = std::optional<tls::PeerTlsConfig>;
  const int given = !flags.certificate.empty() + !flags.key.empty() + !flags.ca.empty();
  if (flags.insecure && given > 0)
    return make_error(Code::kValidation,
                      "--insecure-peers contradicts --peer-cert/--peer-key/--peer-ca");
  if (flags.insecure) {
    log_event("warn", "insecure_peers",
              {{"note",
                "Raft runs over plaintext TCP: anyone who reaches the Raft port can "
                "append entries; use --peer-cert, --peer-key and --peer-ca"}});
    return Config();
  }
  if (given != 3) {
    return make_error(Code::kValidation,
                      "peers authenticate each other over mutual TLS: give --peer-cert, "
                      "--peer-key and --peer-ca (tally cluster up creates them), or "
                      "--insecure-peers for a local experiment");
  }
  auto context =
      tls::PeerTlsContext::load({flags.certificate, flags.key, flags.ca}, {node_id, cluster_id});
  if (!context.ok()) return std::move(context).error();
  tls::PeerTlsConfig config;
  config.context = std::move(context).value();
  config.log = [](const std::string& event, const std::string& detail) {
    log_event("warn", event, {{"detail", detail}});
  };
  return Config(std::move(config));
}

}  // namespace tally::tallyd
