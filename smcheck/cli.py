"""The command line. Each command parses its options, calls one ``run`` function, returns its exit code.

Only typer and the standard library are imported at start-up: every command imports what it needs when it
runs, so ``smcheck --help`` and ``smcheck verify`` never pay for questionary or prompt_toolkit.

Help is written for people: arguments and values are named as words (``RECORD...``, ``KEY``), choices
are :mod:`smcheck.choices` enums the parser checks (exit 2) and completion offers, and each command's
help ends with the environment it reads and real examples. ``smcheck.manpage`` writes the man page
from the same definitions.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer import _click
from typer.core import TyperCommand, TyperGroup

from smcheck import __version__
from smcheck.choices import (
    Decision,
    ExportFormat,
    Require,
    SchemaKind,
    StatusFormat,
    TextFormat,
    VerifyFormat,
    aliases,
    complete_any_role,
    complete_approver_role,
    complete_checklist,
    one_of,
    or_list,
)
from smcheck.errorhandler import error_handler

ENVIRONMENT: dict[str, tuple[str, str]] = {
    "SMCHECK_ALLOWED_SIGNERS": (
        "the trust file, if no --allowed-signers is given",
        "The reviewer's trust file (an OpenSSH allowed_signers file), when --allowed-signers is not"
        " given; the config file's [verify] allowed_signers comes after it.",
    ),
    "SMCHECK_CONFIG": (
        "the config file (signing key, trust files)",
        "The config file, instead of config.toml in the user's config folder (~/.config/smcheck/ on"
        " Linux): [signing] key, [verify] allowed_signers and revoked.",
    ),
    "SMCHECK_DRAFTS": (
        "the folder drafts are saved in",
        "The folder unfinished interviews (drafts) are saved in, instead of the user's data folder.",
    ),
    "SMCHECK_PLAIN": (
        "1: ask line by line, as --plain; 0: never",
        "1 (or any value but 0, false, no, off) asks line by line, as --plain does; 0 turns plain"
        " mode off, even under ACCESSIBLE=1 or TERM=dumb.",
    ),
    "ACCESSIBLE": (
        "1: ask line by line, as --plain (so does TERM=dumb)",
        "1 asks line by line, as --plain does (TERM=dumb too), unless SMCHECK_PLAIN says otherwise.",
    ),
    "SSH_AUTH_SOCK": (
        "the ssh-agent holding your key (KEY.pub)",
        "The ssh-agent that holds your signing key: give the key's .pub and nothing is asked.",
    ),
    "NO_COLOR": ("set: no colour", "Set to anything: no colour, in smcheck and in the prompts."),
    "SMCHECK_DEBUG": (
        "set: a bug shows its traceback",
        "Set to anything: an internal error (exit 3) shows its traceback instead of one line.",
    ),
}
"""Every environment variable smcheck reads: a short text for ``--help``, a longer one for the man page."""

COMMON = ("NO_COLOR", "SMCHECK_DEBUG")
TRUST = ("SMCHECK_ALLOWED_SIGNERS", "SMCHECK_CONFIG", *COMMON)
ASKING = (
    "SMCHECK_PLAIN",
    "ACCESSIBLE",
    "SMCHECK_DRAFTS",
    "SMCHECK_CONFIG",
    "SSH_AUTH_SOCK",
    *COMMON,
)
SIGNING = ("SMCHECK_ALLOWED_SIGNERS", "SMCHECK_CONFIG", "SSH_AUTH_SOCK", *COMMON)
DRAFTS = ("SMCHECK_DRAFTS", *COMMON)

EXAMPLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
"""Each command's examples and environment, by command path (``verify``, ``checklist lint``)."""


def _doc(path: str, examples: Sequence[str], environment: Sequence[str] = COMMON) -> str:
    """A command's epilog: the environment it reads, then its examples, each on a line of its own
    (``\\b`` keeps click from rewrapping a paragraph). Kept in :data:`EXAMPLES` for the man page."""
    EXAMPLES[path] = (tuple(examples), tuple(environment))
    width = max(len(name) for name in environment)
    lines = ["\b", "Environment:"]
    lines += [f"  {name:<{width}}  {ENVIRONMENT[name][0]}" for name in environment]
    lines += ["", "\b", "Examples:" if len(examples) > 1 else "Example:"]
    lines += [f"  {example}" for example in examples]
    return "\n".join(lines)


