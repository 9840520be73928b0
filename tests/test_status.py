"""smcheck status: the register, one row per channel, most urgent first; its HTML page in a real browser."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers.desk import Desk, open_desk, runner
from helpers.register import TODAY, approve_fully, desk_of_every_state, signed_record

from smcheck import registry
from smcheck.cli import app
from smcheck.layout import split

HOSTILE = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from open_desk(tmp_path)


@pytest.fixture
def register(desk: Desk) -> Path:
    approve_fully(desk, signed_record(desk, "approved", TODAY, handle="@approved"))
    signed_record(desk, "awaiting", TODAY, handle="@awaiting", department=HOSTILE)
    approve_fully(desk, signed_record(desk, "rejected", TODAY, handle="@rejected"), "rejected")
    due = TODAY - dt.timedelta(days=365 - 10)
    approve_fully(desk, signed_record(desk, "due", due, handle="@due"))
    overdue = TODAY - dt.timedelta(days=400)
    approve_fully(desk, signed_record(desk, "overdue", overdue, handle="@overdue"))
    bad = signed_record(desk, "invalid", TODAY, handle="@invalid")
    bad.write_bytes(bad.read_bytes().replace(b"Priya Shah", b"Priya Shaw"))
    # An older record of the approved channel: the latest one stands for it.
    signed_record(desk, "approved-old", TODAY - dt.timedelta(days=30), handle="@approved")
    return desk.root / "register"


def test_states_sorted_by_urgency_with_counts(desk: Desk, register: Path) -> None:
    result = runner.invoke(
        app, ["status", "--json", "--allowed-signers", str(desk.trust), str(register)]
    )
    assert result.exit_code == 1  # one file does not verify
    data = json.loads(result.stdout)
    states = [(c["columns"]["Handle"], c["state"]) for c in data["channels"]]
    assert states == [
        ("@invalid", "invalid"),
        ("@overdue", "review-overdue"),
        ("@rejected", "rejected"),
        ("@due", "review-due"),
        ("@awaiting", "awaiting-reviewer"),
        ("@approved", "approved"),
    ]
    assert data["counts"] == {
        "invalid": 1,
        "review-overdue": 1,
        "rejected": 1,
        "review-due": 1,
        "awaiting-reviewer": 1,
        "awaiting-cosign": 0,
        "unsigned": 0,
        "not-checked": 0,
        "draft": 0,
        "approved": 1,
    }
    invalid = data["channels"][0]
    assert invalid["path"].endswith("invalid.smcheck.toml")
    assert "signature" in invalid["detail"] and "does not verify" in invalid["detail"]
    approved = data["channels"][-1]
    assert (
        approved["path"].endswith("approved.smcheck.toml")
        and approved["columns"]["Platform"] == "Instagram"
    )
    text = runner.invoke(
        app, ["status", "--allowed-signers", str(desk.trust), str(register)]
    ).stdout
    # The head line wraps to the width like the rest of the register.
    assert " ".join(text.split()).startswith(
        "5 channels: 1 review overdue, 1 rejected, 1 review due, 1 awaiting reviewer, 1 approved;"
        " 1 file that does not verify"
    )


def test_a_draft_is_a_state_too(desk: Desk, tmp_path: Path) -> None:
    from smcheck.drafts import save_draft
    from smcheck.interview import Progress

    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    folder = tmp_path / "reg"
    save_draft(
        folder / "x.draft.toml",
        checklist,
        Progress(answers={"channel.handle": "@draft"}),
        TODAY.replace(microsecond=0),
    )
    data = json.loads(runner.invoke(app, ["status", "--json", str(folder)]).stdout)
    assert [(c["state"], c["columns"]["Handle"]) for c in data["channels"]] == [("draft", "@draft")]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)"
)
def test_the_html_page_renders_in_a_real_browser_and_runs_nothing(
    desk: Desk, register: Path, tmp_path: Path
) -> None:
    page = tmp_path / "register.html"
    result = runner.invoke(
        app, ["status", "--html", str(page), "--allowed-signers", str(desk.trust), str(register)]
    )
    assert result.exit_code == 1, result.output
    source = page.read_text()
    assert "<script" not in source.lower() and "<img" not in source.lower()
    chromium = subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert chromium.returncode == 0, chromium.stderr
    dom = _Text()
    dom.feed(chromium.stdout)
    rendered = " ".join(" ".join(dom.text).split())
    # The browser built no script or image from the hostile answer, so nothing ran...
    assert "script" not in [t for t in dom.tags if t != "style"] and "img" not in dom.tags
    assert (
        "<title>Register of official social media channels</title>" in chromium.stdout
    )  # not "pwned"
    # ...and shows it as text.
    assert HOSTILE in rendered
    for text in (
        "5 channels on",
        "1 file that does not verify",
        "review overdue",
        "awaiting reviewer",
        "@approved",
        "Department of History",
    ):
        assert text in rendered


# --- built once from what verify established -------------------------------------------------------


def _many(desk: Desk, count: int) -> Path:
    """A register of ``count`` signed records for as many channels, a tampered copy, a file that is no
    record at all, one whose content is not TOML, and a draft: every kind of row that asks for a
    checklist."""
    from smcheck.drafts import save_draft
    from smcheck.interview import Progress

    for n in range(count):
        signed_record(desk, f"r{n:02}", TODAY, handle=f"@channel{n:02}")
    bad = desk.root / "register" / "tampered.smcheck.toml"
    bad.write_bytes(
        (desk.root / "register" / "r00.smcheck.toml").read_bytes().replace(b"Tom", b"Tim")
    )
    (desk.root / "register" / "junk.smcheck.toml").write_bytes(b"not = [a record\n")
    # A record whose layout reads but whose content does not parse: verify parses it, and fails.
    unsigned = signed_record(desk, "broken", TODAY, handle="@broken", sign=False)
    unsigned.write_bytes(unsigned.read_bytes().replace(b"[record]", b"[record", 1))
    checklist = registry.by_id("essex-social-media")
    assert checklist is not None
    save_draft(
        desk.root / "register" / "d.draft.toml",
        checklist,
        Progress(answers={"channel.platform": "x", "channel.handle": "@draft"}),
        TODAY.replace(microsecond=0),
    )
    return desk.root / "register"


def test_each_checklist_is_parsed_once_per_run(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One cached lookup for the whole run: records, the tampered copy's claim, the draft, the columns
    and their labels all share it (the issue measured 202 parses for 101 records)."""
    import smcheck.loader

    folder = _many(desk, 30)
    parsed: list[str] = []
    real = smcheck.loader.parse_checklist

    def counting(data: bytes, path: Path, problems: object) -> object:
        parsed.append(path.name)
        return real(data, path, problems)  # type: ignore[arg-type]

    monkeypatch.setattr(smcheck.loader, "parse_checklist", counting)
    # Shipped files are kept for the process (a run is one process): as a run starting afresh.
    monkeypatch.setattr(registry, "_shipped_files", {})
    page = tmp_path / "register.html"
    trust = ["--allowed-signers", str(desk.trust), str(folder)]
    result = runner.invoke(app, ["status", "--format", "json", *trust])
    assert result.exit_code == 1, result.output  # the tampered copy and the junk file
    data = json.loads(result.stdout)
    assert data["counts"]["awaiting-reviewer"] == 30 and data["counts"]["draft"] == 1
    assert data["counts"]["invalid"] == 3
    assert parsed == ["essex-social-media.toml"]
    # The page (one format a run since --format) shares the run's lookup too.
    parsed.clear()
    registry._shipped_files.clear()  # another run
    result = runner.invoke(app, ["status", "--format", "html", "--output", str(page), *trust])
    assert result.exit_code == 1, result.output
    assert "@" in page.read_text() and parsed == ["essex-social-media.toml"]


