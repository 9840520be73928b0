"""Benchmarks: smcheck's start-up against a bare typer app, and the length of the interview.

    python tests/benchmark.py [--runs N] [--interview-only]

Start-up: the median wall time of ``--help`` and of ``verify RECORD`` for both, and the ratio (target: at
most 1.2x). Runs are interleaved so that a busy machine slows both sides alike. Run it with the installed
package (``pip install .``): pip compiles bytecode on install; an editable install of smcheck does not,
which makes smcheck look slower than it is.

The interview: the shipped example (checklists/examples) typed into ``smcheck new`` in a real terminal,
full-screen and ``--plain``, as a person answers it: the prompts answered (questions, the review's menu
and the sign-off) and the words on screen from the first line to the last (what was typed included),
against the targets of at most 35 prompts and 3,500 words. Full-screen prompts redraw as they are
answered; its words are counted once per line drawn (a line redrawn unchanged is not counted again).

Not a test: it prints figures and exits 0, or 1 when a figure is over its target.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

TARGET = 1.2
EXAMPLE = (
    Path(__file__).resolve().parent.parent
    / "checklists"
    / "examples"
    / "essex-history-instagram.answers.toml"
)

# The same commands and options as smcheck's, doing nothing: what typer alone costs.
BARE_APP = textwrap.dedent(
    '''
    from pathlib import Path
    from typing import Annotated, Optional

    import typer

    app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None)
    checklist_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(checklist_app, name="checklist")


    @app.command()
    def new(
        draft: Annotated[Optional[Path], typer.Argument()] = None,
        checklist: Annotated[Optional[str], typer.Option("--checklist", "-c")] = None,
        answers: Annotated[Optional[Path], typer.Option("--answers", "-a")] = None,
        output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
        force: bool = False,
        resume: bool = False,
        agree: bool = False,
        sign_with: Annotated[Optional[Path], typer.Option("--sign-with")] = None,
    ) -> None:
        """New."""


    @app.command()
    def verify(
        records: Annotated[list[Path], typer.Argument()],
        checklist: Annotated[Optional[str], typer.Option("--checklist", "-c")] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
        as_jsonl: Annotated[bool, typer.Option("--jsonl")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
        allowed_signers: Annotated[Optional[Path], typer.Option("--allowed-signers")] = None,
        require: Annotated[Optional[str], typer.Option("--require")] = None,
        revoked: Annotated[Optional[Path], typer.Option("--revoked")] = None,
    ) -> None:
        """Verify."""


    @app.command()
    def keygen(
        output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
        passphrase: bool = False,
        email: Annotated[Optional[str], typer.Option("--email")] = None,
    ) -> None:
        """Keygen."""


    @app.command()
    def sign(record: Path, key: Annotated[Optional[Path], typer.Option("--key", "-k")] = None) -> None:
        """Sign."""


    @app.command()
    def approve(
        record: Path,
        key: Annotated[Optional[Path], typer.Option("--key", "-k")] = None,
        decision: str = "approved",
        comment: str = "",
        role: str = "reviewer",
        allowed_signers: Annotated[Optional[Path], typer.Option("--allowed-signers")] = None,
        revoked: Annotated[Optional[Path], typer.Option("--revoked")] = None,
    ) -> None:
        """Approve."""


    @app.command()
    def show(
        record: Path,
        signed_bytes: bool = False,
        signature: Annotated[Optional[str], typer.Option("--signature")] = None,
        statement: Annotated[Optional[str], typer.Option("--statement")] = None,
    ) -> None:
        """Show."""


    @app.command()
    def renew(
        record: Path,
        output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
        force: bool = False,
        sign_with: Annotated[Optional[Path], typer.Option("--sign-with")] = None,
    ) -> None:
        """Renew."""


    @app.command()
    def export(
        record: Path,
        fmt: Annotated[str, typer.Option("--format", "-f")] = "md",
        output: Annotated[Optional[Path], typer.Option("--output", "-o")] = None,
        force: bool = False,
        allowed_signers: Annotated[Optional[Path], typer.Option("--allowed-signers")] = None,
    ) -> None:
        """Export."""


    @app.command()
    def status(
        paths: Annotated[list[Path], typer.Argument()],
        as_json: Annotated[bool, typer.Option("--json")] = False,
        html: Annotated[Optional[Path], typer.Option("--html")] = None,
        force: bool = False,
        allowed_signers: Annotated[Optional[Path], typer.Option("--allowed-signers")] = None,
    ) -> None:
        """Status."""


    @app.command()
    def schema(
        kind: str, checklist: Annotated[str, typer.Option("--checklist", "-c")] = "essex-social-media"
    ) -> None:
        """Schema."""


    @app.command()
    def diff(old: Path, new: Path, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Diff."""


    @checklist_app.command("list")
    def checklist_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """List."""


    @checklist_app.command("show")
    def checklist_show(checklist: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Show."""


    @checklist_app.command("lint")
    def checklist_lint(path: Path) -> None:
        """Lint."""


    @checklist_app.command("template")
    def checklist_template(checklist: str = "essex-social-media") -> None:
        """Template."""


    if __name__ == "__main__":
        app()
    '''
)


def smcheck_command() -> list[str]:
    """The installed console script (what users run), else ``python -m smcheck``."""
    script = Path(sys.executable).parent / "smcheck"
    if script.exists():
        return [str(script)]
    found = shutil.which("smcheck")
    return [found] if found else [sys.executable, "-m", "smcheck"]


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {result.returncode}")
    return elapsed


def on_screen(drawn: str) -> str:
    """What a terminal shows of ``drawn`` (its output, escape sequences and all), from the first line
    to the last, scrolled-off lines included: a prompt redrawn as it is typed counts once, as shown."""
    import pyte
    from helpers.terminal import COLUMNS, ROWS

    screen = pyte.HistoryScreen(COLUMNS, ROWS, history=100_000)
    pyte.Stream(screen).feed(drawn)
    top = ["".join(line[x].data for x in range(COLUMNS)) for line in screen.history.top]
    return "\n".join([*top, *screen.display])


def interview_lengths() -> bool:
    """Run the shipped example through ``smcheck new`` in a terminal, full-screen and plain; print the
    prompts and words of each; True when both are within the targets."""
    import datetime as dt
    import os

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pexpect
    from helpers.interview_length import (
        PROMPTS_TARGET,
        WORDS_TARGET,
        measure,
        run_in_terminal,
        typed,
    )
    from helpers.terminal import ENTER, start_terminal

    from smcheck import registry
    from smcheck.answers import apply_answers, load_answers_file

    essex = registry.shipped_by_id("essex-social-media")
    file = load_answers_file(EXAMPLE)
    today = dt.datetime.now(dt.UTC).date()
    applied = apply_answers(essex, file, today=today)
    signoff = {k: str(v) for k, v in file.signoff.items()}
    asked = measure(essex, applied.answers, signoff, today=today).positions
    figures: dict[str, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")},
            "PROMPT_TOOLKIT_NO_CPR": "1",
            "NO_COLOR": "1",
            "TERM": "xterm",
            "SMCHECK_DRAFTS": str(work / "drafts"),
            "HOME": str(work),
        }
        term = start_terminal(["new", "--plain", "--output", "p.smcheck.toml"], env=env, cwd=work)
        run = run_in_terminal(term, essex, applied.answers, signoff)
        figures["plain"] = (run.prompts, run.words)

        # Full-screen: each question recognised by its prompt, answered with the keys a person uses.
        term = start_terminal(["new", "--output", "f.smcheck.toml"], env=env, cwd=work)
        keys: dict[str, str] = {}
        for qid in asked:
            question = essex.question(qid)
            assert question is not None
            text = typed(question, applied.answers.get(qid))
            keys[question.prompt] = text.replace(",", "") + ENTER
        keys["What next?"] = ENTER
        keys["the channel's designated administrator?"] = "yes" + ENTER
        keys["Your role"] = "\x15" + signoff["role"] + ENTER  # Ctrl-U clears the offered one
        keys["Your department"] = "\x15" + signoff["department"] + ENTER
        keys["Do you make this declaration?"] = "yes" + ENTER
        patterns = [*keys, pexpect.EOF]
        done: set[str] = set()
        while (index := term.child.expect_exact(patterns, timeout=30)) < len(keys):
            prompt = list(keys)[index]
            if prompt in done:
                continue
            done.add(prompt)
            term.child.send(keys[prompt])
        figures["full-screen"] = (len(done), len(on_screen(term.log.getvalue()).split()))

    print(f"The shipped example ({EXAMPLE.name}), typed into smcheck new in a terminal:")
    print(
        f"{'mode':<14}{'prompts':>8}{'words':>8}   target <= {PROMPTS_TARGET} prompts, {WORDS_TARGET} words"
    )
    fine = True
    for mode, (prompts, words) in figures.items():
        ok = prompts <= PROMPTS_TARGET and words <= WORDS_TARGET
        fine = fine and ok
        print(f"{mode:<14}{prompts:>8}{words:>8}   {'ok' if ok else 'OVER'}")
    return fine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (default 15)")
    parser.add_argument(
        "--interview-only", action="store_true", help="only the interview's length, no timing"
    )
    args = parser.parse_args()
    short = interview_lengths()
    if args.interview_only:
        return 0 if short else 1

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bare = work / "bare_app.py"
        bare.write_text(BARE_APP)
        smcheck = smcheck_command()
        made = subprocess.run(
            [*smcheck, "new", "--answers", str(EXAMPLE), "--output", "r.smcheck.toml"],
            cwd=work,
            capture_output=True,
            check=False,
        )
        if made.returncode != 0:
            raise SystemExit(made.stderr.decode())
        record = str(work / "r.smcheck.toml")
        cases = {
            "--help": (["--help"], ["--help"]),
            "verify RECORD": (["verify", record], ["verify", record]),
        }
        # One warm-up of each, so the first run's disk cache misses count for neither side.
        for mine, theirs in cases.values():
            timed([*smcheck, *mine], work)
            timed([sys.executable, str(bare), *theirs], work)
        times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in cases}
        for _ in range(args.runs):
            for name, (mine, theirs) in cases.items():
                times[name][0].append(timed([*smcheck, *mine], work))
                times[name][1].append(timed([sys.executable, str(bare), *theirs], work))

    print(f"Median of {args.runs} runs each, interleaved (Python {sys.version.split()[0]}):")
    print(f"{'command':<16}{'smcheck':>10}{'bare typer':>12}{'ratio':>8}   target <= {TARGET}x")
    worst = 0.0
    for name, (mine_times, bare_times) in times.items():
        mine_ms = statistics.median(mine_times) * 1000
        bare_ms = statistics.median(bare_times) * 1000
        ratio = mine_ms / bare_ms
        worst = max(worst, ratio)
        print(
            f"{name:<16}{mine_ms:>8.0f}ms{bare_ms:>10.0f}ms{ratio:>7.2f}x   {'ok' if ratio <= TARGET else 'OVER'}"
        )
    return 0 if worst <= TARGET and short else 1


if __name__ == "__main__":
    sys.exit(main())
