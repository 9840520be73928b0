"""End to end: the installed ``smcheck`` console script in a real pseudo-terminal (pexpect).

Each spawn costs about half a second, so there are few of them and each checks a whole story: a run to
a record that verifies; Ctrl-C, the draft, and ``--resume``; the Essex alumni blocker and stopping at
review; and the clear error (not a hang) when there is no terminal.

The child gets ``PROMPT_TOOLKIT_NO_CPR=1`` (no wait for cursor-position replies), ``NO_COLOR=1``, a wide
terminal so nothing wraps, its own drafts folder (``SMCHECK_DRAFTS``) and a temporary working folder.
Output still holds cursor movement and bold, so tests wait for short plain substrings and strip escapes
before reading a transcript.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.terminal import (
    CTRL_C,
    DOWN,
    ENTER,
    Terminal,
    plain,
    sign_off,
    smcheck_script,
    typed_as,
    verify,
)

from smcheck import registry
from smcheck.checklist import Checklist

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

TINY = Path(__file__).resolve().parent / "data" / "tiny.toml"


# -- a. a complete run to a record that verifies ------------------------------------------------------


@pytest.mark.pty
def test_a_complete_run_writes_a_record_that_verifies(
    spawn: Callable[..., Terminal], workdir: Path, drafts: Path, env: dict[str, str]
) -> None:
    term = spawn("new", "--checklist", str(TINY))
    term.answer("Club name?", "Chess club" + ENTER)
    term.answer("What kind of club?", DOWN + ENTER)  # Music
    term.answer("Is there a named owner?", "yes" + ENTER)
    # A refused answer: the reason is shown, the prompt stays, the line can be cleared and retyped.
    term.answer("Owner's email?", "bob@gmail.com" + ENTER)
    term.expect("must be an address at example.ac.uk")
    term.child.send("\x15" + "bob@example.ac.uk" + ENTER)
    term.answer("When was it founded?", ENTER)  # optional: left blank
    # An empty tick list is refused in words, then asked again.
    term.answer("Where will it post?", ENTER)
    term.expect("choose at least one")  # shown in place: the same prompt stays open
    term.child.send("2" + ENTER)  # Website, by its number
    term.answer("Website address?", "https://chess.example.org" + ENTER)
    panel = term.expect("What next?")
    assert "Warning (web.plain-http)" in panel
    assert "Keep it updated." in panel
    for shown in ("Chess club", "Music", "bob@example.ac.uk", "(left blank)", "Website"):
        assert shown in panel, shown
    assert "Ready for sign-off, with warnings" in panel
    term.answer("Go on to sign-off", ENTER)
    assert "I confirm these answers are true." in term.expect("Your full name")
    term.child.send("Ann Smith" + ENTER)
    term.answer("Your email address", "ann@example.ac.uk" + ENTER)
    term.answer("Your role", "Club secretary" + ENTER)
    term.answer("Your department", "Students" + ENTER)
    term.answer("Do you make this declaration?", "yes" + ENTER)
    assert term.finish() == 0

    records = list(workdir.glob("*.smcheck.toml"))
    assert len(records) == 1, records
    record = records[0]
    assert record.name.startswith("chess-club-")  # named from the checklist's name_from answer
    assert f"Record written: {record.name}" in term.transcript
    data = tomllib.loads(record.read_text(encoding="utf-8"))
    assert data["answers"]["club"] == {
        "name": "Chess club",
        "kind": "music",
        "has_owner": True,
        "owner_email": "bob@example.ac.uk",
    }
    assert data["answers"]["web"] == {"sites": ["site"], "url": "https://chess.example.org"}
    assert data["signoff"]["name"] == "Ann Smith"
    assert data["outcome"]["status"] == "ready-with-warnings"
    # The draft is removed once the record is written.
    assert list(drafts.glob("*")) == []

    checked = verify(record, "--checklist", str(TINY), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "VALID" in checked.stdout
    assert "INVALID" not in checked.stdout


# -- b. Ctrl-C keeps a draft; --resume continues it ---------------------------------------------------


@pytest.mark.pty
def test_ctrl_c_keeps_a_draft_and_resume_continues_at_the_first_unanswered_question(
    spawn: Callable[..., Terminal], workdir: Path, drafts: Path, env: dict[str, str]
) -> None:
    term = spawn("new", "--checklist", str(TINY))
    term.answer("Club name?", "Chess club" + ENTER)
    term.answer("What kind of club?", DOWN + ENTER)  # Music
    term.answer("Is there a named owner?", CTRL_C)
    assert term.finish() == 130

    saved = list(drafts.glob("*.draft.toml"))
    assert len(saved) == 1, saved
    draft = saved[0]
    out = term.transcript
    assert f"Your answers are saved in {draft}" in out
    assert f"{typed_as(env)} new --resume {draft}" in out
    assert "Traceback" not in out
    assert draft.stat().st_mode & 0o777 == 0o600
    content = tomllib.loads(draft.read_text(encoding="utf-8"))
    assert content["answers"] == {"club": {"name": "Chess club", "kind": "music"}}
    assert content["draft"]["checklist"] == "tiny-club"
    assert list(workdir.glob("*.smcheck.toml")) == []

    # No path and no --checklist: the latest draft, which remembers its checklist file.
    term = spawn("new", "--resume")
    before = term.answer("Is there a named owner?", "yes" + ENTER)
    assert "Resuming your draft" in before
    assert "Club name?" not in before
    assert "What kind of club?" not in before
    term.answer("Owner's email?", "ann@example.ac.uk" + ENTER)
    term.answer("When was it founded?", "2001-02-03" + ENTER)
    term.answer("Where will it post?", " " + ENTER)  # Instagram: no website question
    review = term.expect("What next?")
    # The answers from before the interruption are in the review.
    assert "Chess club" in review
    assert "Music" in review
    assert "Ready for sign-off: no rule raised a concern." in review
    term.answer("Go on to sign-off", ENTER)
    sign_off(term)
    assert term.finish() == 0
    assert "Club name?" not in term.transcript.split("Your answers")[0]

    records = list(workdir.glob("*.smcheck.toml"))
    assert len(records) == 1, records
    data = tomllib.loads(records[0].read_text(encoding="utf-8"))
    assert data["answers"]["club"]["name"] == "Chess club"
    assert data["answers"]["club"]["founded"].isoformat() == "2001-02-03"
    assert not draft.exists()
    checked = verify(records[0], "--checklist", str(TINY), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "VALID" in checked.stdout


# -- c. the Essex alumni blocker; stopping at review --------------------------------------------------

YES, NO = "yes" + ENTER, "no" + ENTER

ALUMNI_NOT_CONSULTED: dict[str, str] = {
    "channel.platform": ENTER,  # Instagram
    "channel.name": "Essex History" + ENTER,
    "channel.handle": "@essexhistory" + ENTER,
    "channel.url": "https://www.instagram.com/essexhistory/" + ENTER,
    "channel.department": "Department of History" + ENTER,
    "channel.purpose": "News of the department's research, events and alumni stories." + ENTER,
    "channel.audiences": DOWN + DOWN + " " + ENTER,  # Alumni
    "channel.launch_date": "2027-01-31" + ENTER,
    "administrator.name": "Ann Admin" + ENTER,
    "administrator.email": "ann.admin@essex.ac.uk" + ENTER,
    "administrator.role": "Communications Officer" + ENTER,
    "administrator.accepts": YES,
    # No deputy named: "Is there a deputy?" is filled in as no, a warning that asks for an explanation.
    "administrator.deputy_name": ENTER,
    "administrator.cover_plan": "The head of department checks it during leave." + ENTER,
    "fit.services_considered": " " + ENTER,  # the website
    "fit.existing_equivalent": NO,
    "uses.kinds": DOWN * 4 + " " + ENTER,  # Keeping in touch with alumni (answers alumni.contact)
    # Nobody consulted at the Advancement Office: "consulted?" is filled in as no, the blocker.
    "alumni.advancement_name": ENTER,
    "alumni.contact_source": ENTER,  # Only through the Advancement Office
    "account.login_email": "history-social@essex.ac.uk" + ENTER,  # answers account.login_owner
    "account.security": "123" + ENTER,
    "content.commitments": "123456" + ENTER,
    "monitoring.who": "Ann Admin" + ENTER,
    "monitoring.frequency": ENTER,  # every working day
    # The plan names the DMO: "will you refer contentious issues to the DMO?" is filled in.
    "monitoring.contentious_plan": "Keep a screenshot, never reply in haste, ask the DMO." + ENTER,
    "policies.acknowledged": "1234567" + ENTER,
}


def drive(
    term: Terminal,
    checklist: Checklist,
    answers: dict[str, str],
    *,
    until: str,
    after: dict[str, Callable[[Terminal], None]],
    filled: frozenset[str] = frozenset(),
) -> list[str]:
    """Answer each question as its prompt appears, from ``answers`` (question id -> keys), until
    ``until`` is drawn; run ``after[id]`` right after answering that question. Returns the ids asked,
    in order. A question not in ``answers`` fails the test, naming it.

    A prompt is drawn again as it is answered, and in the review table: a question already answered
    is not answered twice. ``filled`` are questions that earlier answers fill in: never asked, their
    prompts are drawn only in the review table.
    """
    by_prompt = {q.prompt: q.id for s in checklist.sections for q in s.questions}
    patterns = [*by_prompt, until]
    asked: list[str] = []
    while True:
        index = term.expect_any(patterns)
        if index == len(patterns) - 1:
            return asked
        qid = by_prompt[patterns[index]]
        if qid in asked or qid in filled:
            continue
        assert qid in answers, (
            f"asked {qid!r}, which the test has no answer for; asked so far: {asked}"
        )
        term.child.send(answers[qid])
        asked.append(qid)
        if qid in after:
            after[qid](term)


@pytest.mark.pty
@pytest.mark.timeout(120)
def test_essex_alumni_blocker_is_shown_when_it_arises_and_stopping_at_review_keeps_the_draft(
    spawn: Callable[..., Terminal],
    workdir: Path,
    drafts: Path,
    essex: Checklist,
    env: dict[str, str],
) -> None:
    # The driver recognises questions by their prompt: no prompt may hide in another, or in a help
    # text or intro printed before it.
    prompts = [q.prompt for s in essex.sections for q in s.questions]
    printed = [q.help or "" for s in essex.sections for q in s.questions]
    printed += [s.intro or "" for s in essex.sections] + [c.text for c in essex.clauses]
    for prompt in prompts:
        assert [p for p in prompts if prompt in p] == [prompt]
        assert not any(prompt in text for text in printed), prompt

    panels: list[tuple[str, str]] = []

    def blocker_panel(term: Terminal) -> None:
        before = term.expect("Blocker (alumni.not-consulted)")
        body = term.expect("╯")  # the panel's bottom-right corner
        panels.append((before, body))

    term = spawn("new")  # the default checklist: Essex
    asked = drive(
        term,
        essex,
        ALUMNI_NOT_CONSULTED,
        until="What next?",
        after={"alumni.advancement_name": blocker_panel},
        filled=frozenset({"administrator.has_deputy", "alumni.contact", "alumni.consulted"})
        | {"account.login_owner", "monitoring.refer_dmo"},
    )
    # The blocker was shown as soon as it arose: before the next question.
    assert asked.index("alumni.advancement_name") + 1 == asked.index("alumni.contact_source")
    assert len(panels) == 1
    before, panel = panels[0]
    assert "Where will alumni contact details come from?" not in before
    assert "The Advancement Office has not been consulted" in panel
    assert (
        "Consult the Advancement Office before going any further with the channel, then answer again."
        in panel
    )
    assert "GG-1" in panel
    assert "Departments contacting alumni must consult the Advancement Office first." in panel
    # Hidden questions were not asked, nor those earlier answers fill in.
    assert "alumni.advancement_email" not in asked
    assert "administrator.deputy_email" not in asked
    assert "fit.added_value" not in asked
    assert {"alumni.contact", "alumni.consulted", "administrator.has_deputy"}.isdisjoint(asked)
    assert set(asked) == set(ALUMNI_NOT_CONSULTED)

    review = term.transcript.rsplit("Your answers", 1)[1]  # the review table, drawn so far
    assert "Blocked: fix the items below before you can sign off." in review
    assert "Essex History" in review
    assert "@essexhistory" in review
    # At review the only way on is to stop: there is no sign-off to go to.
    menu = term.answer("Save the draft and stop here", ENTER)
    assert "Go on to sign-off" not in menu
    assert term.finish() == 1

    saved = list(drafts.glob("*.draft.toml"))
    assert len(saved) == 1, saved
    draft = saved[0]
    end = term.transcript.rsplit("What next?", 1)[1]
    assert "Sign-off is not possible yet." in end
    assert "Consult the Advancement Office before going any further" in end
    assert "(GG-1)" in end
    assert "When you have done this, continue with:" in end
    assert f"{typed_as(env)} new --resume {draft}" in end  # whole, on one line
    assert "Traceback" not in term.transcript
    # No record anywhere; the draft holds every answer, the blocker noted at its top.
    assert list(workdir.rglob("*.smcheck.toml")) == []
    text = draft.read_text(encoding="utf-8")
    assert "# Before you can sign off:" in text
    assert "Consult the Advancement Office" in text
    content = tomllib.loads(text)
    assert content["answers"]["alumni"] == {
        "contact": True,
        "consulted": False,
        "contact_source": "advancement-office",
    }
    assert content["answers"]["channel"]["handle"] == "@essexhistory"
    assert content["draft"]["skipped"] == ["administrator.deputy_name", "alumni.advancement_name"]
    assert content["draft"]["checklist"] == registry.DEFAULT_CHECKLIST


# -- d. no terminal: a clear error, never a hang --------------------------------------------------------

NO_TERMINAL = "smcheck new asks its questions in a terminal, and there is none here"


def test_new_without_a_terminal_exits_2_and_points_at_answers(
    env: dict[str, str], workdir: Path
) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [smcheck_script(), "new"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=workdir,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert NO_TERMINAL in done.stderr
    assert "smcheck new --answers FILE" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert time.monotonic() - started < 20
    assert list(workdir.iterdir()) == []


@pytest.mark.pty
def test_new_with_a_silent_open_pipe_for_input_exits_2_instead_of_hanging(
    env: dict[str, str], workdir: Path, drafts: Path
) -> None:
    """stdin is a pipe that stays open and sends nothing (a CI step); stdout and stderr are a terminal,
    so only the check on stdin stands between this and a prompt waiting forever."""
    import pty

    read_end, write_end = os.pipe()
    controller, terminal = pty.openpty()
    try:
        started = time.monotonic()
        child = subprocess.Popen(
            [smcheck_script(), "new"],
            stdin=read_end,
            stdout=terminal,
            stderr=terminal,
            env=env,
            cwd=workdir,
        )
        os.close(terminal)
        terminal = -1
        try:
            status = child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            pytest.fail("smcheck new waited on a silent pipe instead of exiting")
        output = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # EIO: the terminal's other side is closed and drained
                break
            if not chunk:
                break
            output += chunk
    finally:
        for fd in (read_end, write_end, controller, terminal):
            if fd >= 0:
                os.close(fd)
    text = " ".join(plain(output.decode("utf-8", "replace")).split())  # as read, wrapped or not
    assert status == 2, text
    assert NO_TERMINAL in text
    assert "--answers FILE" in text
    assert time.monotonic() - started < 20
    assert not drafts.exists() or list(drafts.iterdir()) == []
