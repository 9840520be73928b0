"""Drafts a person can find: named by the channel, saying where they stand, listed, resumed, discarded.

The functions are called directly; ``discard`` asks on a terminal, which the tests stand in for with a
scripted stdin that says it is one.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import tomllib
from pathlib import Path

import pytest
from helpers.records import TINY_WARNING_ANSWERS
from helpers.scripted import TODAY, Scripted, essex_answers, run, tiny_script

from smcheck import registry
from smcheck.checklist import Checklist, Question, Value
from smcheck.commands import drafts as command
from smcheck.drafts import (
    DraftStatus,
    Resume,
    discard,
    draft_path_for,
    in_progress,
    list_drafts,
    load_draft,
    new_draft_path,
    save_draft,
    summary,
)
from smcheck.errors import FileProblem, Interrupted, SmcheckError, UsageError
from smcheck.interview import Interview, Position, Progress
from smcheck.text import shell_word

STARTED = dt.datetime(2026, 11, 2, 9, 30, 0, tzinfo=dt.UTC)
STAMP = "20261102-093000"


@pytest.fixture(autouse=True)
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test has a drafts folder of its own."""
    path = tmp_path / "drafts"
    monkeypatch.setenv("SMCHECK_DRAFTS", str(path))
    return path


@pytest.fixture
def essex() -> Checklist:
    found = registry.by_id("essex-social-media")
    assert found is not None
    return found


def save(checklist: Checklist, answers: dict[str, object], *, skipped: set[str] = set()) -> Path:  # noqa: B006
    progress = Progress(answers=dict(answers), skipped=set(skipped))  # type: ignore[arg-type]
    return save_draft(new_draft_path(checklist, STARTED), checklist, progress, STARTED)


