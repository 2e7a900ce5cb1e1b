#!/usr/bin/env bash
# Runs every fuzz target for a short smoke (default 20 s each) from the committed corpus.
# Usage: fuzz/smoke.sh [SECONDS] [FEATURES]; FEATURES (e.g. aws-lc-rs) go to cargo fuzz's
# --features, so that `fuzz/smoke.sh 10 aws-lc-rs` runs every target on the aws-lc-rs backend.
# Skips, successfully, when nightly or cargo-fuzz is missing
# (the corpus is replayed on stable by `cargo test -p webtoken-testkit --test fuzz_corpus` in any case).
# New corpus entries go to a scratch directory, so a smoke run never dirties the checkout.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-20}"
features=()
if [ -n "${2:-}" ]; then
  features=(--features "$2")
fi
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz smoke: no nightly toolchain, skipped"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz smoke: cargo-fuzz not installed, skipped (cargo +nightly install cargo-fuzz --locked)"
  exit 0
fi

targets="untrusted_parse decode_hs256 claims base64url roundtrip decode_jwks jwk_set pem key_store der_differential"
# The encrypted-token targets exist only with the jwe feature (which brings aws-lc-rs).
case ",${2:-}," in
  *,jwe,*) targets="$targets jwe_decrypt jwe_header" ;;
esac

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cargo +nightly fuzz build "${features[@]}" 2>&1 | tail -n 3
for target in $targets; do
  mkdir -p "$scratch/$target"
  log="$scratch/$target.log"
  if cargo +nightly fuzz run "${features[@]}" "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    echo "fuzz $target${2:+ ($2)}: ok, $(grep -E '^stat::number_of_executed_units' "$log" | tr -s ' ' | cut -d' ' -f2) executions in ${seconds}s"
  else
    tail -n 60 "$log"
    echo "fuzz $target: FAILED (reproduce: cd fuzz && cargo +nightly fuzz run ${2:+--features $2 }$target <artifact>)"
    exit 1
  fi
done
