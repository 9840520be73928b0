"""Batch benchmark (issue 10, section 3; issue 19, point 7): verify and status against bare scripts.

    python tests/benchmark_batch.py [--quick] [--speed] [--records 1000] [--large 10000] [--runs 5]

First, side by side in one run, the two figures of issue 19 (``--speed``: only these), as medians of
``--runs`` interleaved runs, wall time and CPU time (the command's and its workers'):

- ``smcheck verify FOLDER`` of ``--records`` signed records against the bare loop below: at most 0.8x;
- ``smcheck verify ONE-RECORD`` against the bare one-record script (``python -c``: start the interpreter,
  parse the record with ``tomllib``, check one Ed25519 signature): at most 3.5x.

Wall time is the target; CPU time says how much of a miss is a busy machine (other processes on the cores
the workers wanted). The package's bytecode is compiled first, as ``pip install`` does (an editable install
under ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every module on every run).

It makes ``--records`` (and ``--large``) signed records, each for a channel of its own (the handle and the
URL differ, each record signed anew), and a trust file for the signing key, then times, as medians of
``--runs`` interleaved runs (each command once per round, in turn, so a busy machine slows all alike):

- the bare loop: one core, parse each file with ``tomllib`` and check one Ed25519 signature;
- ``smcheck verify FOLDER`` (the default report, its output read from a pipe), ``verify --quiet``,
  ``verify --jsonl``, ``status FOLDER`` and ``status FOLDER --html F``;

and prints each against its target: verify at most 1.5x the bare loop, --quiet and --jsonl at most 1.3x,
status and status --html at most 1.5x ``verify --quiet``. At ``--large`` records it times ``verify --quiet``
and ``status`` again, and their peak memory (the largest max RSS of the command and its workers), against
the same at ``--records``: time at most 11x, memory at most 1.2x (records are streamed, not held).

``--quick`` is a smaller run (300 and 3,000 records, 3 runs) for a quick look; its ratios are rougher.
``SMCHECK_JOBS`` passes through to smcheck (``SMCHECK_JOBS=1`` times it on one core); ``--command`` times
another smcheck (``--command "python -m smcheck"`` with ``PYTHONPATH`` set, say).
Not a test: it prints the figures and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmark import EXAMPLE, smcheck_command  # the start-up benchmark beside this file

VERIFY_TARGET = 1.5
"""``verify FOLDER`` against the bare loop."""
QUIET_TARGET = 1.3
"""``verify --quiet`` and ``verify --jsonl`` against the bare loop."""
STATUS_TARGET = 1.5
"""``status`` and ``status --html`` against ``verify --quiet``."""
SCALE_TARGET = 11.0
"""Time at 10x the records against 1x."""
MEMORY_TARGET = 1.2
"""Peak memory at 10x the records against 1x."""

_BARE_CHECK = """
import base64, hashlib, struct, sys, tomllib
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def string(data, at):
    (n,) = struct.unpack(">I", data[at:at + 4])
    return data[at + 4:at + 4 + n], at + 4 + n

def pack(b):
    return struct.pack(">I", len(b)) + b

def check(data):
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
    Ed25519PublicKey.from_public_bytes(string(key, string(key, 0)[1])[0]).verify(raw, message)
"""
"""What the bare scripts do for one record: parse it with tomllib, check its one Ed25519 signature."""

BARE_LOOP = (
    _BARE_CHECK
    + """
from pathlib import Path

bad = 0
for path in sorted(Path(sys.argv[1]).glob("*.smcheck.toml")):
    try:
        check(path.read_bytes())
    except Exception:
        bad += 1
sys.exit(1 if bad else 0)
"""
)

FOLDER_TARGET = 0.8
"""Issue 19: ``verify FOLDER`` of 1,000 signed records against the bare single-core loop."""
ONE_TARGET = 3.5
"""Issue 19: ``verify ONE-RECORD`` against the bare one-record script, interpreter start-up included."""

BARE_ONE = (
    _BARE_CHECK
    + """