def test_each_record_file_is_read_once_and_parsed_once(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of the folder is opened once; a record's content is parsed once, by verify, and the
    row is made from verify's report. Only a record refused at its signature (whose content verify never
    read) is parsed here, once, to say which channel it claims; a file verify could not parse is not
    parsed again."""
    import builtins
    import io
    import os

    import smcheck.layout
    import smcheck.record
    import smcheck.restore
    import smcheck.verify

    folder = _many(desk, 5)
    opened: list[str] = []
    real_os_open, real_io_open = os.open, io.open

    def note(path: object) -> None:
        if isinstance(path, (str, os.PathLike)) and Path(os.fspath(path)).parent == folder:
            opened.append(Path(os.fspath(path)).name)

    def os_open(path: object, *args: object, **kwargs: object) -> int:
        note(path)
        return real_os_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def io_open(path: object, *args: object, **kwargs: object) -> object:
        note(path)
        return real_io_open(path, *args, **kwargs)  # type: ignore[call-overload]

    parsed: list[bytes] = []
    real_parse = smcheck.record.parse_content

    def parse(content: bytes) -> smcheck.record.Record:
        parsed.append(content)
        return real_parse(content)

    laid_out: list[bytes] = []
    real_layout = smcheck.layout.read_layout

    def layout(data: bytes) -> tuple[bytes, tuple[smcheck.record.Seal, ...]]:
        laid_out.append(data)
        return real_layout(data)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", io_open)
    monkeypatch.setattr(builtins, "open", io_open)
    monkeypatch.setattr(smcheck.record, "parse_content", parse)
    monkeypatch.setattr(smcheck.layout, "parse_content", parse)
    monkeypatch.setattr(smcheck.verify, "parse_content", parse)
    monkeypatch.setattr(smcheck.layout, "read_layout", layout)
    monkeypatch.setattr(smcheck.restore, "read_layout", layout)
    result = runner.invoke(
        app, ["status", "--json", "--allowed-signers", str(desk.trust), str(folder)]
    )
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    names = sorted(p.name for p in folder.iterdir())
    assert sorted(opened) == names  # each once: 5 records, the copy, the junk, the draft
    records = [name for name in names if name.endswith(".smcheck.toml")]
    content = {name: (folder / name).read_bytes() for name in records}
    # Each file's layout read once; the copy refused at its signature once more, for its claim.
    layouts = {name: sum(data == content[name] for data in laid_out) for name in records}
    assert layouts == {name: 2 if name == "tampered.smcheck.toml" else 1 for name in records}
    assert len(laid_out) == len(records) + 1
    # Each content parsed once (the broken one too, by verify, which failed); the junk file has none.
    readable = [name for name in records if name != "junk.smcheck.toml"]
    by_file = {name: sum(c == split(content[name])[0] for c in parsed) for name in readable}
    assert by_file == {name: 1 for name in readable}
    assert len(parsed) == len(readable)
    rows = {Path(c["path"]).name: c for c in json.loads(result.stdout)["channels"]}
    assert rows["broken.smcheck.toml"]["state"] == "invalid"
    # The copy refused at its signature still says which channel it claims; so does its channel's row.
    assert rows["tampered.smcheck.toml"]["columns"]["Handle"] == "@channel00"
    assert any("tampered.smcheck.toml: invalid" in n for n in rows["r00.smcheck.toml"]["notes"])


def test_records_naming_unknown_checklists_do_not_parse_the_shipped_ones_again(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    import smcheck.loader

    folder = desk.root / "register"
    signed_record(desk, "good", TODAY, handle="@good")
    good = (folder / "good.smcheck.toml").read_bytes()
    for n in range(5):
        (folder / f"other{n}.smcheck.toml").write_bytes(
            good.replace(b'"essex-social-media"', f'"unknown-{n}"'.encode(), 1)
        )
    parsed: list[str] = []
    real = smcheck.loader.parse_checklist

    def counting(data: bytes, path: Path, problems: object) -> object:
        parsed.append(path.name)
        return real(data, path, problems)  # type: ignore[arg-type]

    monkeypatch.setattr(smcheck.loader, "parse_checklist", counting)
    # Shipped files are kept for the process (a run is one process): as a run starting afresh.
    monkeypatch.setattr(registry, "_shipped_files", {})
    runner.invoke(app, ["status", "--json", str(folder)])
    assert parsed == ["essex-social-media.toml"]


# --- every row says who must act; text, JSON and HTML agree ----------------------------------------


class _Page(HTMLParser):
    """The register page's header cells and rows: each cell's text, with ``<wbr>`` kept as written, and
    the paths (``span.path``) of each row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self.paths: list[list[str]] = []
        self.raw_headers: list[str] = []
        self._cell: list[str] | None = None
        self._path: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
            self.paths.append([])
        elif tag in ("th", "td"):
            self._cell = []
        elif tag == "wbr":
            for part in (self._cell, self._path):
                if part is not None:
                    part.append("<wbr>")
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")
        elif tag == "span" and ("class", "path") in attrs:
            self._path = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell)
            if tag == "th":
                self.headers.append(text)
            else:
                self.rows[-1].append(text)
            self._cell = None
        elif tag == "span" and self._path is not None:
            self.paths[-1].append("".join(self._path))
            self._path = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._path):
            if part is not None:
                part.append(data)