class Program(TyperGroup):
    """The root command: every run, from the console script or from a test's runner, goes through the
    one error handler (:func:`smcheck.errorhandler.error_handler`), whatever part of it fails."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with error_handler():
            result = super().main(*args, **kwargs)
        return result


class Command(TyperCommand):
    """A typer command whose arguments read as words in the usage line and the help, as options do.

    typer shows an argument by its Python name and type (``{records}...``, ``records... <list[Path]>``);
    here it is its metavar (``RECORD...``), in brackets when it may be left out (``[DRAFT]``)."""

    def collect_usage_pieces(self, ctx: _click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                word = argument_word(param)
                pieces.append(word if param.required else f"[{word}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_options(self, ctx: _click.Context, formatter: _click.HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        options: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":
                arguments.append((argument_word(param), record[1]))
            else:
                options.append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        if options:
            with formatter.section("Options"):
                formatter.write_dl(options)


def argument_word(param: _click.Parameter) -> str:
    """An argument as a word: its metavar (else its name in capitals), with ``...`` when it repeats."""
    word = param.metavar or (param.name or "ARG").upper()
    return f"{word}..." if param.nargs != 1 else word


app = typer.Typer(
    name="smcheck",
    help="Check a proposed official social media channel against the University's policy.\n\n"
    "Proposers run `smcheck new`; reviewers run `smcheck verify` on the records they receive."
    " Each command's --help says more.",
    epilog=_doc(
        "",
        ["smcheck new", "smcheck verify channel.smcheck.toml"],
    ),
    cls=Program,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
checklist_app = typer.Typer(
    help="List, show, lint and template checklists.",
    epilog=_doc(
        "checklist",
        ["smcheck checklist list", "smcheck checklist lint my-checklist.toml"],
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(checklist_app, name="checklist")
drafts_app = typer.Typer(
    help="Your unfinished interviews: list them, or discard one.",
    epilog=_doc("drafts", ["smcheck drafts", "smcheck new --resume"], DRAFTS),
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(drafts_app, name="drafts")
TRUSTING = ("SMCHECK_ALLOWED_SIGNERS", "SMCHECK_CONFIG", *COMMON)
trust_app = typer.Typer(
    help="Keep the trust file: check what it grants, add a proposer.",
    epilog=_doc(
        "trust",
        [
            "smcheck trust check --allowed-signers allowed_signers",
            "smcheck trust add r.smcheck.toml",
        ],
        TRUSTING,
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(trust_app, name="trust")

# Options several commands share: defined once, with one help text (pre-commit's habit).
AllowedSigners = Annotated[
    Path | None,
    typer.Option(
        "--allowed-signers",
        metavar="FILE",
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
RecordOutput = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Where to write the new record (default: a name made from the channel and the date).",
    ),
]
Output = Annotated[
    Path | None,
    typer.Option(
        "--output", "-o", metavar="FILE", help="Write here instead of to standard output."
    ),
]
Force = Annotated[
    bool, typer.Option("--force", help="Overwrite --output if it exists (never without --force).")
]
AsText = Annotated[
    TextFormat | None,
    typer.Option(
        "--format",
        "-f",
        metavar=one_of(TextFormat),
        help="text (for people; the default) or json (for scripts).",
    ),
]
JsonAlias = Annotated[
    bool, typer.Option("--json", hidden=True, help="As --format json (deprecated).")
]
Revoked = Annotated[
    Path | None,
    typer.Option(
        "--revoked",
        metavar="FILE",
        help="Revoked keys: public key lines, or an OpenSSH KRL (ssh-keygen -k), which also revokes"
        " certificates by serial or key id. Default: the config file's.",
    ),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


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


@app.command(
    cls=Command,
    epilog=_doc(
        "new",
        [
            "smcheck new --sign-with ~/.ssh/id_ed25519",
            "smcheck new --answers channel.answers.toml --agree",
        ],
        ASKING,
    ),
)
def new(
    draft: Annotated[
        Path | None,
        typer.Argument(
            metavar="DRAFT", help="With --resume: the draft to continue (default: the latest)."
        ),
    ] = None,
    checklist: Annotated[
        str | None,
        typer.Option(
            "--checklist",
            "-c",
            metavar="ID|FILE",
            help="Checklist id or file (default: essex-social-media).",
            autocompletion=complete_checklist,
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            "-a",
            metavar="FILE",
            help="Answer from this file instead of prompts (a record works too; - reads standard"
            " input).",
        ),
    ] = None,
    output: RecordOutput = None,
    force: Force = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue a saved draft.")] = False,
    agree: Annotated[
        bool, typer.Option("--agree", help="With --answers: make the sign-off declaration.")
    ] = False,
    sign_with: Annotated[
        Path | None,
        typer.Option(
            "--sign-with",
            metavar="KEY",
            help="Sign the record with this Ed25519 key (OpenSSH format; KEY.pub when ssh-agent"
            " holds it).",
        ),
    ] = None,
    plain: Plain = False,
) -> None:
    """Answer the checklist and sign off, to make a record.

    The record is the file you attach to your proposal. Your answers are saved as you go: Ctrl-C
    keeps a draft that --resume continues. With --answers, nothing is asked.
    """
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


@app.command(
    cls=Command,
    epilog=_doc(
        "verify",
        [
            "smcheck verify --allowed-signers allowed_signers channel.smcheck.toml",
            "smcheck verify --require approved --format quiet register/",
            "smcheck verify --format junit records/ > report.xml",
        ],
        TRUST,
    ),
)
def verify(
    records: Annotated[
        list[Path],
        typer.Argument(
            metavar="RECORD", help="Record files, or folders searched for *.smcheck.toml."
        ),
    ],
    checklist: Annotated[
        str | None,
        typer.Option(
            "--checklist",
            "-c",
            metavar="ID|FILE",
            help="Check every record against this checklist (an id, or a file) instead of the one"
            " it names.",
            autocompletion=complete_checklist,
        ),
    ] = None,
    fmt: Annotated[
        VerifyFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar=one_of(VerifyFormat),
            help="text (for people; the default), quiet (only invalid records, one line each, for"
            " scripts), json (one array), jsonl (one JSON line per record as it is checked) or"
            " junit (JUnit XML, one test case per record, for a CI system's test report).",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", hidden=True, help="As --format json (deprecated).")
    ] = False,
    as_jsonl: Annotated[
        bool, typer.Option("--jsonl", hidden=True, help="As --format jsonl (deprecated).")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", hidden=True, help="As --format quiet (deprecated).")
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
        Require | None,
        typer.Option(
            "--require",
            metavar=one_of(Require),
            help="Fail records that are not signed (by a key the trust file names), or not"
            " approved (by the reviewer and every co-signer they need).",
        ),
    ] = None,
    revoked: Revoked = None,
) -> None:
    """Check records, and say which are valid and why.

    Each record is checked for: well-formed, answered, outcome, sign-off, integrity, signatures and
    review date. Exit 0 when every record is valid, 1 when any is not, 2 when any cannot be opened.
    """
    from smcheck.commands import verify as command

    _run(
        command.run,
        records,
        checklist_ref=checklist,
        fmt=fmt,
        aliases=aliases(
            ("--json", as_json, VerifyFormat.JSON),
            ("--jsonl", as_jsonl, VerifyFormat.JSONL),
            ("--quiet", quiet, VerifyFormat.QUIET),
        ),
        verbose=verbose,
        allowed_signers=allowed_signers,
        require=require,
        revoked=revoked,
    )


@app.command(
    cls=Command,
    epilog=_doc(
        "keygen",
        [
            "smcheck keygen --email h.marsh@essex.ac.uk --passphrase",
            "smcheck keygen --email alumni@essex.ac.uk --role advancement-office",
        ],
    ),
)
def keygen(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="KEY",
            help="Where to write the key (and KEY.pub). Default: smcheck/keys/id_ed25519 in your"
            " data folder.",
        ),
    ] = None,
    passphrase: Annotated[
        bool, typer.Option("--passphrase", help="Protect the key with a passphrase (asked twice).")
    ] = False,
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            metavar="EMAIL",
            help="Your email: the name the reviewer trusts the key under.",
        ),
    ] = None,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="The role the printed trust line grants: proposer, reviewer, or a co-signer's role"
            " from the checklist (advancement-office).",
            autocompletion=complete_any_role,
        ),
    ] = "proposer",
) -> None:
    """Make an Ed25519 signing key for signing records.

    Prints the line to send to the reviewer, for their trust file (allowed_signers): it grants the
    key the --role it names.
    """
    from smcheck.commands import keygen as command

    _run(command.run, output, passphrase=passphrase, email=email, role=role)


@app.command(
    cls=Command,
    epilog=_doc(
        "sign",
        [
            "smcheck sign --key ~/.ssh/id_ed25519 channel.smcheck.toml",
            "smcheck sign --signature record.bytes.sig channel.smcheck.toml",
        ],
        SIGNING,
    ),
)
def sign(
    record: Annotated[Path, typer.Argument(metavar="RECORD", help="The record to sign.")],
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            "-k",
            metavar="KEY",
            help="Your Ed25519 key: the private key, or KEY.pub when ssh-agent holds the key.",
        ),
    ] = None,
    signature: Annotated[
        Path | None,
        typer.Option(
            "--signature",
            metavar="FILE",
            help="Attach this signature instead, made with ssh-keygen -Y sign -n smcheck-record"
            " over the output of smcheck show RECORD --signed-bytes.",
        ),
    ] = None,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Sign a record that was made without a key.

    Or attach a signature made with ssh-keygen (--signature). The record is changed only when the
    signature is good, and with a trust file, by a key it names for the sign-off email.
    """
    from smcheck.commands import sign as command

    _run(
        command.run,
        record,
        key_path=key,
        signature_path=signature,
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@app.command(
    cls=Command,
    epilog=_doc(
        "approve",
        [
            "smcheck approve --key ~/.ssh/id_ed25519 channel.smcheck.toml",
            'smcheck approve --decision rejected --comment "No deputy" x.smcheck.toml',
        ],
        SIGNING,
    ),
)
def approve(
    records: Annotated[
        list[Path],
        typer.Argument(metavar="RECORD", help="The records to approve or reject, each in turn."),
    ],
    key: Annotated[
        Path | None,
        typer.Option(
            "--key",
            "-k",
            metavar="KEY",
            help="Your Ed25519 key (KEY.pub when ssh-agent holds it).",
        ),
    ] = None,
    decision: Annotated[
        Decision,
        typer.Option("--decision", metavar=one_of(Decision), help="Your decision."),
    ] = Decision.APPROVED,
    comment: Annotated[
        str,
        typer.Option("--comment", metavar="TEXT", help="A comment bound into the decision."),
    ] = "",
    role: Annotated[
        str,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="The role you decide as: reviewer, or a co-signer's role from the checklist"
            " (advancement-office).",
            autocompletion=complete_approver_role,
        ),
    ] = "reviewer",
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
    yes: Yes = False,
) -> None:
    """Approve or reject records that verify, and sign them.

    The decision, who you are, the time and the comment are signed and appended to each record. In a
    terminal each record's summary is shown and you are asked before it is signed (--yes: not asked).
    Exit 0 when every record was decided, 1 when any was declined or refused (2 when one could not
    be opened).
    """
    from smcheck.commands import approve as command

    _run(
        command.run,
        records,
        key_path=key,
        decision=decision,
        comment=comment,
        role=role,
        allowed_signers=allowed_signers,
        revoked=revoked,
        yes=yes,
    )