def set_saved(path: Path, when: dt.datetime) -> None:
    """Edit a draft's own saved time, as a draft saved then would have it."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^saved = .*$", f"saved = {when.isoformat()}", text)
    path.write_text(text, encoding="utf-8")


def draft_text(cid: str = "tiny-club", extra: str = "", answers: str = "") -> str:
    return (
        "[draft]\n"
        f'checklist = "{cid}"\nchecklist_version = "2.1"\nchecklist_sha256 = "ab"\n'
        "started = 2026-11-02T09:30:00Z\nsaved = 2026-11-02T09:31:00Z\n"
        f'smcheck_version = "0"\nskipped = []\n{extra}\n'
        f"[answers]\n{answers}\n[signoff]\n"
    )


# -- names --------------------------------------------------------------------------------------------


def test_a_draft_is_named_by_its_checklist_until_the_channel_is_known(
    tiny: Checklist, folder: Path
) -> None:
    path = save(tiny, {})
    assert path == folder / f"tiny-club-{STAMP}.draft.toml"
    assert path == draft_path_for(tiny, Progress(), STARTED)
    assert path.stat().st_mode & 0o777 == 0o600
    assert "channel" not in tomllib.loads(path.read_text(encoding="utf-8"))["draft"]


def test_once_the_channel_is_known_the_draft_takes_its_name_and_the_old_file_goes(
    tiny: Checklist, folder: Path
) -> None:
    first = save(tiny, {})
    progress = Progress(answers={"club.name": "Chess Club"})
    renamed = save_draft(first, tiny, progress, STARTED)
    assert renamed == folder / f"chess-club-{STAMP}.draft.toml"
    assert not first.exists()
    assert sorted(p.name for p in folder.iterdir()) == [renamed.name]
    # The comment says how to resume the file as it is now named.
    assert f"smcheck new --resume {renamed}" in renamed.read_text(encoding="utf-8")
    assert load_draft(renamed).channel == "Chess Club"
    # Saved again with the same channel: the same file.
    progress.answers["club.kind"] = "sport"
    assert save_draft(renamed, tiny, progress, STARTED) == renamed
    # The channel changes: renamed again.
    progress.answers["club.name"] = "Go Club"
    again = save_draft(renamed, tiny, progress, STARTED)
    assert again.name == f"go-club-{STAMP}.draft.toml"
    assert sorted(p.name for p in folder.iterdir()) == [again.name]


def test_platform_and_handle_name_an_essex_draft_and_the_label_is_the_choice_label(
    essex: Checklist, folder: Path
) -> None:
    path = save(essex, {"channel.platform": "instagram"})
    assert path.name == f"essex-social-media-{STAMP}.draft.toml"  # the handle is not known yet
    assert load_draft(path).channel is None
    progress = Progress(
        answers={"channel.platform": "instagram", "channel.handle": "@essexhistory"}
    )
    path = save_draft(path, essex, progress, STARTED)
    assert path.name == f"instagram-essexhistory-{STAMP}.draft.toml"
    assert load_draft(path).channel == "Instagram @essexhistory"


def test_a_rename_never_overwrites_another_draft(tiny: Checklist, folder: Path) -> None:
    first = save(tiny, {})
    taken = folder / f"chess-club-{STAMP}.draft.toml"
    taken.write_bytes(b"someone else's draft")
    progress = Progress(answers={"club.name": "Chess Club"})
    renamed = save_draft(first, tiny, progress, STARTED)
    assert renamed.name == f"chess-club-{STAMP}-2.draft.toml"
    assert taken.read_bytes() == b"someone else's draft"
    assert not first.exists()
    # The -2 is its name now: the next save keeps it (and still leaves the other alone).
    assert save_draft(renamed, tiny, progress, STARTED) == renamed
    assert taken.read_bytes() == b"someone else's draft"


def test_a_rename_goes_past_a_fifo_or_a_dangling_link_of_that_name(
    tiny: Checklist, folder: Path
) -> None:
    first = save(tiny, {})
    os.mkfifo(folder / f"chess-club-{STAMP}.draft.toml")
    (folder / f"chess-club-{STAMP}-2.draft.toml").symlink_to(folder / "nowhere")
    renamed = save_draft(first, tiny, Progress(answers={"club.name": "Chess Club"}), STARTED)
    assert renamed.name == f"chess-club-{STAMP}-3.draft.toml"
    assert not (folder / "nowhere").exists()


def test_a_draft_elsewhere_is_renamed_in_its_own_folder(tiny: Checklist, tmp_path: Path) -> None:
    mine = tmp_path / "mine" / f"tiny-club-{STAMP}.draft.toml"
    written = save_draft(mine, tiny, Progress(answers={"club.name": "Chess Club"}), STARTED)
    assert written == tmp_path / "mine" / f"chess-club-{STAMP}.draft.toml"


@pytest.mark.parametrize(
    "name",
    ["later.draft.toml", f"chess-club-{STAMP}x.draft.toml", "tiny-club-20261102-093001.draft.toml"],
)
def test_a_name_smcheck_did_not_give_this_interview_is_kept(
    tiny: Checklist, folder: Path, name: str
) -> None:
    mine = folder / name
    written = save_draft(mine, tiny, Progress(answers={"club.name": "Chess Club"}), STARTED)
    assert written == mine
    assert sorted(p.name for p in folder.iterdir()) == [name]


# -- where a draft stands ---------------------------------------------------------------------------


def test_status_answered_and_about(tiny: Checklist) -> None:
    def stands(answers: dict[str, object], skipped: set[str] = set()) -> tuple[str, int, int]:  # noqa: B006
        loaded = load_draft(save(tiny, answers, skipped=skipped))
        assert loaded.status is not None and loaded.answered is not None
        assert loaded.about is not None
        return loaded.status.value, loaded.answered, loaded.about

    # As the interview counts: club.name, kind, has_owner and owner_email (its likeliest answer is yes),
    # founded, web.sites (web.url is asked only for a site of the club's own).
    assert stands({}) == ("in-progress", 0, 6)
    assert stands({"club.name": "Chess Club", "club.kind": "union"}) == ("referred", 2, 6)
    # No owner: no owner's address to ask.
    assert stands({"club.name": "Chess Club", "club.has_owner": False}) == ("blocked", 2, 5)
    # Everything answered but the optional date: still in progress until it is left blank.
    assert stands(TINY_WARNING_ANSWERS) == ("in-progress", 6, 7)
    assert stands(TINY_WARNING_ANSWERS, {"club.founded"}) == ("ready", 7, 7)


def test_summary_agrees_with_what_the_draft_records(tiny: Checklist) -> None:
    progress = Progress(answers=dict(TINY_WARNING_ANSWERS), skipped={"club.founded"})
    found = summary(tiny, progress, today=dt.date(2026, 11, 2))
    assert (found.status, found.channel, found.answered, found.about) == (
        DraftStatus.READY,
        "Chess Club",
        7,
        7,
    )


class _FirstQuestion(Exception):
    """Where a resumed interview starts: the position its first question shows."""


class _Resumed(Scripted):
    def ask(self, question: Question, *, position: Position, **_: object) -> Value | None:
        raise _FirstQuestion(position)


@pytest.mark.parametrize("which", ["tiny", "essex"])
def test_the_list_counts_as_the_interview_that_resumes_the_draft(
    which: str, tiny: Checklist, essex: Checklist
) -> None:
    """After every answer of a whole interview (answers that earlier ones fill in included), the draft's
    "N of about M answered" is what the interview resumed from it shows: "question N+1 of about M"."""
    checklist = tiny if which == "tiny" else essex
    script: dict[str, list[Value | None]] = (
        tiny_script()
        if which == "tiny"
        else {qid: [value] for qid, value in essex_answers(essex).items()}
    )
    _, _, saved = run(checklist, Scripted(script))
    assert len(saved) > 5
    for progress in saved:
        found = summary(checklist, progress, today=TODAY)
        interview = Interview(
            checklist, _Resumed({}), progress, save=lambda p: None, today=lambda: TODAY
        )
        try:
            interview.run()
        except _FirstQuestion as stop:
            (position,) = stop.args
            assert (position.number, position.about) == (found.answered + 1, found.about)
        else:  # every question answered: the review, then the sign-off
            assert found.answered == found.about


def test_an_older_draft_without_the_new_keys_still_loads(tiny: Checklist, folder: Path) -> None:
    path = save(tiny, {"club.name": "Chess Club"})
    text = path.read_text(encoding="utf-8")
    old = re.sub(r"(?m)^(status|channel|answered|about) = .*\n", "", text)
    assert old != text
    path.write_text(old, encoding="utf-8")
    loaded = load_draft(path)
    assert (loaded.status, loaded.channel, loaded.answered, loaded.about) == (None,) * 4
    assert loaded.progress.answers == {"club.name": "Chess Club"}
    # Listed all the same (the tiny checklist is not shipped: what is known of it).
    [listed] = list_drafts()
    assert (listed.status, listed.channel, listed.answered, listed.about) == (
        DraftStatus.IN_PROGRESS,
        None,
        1,
        None,
    )


def test_an_older_essex_draft_is_listed_from_the_shipped_checklist(
    essex: Checklist, folder: Path
) -> None:
    progress = Progress(answers={"channel.platform": "instagram", "channel.handle": "@eh"})
    path = save_draft(new_draft_path(essex, STARTED), essex, progress, STARTED)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^(status|channel|answered|about) = .*\n", "", text), "utf-8")
    [listed] = list_drafts()
    assert listed.channel == "Instagram @eh"
    assert listed.status is DraftStatus.IN_PROGRESS
    assert listed.answered == 2 and listed.about is not None and listed.about > 2


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('status = "done"', "draft.status: must be one of"),
        ("answered = -1", "draft.answered: must not be negative"),
        ('about = "many"', "draft.about: must be an integer"),
        ('channel = ""', "draft.channel: must not be empty"),
        ("colour = 1", "draft.colour: unknown key"),
        ('plain = "yes"', "draft.plain: must be a boolean"),
        ('output = ""', "draft.output: must not be empty"),
        ("sign_with = 3", "draft.sign_with: must be a string"),
    ],
)
def test_the_new_keys_are_read_strictly(folder: Path, extra: str, message: str) -> None:
    folder.mkdir()
    path = folder / "x.draft.toml"
    path.write_text(draft_text(extra=extra), encoding="utf-8")
    with pytest.raises(FileProblem) as caught:
        load_draft(path)
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("name", "text", "said", "command"),
    [
        (
            "old club.smcheck.toml",
            '[record]\nschema = 1\n\n[answers.club]\nname = "x"\n',
            "a record",
            "renew",
        ),
        (
            "answers.toml",
            'checklist = "tiny-club"\n[answers.club]\nname = "x"\n',
            "an answers file",
            "new --answers",
        ),
    ],
)
def test_a_record_or_an_answers_file_given_for_a_draft_says_what_takes_it(
    folder: Path, name: str, text: str, said: str, command: str
) -> None:
    folder.mkdir()
    path = folder / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_draft(path)
    assert caught.value.message == f"{path}: {said}, not a draft"
    assert f"smcheck {command} {shell_word(path)}" in (caught.value.hint or "")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[record]\nschema = 1\n\n[answers.club]\nname = "x"\n', "a record, not a draft"),
        ('checklist = "tiny-club"\n[answers.club]\nname = "x"\n', "an answers file, not a draft"),
    ],
)
def test_new_resume_says_what_the_file_is_before_asking_for_a_terminal(
    folder: Path, text: str, said: str
) -> None:
    from typer.testing import CliRunner

    from smcheck.cli import app

    folder.mkdir()
    path = folder / "given.toml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["new", "--resume", str(path)])  # no terminal here
    assert result.exit_code == 2
    assert f"{path}: {said}" in " ".join(result.output.split())
    assert "terminal" not in result.output


# -- listing ----------------------------------------------------------------------------------------


def test_drafts_are_listed_newest_saved_first(tiny: Checklist, folder: Path) -> None:
    old = save(tiny, {"club.name": "Old Club"})
    set_saved(old, dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC))
    new = save(tiny, {"club.name": "New Club"})
    set_saved(new, dt.datetime(2026, 11, 3, 8, 0, tzinfo=dt.UTC))
    middle = save(tiny, {"club.name": "Mid Club"})
    set_saved(middle, dt.datetime(2026, 11, 2, 8, 0, tzinfo=dt.UTC))
    listed = list_drafts()
    assert [d.channel for d in listed] == ["New Club", "Mid Club", "Old Club"]
    assert listed[0].saved == dt.datetime(2026, 11, 3, 8, 0, tzinfo=dt.UTC)
    assert listed[0].started == STARTED and listed[0].checklist_id == "tiny-club"


def test_an_unreadable_draft_is_listed_with_its_reason(
    tiny: Checklist, folder: Path, tmp_path: Path
) -> None:
    save(tiny, {"club.name": "Chess Club"})
    (folder / "garbage.draft.toml").write_bytes(b"\xff\xfe not toml")
    (folder / "bom.draft.toml").write_bytes(b"\xef\xbb\xbf[draft]\n")
    (folder / "huge.draft.toml").write_bytes(b"#" * (2 * 1024 * 1024))
    os.mkfifo(folder / "fifo.draft.toml")
    (folder / "device.draft.toml").symlink_to("/dev/zero")
    (folder / "dangling.draft.toml").symlink_to(tmp_path / "gone")
    (folder / "folder.draft.toml").mkdir()
    (folder / "record.draft.toml").write_text("[answers]\n", encoding="utf-8")
    (folder / "old.draft.toml").write_text("[record]\nschema = 1\n", encoding="utf-8")
    (folder / "notes.txt").write_text("not a draft", encoding="utf-8")
    listed = {d.path.name: d for d in list_drafts()}
    assert set(listed) == {
        f"chess-club-{STAMP}.draft.toml",
        "garbage.draft.toml",
        "bom.draft.toml",
        "huge.draft.toml",
        "fifo.draft.toml",
        "device.draft.toml",
        "dangling.draft.toml",
        "folder.draft.toml",
        "record.draft.toml",
        "old.draft.toml",
    }
    reasons = {name: d.problem for name, d in listed.items() if not d.readable}
    assert reasons == {
        "garbage.draft.toml": "not UTF-8 text (bad byte at offset 0)",
        "bom.draft.toml": "starts with a byte-order mark (BOM); save it as UTF-8 without BOM",
        "huge.draft.toml": f"larger than {1024 * 1024} bytes",
        "fifo.draft.toml": "is a named pipe (FIFO), not a regular file: not read",
        "device.draft.toml": "is a device, not a regular file: not read",
        "dangling.draft.toml": "no such file",
        "folder.draft.toml": "is a folder, not a regular file: not read",
        "record.draft.toml": "an answers file, not a draft",
        "old.draft.toml": "a record, not a draft",
    }
    for name in reasons:
        assert listed[name].status is None and listed[name].channel is None
    assert [d.channel for d in in_progress()] == ["Chess Club"]


def test_in_progress_leaves_out_referred_and_unreadable_drafts(
    tiny: Checklist, folder: Path
) -> None:
    blocked = save(tiny, {"club.name": "Blocked Club", "club.has_owner": False})
    set_saved(blocked, dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    going = save(tiny, {"club.name": "Going Club"})
    set_saved(going, dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    ready = save(tiny, TINY_WARNING_ANSWERS | {"club.name": "Ready Club"}, skipped={"club.founded"})
    set_saved(ready, dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
    save(tiny, {"club.name": "Union Club", "club.kind": "union"})
    (folder / "broken.draft.toml").write_text("nonsense", encoding="utf-8")
    assert [(d.channel, d.status) for d in in_progress()] == [
        ("Going Club", DraftStatus.IN_PROGRESS),
        ("Blocked Club", DraftStatus.BLOCKED),
        ("Ready Club", DraftStatus.READY),
    ]
    assert len(list_drafts()) == 5


def test_no_drafts_says_where_it_looked(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert command.list_run() == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"No drafts in {folder}.\n"


def test_the_list_shows_channel_progress_time_state_and_a_path_to_paste(
    tiny: Checklist, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    going = save(tiny, {"club.name": "Chess Club"})
    saved = dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.UTC)
    set_saved(going, saved)
    fresh = save(tiny, {})
    set_saved(fresh, dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    spaced = folder / "my draft.draft.toml"
    spaced.write_text("nonsense", encoding="utf-8")
    os.utime(spaced, (0, 0))
    assert command.list_run() == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    local = f"{saved.astimezone():%Y-%m-%d %H:%M}"
    assert lines[0].split("  ")[0] == "Chess Club"
    assert re.fullmatch(
        rf"Chess Club +1 of about 6 answered +saved {local} +in progress +{re.escape(str(going))}",
        lines[0],
    ), lines[0]
    assert lines[1].startswith("(channel not given yet)  0 of about 6 answered")
    assert lines[1].endswith(f"in progress  {fresh}")
    assert lines[2].startswith("(cannot be read)")
    # Quoted for the shell; the reason is a comment, so the line still pastes.
    assert re.search(rf"  unreadable +{re.escape(repr(str(spaced)))}  # not valid TOML", lines[2])
    assert len(lines) == 3
    # The real names, never a placeholder: the newest draft that can resume, the newest listed.
    assert f"Resume the latest with: smcheck new --resume {going}" in err
    assert f"Discard the latest with: smcheck drafts discard {going}" in err
    assert "DRAFT" not in err


def test_the_list_resumes_a_draft_the_way_it_was_begun(
    tiny: Checklist, essex: Checklist, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft begun in plain mode (a screen reader), with a key and an output named, is resumed so:
    ``smcheck drafts`` suggests the command its own first lines and the Ctrl-C message give."""
    begun = Resume(
        plain=True,
        checklist_file=tiny.path.resolve(),
        output=Path("-club.smcheck.toml"),
        sign_with=Path("keys/my key"),
    )
    progress = Progress(answers={"club.name": "Chess Club"})
    path = save_draft(new_draft_path(tiny, STARTED), tiny, progress, STARTED, resume=begun)
    again = (
        f"smcheck new --resume {path} --plain --checklist {tiny.path.resolve()}"
        " --sign-with 'keys/my key' --output ./-club.smcheck.toml"
    )
    assert f"# Resume with: {again}\n" in path.read_text(encoding="utf-8")
    assert load_draft(path).resume == begun
    assert command.list_run() == 0
    assert f"Resume the latest with: {again}\n" in capsys.readouterr().err
    # A draft begun with no option (or saved before drafts kept how) resumes with none.
    assert load_draft(save(essex, {})).resume == Resume()


