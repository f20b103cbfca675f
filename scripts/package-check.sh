#!/usr/bin/env bash
# Packages the codec crates and the reference servers' crate as crates.io would (cargo publish
# --dry-run), then unpacks each .crate outside the workspace and builds its tests from the
# package alone: the licence files, fixtures and test support must all be inside it.
set -euo pipefail
cd "$(dirname "$0")/.."
crates=(groupwire-imap groupwire-smtp groupwire-dav groupwire-reference)
# The crates whose sans-IO core must build without their optional features.
codecs=(groupwire-imap groupwire-smtp groupwire-dav)
target="${CARGO_TARGET_DIR:-$PWD/target}"

# The sans-IO core builds without the optional tokio-util / serde_json features.
for crate in "${codecs[@]}"; do
    cargo clippy -q -p "$crate" --no-default-features -- -D warnings
done

version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"

# cargo verifies each package against a local registry overlay of the others, and both caches
# of such a registry crate are keyed by name, version and the overlay's path, never by content:
# its sources, unpacked under $CARGO_HOME/registry/src/-<hash of that path>/, and its build in
# the target directory. Run again from the same path (CI's fixed checkout) with the version
# unchanged, the dry run would build against the previous run's sources. So our crates'
# unpacked copies are removed, and the dry run packages and builds in a target of its own.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
for crate in "${crates[@]}"; do rm -rf "$cargo_home"/registry/src/*/"$crate-$version"; done
dry_run_target="$target/publish-dry-run"
rm -rf "$dry_run_target"

args=()
for crate in "${crates[@]}"; do args+=(-p "$crate"); done
CARGO_TARGET_DIR="$dry_run_target" cargo publish --dry-run --allow-dirty "${args[@]}"

# One fixed place per target directory, not a fresh temporary one: the test binaries in
# package-tests bake in CARGO_MANIFEST_DIR, and cargo reuses them on a second run when the
# sources are unchanged. Outside the repository, or cargo takes it for a workspace member.
unpacked="${TMPDIR:-/tmp}/groupwire-package-$(printf '%s' "$target" | md5sum | cut -c1-12)"
rm -rf "$unpacked"
mkdir -p "$unpacked"
# The unpacked crates name each other by version, as on crates.io, where they are not (yet):
# each groupwire dependency is patched to its own unpacked package (unpacked before it: the
# crates are listed dependencies first).
patches=()
for crate in "${crates[@]}"; do
    archive="$(find "$dry_run_target/package" -maxdepth 2 -name "$crate-$version.crate" | head -1)"
    tar -xzf "$archive" -C "$unpacked"
    for licence in LICENSE-APACHE LICENSE-MIT LICENSE-EUPL; do
        test -s "$unpacked/$crate-$version/$licence" || { echo "$crate: $licence missing" >&2; exit 1; }
    done
    log="$unpacked/$crate.log"
    # Binaries built from an earlier unpack directory (before it was fixed) name that one.
    CARGO_TARGET_DIR="$target/package-tests" cargo clean -q -p "$crate" "${patches[@]}" \
        --manifest-path "$unpacked/$crate-$version/Cargo.toml"
    if ! CARGO_TARGET_DIR="$target/package-tests" cargo test -q "${patches[@]}" \
        --manifest-path "$unpacked/$crate-$version/Cargo.toml" >"$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
    echo "$crate $version: packaged tests pass"
    patches+=(--config "patch.crates-io.$crate.path=\"$unpacked/$crate-$version\"")
done