@app.command(
    cls=Command,
    epilog=_doc(
        "merge",
        [
            "smcheck merge a.smcheck.toml b.smcheck.toml --output both.smcheck.toml",
            "smcheck merge --force -o a.smcheck.toml a.smcheck.toml b.smcheck.toml",
        ],
        TRUST,
    ),
)
def merge(
    records: Annotated[
        list[Path],
        typer.Argument(
            metavar="RECORD", help="Copies of one record, each signed by different people."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Where to write the record that holds them all."
        ),
    ],
    force: Force = False,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Merge copies of a record that different people signed.

    Writes one record holding every signature of every copy, each checked as verify checks it and
    kept once. Copies whose content differs, a signature that does not verify, and two decisions by
    one role (a conflict) are refused with the reason; the result is verified before it is written.
    """
    from smcheck.commands import merge as command

    _run(
        command.run,
        records,
        output=output,
        force=force,
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@app.command(
    cls=Command,
    epilog=_doc(
        "show",
        [
            "smcheck show channel.smcheck.toml",
            "smcheck show --signed-bytes channel.smcheck.toml > record.bytes",
        ],
        TRUST,
    ),
)
def show(
    record: Annotated[Path, typer.Argument(metavar="RECORD", help="The record to show.")],
    signed_bytes: Annotated[
        bool,
        typer.Option(
            "--signed-bytes", help="Write the exact bytes the proposer's signature covers."
        ),
    ] = False,
    signature: Annotated[
        str | None,
        typer.Option(
            "--signature",
            metavar="ROLE",
            help="Write ROLE's signature in OpenSSH's armoured form.",
            autocompletion=complete_any_role,
        ),
    ] = None,
    statement: Annotated[
        str | None,
        typer.Option(
            "--statement",
            metavar="ROLE",
            help="Write the statement ROLE signed (the bytes it covers).",
            autocompletion=complete_approver_role,
        ),
    ] = None,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Show a record, or its bytes and signatures for ssh-keygen.

    It opens with what verify says of the record. --signed-bytes, --signature and --statement write
    what ssh-keygen -Y verify needs to check a signature without smcheck.
    """
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


@app.command(
    cls=Command,
    epilog=_doc(
        "renew",
        [
            "smcheck renew channel.smcheck.toml",
            "smcheck renew --sign-with ~/.ssh/id_ed25519 channel.smcheck.toml",
        ],
        ASKING,
    ),
)
def renew(
    record: Annotated[
        Path, typer.Argument(metavar="RECORD", help="The record to renew (it is not changed).")
    ],
    output: RecordOutput = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Overwrite --output if it exists; take the answers of a record that fails verify.",
        ),
    ] = False,
    sign_with: Annotated[
        Path | None,
        typer.Option("--sign-with", metavar="KEY", help="Sign the new record with this key."),
    ] = None,
    plain: Plain = False,
) -> None:
    """Re-review a channel, starting from its last record.

    A new interview filled in from the old record: it asks only what it must, then shows every
    answer to confirm or change, and you sign off afresh.
    """
    from smcheck.commands import renew as command

    _run(command.run, record, output=output, force=force, sign_with=sign_with, plain=plain)


