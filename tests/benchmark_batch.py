"""Batch benchmark: verifying many signed records in one call, against a bare loop, and peak memory.

    python tests/benchmark_batch.py [--records 1000] [--runs 5] [--memory-records 10000]

1. ``smcheck verify --quiet --allowed-signers F FOLDER`` on N signed records, against a bare Python loop
   that, for each file, parses it with ``tomllib`` and checks one Ed25519 signature (target: at most 2x).
2. Peak memory (max RSS) of ``smcheck verify`` on 10x the records against N (target: at most 1.2x):
   records are streamed, not held.

Medians over several runs in the same invocation. Prints the figures; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark import EXAMPLE, smcheck_command  # the start-up benchmark beside this file

SPEED_TARGET = 2.0
MEMORY_TARGET = 1.2

BARE_LOOP = """
import base64, hashlib, struct, sys, tomllib
from pathlib import Path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def string(data, at):
    (n,) = struct.unpack(">I", data[at:at + 4])
    return data[at + 4:at + 4 + n], at + 4 + n

def pack(b):
    return struct.pack(">I", len(b)) + b

bad = 0
for path in sorted(Path(sys.argv[1]).glob("*.smcheck.toml")):
    data = path.read_bytes()
    doc = tomllib.loads(data.decode())
    blob = base64.b64decode(doc["signature"][1]["sshsig"])
    content = data[: data.index(b"# --- smcheck signatures")]
    at = 10
    key, at = string(blob, at)
    namespace, at = string(blob, at)
    _, at = string(blob, at)
    hash_alg, at = string(blob, at)
    sig, at = string(blob, at)
    raw = string(sig, string(sig, 0)[1])[0]
    message = b"SSHSIG" + pack(namespace) + pack(b"") + pack(hash_alg) + pack(hashlib.sha512(content).digest())
    try:
        Ed25519PublicKey.from_public_bytes(string(key, string(key, 0)[1])[0]).verify(raw, message)
    except Exception:
        bad += 1
sys.exit(1 if bad else 0)
"""

PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
    " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def make_records(folder: Path, count: int, key: Path) -> None:
    """``count`` signed records (each its own id; one signing key), written straight from the API."""
    from cryptography.hazmat.primitives.serialization import load_ssh_private_key

    from smcheck import registry
    from smcheck.answers import apply_answers, load_answers_file
    from smcheck.outcome import evaluate
    from smcheck.record import append_seal, build_record, read_layout, render
    from smcheck.trust.policy import seal_record

    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    now = dt.datetime.now(dt.UTC)
    applied = apply_answers(checklist, load_answers_file(EXAMPLE), today=now.date())
    assert applied.signoff is not None and not applied.problems
    outcome = evaluate(checklist, applied.answers, today=now.date())
    private = load_ssh_private_key(key.read_bytes(), None)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        data = render(build_record(checklist, applied.answers, outcome, applied.signoff, now=now))
        data = append_seal(data, seal_record(private, read_layout(data)[0]))  # type: ignore[arg-type]
        (folder / f"r{number:05}.smcheck.toml").write_bytes(data)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(command[:3])}... exited {result.returncode}: {result.stderr.decode()[:300]}"
        )
    return time.perf_counter() - start


def peak_kib(command: list[str]) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--memory-records", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from smcheck.trust.keys import generate_key_pair

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        key = work / "key"
        public = generate_key_pair(key, passphrase=None, comment="bench")
        trust = work / "allowed_signers"
        trust.write_text(f'h.marsh@essex.ac.uk namespaces="smcheck-record" {public.openssh()}\n')
        small, large = work / "small", work / "large"
        started = time.perf_counter()
        make_records(small, args.records, key)
        make_records(large, args.memory_records, key)
        print(
            f"made {args.records} + {args.memory_records} signed records in {time.perf_counter() - started:.1f} s"
        )
        loop = work / "bare_loop.py"
        loop.write_text(BARE_LOOP)
        mine_cmd = [
            *smcheck_command(),
            "verify",
            "--quiet",
            "--allowed-signers",
            str(trust),
            "--require",
            "signed",
            str(small),
        ]
        bare_cmd = [sys.executable, str(loop), str(small)]
        timed(mine_cmd)
        timed(bare_cmd)
        mine, bare = [], []
        for _ in range(args.runs):
            mine.append(timed(mine_cmd))
            bare.append(timed(bare_cmd))
        speed = statistics.median(mine) / statistics.median(bare)
        small_peak = statistics.median(peak_kib(mine_cmd) for _ in range(3))
        large_cmd = [*mine_cmd[:-1], str(large)]
        large_peak = statistics.median(peak_kib(large_cmd) for _ in range(3))
        memory = large_peak / small_peak

    print(
        f"verify {args.records} signed records (median of {args.runs}, Python {sys.version.split()[0]}):"
    )
    print(f"  smcheck verify      {statistics.median(mine):7.2f} s")
    print(f"  bare tomllib+Ed25519 {statistics.median(bare):6.2f} s")
    print(
        f"  ratio               {speed:7.2f}x   target <= {SPEED_TARGET}x   {'ok' if speed <= SPEED_TARGET else 'OVER'}"
    )
    print("peak memory (max RSS) of smcheck verify:")
    print(f"  {args.records:>6} records   {small_peak / 1024:7.1f} MiB")
    print(f"  {args.memory_records:>6} records   {large_peak / 1024:7.1f} MiB")
    print(
        f"  ratio               {memory:7.2f}x   target <= {MEMORY_TARGET}x   {'ok' if memory <= MEMORY_TARGET else 'OVER'}"
    )
    return 0 if speed <= SPEED_TARGET and memory <= MEMORY_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
