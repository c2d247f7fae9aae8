// Writes a seed corpus for numscript_fuzzer: scripts using every construct the grammar has.
// Usage: tally-numscript-corpus DIR
#include <string>
#include <vector>

#include "tests/fuzz/seed_corpus.hpp"

int main(int argc, char** argv) {
  const auto corpus = tally::fuzz::corpus_dir(argc, argv);
  if (!corpus) return 2;
  const std::vector<std::string> scripts = {
      "send [USD/2 100] (source = @a destination = @b)",
      "vars { account $a monetary $m number $n portion $p asset $x string $s }\n"
      "send $m (source = { $a allowing overdraft up to [USD 5] @world } destination = "
      "{ $p to @b remaining kept })\nsend [$x $n] (source = @world destination = $a)\n"
      "set_tx_meta(\"s\", $s)",
      "vars { account $to = meta(@cfg, \"to\") portion $f = meta($to, \"fee\")\n"
      "monetary $b = balance(@pool, USD) }\nsend [USD *] (source = max $b from @pool "
      "destination = { max [USD 3] to $to $f kept remaining to @c })",
      "send [COIN 10] (source = { 1/3 from @a 2/3 from { @b @c allowing unbounded overdraft } } "
      "destination = { 10% to @x 0.5% kept remaining to { max [COIN 1] to @y remaining to @z } })",
      "save [EUR 3] from @a\nsave [EUR *] from @b\nset_account_meta(@a, \"k\", 1/7 + 0)",
      "#![feature(\"experimental-oneof\", \"experimental-overdraft-function\", "
      "\"experimental-mid-script-function-call\", \"experimental-account-interpolation\", "
      "\"experimental-get-asset-function\", \"experimental-get-amount-function\")]\n"
      "vars { number $id monetary $d = overdraft(@u:$id, USD) asset $k = get_asset($d) "
      "number $q = get_amount($d) - 1 }\nsend [$k $q] (source = oneof { @u:$id max "
      "balance(@v, USD) from @v @world } destination = oneof { max $d to @u:$id remaining kept })",
      "send -[EUR/2 -100] + [EUR/2 3] - ([EUR/2 1]) (source = @world destination = @d)",
      "/* comment */ send [A 1_000] (source = @world // line\n destination = { $x/3 to @a "
      "remaining to @b })",
  };
  for (std::size_t i = 0; i < scripts.size(); ++i)
    tally::fuzz::write_seed(*corpus, "script", static_cast<int>(i), {}, scripts[i]);
  return 0;
}
