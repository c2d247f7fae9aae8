#include "native/tally/token_command.hpp"

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "core/bytes.hpp"
#include "core/domain/validation.hpp"
#include "native/auth/cluster_credentials.hpp"
#include "native/auth/revoked_tokens.hpp"
#include "native/auth/token.hpp"
#include "native/keyfile/secret_file.hpp"
#include "native/keyfile/token_key_file.hpp"
#include "native/tally/client.hpp"

namespace tally::cli {

namespace {

struct TokenRequest {
  std::string dir, key_file, cluster_id, scope = "read", ttl = "24h", subject;
  std::vector<std::string> ledgers;
  bool all_ledgers = false;
};

// "90s", "30m", "24h", "7d" in seconds; none for anything else (or 0).
std::optional<std::uint64_t> parse_ttl(const std::string& text) {
  if (text.size() < 2 || text.size() > 12) return std::nullopt;
  const std::string digits = text.substr(0, text.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const std::uint64_t count = std::stoull(digits);
  switch (text.back()) {
    case 's': return count == 0 ? std::nullopt : std::optional(count);
    case 'm': return count == 0 ? std::nullopt : std::optional(count * 60);
    case 'h': return count == 0 ? std::nullopt : std::optional(count * 3600);
    case 'd': return count == 0 ? std::nullopt : std::optional(count * 86400);
    default: return std::nullopt;
  }
}

Result<auth::TokenClaims> claims_of(const TokenRequest& request, std::uint64_t now_s) {
  auth::TokenClaims claims;
  claims.cluster_id = request.cluster_id;
  claims.subject = request.subject;
  if (request.all_ledgers == !request.ledgers.empty())
    return make_error(Code::kValidation,
                      "name the ledgers (--ledger L, repeated) or --all-ledgers");
  if (!request.all_ledgers) {
    for (const std::string& ledger : request.ledgers)
      TALLY_TRY(domain::validate_ledger_name(ledger));
    claims.ledgers = request.ledgers;
  }
  auto rights = auth::parse_scope(request.scope);
  if (!rights.ok()) return std::move(rights).error();
  if (*rights == 0) return make_error(Code::kValidation, "--scope names no right");
  claims.rights = *rights;
  auto ttl = parse_ttl(request.ttl);
  if (!ttl) return make_error(Code::kValidation, "--ttl: expected N followed by s, m, h or d");
  auto token_id = keyfile::random_bytes(16, "token id");
  if (!token_id.ok()) return std::move(token_id).error();
  claims.token_id = to_hex(*token_id);
  claims.issued_at_s = now_s;
  claims.expires_at_s = now_s + *ttl;
  return claims;
}

int create_token(TokenRequest request) {
  if (request.dir.empty() == request.key_file.empty()) {
    std::fprintf(stderr, "tally: give the cluster's --dir or its token --key-file\n");
    return 2;
  }
  // A token names the cluster it is for: --cluster-id, else the one DIR/cluster.json records,
  // else tallyd's default.
  if (request.cluster_id.empty() && !request.dir.empty())
    request.cluster_id = recorded_cluster_id(request.dir);
  if (request.cluster_id.empty()) request.cluster_id = "tally";
  const std::string path =
      request.key_file.empty() ? auth::token_key_path(request.dir) : request.key_file;
  auto key = keyfile::read_token_key_file(path);
  if (!key.ok()) {
    std::fprintf(stderr, "tally: %s\n", key.error().message.c_str());
    return 1;
  }
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  auto claims = claims_of(
      request,
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count()));
  if (!claims.ok()) {
    std::fprintf(stderr, "tally: %s\n", claims.error().message.c_str());
    return 2;
  }
  std::printf("%s\n", auth::sign_token(*claims, *key).c_str());
  return 0;
}

struct RevokeRequest {
  std::string dir, token_id, token;
};

// The id of a token this cluster's key signed (expired or not: a token that still verifies
// may be revoked), or of --jti as given.
Result<std::string> token_id_to_revoke(const RevokeRequest& request) {
  if (request.token_id.empty() == request.token.empty())
    return make_error(Code::kValidation, "give the token (--token) or its id (--jti)");
  if (!request.token_id.empty()) {
    TALLY_TRY(auth::validate_token_id(request.token_id));
    return request.token_id;
  }
  std::string token = request.token;
  if (token == "-") {  // from stdin: a token on the command line is left in shell history
    std::getline(std::cin, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' '))
      token.pop_back();
  }
  auto key = keyfile::read_token_key_file(auth::token_key_path(request.dir));
  if (!key.ok()) return std::move(key).error();
  std::string cluster_id = recorded_cluster_id(request.dir);
  auto claims = auth::verify_signed_token(token, *key,
                                          cluster_id.empty() ? std::string("tally") : cluster_id);
  if (!claims.ok()) {
    return make_error(Code::kValidation,
                      "not a token of " + request.dir + "'s cluster: " + claims.error().message);
  }
  TALLY_TRY(auth::validate_token_id(claims->token_id));
  return claims->token_id;
}

int revoke_token(const RevokeRequest& request) {
  if (request.dir.empty()) {
    std::fprintf(stderr, "tally: give the cluster's --dir\n");
    return 2;
  }
  auto token_id = token_id_to_revoke(request);
  if (!token_id.ok()) {
    std::fprintf(stderr, "tally: %s\n", token_id.error().message.c_str());
    return token_id.error().code == Code::kValidation ? 2 : 1;
  }
  const std::string path = auth::revoked_tokens_path(request.dir);
  auto appended = auth::append_revoked_token(path, *token_id);
  if (!appended.ok()) {
    std::fprintf(stderr, "tally: %s\n", appended.error().message.c_str());
    return 1;
  }
  std::printf("%s token %s in %s\n", *appended ? "revoked" : "already revoked:", token_id->c_str(),
              path.c_str());
  // The local cluster's nodes read the list again now; a node down reads it when it starts.
  auto told = signal_cluster_nodes(request.dir, SIGHUP, "--revoked-tokens-file=");
  if (!told.ok()) {
    std::fprintf(stderr, "tally: no node told: %s\n", told.error().message.c_str());
    return 1;
  }
  std::printf("%zu running node%s told to read it again (SIGHUP)\n", told->signalled.size(),
              told->signalled.size() == 1 ? "" : "s");
  for (std::uint64_t id : told->without_flag) {
    std::fprintf(stderr,
                 "tally: node %llu runs without --revoked-tokens-file and still accepts the "
                 "token: restart it (tally cluster down, then up, in %s)\n",
                 static_cast<unsigned long long>(id), request.dir.c_str());
  }
  if (!told->without_flag.empty()) return 1;
  return 0;
}

}  // namespace

