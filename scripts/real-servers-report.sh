#!/usr/bin/env bash
# Runs every suite against the real servers (Dovecot + Postfix default and hardened, Radicale,
# Apache mod_dav) and the embedded reference, through the CI test
# conformance/tests/real_servers_suites.rs, and prints every non-pass with its reason.
#
#   scripts/real-servers-report.sh [--update] [--raw] [OUTDIR]
#
# OUTDIR (default target/real-servers; its *.json are replaced) receives one JSON report per deployment (<slug>.json,
# and <slug>.run2.json from the second, reproducibility run), the target files, MATRIX.md and
# matrix.html (the evidence of every cell).
#   --update  rewrite README's interoperability matrix block from this run
#   --raw     run without the waivers (raw verdicts) and print a waiver skeleton for every
#             check that does not pass; finish each TODO from the transcript, then put it in
#             conformance/waivers/<slug>.toml
# Needs root (Postfix) and the packages of scripts/debian-packages.txt. Exit status: the test's.
set -euo pipefail
cd "$(dirname "$0")/.."

update=0 raw=0 out=target/real-servers
for arg in "$@"; do
  case $arg in
    --update) update=1 ;;
    --raw) raw=1 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "unknown option $arg" >&2; exit 2 ;;
    *) out=$arg ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.json

status=0
GROUPWIRE_REAL_REPORTS="$out" GROUPWIRE_UPDATE_MATRIX=$update GROUPWIRE_REAL_NO_WAIVERS=$raw \
  cargo test -p groupwire-conformance --test real_servers_suites -- --nocapture \
  real_servers_run_every_suite || status=$?

versions="dovecot=$(dovecot --version 2>/dev/null | cut -d' ' -f1) postfix=$(postconf -h mail_version 2>/dev/null)"
python3 - "$out" "$raw" "$versions" <<'PY'
import glob, json, os, sys

out, raw, versions = sys.argv[1], sys.argv[2] == "1", dict(v.split("=", 1) for v in sys.argv[3].split())
server = {"imap": "Dovecot " + versions.get("dovecot", "?"), "smtp": "Postfix " + versions.get("postfix", "?")}

def deviating_line(check):
    """The server's line that shows the deviation: the evidence's `actual`, else the last
    received line before the session was closed (QUIT/LOGOUT replies left out)."""
    actual = check.get("evidence", {}).get("actual", "").replace("\\r\\n", "\n").strip()
    if actual:
        return actual.splitlines()[0]
    lines = [line for entry in check.get("evidence", {}).get("transcript", [])
             if entry.get("direction") == "received"
             for line in entry.get("bytes", "").splitlines() if line.strip()]
    closing = ("221 ", "* BYE")
    lines = [l for l in lines if not l.startswith(closing) and "Logout completed" not in l]
    return lines[-1] if lines else ""

for path in sorted(glob.glob(os.path.join(out, "*.json"))):
    if path.endswith(".run2.json"):
        continue
    report = json.load(open(path))
    slug = os.path.basename(path)[:-5]
    protocols = {e.get("protocol") for e in report.get("target", {}).get("endpoints", [])}
    checks = [c for c in report.get("checks", []) if c.get("status") != "pass"]
    # A skip for a protocol the deployment has no endpoint for is n/a: counted, not listed.
    na = [c for c in checks if c["status"] == "skip" and c.get("protocol") not in protocols]
    checks = [c for c in checks if c not in na]
    counts = report.get("summary", {})
    print(f"\n== {slug}: {report.get('target', {}).get('name')} -> {report.get('verdict')} {counts}")
    if na:
        print(f"  {len(na)} checks n/a (no endpoint for their protocol)")
    skeleton = []
    for c in checks:
        status = c["status"] + (f" (was {c['original_status']})" if c.get("original_status") else "")
        ev = c.get("evidence", {})
        print(f"  {status:<16} {c['id']}: {c.get('reason', '')}")
        for key in ("expected", "actual"):
            if ev.get(key):
                print(f"  {'':<16}   {key}: {ev[key]}")
        if c.get("waiver"):
            print(f"  {'':<16}   waiver: {c['waiver'][:160]}...")
        if raw and c["status"] not in ("skip", "waived"):
            name = server.get(c.get("protocol"), "SERVER VERSION")
            reason = (f"TODO {name}: {c.get('rfc')} \"{c.get('quote')}\"; "
                      f"transcript: S: {deviating_line(c)}; why: TODO")
            skeleton.append(f"[[waiver]]\ncheck = \"{c['id']}\"\nreason = '''{reason}'''\n")
    if raw and skeleton:
        print(f"\n  # waiver skeleton for conformance/waivers/{slug}.toml")
        print("\n".join("  " + line for block in skeleton for line in block.splitlines()))
print(f"\nreports, MATRIX.md and matrix.html in {out}")
PY
exit "$status"