@app.command(
    cls=Command,
    epilog=_doc(
        "export",
        [
            "smcheck export channel.smcheck.toml > channel.md",
            "smcheck export --format html --output channel.html channel.smcheck.toml",
        ],
        TRUST,
    ),
)
def export(
    record: Annotated[Path, typer.Argument(metavar="RECORD", help="The record to export.")],
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            "-f",
            metavar=one_of(ExportFormat),
            help="Markdown, or one self-contained HTML page.",
        ),
    ] = ExportFormat.MD,
    output: Output = None,
    force: Force = False,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Write a record as a document to attach to the proposal.

    The document opens with what verify says of the record, then gives every answer with its policy
    clauses, the outcome, the sign-off and each signature.
    """
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


@app.command(
    cls=Command,
    epilog=_doc(
        "status",
        [
            "smcheck status register/",
            "smcheck status --todo --role advancement-office register/",
            "smcheck status --format csv register/ > register.csv",
            "smcheck status --format html --output register.html register/",
        ],
        TRUST,
    ),
)
def status(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="FOLDER", help="Folders (or files) holding the register's records."),
    ],
    fmt: Annotated[
        StatusFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar=one_of(StatusFormat),
            help="text (a table that fits the terminal; the default), html (one self-contained"
            " page), json, or csv for a spreadsheet (UTF-8 with a byte-order mark; cells that"
            " would start a formula get a ' in front).",
        ),
    ] = None,
    output: Output = None,
    as_json: JsonAlias = False,
    todo: Annotated[
        bool,
        typer.Option(
            "--todo",
            help="Only the channels where someone must act, most urgent first: invalid files,"
            " overdue reviews, rejections, awaiting the reviewer, awaiting a co-signer, unsigned,"
            " not checked, reviews due, re-reviews under a newer checklist, drafts.",
        ),
    ] = False,
    role: Annotated[
        str | None,
        typer.Option(
            "--role",
            metavar="ROLE",
            help="Only the channels where ROLE must act, now or next: reviewer, proposer, or a"
            " co-signer's role (advancement-office). Narrows every format.",
            autocompletion=complete_any_role,
        ),
    ] = None,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            metavar="FILE",
            hidden=True,
            help="As --format html --output FILE, and print the text too (deprecated).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the --output file if it exists.")
    ] = False,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Show the register: one row per channel, most urgent first.

    Every file is verified as verify would, and accounted for; counts by state come first. The text
    wraps to the terminal's width (COLUMNS; 100 when not a terminal; never below 80). Exit 1 when
    any file does not verify, whatever --todo or --role leave out.
    """
    from smcheck.commands import status as command

    _run(
        command.run,
        paths,
        fmt=fmt,
        aliases=aliases(
            ("--json", as_json, StatusFormat.JSON), ("--html", html, StatusFormat.HTML)
        ),
        html=html,
        output=output,
        force=force,
        allowed_signers=allowed_signers,
        revoked=revoked,
        todo=todo,
        role=role,
    )


