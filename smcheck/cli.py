"""The command line. Each command parses its options, calls one ``run`` function, returns its exit code.

Only typer and the standard library are imported at start-up: every command imports what it needs when it
runs, so ``smcheck --help`` and ``smcheck verify`` never pay for questionary or prompt_toolkit.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from smcheck import __version__

app = typer.Typer(
    name="smcheck",
    help="Check a proposed official social media channel against the University's policy.\n\n"
    "Proposers run `smcheck new`; reviewers run `smcheck verify` on the records they receive.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
checklist_app = typer.Typer(
    help="List, show, lint and template checklists.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(checklist_app, name="checklist")
drafts_app = typer.Typer(
    help="Your unfinished interviews: list them, or discard one.",
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(drafts_app, name="drafts")

# Options several commands share: defined once, with one help text (pre-commit's habit).
AllowedSigners = Annotated[
    Path | None,
    typer.Option(
        "--allowed-signers",
        help="Your trust file (an OpenSSH allowed_signers file: who may act in which role)."
        " Default: $SMCHECK_ALLOWED_SIGNERS, then the config file.",
    ),
]
Plain = Annotated[
    bool,
    typer.Option(
        "--plain",
        help="Ask line by line, for screen readers and braille displays: no cursor movement, no"
        " colour; choices answered by number. Also on with SMCHECK_PLAIN=1, ACCESSIBLE=1 or TERM=dumb.",
    ),
]
Revoked = Annotated[
    Path | None,
    typer.Option(
        "--revoked", help="Revoked public keys, one per line. Default: the config file's."
    ),
]


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"smcheck {__version__}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Check a proposed official social media channel against the University's policy."""


@app.command()
def new(
    draft: Annotated[
        Path | None,
        typer.Argument(help="With --resume: the draft to continue (default: the latest)."),
    ] = None,
    checklist: Annotated[
        str | None,
        typer.Option(
            "--checklist", "-c", help="Checklist id or file (default: essex-social-media)."
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            help="Answer from this file instead of prompts (a record works too; - reads standard"
            " input).",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the record.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite --output if it exists.")
    ] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue a saved draft.")] = False,
    agree: Annotated[
        bool, typer.Option("--agree", help="With --answers: make the sign-off declaration.")
    ] = False,
    sign_with: Annotated[
        Path | None,
        typer.Option("--sign-with", help="Sign the record with this Ed25519 key (OpenSSH format)."),
    ] = None,
    plain: Plain = False,
) -> None:
    """Answer the checklist and sign off: writes a record to attach to your proposal."""
    from smcheck.commands import new as command

    _run(
        command.run,
        checklist_ref=checklist,
        answers=answers,
        output=output,
        force=force,
        resume=resume,
        draft=draft,
        agree=agree,
        sign_with=sign_with,
        plain=plain,
    )


@app.command()
def verify(
    records: Annotated[
        list[Path], typer.Argument(help="Record files, or folders searched for *.smcheck.toml.")
    ],
    checklist: Annotated[
        str | None,
        typer.Option(
            "--checklist",
            "-c",
            help="Check against this checklist file instead of the shipped one.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per record.")] = False,
    as_jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Stream one JSON line per record as it is checked.")
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print only invalid records, one line each (for scripts)."
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose",
            "-v",
            help="With several records, print every record's checks, not only those that fail or"
            " warn.",
        ),
    ] = False,
    allowed_signers: AllowedSigners = None,
    require: Annotated[
        str | None,
        typer.Option("--require", help="Fail records that are not 'signed', or not 'approved'."),
    ] = None,
    revoked: Revoked = None,
) -> None:
    """Check records: well-formed, answered, outcome, sign-off, integrity, signatures, review date."""
    from smcheck.commands import verify as command

    _run(
        command.run,
        records,
        checklist_ref=checklist,
        as_json=as_json,
        as_jsonl=as_jsonl,
        quiet=quiet,
        verbose=verbose,
        allowed_signers=allowed_signers,
        require=require,
        revoked=revoked,
    )