WHO_ACTS = {
    "@approved": ("approved", "approved; re-review by "),
    "@awaiting": (
        "awaiting-reviewer",
        "awaiting the Digital Marketing Officer, then the Advancement Office's co-signature",
    ),
    "@cosign": ("awaiting-cosign", "awaiting the Advancement Office's co-signature"),
    "@rejected": (
        "rejected",
        "rejected by the Digital Marketing Officer: the proposer must submit a new record",
    ),
    "@nocosign": (
        "rejected",
        "rejected by the Advancement Office: the proposer must submit a new record",
    ),
    "@due": (
        "review-due",
        "approved; re-review due {review_by}: the proposer must send a new record",
    ),
    "@overdue": (
        "review-overdue",
        "approved; re-review was due {review_by}: the proposer must send a new record",
    ),
    "@unsigned": ("unsigned", "the proposer must sign it before it can be approved"),
    "@essexonx": ("awaiting-reviewer", "awaiting the Digital Marketing Officer"),
    "@invalid": ("invalid", "nobody should act on it: fails signature: "),
    "@drafted": ("draft", "unfinished: the proposer must finish the interview and sign it off"),
}


def test_every_row_says_who_must_act_alike_in_text_json_and_html(
    desk: Desk, tmp_path: Path
) -> None:
    folder = desk_of_every_state(desk)
    trust = ["--allowed-signers", str(desk.trust)]
    page = tmp_path / "register.html"
    data = json.loads(runner.invoke(app, ["status", "--json", *trust, str(folder)]).stdout)
    text = runner.invoke(
        app, ["status", "--html", str(page), *trust, str(folder)], env={"COLUMNS": "200"}
    ).stdout
    rows = {c["columns"]["Handle"]: c for c in data["channels"]}
    assert set(rows) == set(WHO_ACTS)
    for handle, (state, words) in WHO_ACTS.items():
        row = rows[handle]
        assert row["state"] == state, handle
        assert words.format(review_by=row["review_by"]) in row["detail"], (handle, row["detail"])
    # The text register: the same state, who must act, and the row's file, in its Notes column
    # (wrapped inside it, the file on a line of its own); a blank line between rows.
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("State"))
    assert header.split() == [
        "State", "Platform", "Handle", "Department", "Administrator", "Review", "by", "Notes",
    ]  # fmt: skip
    notes_at = header.index("Notes")
    table = "\n".join(lines[lines.index(header) + 1 :]).strip("\n").split("\n\n")
    assert len(table) == len(data["channels"])
    for block, row in zip(table, data["channels"], strict=True):
        cell = [line[notes_at:] for line in block.split("\n")]
        assert block.startswith(row["state"].replace("-", " ")[:8])
        assert row["path"] in cell
        assert " ".join(cell) == " ".join([row["detail"], row["path"], *row["notes"]])
    # The HTML page: the same rows in the same order, with the same states and words.
    parsed = _Page()
    parsed.feed(page.read_text())
    html_rows = parsed.rows[1:]
    assert len(html_rows) == len(data["channels"])
    for cells, row in zip(html_rows, data["channels"], strict=True):
        assert cells[0] == row["state"].replace("-", " ")
        assert cells[1:5] == [
            row["columns"][c] for c in ("Platform", "Handle", "Department", "Administrator")
        ]
        assert cells[-1].replace("<wbr>", "").split("\n") == [
            row["detail"],
            row["path"],
            *row["notes"],
        ]