@app.command(
    cls=Command,
    epilog=_doc(
        "schema",
        [
            "smcheck schema checklist > checklist.schema.json",
            "smcheck schema record --checklist essex-social-media > record.json",
            "smcheck schema report > verify-report.schema.json",
        ],
    ),
)
def schema(
    kind: Annotated[
        SchemaKind,
        typer.Argument(metavar="KIND", help=f"What to describe: {or_list(SchemaKind)}."),
    ],
    checklist: Annotated[
        str,
        typer.Option(
            "--checklist",
            "-c",
            metavar="ID|FILE",
            help="For record: the checklist its answers follow.",
            autocompletion=complete_checklist,
        ),
    ] = "essex-social-media",
) -> None:
    """Print the JSON Schema of checklists, records or verify's JSON.

    For editors that check TOML against a JSON Schema as you type (Taplo, Even Better TOML); report
    describes each object verify --format json and jsonl print, with the register's row for the
    record.
    """
    from smcheck.commands import schema as command

    _run(command.run, kind, checklist_ref=checklist)


@app.command(
    cls=Command,
    epilog=_doc(
        "diff",
        [
            "smcheck diff channel.smcheck.toml resubmitted.smcheck.toml",
            "smcheck diff --format json channel.smcheck.toml resubmitted.smcheck.toml",
        ],
        TRUST,
    ),
)
def diff(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="The earlier record.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="The later record (a resubmission).")],
    fmt: AsText = None,
    as_json: JsonAlias = False,
    allowed_signers: AllowedSigners = None,
    revoked: Revoked = None,
) -> None:
    """Show what changed between two records of one channel.

    Answers, the outcome's findings and signatures, after what verify says of each. Exit 0 when
    they say the same and both verify, 1 otherwise.
    """
    from smcheck.commands import diff as command

    _run(
        command.run,
        old,
        new,
        fmt=fmt,
        aliases=aliases(("--json", as_json, TextFormat.JSON)),
        allowed_signers=allowed_signers,
        revoked=revoked,
    )