void add_token_command(CLI::App& app, int& rc) {
  auto request = std::make_shared<TokenRequest>();
  auto* token = app.add_subcommand("token", "client tokens (JWT, HS256) for the API");
  token->require_subcommand(1);
  auto* create = token->add_subcommand("create", "print a new token signed by the token key");
  create->add_option("--dir", request->dir, "the cluster's dir (its token.key)");
  create->add_option("--key-file", request->key_file, "the token key file, instead of --dir");
  create->add_option("--ledger", request->ledgers, "a ledger the token covers (repeatable)");
  create->add_flag("--all-ledgers", request->all_ledgers, "the token covers every ledger");
  create->add_option("--scope", request->scope, "read, write, admin, or a comma-separated mix")
      ->capture_default_str();
  create->add_option("--ttl", request->ttl, "lifetime: N followed by s, m, h or d")
      ->capture_default_str();
  create->add_option("--subject", request->subject, "who the token is for (the sub claim)");
  create->add_option("--cluster-id", request->cluster_id,
                     "the cluster the token is for (default: --dir's cluster, else tally)");
  create->callback([request, &rc] { rc = create_token(*request); });

  auto revoke_request = std::make_shared<RevokeRequest>();
  auto* revoke = token->add_subcommand(
      "revoke",
      "refuse a token before it expires: add its id to DIR/revoked-tokens and tell the "
      "cluster's running nodes (SIGHUP)");
  revoke->add_option("--dir", revoke_request->dir, "the cluster's dir");
  revoke->add_option("--token", revoke_request->token,
                     "the token to revoke; - reads it from stdin (out of shell history)");
  revoke->add_option("--jti", revoke_request->token_id, "the id (jti claim) of the token");
  revoke->callback([revoke_request, &rc] { rc = revoke_token(*revoke_request); });
}

}  // namespace tally::cli
