"""End to end, typed as a person types: whole words, numbers, mistakes, going back; full-screen and plain.

Each test drives the installed ``smcheck new`` through the whole Essex interview in a real
pseudo-terminal, step by step (a prompt, then what a person types at it), and then checks that the
record holds exactly the answers meant, and that ``smcheck verify`` accepts it. The plain-mode run also
checks that nothing on the screen was drawn with cursor movement, erasing or colour.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.terminal import ENTER, Terminal, typed_as, verify

from smcheck.checklist import Checklist

pytestmark = [pytest.mark.pty, pytest.mark.timeout(180)]

CTRL_U = "\x15"  # clear the line, as a person does after a refusal
SHIFT_TAB = "\x1b[Z"
TODAY = dt.datetime.now(dt.UTC).date()
LAUNCH = (TODAY + dt.timedelta(days=60)).replace(day=1)
CONSULTED = TODAY - dt.timedelta(days=20)

Step = tuple[str, str] | tuple[str, str, str]
"""(question id or literal prompt text, keys) or (..., keys, text to expect after them)."""


def steps_fullscreen() -> list[Step]:
    """The Essex interview as a person types it at the full-screen prompts: numbers and names at
    choices, whole words at yes/no (in any case), a wrong word, an impossible date, a deputy who is the
    administrator, and one step back."""
    return [
        # A name that is no choice is refused (it used to be ignored, and Enter took Instagram).
        ("channel.platform", "myspace" + ENTER, "or the choice in full"),
        ("channel.platform", CTRL_U + "twitter" + ENTER),  # X (formerly Twitter), by a word of it
        ("channel.name", "Essex History" + ENTER),
        ("channel.handle", "essexhistory" + ENTER),  # X handles start with @: added
        ("channel.url", "<" + ENTER),  # go back to the handle...
        ("channel.handle", ENTER),  # ...where the answer is kept: Enter keeps it
        ("channel.url", "https://x.com/essexhistory" + ENTER),
        ("channel.department", "Department of History" + ENTER),
        (
            "channel.purpose",
            "Department news, research and events for students and alumni." + ENTER,
        ),
        ("channel.audiences", "1" + "2" + "3" + "6" + "6" + ENTER),  # 6 ticked, then unticked
        ("channel.launch_date", "2027-02-30" + ENTER, "there is no 30 February"),
        ("channel.launch_date", CTRL_U + LAUNCH.isoformat() + ENTER),
        ("administrator.name", "Helen Marsh" + ENTER),
        ("administrator.email", "H.Marsh@Essex.ac.uk" + ENTER),
        ("administrator.role", "Senior Lecturer" + ENTER),
        ("administrator.accepts", "maybe" + ENTER, "answer yes or no"),
        ("administrator.accepts", CTRL_U + "YES" + ENTER),
        (
            "administrator.deputy_name",
            "helen marsh" + ENTER,
            "someone other than the administrator",
        ),
        ("administrator.deputy_name", CTRL_U + "Tom Reid" + ENTER),
        ("administrator.deputy_email", "t.reid@essex.ac.uk" + ENTER),
        ("fit.services_considered", "website and teams" + ENTER),  # by their names
        ("fit.existing_equivalent", "No" + ENTER),
        ("uses.kinds", "3" + "4" + "5" + ENTER),  # marketing, students, alumni
        # Who agreed the marketing use answers "agreed?" and "will you tell them?"; alumni as an
        # audience answer "will it contact alumni?"; a name answers "consulted?": none of them asked.
        ("uses.marketing_contact", "The Digital Marketing team" + ENTER),
        ("alumni.advancement_name", "Priya Shah" + ENTER),
        ("alumni.advancement_email", "p.shah@essex.ac.uk" + ENTER),
        ("alumni.advancement_date", CONSULTED.isoformat() + ENTER),
        ("alumni.advancement_advice", ENTER),  # optional: left blank
        ("alumni.contact_source", "1" + ENTER),
        ("account.login_email", "history-social@essex.ac.uk" + ENTER),  # answers login_owner
        ("account.security", "1" + "2" + "3" + ENTER),
        # Every box but "the department owns the data": its own words are asked for next.
        ("content.commitments", "1" + "2" + "3" + "4" + "6" + ENTER),
        ("content.data_ownership", "The Department of History owns it all." + ENTER),
        ("monitoring.who", "Helen Marsh and Tom Reid" + ENTER),
        ("monitoring.frequency", "several" + ENTER),  # Several times a week, by its start
        # A plan that names the DMO answers "will you refer contentious issues to the DMO?".
        (
            "monitoring.contentious_plan",
            "Never reply in haste; screenshot; ask the DMO first." + ENTER,
        ),
        ("policies.acknowledged", "1" + "2" + "3" + "4" + "5" + "6" + "7" + ENTER),
        ("What next?", "1" + ENTER),  # go on to sign-off
        ("the channel's designated administrator?", "yes" + ENTER),
        ("Your role", ENTER),  # offered from the administrator's answer: kept
        ("Your department", ENTER),
        ("Do you make this declaration?", "yes" + ENTER),
    ]


EXPECTED: dict[str, dict[str, object]] = {
    "channel": {
        "platform": "x",
        "name": "Essex History",
        "handle": "@essexhistory",
        "url": "https://x.com/essexhistory",
        "department": "Department of History",
        "purpose": "Department news, research and events for students and alumni.",
        "audiences": ["prospective-students", "current-students", "alumni"],
        "launch_date": LAUNCH,
    },
    "administrator": {
        "name": "Helen Marsh",
        "email": "H.Marsh@Essex.ac.uk",
        "role": "Senior Lecturer",
        "accepts": True,
        "deputy_name": "Tom Reid",
        "has_deputy": True,
        "deputy_email": "t.reid@essex.ac.uk",
    },
    "fit": {"services_considered": ["website", "teams"], "existing_equivalent": False},
    "uses": {
        "kinds": ["marketing", "students", "alumni"],
        "marketing_contact": "The Digital Marketing team",
        "marketing_agreed": True,
        "students_monitoring": True,
    },
    "alumni": {
        "contact": True,
        "advancement_name": "Priya Shah",
        "consulted": True,
        "advancement_email": "p.shah@essex.ac.uk",
        "advancement_date": CONSULTED,
        "contact_source": "advancement-office",
    },
    "account": {
        "login_email": "history-social@essex.ac.uk",
        "login_owner": "role-address",
        "security": ["two-factor", "password-private", "personal-details-off"],
    },
    "content": {
        "commitments": ["rights", "consent", "terms-read", "keep-copy", "change-plan"],
        "data_ownership": "The Department of History owns it all.",
    },
    "monitoring": {
        "who": "Helen Marsh and Tom Reid",
        "frequency": "several-weekly",
        "contentious_plan": "Never reply in haste; screenshot; ask the DMO first.",
        "refer_dmo": True,
    },
    "policies": {
        "acknowledged": [
            "advice-read",
            "university-policies",
            "branding",
            "personal-use",
            "applications",
            "discipline",
            "malware",
        ]
    },
}


def run_steps(term: Terminal, checklist: Checklist, steps: list[Step], *, before: str = "") -> None:
    """Wait for each step's prompt (a question's, by id, or literal text), then type its keys; where
    a step names a reply (a refusal's reason), wait for it too."""
    refused = False
    for step in steps:
        target, keys = step[0], step[1]
        if not refused:  # after a refusal the same prompt stays open (or is asked again at once)
            question = checklist.question(target)
            term.expect(question.prompt if question is not None else target)
        if before:
            term.expect(before)
        term.child.send(keys)
        refused = len(step) == 3
        if refused:
            term.expect(step[-1])


def check_record(workdir: Path, env: dict[str, str]) -> dict[str, object]:
    records = list(workdir.glob("*.smcheck.toml"))
    assert len(records) == 1, records
    data = tomllib.loads(records[0].read_text(encoding="utf-8"))
    assert records[0].name.startswith("x-essexhistory-")
    checked = verify(records[0], env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return data


def test_whole_words_and_numbers_at_every_kind_of_prompt_record_exactly_what_was_meant(
    spawn: Callable[..., Terminal],
    workdir: Path,
    drafts: Path,
    essex: Checklist,
    env: dict[str, str],
) -> None:
    term = spawn("new")
    run_steps(term, essex, steps_fullscreen())
    assert term.finish() == 0
    data = check_record(workdir, env)
    assert data["answers"] == EXPECTED
    assert data["signoff"]["name"] == "Helen Marsh"  # type: ignore[index]
    assert data["signoff"]["email"] == "H.Marsh@Essex.ac.uk"  # type: ignore[index]
    assert data["signoff"]["role"] == "Senior Lecturer"  # type: ignore[index]
    out = term.transcript
    # The declaration is shown once; after sign-off nothing says "ready for sign-off".
    assert out.count("I confirm that my answers in this record are true and complete") == 1
    assert "Ready for sign-off" not in out.split("Record written")[1]
    assert f"Anyone can check it with: {typed_as(env)} verify x-essexhistory-" in out
    assert list(drafts.glob("*")) == []  # the draft goes once the record is written


# -- plain mode --------------------------------------------------------------------------------------


def steps_plain() -> list[Step]:
    """The same interview line by line: choices by number, tick-boxes as "1,2,3", yes/no as words."""
    by_number = {
        "channel.platform": "4",
        "channel.audiences": "1, 2,3",
        "fit.services_considered": "1 3",
        "uses.kinds": "3,4,5",
        "alumni.contact_source": "1",
        "account.security": "1,2,3",
        "content.commitments": "1 2 3 4 6",
        "policies.acknowledged": "1,2,3,4,5,6,7",
        "monitoring.frequency": "2",
    }
    steps: list[Step] = []
    for step in steps_fullscreen():
        qid, keys = step[0], step[1]
        if qid in by_number:
            if len(step) == 3:
                continue  # typed by number in plain mode: nothing refused
            keys = by_number[qid] + ENTER
        keys = keys.replace(CTRL_U, "")
        if qid == "What next?":
            break
        # A refusal is said on a line of its own: "Not recorded: <the reason>".
        steps.append((qid, keys, "Not recorded:") if len(step) == 3 else (qid, keys))
    steps += [
        ("What next?", "1" + ENTER),
        ("the channel's designated administrator?", "yes" + ENTER),
        ("Your role", ENTER),
        ("Your department", ENTER),
        ("Do you make this declaration?", "yes" + ENTER),
    ]
    return steps


_MOVES = re.compile(r"\x1b\[[0-9;]*[ABCDGHJKf]|\x1b\[\?25[lh]|\x1b\[[0-9;]*m")


@pytest.mark.parametrize("how", ["--plain", "TERM=dumb"])
def test_plain_mode_runs_the_whole_interview_line_by_line(
    spawn: Callable[..., Terminal],
    workdir: Path,
    essex: Checklist,
    env: dict[str, str],
    how: str,
) -> None:
    if how == "TERM=dumb":
        env["TERM"] = "dumb"  # the spawn fixture reads this same dict
        term = spawn("new")
    else:
        term = spawn("new", "--plain")
    run_steps(term, essex, steps_plain(), before="Answer: ")
    assert term.finish() == 0
    data = check_record(workdir, env)
    assert data["answers"] == EXPECTED
    raw = term.log.getvalue()
    assert _MOVES.search(raw) is None, repr(_MOVES.search(raw))
    assert "\x1b" not in raw  # nothing drawn: no cursor movement, no erasing, no colour
    for box in "─│╭╮╰╯":
        assert box not in raw
    out = term.transcript
    assert "Recorded: X (formerly Twitter)" in out
    assert "Recorded: yes" in out
    assert "1. Instagram" in out  # choices as a numbered list
    assert out.count("I confirm that my answers in this record are true and complete") == 1


# -- a referral ends the interview; drafts a person can find ------------------------------------------

TINY = Path(__file__).resolve().parent / "data" / "tiny.toml"


def test_a_referral_ends_the_interview_and_drafts_are_listed_continued_and_discarded(
    spawn: Callable[..., Terminal], workdir: Path, drafts: Path, env: dict[str, str]
) -> None:
    # Stopped before the first answer: no draft at all.
    term = spawn("new", "--checklist", str(TINY))
    term.expect("Club name?")
    term.child.sendcontrol("c")
    assert term.finish() == 130
    assert "nothing was saved" in term.transcript
    assert not drafts.exists() or list(drafts.iterdir()) == []

    # A referral: offered to end at once; yes ends it, saying where to go instead.
    term = spawn("new", "--checklist", str(TINY))
    term.answer("Club name?", "Union Club" + ENTER)
    term.answer("What kind of club?", "3" + ENTER)  # Run by the union
    term.answer("End the interview now", "yes" + ENTER)
    assert term.finish() == 1
    out = term.transcript.rsplit("End the interview now", 1)[1]
    assert "Where to go instead: the union" in out
    assert "resume" not in out.lower()
    assert "Is there a named owner?" not in out  # nothing more was asked
    assert f"To remove this one: {typed_as(env)} drafts discard " in out

    # Two drafts in progress (one stopped by Ctrl-C), beside the referred one.
    for name in ("Chess Club", "Go Club"):
        term = spawn("new", "--checklist", str(TINY))
        term.answer("Club name?", name + ENTER)
        term.expect("What kind of club?")
        term.child.sendcontrol("c")
        assert term.finish() == 130
    listed = spawn("drafts")
    assert listed.finish() == 0
    table = listed.transcript
    for line_start, state in (("Union Club", "referred"), ("Chess Club", "in progress")):
        line = next(x for x in table.splitlines() if x.startswith(line_start))
        assert state in line and "of about" in line and "saved" in line
    # The newest draft by its real name (Go Club's), which works as typed (below, --resume alone).
    assert re.search(rf"{re.escape(typed_as(env))} new --resume \S*go-club", table), table
    assert "DRAFT" not in table

    # --resume with no name asks which (newest first; the referred one is not offered).
    term = spawn("new", "--resume")
    chooser = term.expect("Which draft do you want to continue?")
    term.expect("2.")
    term.child.send("2" + ENTER)  # the older: Chess Club
    term.answer("What kind of club?", "1" + ENTER)
    term.answer("Is there a named owner?", "yes" + ENTER)
    term.answer("Owner's email?", "ann@example.ac.uk" + ENTER)
    term.answer("When was it founded?", ENTER)
    term.answer("Where will it post?", "1" + ENTER)
    term.answer("What next?", "1" + ENTER)
    term.answer("Your full name", "Ann Smith" + ENTER)
    term.answer("Your email address", "ann@example.ac.uk" + ENTER)
    term.answer("Your role", "Secretary" + ENTER)
    term.answer("Your department", "Students" + ENTER)
    term.answer("Do you make this declaration?", "yes" + ENTER)
    assert term.finish() == 0, term.transcript[-2000:]
    assert "Union Club" not in chooser
    records = list(workdir.glob("chess-club-*.smcheck.toml"))
    assert len(records) == 1
    assert verify(records[0], "--checklist", str(TINY), env=env).returncode == 0

    # Discarding asks first, in whole words.
    left = sorted(p.name for p in drafts.glob("*.draft.toml"))
    assert len(left) == 2 and any(n.startswith("go-club-") for n in left), left
    go = next(p for p in drafts.glob("go-club-*.draft.toml"))
    term = spawn("drafts", "discard", go.name)
    term.answer("Discard this draft?", "maybe" + ENTER)
    term.answer("y (yes) or n (no)", "YES" + ENTER)
    assert term.finish() == 0
    assert not go.exists()
