"""One channel, one identity: ``@essexhistory``, ``Essexhistory`` and `` essexhistory `` on one platform
are one channel, and so are two spellings of its web address, in verify's repeated-channel warning, the
register (``status``, verify's folder report) and ``diff`` alike (all ask :func:`smcheck.channel.channel_of`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from helpers.records import FIXED_ID, edit, make_record_bytes
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from smcheck import registry
from smcheck.channel import channel_of, same_channel, url_key
from smcheck.checklist import Checklist
from smcheck.cli import app
from smcheck.formats import Repeats
from smcheck.register import RowState
from smcheck.verify import verify_bytes

runner = CliRunner()
TODAY = dt.date(2026, 11, 2)
HANDLE = b'handle = "@essexhistory"'
URL = b'url = "https://www.instagram.com/essexhistory/"'


def record(
    *, handle: str | None = None, url: str | None = None, platform: str | None = None, number: int
) -> bytes:
    """The example record (unsigned, so it verifies), with another id and the given channel answers.
    On another platform it gets an address of its own (page NUMBER), so that only its handle can make
    it one channel with another record."""
    if platform is not None and url is None:
        url = f"https://www.{platform}.com/page{number}"
    data = edit(make_record_bytes(), FIXED_ID.encode(), FIXED_ID[:-2].encode() + b"%02d" % number)
    if handle is not None:
        data = edit(data, HANDLE, b"handle = " + json.dumps(handle).encode())
    if url is not None:
        data = edit(data, URL, b"url = " + json.dumps(url).encode())
    if platform is not None:
        data = edit(data, b'platform = "instagram"', b"platform = " + json.dumps(platform).encode())
    return data


def repeated_channel(*files: bytes) -> list[list[str]]:
    """verify's repeated-channel warnings for ``files`` in a batch: for each, the files it repeats."""
    repeats = Repeats()
    found = []
    for number, data in enumerate(files):
        report = verify_bytes(
            data, f"r{number}.smcheck.toml", lookup=registry.lookup(), today=TODAY
        )
        assert report.valid, [c for c in report.checks if c.verdict.value == "FAIL"]
        warnings = repeats.of(report)
        found.append([w["other"] for w in warnings if w["code"] == "repeated-channel"])
    return found


# -- the rule -----------------------------------------------------------------------------------------


def test_a_handle_is_compared_without_case_spaces_or_its_prefix(essex: Checklist) -> None:
    def named(platform: str, handle: str) -> tuple[str, ...]:
        found = channel_of(essex, {"channel.platform": platform, "channel.handle": handle})
        assert found is not None
        return found.keys

    one = named("facebook", "@essexhistory")
    for spelling in ("Essexhistory", " essexhistory ", "@EssexHistory", "ESSEXHISTORY"):
        assert named("facebook", spelling) == one
    assert named("instagram", "@essexhistory") != one  # another platform: another account
    assert named("facebook", "@essexhistory2") != one


def test_an_old_records_handle_is_compared_by_the_current_checklists_normal_form(
    essex: Checklist,
) -> None:
    # Version 1.1.0 had no normalize data; 1.2.0 says a handle is written with @ (whatever platform).
    old = registry.archived("essex-social-media", "1.1.0")
    assert old is not None
    handle = old.question("channel.handle")
    assert handle is not None and handle.validate.prefix is None
    answers = {"channel.platform": "instagram", "channel.handle": "Essexhistory"}
    then = channel_of(old, answers, current=essex)
    now = channel_of(essex, {"channel.platform": "instagram", "channel.handle": "@essexhistory"})
    assert same_channel(then, now)


@pytest.mark.parametrize(
    "spelling",
    [
        "https://www.instagram.com/essexhistory/",
        "https://instagram.com/essexhistory",
        "HTTPS://WWW.Instagram.COM/essexhistory/",
        "https://www.instagram.com/essexhistory/?hl=en",
        "https://www.instagram.com/essexhistory#top",
        "http://instagram.com./essexhistory//",
    ],
)
def test_a_web_address_is_compared_by_host_and_path(spelling: str) -> None:
    assert url_key(spelling) == "instagram.com/essexhistory"


def test_an_address_that_names_no_channel_gives_no_key_and_an_id_is_kept() -> None:
    assert url_key("https://www.instagram.com/") is None
    assert url_key("not a web address") is None
    assert url_key("https://[::1") is None
    one = url_key("https://www.facebook.com/profile.php?id=100&ref=x")
    assert one == "facebook.com/profile.php?id=100"
    assert url_key("https://www.facebook.com/profile.php?id=200") != one


# -- verify: the repeated-channel warning ------------------------------------------------------------


def test_verify_warns_of_a_second_record_for_a_channel_spelt_another_way() -> None:
    # Facebook handles get no @ from the checklist: both spellings are valid answers.
    live = record(platform="facebook", handle="essexhistory", number=1)
    second = record(platform="facebook", handle="@EssexHistory", number=2)
    assert repeated_channel(live, second) == [[], ["r0.smcheck.toml"]]


def test_verify_warns_of_a_second_record_at_the_same_address_spelt_another_way() -> None:
    live = record(number=1)
    second = record(
        handle="@essex.history", url="https://instagram.com/essexhistory?igsh=abc", number=2
    )
    assert repeated_channel(live, second) == [[], ["r0.smcheck.toml"]]