check(open(sys.argv[1], "rb").read())
"""
)
"""The bare one-record script: what verifying one signed record needs at the least, start-up included."""

PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL);"
    " print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)
"""The largest max RSS among the command and every process it waited for (its workers)."""


def make_records(folder: Path, count: int, key: Path) -> None:
    """``count`` signed records, each for a channel of its own, written straight from the API."""
    from cryptography.hazmat.primitives.serialization import load_ssh_private_key

    from smcheck import registry
    from smcheck.answers import apply_answers, load_answers_file
    from smcheck.layout import append_seal, read_layout, render
    from smcheck.outcome import evaluate
    from smcheck.record import build_record
    from smcheck.trust.signing import seal_record

    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    now = dt.datetime.now(dt.UTC)
    applied = apply_answers(checklist, load_answers_file(EXAMPLE), today=now.date())
    assert applied.signoff is not None and not applied.problems
    outcome = evaluate(checklist, applied.answers, today=now.date())
    private = load_ssh_private_key(key.read_bytes(), None)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        handle = f"essexhistory{number:05}"
        answers = {
            **applied.answers,
            "channel.handle": f"@{handle}",
            "channel.url": f"https://www.instagram.com/{handle}/",
        }
        record = build_record(checklist, answers, outcome, applied.signoff, now=now)
        data = render(record)
        data = append_seal(data, seal_record(private, read_layout(data)[0]))  # type: ignore[arg-type]
        (folder / f"r{number:05}.smcheck.toml").write_bytes(data)


def run(command: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """Wall time of one run, its standard output read from a pipe (as a reviewer's ``| less`` would)."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    if result.returncode not in ok:
        raise SystemExit(
            f"{' '.join(command[:4])}... exited {result.returncode}: {result.stderr.decode()[:400]}"
        )
    return elapsed


def run_cpu(command: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user and system, the command's and every process it waited for) of one
    run, its standard output read from a pipe."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = run(command)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def speed(
    folder: Path, record: Path, trust: Path, loop: Path, smcheck: list[str], runs: int
) -> list[str]:
    """Issue 19's two figures, side by side: print them; return the names of those over target."""
    verify = [*smcheck, "verify", "--allowed-signers", str(trust), "--require", "signed"]
    commands = {
        "bare loop": [sys.executable, str(loop), str(folder)],
        "verify FOLDER": [*verify, str(folder)],
        "bare one": [sys.executable, "-c", BARE_ONE, str(record)],
        "verify ONE": [*verify, str(record)],
    }
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for round_ in range(runs + 1):  # one warm-up round first, not counted
        for name, command in commands.items():
            seconds, used = run_cpu(command)
            if round_:
                times[name][0].append(seconds)
                times[name][1].append(used)
    wall = {name: statistics.median(w) for name, (w, _) in times.items()}
    cpu = {name: statistics.median(c) for name, (_, c) in times.items()}
    records = len(list(folder.glob("*.smcheck.toml")))
    print(f"\nIssue 19, point 7 (medians of {runs} interleaved runs; wall time, then CPU time):")
    missed = []
    for name, bare, target in (
        ("verify FOLDER", "bare loop", FOLDER_TARGET),
        ("verify ONE", "bare one", ONE_TARGET),
    ):
        ratio = wall[name] / wall[bare]
        what = f"{records:,} records" if name == "verify FOLDER" else "1 record"
        print(
            f"  {name:<14}{wall[name] * 1000:8.0f} ms against {bare} {wall[bare] * 1000:6.0f} ms"
            f" ({what})  {verdict(ratio, target)}"
        )
        print(
            f"  {'':<14}{cpu[name] * 1000:8.0f} ms CPU against {cpu[bare] * 1000:6.0f} ms CPU"
            f"{'':>{len(what) + 3}}  {cpu[name] / cpu[bare]:6.2f}x"
        )
        if ratio > target:
            missed.append(name)
    return missed


def compile_bytecode() -> None:
    """Compile smcheck's modules, as ``pip install`` does, so that no run pays for compiling them."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("smcheck")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def peak_kib(command: list[str]) -> int:
    out = subprocess.run(
        [sys.executable, "-c", PEAK, *command], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip())


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Each command's median wall time over ``runs`` rounds (one warm-up round first, not counted)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, command in commands.items():
            elapsed = run(command)
            if round_:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def commands_for(
    folder: Path, trust: Path, page: Path, loop: Path, smcheck: list[str]
) -> dict[str, list[str]]:
    verify = [*smcheck, "verify", "--allowed-signers", str(trust), "--require", "signed"]
    status = [*smcheck, "status", "--allowed-signers", str(trust)]
    return {
        "bare loop": [sys.executable, str(loop), str(folder)],
        "verify": [*verify, str(folder)],
        # Named by their old flags (the README's tables use these names); run with --format.
        "verify --quiet": [*verify, "--format", "quiet", str(folder)],
        "verify --jsonl": [*verify, "--format", "jsonl", str(folder)],
        "status": [*status, str(folder)],
        "status --html": [*status, "--html", str(page), "--force", str(folder)],
    }


def verdict(ratio: float, target: float) -> str:
    return f"{ratio:6.2f}x  target <= {target}x  {'ok' if ratio <= target else 'OVER'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 and 3,000 records, 3 runs")
    parser.add_argument(
        "--speed", action="store_true", help="only issue 19's figures: one folder, one record"
    )
    parser.add_argument("--records", type=int, default=None, help="default 1000")
    parser.add_argument(
        "--large", type=int, default=None, help="default 10x --records; 0 skips the scaling figures"
    )
    parser.add_argument("--runs", type=int, default=None, help="default 5 (3 with --quick)")
    parser.add_argument(
        "--command",
        default=None,
        help="the smcheck to time, as a shell-quoted command (default: the installed console script)",
    )
    args = parser.parse_args()
    records = args.records or (300 if args.quick else 1000)
    large = 10 * records if args.large is None else args.large
    if args.speed:
        large = 0
    runs = args.runs or (3 if args.quick else 5)
    import shlex

    smcheck = shlex.split(args.command) if args.command else smcheck_command()
    from smcheck.trust.keys import generate_key_pair

    missed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        key = work / "key"
        public = generate_key_pair(key, passphrase=None, comment="bench")
        trust = work / "allowed_signers"
        trust.write_text(f'h.marsh@essex.ac.uk namespaces="smcheck-record" {public.openssh()}\n')
        small, big = work / "small", work / "large"
        started = time.perf_counter()
        make_records(small, records, key)
        if large:
            make_records(big, large, key)
        made = time.perf_counter() - started
        print(f"made {records:,} + {large:,} signed records of distinct channels in {made:.1f} s")
        loop = work / "bare_loop.py"
        loop.write_text(BARE_LOOP)
        page = work / "register.html"
        jobs = os.environ.get("SMCHECK_JOBS")
        print(
            f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
            f"{f', SMCHECK_JOBS={jobs}' if jobs else ''}; medians of {runs} interleaved runs"
        )

        compile_bytecode()
        missed += speed(small, small / "r00000.smcheck.toml", trust, loop, smcheck, runs)
        if args.speed:
            print("\nall targets met" if not missed else f"\nmissed: {', '.join(missed)}")
            return 1 if missed else 0

        at_small = commands_for(small, trust, page, loop, smcheck)
        times = medians(at_small, runs)
        bare = times["bare loop"]
        print(f"\n{records:,} records:")
        for name, seconds in times.items():
            print(f"  {name:<16}{seconds:7.2f} s", end="")
            if name in ("verify", "verify --quiet", "verify --jsonl"):
                target = VERIFY_TARGET if name == "verify" else QUIET_TARGET
                print(f"   {verdict(seconds / bare, target)}   (against the bare loop)")
                if seconds / bare > target:
                    missed.append(name)
            elif name.startswith("status"):
                ratio = seconds / times["verify --quiet"]
                print(f"   {verdict(ratio, STATUS_TARGET)}   (against verify --quiet)")
                if ratio > STATUS_TARGET:
                    missed.append(name)
            else:
                print()

        scaled = ("verify --quiet", "status") if large else ()
        at_large = commands_for(big, trust, page, loop, smcheck)
        both = {
            f"{name} {n}": at[name] for name in scaled for n, at in ((1, at_small), (10, at_large))
        }
        scale_times = medians(both, max(3, runs // 2)) if large else {}
        if large:
            print(f"\n{large:,} records against {records:,} (time, then peak memory):")
        for name in scaled:
            one, ten = scale_times[f"{name} 1"], scale_times[f"{name} 10"]
            print(
                f"  {name:<16}{ten:7.2f} s against {one:5.2f} s  {verdict(ten / one, SCALE_TARGET)}"
            )
            if ten / one > SCALE_TARGET:
                missed.append(f"{name} time at {large:,}")
        for name in scaled:
            one_kib = statistics.median(peak_kib(at_small[name]) for _ in range(3))
            ten_kib = statistics.median(peak_kib(at_large[name]) for _ in range(3))
            print(
                f"  {name:<16}{ten_kib / 1024:7.1f} MiB against {one_kib / 1024:5.1f} MiB"
                f"  {verdict(ten_kib / one_kib, MEMORY_TARGET)}"
            )
            if ten_kib / one_kib > MEMORY_TARGET:
                missed.append(f"{name} memory at {large:,}")

    print("\nall targets met" if not missed else f"\nmissed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