@checklist_app.command(
    "list",
    cls=Command,
    epilog=_doc(
        "checklist list", ["smcheck checklist list", "smcheck checklist list --format json"]
    ),
)
def checklist_list(fmt: AsText = None, as_json: JsonAlias = False) -> None:
    """List the checklists smcheck ships."""
    from smcheck.commands import checklist as command

    _run(command.run_list, fmt=fmt, aliases=aliases(("--json", as_json, TextFormat.JSON)))


@checklist_app.command(
    "show",
    cls=Command,
    epilog=_doc(
        "checklist show",
        [
            "smcheck checklist show essex-social-media",
            "smcheck checklist show --format json my.toml",
        ],
    ),
)
def checklist_show(
    checklist: Annotated[
        str,
        typer.Argument(
            metavar="ID|FILE", help="Checklist id or file.", autocompletion=complete_checklist
        ),
    ],
    fmt: AsText = None,
    as_json: JsonAlias = False,
) -> None:
    """Show every question of a checklist.

    Each question's id, type, choices and condition, with its clauses and rules.
    """
    from smcheck.commands import checklist as command

    _run(
        command.run_show,
        checklist,
        fmt=fmt,
        aliases=aliases(("--json", as_json, TextFormat.JSON)),
    )


@checklist_app.command(
    "lint",
    cls=Command,
    epilog=_doc("checklist lint", ["smcheck checklist lint my-checklist.toml"]),
)
def checklist_lint(
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The checklist file to check.")],
) -> None:
    """Check a checklist file you are writing.

    Every problem names its place in the file. Exit 1 when there are problems, 2 when the file
    cannot be read.
    """
    from smcheck.commands import checklist as command

    _run(command.run_lint, path)