def test_the_proposers_explanations_are_in_the_notes_and_the_platform_is_its_label(
    desk: Desk, tmp_path: Path
) -> None:
    folder = desk_of_every_state(desk)
    page = tmp_path / "register.html"
    trust = ["--allowed-signers", str(desk.trust)]
    data = json.loads(runner.invoke(app, ["status", "--json", *trust, str(folder)]).stdout)
    text = runner.invoke(
        app, ["status", "--html", str(page), *trust, str(folder)], env={"COLUMNS": "400"}
    ).stdout
    (row,) = [c for c in data["channels"] if c["columns"]["Handle"] == "@essexonx"]
    # The warning itself, then what the proposer says of it.
    said = (
        "warning: monitoring.infrequent: The channel will be checked less than once a week, so"
        " questions and problems may go unanswered. (the proposer explains: Replies come through"
        " the department office, who read it/them daily.)"
    )
    assert said in row["notes"]
    assert row["columns"]["Platform"] == "X (formerly Twitter)"  # the label, not the id "x"
    (index,) = [i for i, line in enumerate(text.splitlines()) if "@essexonx" in line]
    assert text.splitlines()[index].startswith(
        "awaiting reviewer  X (formerly Twitter)  @essexonx "
    )
    assert text.splitlines()[index + 2].endswith(said)  # after who must act, and the file
    parsed = _Page()
    parsed.feed(page.read_text())
    (cells,) = [cells for cells in parsed.rows if "@essexonx" in cells]
    assert cells[1] == "X (formerly Twitter)"
    assert cells[-1].endswith("\n" + said)  # prose keeps its slash as written, no <wbr>
    # The draft's platform is its label too.
    (draft,) = [c for c in data["channels"] if c["state"] == "draft"]
    assert draft["columns"]["Platform"] == "X (formerly Twitter)"