def test_how_a_hostile_draft_says_it_was_begun_is_one_shell_word_each(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder.mkdir()
    output = "x; rm -rf ~ \x1b[2J"
    (folder / "evil.draft.toml").write_text(
        draft_text(
            extra=f'status = "in-progress"\nplain = true\noutput = {json.dumps(output)}\n'
            'sign_with = "$(reboot)"'
        ),
        encoding="utf-8",
    )
    assert command.list_run() == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err
    assert "--plain --sign-with '$(reboot)' --output $'x; rm -rf ~ \\x1b[2J'" in err, err


def test_hostile_names_and_content_are_shown_escaped(
    tiny: Checklist, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder.mkdir()
    hostile = "\x1b]0;pwned\x07[bold red]APPROVED[/]\u202e"
    (folder / "evil.draft.toml").write_text(
        draft_text(extra=f'status = "ready"\nchannel = {json.dumps(hostile)}'),
        encoding="utf-8",
    )
    (folder / "\x1b[31mred\x9b.draft.toml").write_text("x = 1", encoding="utf-8")
    assert command.list_run() == 0
    out, err = capsys.readouterr()
    for text in (out, err):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "\x9b" not in text
    assert "\\x1b]0;pwned\\x07[bold red]APPROVED[/]\\u202e" in out
    # The path is a word to paste: its bytes in bash's $'...' quoting (U+009B is \xc2\x9b in UTF-8).
    assert "\\x1b[31mred\\xc2\\x9b.draft.toml'" in out


def test_a_long_channel_is_cut(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder.mkdir()
    (folder / "long.draft.toml").write_text(
        draft_text(extra=f'status = "in-progress"\nchannel = "{"x" * 5000}"'), encoding="utf-8"
    )
    command.list_run()
    out = capsys.readouterr().out
    assert out.startswith("x" * 47 + "...  ")


# -- discarding -------------------------------------------------------------------------------------


class Keyboard(io.StringIO):
    """A stdin that says it is a terminal, typing the given lines."""

    def isatty(self) -> bool:
        return True


class CtrlC(Keyboard):
    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise KeyboardInterrupt


def typing(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", Keyboard(text))


def test_discard_asks_and_takes_only_a_whole_yes(
    tiny: Checklist, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = save(tiny, {"club.name": "Chess Club"})
    typing(monkeypatch, "yesplease\nmaybe\nYes\n")
    assert command.discard_run(path, yes=False) == 0
    assert not path.exists()
    err = capsys.readouterr().err
    assert err.startswith("Draft: Chess Club\n  in progress, 1 of about 6 answered, saved "), err
    assert f"  {path}\nDiscard this draft? [y/N] " in err
    assert err.count("Discard this draft? [y/N]") == 3
    assert err.count("Please answer y (yes) or n (no).") == 2
    assert err.endswith(f"Discarded {path}.\n")


@pytest.mark.parametrize("typed", ["n\n", "NO\n", "\n", "", "nope\nN\n"])
def test_no_an_empty_line_or_the_end_of_input_keeps_the_draft(
    tiny: Checklist, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    path = save(tiny, {})
    typing(monkeypatch, typed)
    assert command.discard_run(path, yes=False) == 1
    assert path.exists()
    assert capsys.readouterr().err.endswith("Nothing removed.\n")


def test_ctrl_c_keeps_the_draft(tiny: Checklist, monkeypatch: pytest.MonkeyPatch) -> None:
    path = save(tiny, {})
    monkeypatch.setattr("sys.stdin", CtrlC(""))
    with pytest.raises(Interrupted, match="nothing removed"):
        command.discard_run(path, yes=False)
    assert path.exists()


def test_without_a_terminal_discard_needs_yes(
    tiny: Checklist, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(tiny, {})
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # piped: not a terminal
    with pytest.raises(UsageError) as caught:
        command.discard_run(path, yes=False)
    assert caught.value.exit_code == 2
    assert "there is no terminal to ask in: nothing removed" in caught.value.message
    assert caught.value.hint == f"to remove it without asking: smcheck drafts discard --yes {path}"
    assert path.exists()
    assert command.discard_run(path, yes=True) == 0
    assert not path.exists()


def test_a_bare_file_name_is_found_in_the_drafts_folder(
    tiny: Checklist, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = save(tiny, {})
    monkeypatch.chdir(tmp_path)
    assert command.discard_run(Path(path.name), yes=True) == 0
    assert not path.exists()
    with pytest.raises(UsageError, match="no such draft"):
        command.discard_run(Path("other.draft.toml"), yes=True)


def test_an_unreadable_draft_in_the_folder_can_be_discarded(folder: Path) -> None:
    folder.mkdir()
    broken = folder / "broken.draft.toml"
    broken.write_bytes(b"\xff")
    fifo = folder / "fifo.draft.toml"
    os.mkfifo(fifo)
    link = folder / "link.draft.toml"
    target = folder.parent / "precious.txt"
    target.write_text("keep me", encoding="utf-8")
    link.symlink_to(target)
    for path in (broken, fifo, link):
        discard(path)
        assert not os.path.lexists(path)
    assert target.read_text(encoding="utf-8") == "keep me"  # the link went, not what it named


def test_discard_refuses_what_is_not_a_draft(tiny: Checklist, folder: Path, tmp_path: Path) -> None:
    save(tiny, {})
    elsewhere = tmp_path / "thesis.draft.toml"
    elsewhere.write_text("my thesis", encoding="utf-8")
    notes = folder / "notes.txt"
    notes.write_text("mine", encoding="utf-8")
    for path in (elsewhere, notes, folder / ".." / "thesis.draft.toml"):
        with pytest.raises(UsageError) as caught:
            discard(path)
        assert "is not in the drafts folder and does not read as a draft" in caught.value.message
        assert caught.value.message.endswith(": nothing removed")
        assert caught.value.hint == f"smcheck drafts lists the drafts in {folder}"
    assert elsewhere.read_text(encoding="utf-8") == "my thesis"
    assert notes.exists()
    (folder / "sub.draft.toml").mkdir()
    with pytest.raises(UsageError, match="is a folder, not a draft: nothing removed"):
        discard(folder / "sub.draft.toml")
    with pytest.raises(UsageError, match="no such draft"):
        discard(folder / "gone.draft.toml")


def test_a_draft_kept_elsewhere_can_be_discarded(tiny: Checklist, tmp_path: Path) -> None:
    mine = save_draft(tmp_path / "mine.draft.toml", tiny, Progress(), STARTED)
    assert mine.parent == tmp_path
    discard(mine)
    assert not mine.exists()


def test_discard_refuses_before_it_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "thesis.txt"
    elsewhere.write_text("my thesis", encoding="utf-8")
    typing(monkeypatch, "y\n")
    with pytest.raises(SmcheckError):
        command.discard_run(elsewhere, yes=False)
    assert capsys.readouterr().err == ""
    assert elsewhere.exists()


def test_a_save_under_the_old_name_after_a_rename_replaces_its_own_draft(
    tiny: Checklist, folder: Path
) -> None:
    first = save(tiny, {})
    progress = Progress(answers={"club.name": "Chess Club"})
    renamed = save_draft(first, tiny, progress, STARTED)
    # A caller that kept the old path (or a resume of a copy left behind) does not make a -2.
    progress.answers["club.kind"] = "music"
    assert save_draft(first, tiny, progress, STARTED) == renamed
    assert sorted(p.name for p in folder.iterdir()) == [renamed.name]
    assert load_draft(renamed).progress.answers["club.kind"] == "music"
    # Another interview of the same channel, started at another time, has a name of its own.
    later = STARTED + dt.timedelta(minutes=5)
    other = save_draft(new_draft_path(tiny, later), tiny, Progress(dict(progress.answers)), later)
    assert other != renamed and renamed.exists()


# -- the command line (CliRunner gives no terminal) --------------------------------------------------


def test_the_drafts_command_lists_and_discard_without_a_terminal_needs_yes(
    tiny: Checklist, folder: Path
) -> None:
    from typer.testing import CliRunner

    from smcheck.cli import app

    runner = CliRunner()
    empty = runner.invoke(app, ["drafts"])
    assert empty.exit_code == 0 and f"No drafts in {folder}." in empty.output
    path = save(tiny, {"club.name": "Chess Club"})
    for args in (["drafts"], ["drafts", "list"]):
        listed = runner.invoke(app, args)
        assert listed.exit_code == 0
        assert listed.stdout.startswith("Chess Club  1 of about 6 answered  saved ")
        assert listed.stdout.rstrip().endswith(f"in progress  {path}")
    refused = runner.invoke(app, ["drafts", "discard", path.name], input="y\n")
    assert refused.exit_code == 2
    assert "no terminal to ask in: nothing removed" in refused.output
    assert "--yes" in refused.output
    assert path.exists()
    done = runner.invoke(app, ["drafts", "discard", "--yes", path.name])
    assert done.exit_code == 0, done.output
    assert not path.exists()
    missing = runner.invoke(app, ["drafts", "discard", "--yes", path.name])
    assert missing.exit_code == 2 and "no such draft" in missing.output
