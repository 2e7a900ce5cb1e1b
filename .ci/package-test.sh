#!/usr/bin/env bash
# The crate as crates.io would serve it passes its own tests: `cargo package` (which also checks
# that the packaged library builds), then the .crate unpacked into a temporary directory, outside
# the workspace, and `cargo test --locked` run there, with the same WEBTOKEN_WYCHEPROOF_DIR.
# Catches a test or doc test that needs a file the `include` list of Cargo.toml leaves out.
# Usage: .ci/package-test.sh [extra `cargo package` arguments, e.g. --allow-dirty]
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

if [ -z "${WEBTOKEN_WYCHEPROOF_DIR:-}" ] && [ -d ../shared/vectors/wycheproof ]; then
  WEBTOKEN_WYCHEPROOF_DIR="$(cd ../shared/vectors/wycheproof && pwd)"
fi
if [ -n "${WEBTOKEN_WYCHEPROOF_DIR:-}" ]; then
  # The tests run from another directory: the path must not be relative.
  WEBTOKEN_WYCHEPROOF_DIR="$(cd "$WEBTOKEN_WYCHEPROOF_DIR" && pwd)"
  export WEBTOKEN_WYCHEPROOF_DIR
fi

# The workspace's target directory unless the caller chose one: the dependencies built by the
# earlier CI steps are reused (the unpacked crate is a different package, so nothing collides).
target_dir="${CARGO_TARGET_DIR:-$root/target}"
case "$target_dir" in /*) ;; *) target_dir="$root/$target_dir" ;; esac
export CARGO_TARGET_DIR="$target_dir"

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
crate="$target_dir/package/webtoken-$version.crate"
rm -f "$crate"
cargo package --locked -p webtoken "$@"
test -f "$crate" || { echo "package-test: $crate was not written" >&2; exit 1; }

scratch="$(mktemp -d "${TMPDIR:-/tmp}/webtoken-package-test.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
tar -xzf "$crate" -C "$scratch"
cd "$scratch/webtoken-$version"
echo "package-test: $(find . -type f | wc -l) files unpacked from $(basename "$crate") into $scratch"
cargo test --locked