@app.command()
def keygen(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the key (and KEY.pub).")
    ] = None,
    passphrase: Annotated[
        bool, typer.Option("--passphrase", help="Protect the key with a passphrase (asked twice).")
    ] = False,
    email: Annotated[
        str | None,
        typer.Option("--email", help="Your email: the name the reviewer trusts the key under."),
    ] = None,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="The role the printed trust line grants: proposer, reviewer, or a co-signer's role"
            " from the checklist (advancement-office).",
        ),
    ] = "proposer",
) -> None:
    """Make an Ed25519 signing key; print the line to send to the reviewer."""
    from smcheck.commands import keygen as command

    _run(command.run, output, passphrase=passphrase, email=email, role=role)


@app.command()
def sign(
    record: Annotated[Path, typer.Argument(help="The record to sign.")],
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            "-k",
            help="Your Ed25519 key: the private key, or KEY.pub when ssh-agent holds the key.",
        ),
    ] = None,
    signature: Annotated[
        Path | None,
        typer.Option(
            "--signature",
            help="Attach this signature instead, made with ssh-keygen -Y sign -n smcheck-record"
            " over the output of smcheck show RECORD --signed-bytes.",
        ),
    ] = None,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Sign a record that was made without a key, or attach a signature made with ssh-keygen."""
    from smcheck.commands import sign as command

    _run(
        command.run,
        record,
        key_path=key,
        signature_path=signature,
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@app.command()
def approve(
    record: Annotated[Path, typer.Argument(help="The record to approve or reject.")],
    key: Annotated[Path | None, typer.Option("--key", "-k", help="Your Ed25519 key.")] = None,
    decision: Annotated[str, typer.Option("--decision", help="approved or rejected.")] = "approved",
    comment: Annotated[
        str, typer.Option("--comment", help="A comment bound into the approval.")
    ] = "",
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="reviewer, or a co-signer's role from the checklist (advancement-office).",
        ),
    ] = "reviewer",
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Countersign a record that verifies: the decision, you, the time and a comment."""
    from smcheck.commands import approve as command

    _run(
        command.run,
        record,
        key_path=key,
        decision=decision,
        comment=comment,
        role=role,
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@app.command()
def show(
    record: Annotated[Path, typer.Argument(help="The record to show.")],
    signed_bytes: Annotated[
        bool,
        typer.Option(
            "--signed-bytes", help="Write the exact bytes the proposer's signature covers."
        ),
    ] = False,
    signature: Annotated[
        str | None,
        typer.Option("--signature", help="Write ROLE's signature in OpenSSH's armoured form."),
    ] = None,
    statement: Annotated[
        str | None,
        typer.Option("--statement", help="Write the statement ROLE signed (the bytes it covers)."),
    ] = None,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Show a record for a person, or the bytes and signatures for ssh-keygen -Y verify."""
    from smcheck.commands import show as command

    _run(
        command.run,
        record,
        signed_bytes=signed_bytes,
        signature=signature,
        statement=statement,
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@app.command()
def renew(
    record: Annotated[Path, typer.Argument(help="The record to renew (it is not changed).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Where to write the new record.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite --output if it exists.")
    ] = False,
    sign_with: Annotated[
        Path | None, typer.Option("--sign-with", help="Sign the new record with this key.")
    ] = None,
    plain: Plain = False,
) -> None:
    """Re-review a channel: a new interview filled in from an old record."""
    from smcheck.commands import renew as command

    _run(command.run, record, output=output, force=force, sign_with=sign_with, plain=plain)


@app.command()
def export(
    record: Annotated[Path, typer.Argument(help="The record to export.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md or html.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of to stdout.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite --output if it exists.")
    ] = False,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """A readable document of a record, to attach to the proposal (Markdown or HTML)."""
    from smcheck.commands import export as command

    _run(
        command.run,
        record,
        fmt=fmt,
        output=output,
        force=force,
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@app.command()
def status(
    paths: Annotated[
        list[Path], typer.Argument(help="Folders (or files) holding the register's records.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write the register as one HTML page.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --html file.")] = False,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """The register: one row per channel, most urgent first, with counts."""
    from smcheck.commands import status as command

    _run(
        command.run,
        paths,
        as_json=as_json,
        html=html,
        force=force,
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@app.command()
def schema(
    kind: Annotated[str, typer.Argument(help="checklist or record.")],
    checklist: Annotated[
        str, typer.Option("--checklist", "-c", help="For record: the checklist its answers follow.")
    ] = "essex-social-media",
) -> None:
    """JSON Schema of checklists or records, for editors that validate TOML as you type."""
    from smcheck.commands import schema as command

    _run(command.run, kind, checklist_ref=checklist)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier record.")],
    new: Annotated[Path, typer.Argument(help="The later record (a resubmission).")],
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """What changed between two records of one channel: answers, outcome, signatures."""
    from smcheck.commands import diff as command

    _run(command.run, old, new, as_json=as_json, allowed_signers=allowed_signers, revoked=revoked)


@checklist_app.command("list")
def checklist_list(
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
) -> None:
    """List the checklists smcheck ships."""
    from smcheck.commands import checklist as command

    _run(command.run_list, as_json=as_json)


@checklist_app.command("show")
def checklist_show(
    checklist: Annotated[str, typer.Argument(help="Checklist id or file.")],
    as_json: Annotated[bool, typer.Option("--json", help="As JSON.")] = False,
) -> None:
    """Show every question: id, type, choices, condition, clauses and rules."""
    from smcheck.commands import checklist as command

    _run(command.run_show, checklist, as_json=as_json)


@checklist_app.command("lint")
def checklist_lint(
    path: Annotated[Path, typer.Argument(help="The checklist file to check.")],
) -> None:
    """Check a checklist file you are writing; every problem names its place."""
    from smcheck.commands import checklist as command

    _run(command.run_lint, path)


@checklist_app.command("template")
def checklist_template(
    checklist: Annotated[str, typer.Argument(help="Checklist id or file.")] = "essex-social-media",
) -> None:
    """Print a commented answers file to fill in, for `smcheck new --answers`."""
    from smcheck.commands import checklist as command

    _run(command.run_template, checklist)


def _run(function: Callable[..., int], *args: Any, **kwargs: Any) -> None:
    """Call a command's ``run``; turn its exit code, and any known failure, into typer's exit.

    A known failure prints one line and its hint, never a traceback; Ctrl-C in the interview says where
    the draft is. typer itself handles usage errors (exit 2), other Ctrl-C (exit 130) and a closed pipe.
    """
    from smcheck import console
    from smcheck.errors import Interrupted, SmcheckError

    try:
        code = function(*args, **kwargs)
    except Interrupted as exc:
        console.say(f"\n{exc.message}", style="bold yellow")
        if exc.hint:
            console.say(f"  {exc.hint}", style="yellow")
        raise typer.Exit(exc.exit_code) from None
    except SmcheckError as exc:
        console.error(exc.message, exc.hint, exc.details)
        raise typer.Exit(exc.exit_code) from None
    if code:
        raise typer.Exit(code)


def main() -> None:
    """Entry point. A bug (any unexpected exception) prints one line and exits 3."""
    try:
        app()
    except Exception as exc:
        if os.environ.get("SMCHECK_DEBUG"):
            raise
        sys.stderr.write(
            f"smcheck: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in smcheck; run again with SMCHECK_DEBUG=1 for the details and report it\n"
        )
        sys.exit(3)


@drafts_app.callback()
def drafts(ctx: typer.Context) -> None:
    """Your unfinished interviews (drafts): where each stands and how to continue it.

    With no command, lists them: smcheck drafts
    """
    if ctx.invoked_subcommand is None:
        from smcheck.commands import drafts as command

        _run(command.list_run)


@drafts_app.command("list")
def drafts_list() -> None:
    """List your drafts, the most recently saved first."""
    from smcheck.commands import drafts as command

    _run(command.list_run)


@drafts_app.command("discard")
def drafts_discard(
    draft: Annotated[
        Path, typer.Argument(help="The draft to remove (its path, or its file name as listed).")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Remove a draft, after asking."""
    from smcheck.commands import drafts as command

    _run(command.discard_run, draft, yes=yes)