def test_verify_warns_of_a_live_channel_whose_record_was_made_against_an_archived_checklist() -> (
    None
):
    old = registry.archived("essex-social-media", "1.1.0")
    assert old is not None
    live = edit(make_record_bytes(old), HANDLE, b'handle = "Essexhistory"')
    live = edit(live, URL, b'url = "https://www.instagram.com/history-at-essex/"')
    second = record(number=2)
    assert repeated_channel(live, second) == [[], ["r0.smcheck.toml"]]


def test_other_channels_are_not_one() -> None:
    one = record(number=1)
    other = record(
        handle="@essexarchives", url="https://www.instagram.com/essexarchives/", number=2
    )
    facebook = record(platform="facebook", number=3)  # the same words on another platform
    assert repeated_channel(one, other, facebook) == [[], [], []]


# -- the register (status, verify's folder report) and diff -------------------------------------------


def test_the_register_shows_one_row_for_one_channel_in_two_spellings(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "a.smcheck.toml").write_bytes(
        record(platform="facebook", handle="essexhistory", number=1)
    )
    (folder / "b.smcheck.toml").write_bytes(
        record(platform="facebook", handle="@EssexHistory", number=2)
    )
    # A file that does not verify, claiming the channel in a third spelling, is named on its row.
    bad = record(platform="facebook", handle=" ESSEXHISTORY", number=3).replace(
        b"Dr Helen", b"Dr Ellen"
    )
    (folder / "c.smcheck.toml").write_bytes(bad)
    result = runner.invoke(app, ["status", "--json", str(folder)])
    assert result.exit_code == 1, result.output  # one file does not verify
    rows = json.loads(result.stdout)["channels"]
    valid = [r for r in rows if r["state"] != "invalid"]
    assert len(valid) == 1, valid
    notes = " ".join(valid[0]["notes"])
    assert "a.smcheck.toml" in notes or "b.smcheck.toml" in notes
    assert "c.smcheck.toml: invalid" in notes


def test_verify_folder_report_names_the_same_channel(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    folder.mkdir()
    (folder / "a.smcheck.toml").write_bytes(
        record(platform="facebook", handle="essexhistory", number=1)
    )
    (folder / "b.smcheck.toml").write_bytes(
        record(platform="facebook", handle="@EssexHistory", number=2)
    )
    result = runner.invoke(app, ["verify", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Same channel" in result.output
    assert "same channel (facebook @EssexHistory) as" in result.output


def test_diff_sees_one_channel_in_two_spellings(tmp_path: Path) -> None:
    old, new = tmp_path / "old.smcheck.toml", tmp_path / "new.smcheck.toml"
    old.write_bytes(record(platform="facebook", handle="essexhistory", number=1))
    new.write_bytes(record(platform="facebook", handle="@EssexHistory", number=2))
    result = runner.invoke(app, ["diff", "--json", str(old), str(new)])
    assert json.loads(result.stdout)["same_channel"] is True
    result = runner.invoke(app, ["diff", str(old), str(new)])
    assert "different channels" not in result.stdout


# --- the register's grouping, against a plain model ---------------------------------------------------


@given(
    st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcdefgh"), max_size=3),
            st.sampled_from(list(RowState)),
            st.sampled_from([None, dt.date(2027, 1, 1), dt.date(2026, 12, 1)]),
        ),
        max_size=14,
    )
)
def test_the_register_groups_and_orders_rows_as_the_plain_model_does(
    made: list[tuple[list[str], RowState, dt.date | None]],
) -> None:
    """Rows that share a key (directly, or through others) are one channel; each channel's row is its
    latest record's (a draft's only where it has none); the rows are ordered by state, review date, channel and path. The register does
    this in little memory (no list per channel, no key per row while sorting): here it is held to the
    plainest way of doing it."""
    from smcheck.register import STATES, Entry, _channels, arrange, key_digest

    entries = [
        Entry(
            f"{number:02}.smcheck.toml",
            f"chan {''.join(keys) or number}",
            (),
            state,
            review_by,
            dt.datetime(2026, 1, 1 + number, tzinfo=dt.UTC),
            "",
            keys=tuple(key_digest(k) for k in keys),
        )
        for number, (keys, state, review_by) in enumerate(made)
    ]

    def components(indexes: list[int]) -> list[list[int]]:
        """Connected components, the plain way: join until nothing changes."""
        groups = [{i} for i in indexes]
        joined = True
        while joined:
            joined = False
            for one in groups:
                for other in groups:
                    if one is not other and any(
                        set(entries[i].identities) & set(entries[j].identities)
                        for i in one
                        for j in other
                    ):
                        one |= other
                        groups.remove(other)
                        joined = True
                        break
                if joined:
                    break
        return sorted(sorted(group) for group in groups)

    everyone = list(range(len(entries)))
    got = [[entries.index(e) for e in group] for group in _channels(entries)]
    assert got == components(
        everyone
    )  # in the order of each channel's first file, its files in order
    rows = arrange(entries)
    order = [(STATES.index(r.state), r.review_by or dt.date.max, r.channel, r.path) for r in rows]
    assert order == sorted(order)
    # Each invalid file is a row of its own; each channel of the others, one row: its latest file's.
    valid = [i for i in everyone if entries[i].state is not RowState.INVALID]

    def latest_of(group: list[int]) -> int:  # a draft only where there is no record
        records = [i for i in group if entries[i].state is not RowState.DRAFT]
        return max(records or group, key=lambda i: (entries[i].when, entries[i].path))

    latest = {latest_of(group) for group in components(valid)}
    assert sorted(r.path for r in rows) == sorted(
        [entries[i].path for i in everyone if i not in valid] + [entries[i].path for i in latest]
    )
