"""The TLS leg beside the cleartext one: for each server run both ways (the reference server and
nginx), what the TLS connections negotiated and every case whose verdict or outcome differs between
the legs, as markdown for reports/peers.md. Called by run-peers.sh.
Usage: tls_leg.py RUNS   (RUNS holds the run folders reference/, reference-tls/, nginx/, nginx-tls/)
The explanation of each difference, written after reading it, is reports/peers/tls-leg.md."""
import json
import os
import sys

runs = sys.argv[1]
PAIRS = [("reference", "reference-tls"), ("nginx", "nginx-tls")]


def load(short):
    path = os.path.join(runs, short, "report.json")
    if not os.path.exists(path):
        return None
    with open(path) as file:
        return json.load(file)


def outcome(case):
    """A case's verdict with the outcome of each run, as the matrix shows it."""
    observed = " / ".join(sorted({run["observed"] for run in case.get("runs", [])})) or "-"
    return case["verdict"], observed


print("## The TLS leg\n")
print("The reference server and nginx again, over TLS (an ECDSA P-256 certificate the run makes, verified by")
print("the harness with `--ca`; the same configurations behind an `ssl` listener), each case compared with")
print("its cleartext run. Every difference is explained in")
print("[reports/peers/tls-leg.md](peers/tls-leg.md).\n")
print("| server | TLS negotiated | FAIL clear / TLS | cases with another verdict over TLS | with another outcome, same verdict |")
print("|---|---|---:|---:|---:|")
details = []
for clear_short, tls_short in PAIRS:
    clear, secure = load(clear_short), load(tls_short)
    if clear is None or secure is None:
        continue
    tls = secure.get("tls") or {}
    negotiated = ", ".join(str(tls[key]) for key in ("version", "cipher", "alpn") if tls.get(key)) or "?"
    negotiated += f"; {tls.get('connections', 0)} handshakes, {tls.get('resumed', 0)} of {tls.get('resumption_attempts', 0)} resumptions"
    clear_cases = {case["id"]: case for case in clear["cases"]}
    verdict_changes, outcome_changes = [], []
    for case in secure["cases"]:
        before = clear_cases.get(case["id"])
        if before is None:
            continue
        (clear_verdict, clear_observed), (tls_verdict, tls_observed) = outcome(before), outcome(case)
        if clear_verdict != tls_verdict:
            verdict_changes.append((case, clear_verdict, clear_observed, tls_verdict, tls_observed))
        elif clear_observed != tls_observed:
            outcome_changes.append((case, clear_verdict, clear_observed, tls_verdict, tls_observed))
    fails = lambda report: sum(1 for case in report["cases"] if case["verdict"] == "FAIL")
    print(f"| {secure.get('target', tls_short)} "
          f"| {negotiated} | {fails(clear)} / {fails(secure)} | {len(verdict_changes)} | {len(outcome_changes)} |")
    for title, changes in (("another verdict", verdict_changes), ("another outcome, same verdict", outcome_changes)):
        if changes:
            details.append(f"\n### {tls_short}: {title} over TLS\n")
            details.append("| case | level | cleartext | TLS |")
            details.append("|---|---|---|---|")
            for case, clear_verdict, clear_observed, tls_verdict, tls_observed in changes:
                details.append(f"| {case['id']} | {case['level']} | {clear_verdict}: `{clear_observed}` | {tls_verdict}: `{tls_observed}` |")
print("\n".join(details))