# --- the HTML page: headers whole, words whole on A4 -----------------------------------------------


def test_the_page_never_breaks_a_header_nor_a_word(desk: Desk, tmp_path: Path) -> None:
    from smcheck.htmlpage import CSS

    css = " ".join(CSS.split())
    assert "th { white-space: nowrap; word-break: keep-all; }" in css
    assert "overflow-wrap: normal; word-break: normal; hyphens: manual;" in css
    assert "anywhere" not in css.split("table {", 1)[1].split("dl {")[0]
    assert "hyphens: auto" not in css and "break-all" not in css
    printed = css.split("@media print {", 1)[1]
    assert "@page { size: A4 landscape;" in printed
    assert "th, td { overflow-wrap: normal; word-break: normal; hyphens: manual;" in printed
    assert ".date { white-space: nowrap; }" in css  # 2027-01-18 never splits at a dash

    folder = desk_of_every_state(desk)
    odd = folder / "sub-folder" / "deeper"
    odd.mkdir(parents=True)
    signed_record(desk, "a<b>&c", TODAY, handle="@odd", folder="register/sub-folder/deeper")
    page = tmp_path / "register.html"
    runner.invoke(
        app, ["status", "--html", str(page), "--allowed-signers", str(desk.trust), str(folder)]
    )
    source = page.read_text()
    parsed = _Page()
    parsed.feed(source)
    assert parsed.headers == [
        "State", "Platform", "Handle", "Department", "Administrator", "Review by", "Notes",
    ]  # fmt: skip
    head = source[source.index("<thead>") : source.index("</thead>")]
    for mark in ("<wbr", "&shy;", "\u00ad", "\u200b", "&#173;", "&#x200b;"):
        assert mark not in head.lower()
    paths = [p for row in parsed.paths for p in row]
    assert len(paths) >= len(parsed.rows) - 1  # every row names its file (and its other files)
    for path in paths:
        # A break only after each "/", and after every one of them: never inside a name.
        assert path.replace("/<wbr>", "/").count("<wbr>") == 0
        assert path.count("/") == path.count("/<wbr>")
    assert any(
        p.replace("<wbr>", "").endswith("/sub-folder/deeper/a<b>&c.smcheck.toml") for p in paths
    )
    assert "a&lt;b&gt;&amp;c.smcheck.toml" in source and "a<b>" not in source