@checklist_app.command(
    "template",
    cls=Command,
    epilog=_doc("checklist template", ["smcheck checklist template > channel.answers.toml"]),
)
def checklist_template(
    checklist: Annotated[
        str,
        typer.Argument(
            metavar="ID|FILE", help="Checklist id or file.", autocompletion=complete_checklist
        ),
    ] = "essex-social-media",
) -> None:
    """Print a commented answers file to fill in.

    Fill it in, then: smcheck new --answers FILE.
    """
    from smcheck.commands import checklist as command

    _run(command.run_template, checklist)


def _run(function: Callable[..., int], *args: Any, **kwargs: Any) -> None:
    """Call a command's ``run`` and exit with its code. A failure goes on up to the one error handler
    around the whole program (:mod:`smcheck.errorhandler`), which tells it and chooses the exit code."""
    code = function(*args, **kwargs)
    if code:
        raise typer.Exit(code)


def main() -> None:
    """Entry point. Every failure is told, and its exit code chosen, by :mod:`smcheck.errorhandler`:
    a known one is one line (exit 1 or 2), output that cannot be written one line (exit 1), Ctrl-C 130,
    a bug one line and exit 3."""
    app()


@drafts_app.callback()
def drafts(ctx: typer.Context) -> None:
    """Your unfinished interviews (drafts): where each stands and how to continue it.

    With no command, lists them: smcheck drafts
    """
    if ctx.invoked_subcommand is None:
        from smcheck.commands import drafts as command

        _run(command.list_run)


@drafts_app.command(
    "list", cls=Command, epilog=_doc("drafts list", ["smcheck drafts list"], DRAFTS)
)
def drafts_list() -> None:
    """List your drafts, the most recently saved first."""
    from smcheck.commands import drafts as command

    _run(command.list_run)


@drafts_app.command(
    "discard",
    cls=Command,
    epilog=_doc(
        "drafts discard",
        ["smcheck drafts discard instagram-essexhistory-20260105-101500.draft.toml"],
        DRAFTS,
    ),
)
def drafts_discard(
    draft: Annotated[
        Path,
        typer.Argument(
            metavar="DRAFT", help="The draft to remove (its path, or its file name as listed)."
        ),
    ],
    yes: Yes = False,
) -> None:
    """Remove a draft, after asking."""
    from smcheck.commands import drafts as command

    _run(command.discard_run, draft, yes=yes)


@trust_app.command(
    "check",
    cls=Command,
    epilog=_doc(
        "trust check",
        ["smcheck trust check --allowed-signers allowed_signers", "smcheck trust check"],
        TRUSTING,
    ),
)
def trust_check(allowed_signers: AllowedSigners = None) -> None:
    """Say what the trust file grants, and what its lines do not.

    Notes each line that grants nothing (a misspelt smcheck-* namespace, a co-signer role no checklist
    defines, a line past its valid-before), a key under two names, the roles nobody may sign as, and
    who holds which role. Exit 1 when a line is wrong, 0 when the file only has notes.
    """
    from smcheck.commands import trust as command

    _run(command.check_run, allowed_signers)


@trust_app.command(
    "add",
    cls=Command,
    epilog=_doc(
        "trust add",
        [
            "smcheck trust add new-channel.smcheck.toml",
            "smcheck trust add --yes --allowed-signers office/trust new.smcheck.toml",
        ],
        TRUSTING,
    ),
)
def trust_add(
    record: Annotated[
        Path,
        typer.Argument(metavar="RECORD", help="A record signed by the proposer to add."),
    ],
    allowed_signers: AllowedSigners = None,
    yes: Yes = False,
) -> None:
    """Add a record's proposer to the trust file, after asking.

    Shows their name, email and key fingerprint from a record whose signature verifies, asks (yes or
    no), and appends their line with namespaces="smcheck-record". A key the file already holds for
    someone else is refused.
    """
    from smcheck.commands import trust as command

    _run(command.add_run, record, allowed_signers=allowed_signers, yes=yes)
