"""Self-contained HTML pages (the register, exports): one file, no scripts, no external assets.

Every untrusted string goes through :func:`escape`: control, bidi and zero-width characters are made
visible, then HTML-escaped, so an answer holding ``<script>`` shows as text and runs nothing. A
Content-Security-Policy that allows nothing but the page's own inline style is a second guard.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import TYPE_CHECKING

from smcheck.register import RowState
from smcheck.text import visible

if TYPE_CHECKING:
    from smcheck.register import Entry

CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #111; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 1.6rem; border-bottom: 1px solid #ccc; }
dl { display: grid; grid-template-columns: 16rem 1fr; gap: .3rem 1rem; }
dt { font-weight: 600; } dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top;
         overflow-wrap: normal; word-break: normal; hyphens: manual; }
th { white-space: nowrap; word-break: keep-all; }
.wide { overflow-x: auto; }
body.register { max-width: none; margin: 1.5rem 1rem; }
body.register .note { min-width: 16rem; }
.date { white-space: nowrap; }
.note { color: #555; font-size: .9em; }
.path { font-family: ui-monospace, monospace; font-size: .95em; }
.state { font-weight: 600; white-space: nowrap; }
.invalid, .review-overdue, .rejected { color: #a00; }
.review-due, .awaiting-reviewer, .awaiting-cosign, .unsigned, .not-checked { color: #8a5a00; }
.approved { color: #060; } .draft { color: #555; }
.banner { border: 2px solid; padding: .2rem 1rem; margin: 1rem 0; }
.banner.invalid, .banner.rejected { border-color: #a00; background: #fee; }
.banner.awaiting { border-color: #8a5a00; background: #fff6e0; color: #5c3c00; }
.banner.approved { border-color: #060; background: #efe; }
.banner .warnings { margin-bottom: 0; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body, body.register { margin: 0; max-width: none; font-size: 9pt; }
  body.register .note { min-width: 0; }
  h2 { break-after: avoid; } tr, dl { break-inside: avoid; }
  .wide { overflow: visible; }
  th, td { overflow-wrap: normal; word-break: normal; hyphens: manual; padding: .2rem .35rem; }
  thead { display: table-header-group; }
  .state { color: #000; }
}
"""
"""The register's cells break only between words, on screen and on paper: no ``overflow-wrap:
anywhere``, no automatic hyphenation, headers never wrapped. A path (which has no spaces) may break only
after a ``/``, where :func:`path_html` puts a ``<wbr>``; a date never breaks at its dashes."""


def escape(text: object) -> str:
    """Untrusted text, safe in HTML content and attribute values."""
    return html.escape(visible(str(text)), quote=True)


def path_html(path: str) -> str:
    """A path, escaped, that may break after each ``/`` and nowhere else (not mid-word)."""
    return escape(path).replace("/", "/<wbr>")


def page(title: str, body: list[str], *, wide: bool = False) -> str:
    """A whole page around ``body`` (already escaped HTML). ``wide``: the page takes the window's
    whole width (the register, whose every column must be visible at 1280 pixels and above); other
    pages keep a reading width of 60rem."""
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en"><head><meta charset="utf-8">',
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
                '<meta name="viewport" content="width=device-width, initial-scale=1">',
                f"<title>{escape(title)}</title>",
                f"<style>{CSS}</style></head>" + ('<body class="register">' if wide else "<body>"),
                *body,
                "</body></html>",
            ]
        )
        + "\n"
    )


def register_page(
    rows: list[Entry],
    columns: tuple[str, ...],
    tally: dict[str, int],
    today: dt.date,
    *,
    scope: str = "",
) -> str:
    """The register as one printable page (``scope``: what it is narrowed to, in words)."""
    channels = sum(1 for e in rows if e.state is not RowState.INVALID)
    summary = (
        ", ".join(
            f"{n} {state.replace('-', ' ')}"
            for state, n in tally.items()
            if n and state != "invalid"
        )
        or "none"
    )
    unsearched = sum(1 for e in rows if e.unsearched)
    bad = tally.get("invalid", 0) - unsearched
    problems = (
        f"; {bad} file{'s' if bad != 1 else ''} that do{'es' if bad == 1 else ''} not verify"
        if bad
        else ""
    ) + (
        f"; {unsearched} folder{'s' if unsearched != 1 else ''} not searched" if unsearched else ""
    )
    body = [
        "<h1>Register of official social media channels</h1>",
        f"<p>{channels} channel{'s' if channels != 1 else ''} on {today.isoformat()}"
        f"{escape(f' ({scope})' if scope else '')}: {escape(summary)}{escape(problems)}.</p>",
        '<div class="wide"><table><thead><tr><th>State</th>'
        + "".join(f"<th>{escape(c)}</th>" for c in columns)
        + "<th>Review by</th><th>Notes</th></tr></thead><tbody>",
    ]
    for entry in rows:
        values = entry.columns or ("",) * len(columns)
        cells = "".join(f"<td>{escape(v)}</td>" for v in values)
        review = entry.review_by.isoformat() if entry.review_by else ""
        body.append(
            f'<tr><td class="state {escape(entry.state)}">{escape(entry.state.words)}</td>'
            f'{cells}<td class="date">{escape(review)}</td>'
            f'<td class="note">{escape(entry.detail)}'
            f'<br><span class="path">{path_html(entry.path)}</span>'
            + "".join(f"<br>{_note_html(note)}" for note in entry.notes)
            + "</td></tr>"
        )
    body.append("</tbody></table></div>")
    return page("Register of official social media channels", body, wide=True)


def _note_html(note: str) -> str:
    """A note; one about another file (``also PATH: ...``) shows the path as a path."""
    if note.startswith("also ") and ": " in note:
        path, rest = note[len("also ") :].split(": ", 1)
        return f'also <span class="path">{path_html(path)}</span>: {escape(rest)}'
    return escape(note)
