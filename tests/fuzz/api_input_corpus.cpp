// Writes a seed corpus for api_input_fuzzer: a token signed under the fuzzer's key and its
// claims, a revocation list, base64url, and request bodies of each kind.
// Usage: tally-api-corpus DIR
#include <string>
#include <vector>

#include "native/auth/token.hpp"
#include "tests/fuzz/seed_corpus.hpp"

int main(int argc, char** argv) {
  using namespace tally;
  const auto corpus = fuzz::corpus_dir(argc, argv);
  if (!corpus) return 2;
  auth::TokenClaims claims;
  claims.cluster_id = "tally";
  claims.subject = "fuzz";
  claims.token_id = "00112233445566778899aabbccddeeff";
  claims.issued_at_s = 1'800'000'000 - 10;
  claims.expires_at_s = 1'800'000'000 + 3600;
  claims.ledgers = std::vector<std::string>{"shop"};
  claims.rights = auth::kRightRead | auth::kRightWrite;
  const std::string token = auth::sign_token(claims, Bytes(32, 0xa1));
  const std::string payload = token.substr(token.find('.') + 1);
  const std::vector<std::string> bodies = {
      R"j({"postings":[{"source":"world","destination":"a","amount":100,"asset":"USD/2"}],)j"
      R"j("metadata":{"k":"v"},"reference":"r1","timestamp":"2024-01-02T03:04:05Z"})j",
      R"j({"script":{"plain":"send [USD 1] (source = @world destination = @a)"}})j",
      R"j([{"action":"CREATE_TRANSACTION","ik":"k1","data":{"postings":[{"source":"world",)j"
      R"j("destination":"b","amount":1,"asset":"EUR"}]}},{"action":"ADD_METADATA","data":)j"
      R"j({"targetType":"ACCOUNT","targetId":"b","metadata":{"x":"y"}}}])j",
      R"j({"$and":[{"$match":{"address":"users:"}},{"$gte":{"balance[USD]":10}}]})j",
      R"j({"bucket":"b","metadata":{"m":"1"}})j",
  };
  int n = 0;
  fuzz::write_seed(*corpus, "api", n++, std::string(1, '\0'), token);
  fuzz::write_seed(*corpus, "api", n++, std::string(1, '\1'),
                   R"j({"iss":"tally","aud":"tally","sub":"s","jti":"0a","iat":1799999990,)j"
                   R"j("exp":1800003600,"ledgers":["*"],"scope":"read write admin"})j");
  fuzz::write_seed(*corpus, "api", n++, std::string(1, '\2'),
                   "# revoked\n0011aabb\n  other.id-1_~ \r\n\n");
  fuzz::write_seed(*corpus, "api", n++, std::string(1, '\3'), payload.substr(0, payload.find('.')));
  for (const std::string& body : bodies)
    fuzz::write_seed(*corpus, "api", n++, std::string(1, '\4'), body);
  return 0;
}