_CHROMIUM = [
    "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

_WORD_CHECK = """<script>
// Every word (a word-like segment, by Unicode's word boundaries) of each cell must sit on one line; a
// path's <wbr> comes after "/", between words. A header never spans two lines.
const bad = [];
const words = new Intl.Segmenter("en", { granularity: "word" });
const lineOf = (node, i) => {
  const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
  const rects = r.getClientRects(); return rects.length ? Math.round(rects[0].top) : null;
};
for (const cell of document.querySelectorAll("th, td")) {
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const lines = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const { segment, index, isWordLike } of words.segment(node.data)) {
      const seen = new Set();
      for (let i = index; i < index + segment.length; i++) {
        const line = lineOf(node, i);
        if (line !== null && /\\S/.test(node.data[i])) { seen.add(line); lines.add(line); }
      }
      if (isWordLike && seen.size > 1) bad.push(`${cell.tagName}: ${segment}`);
    }
  }
  if (cell.tagName === "TH" && lines.size > 1) bad.push(`TH wraps: ${cell.textContent}`);
}
const table = document.querySelector("table");
if (table.scrollWidth > document.documentElement.clientWidth) bad.push("the table is wider than A4");
const out = document.createElement("pre");
out.id = "words";
out.textContent = JSON.stringify(bad);
document.body.append(out);
</script>"""


@pytest.mark.skipif(
    shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)"
)
def test_printed_on_a4_no_cell_breaks_a_word(desk: Desk, register: Path, tmp_path: Path) -> None:
    deep = register / "a-rather-long-folder-name-for-the-department" / "records-2026"
    deep.mkdir(parents=True)
    signed_record(desk, "essex-history-instagram-2026", TODAY, handle="@deep", folder=str(deep))
    page = tmp_path / "register.html"
    runner.invoke(
        app, ["status", "--html", str(page), "--allowed-signers", str(desk.trust), str(register)]
    )
    # The page as printed: an A4 landscape sheet.
    pdf = tmp_path / "register.pdf"
    chromium = subprocess.run(
        [*_CHROMIUM, f"--user-data-dir={tmp_path / 'p1'}", "--no-pdf-header-footer",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert chromium.returncode == 0 and pdf.exists(), chromium.stderr
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes, "no page in the PDF"
    for width, height in boxes:
        assert (round(float(width)), round(float(height))) == (842, 595)  # A4 landscape, in points
    # Its layout at the printed width (297 mm less 12 mm margins = 1032 CSS px), with the print rules
    # applied on screen and a script (in a copy, without the page's CSP) that finds split words.
    source = page.read_text()
    source = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", source)
    source = source.replace("@media print {", "@media all {")
    source = source.replace("</body>", _WORD_CHECK + "</body>")
    probe = tmp_path / "probe.html"
    probe.write_text(source)
    chromium = subprocess.run(
        [*_CHROMIUM, f"--user-data-dir={tmp_path / 'p2'}", "--window-size=1032,800",
         "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert chromium.returncode == 0, chromium.stderr
    found = re.search(r'<pre id="words">(.*?)</pre>', chromium.stdout, re.S)
    assert found is not None, chromium.stdout[-2000:]
    assert json.loads(html.unescape(found.group(1))) == []
