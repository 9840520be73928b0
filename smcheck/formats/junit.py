"""``--format junit``: a JUnit XML report, one test case per record, which GitLab (``artifacts:
reports: junit:``) and GitHub's test-report actions show in a merge request.

The schema they read::

    <testsuites name tests failures errors skipped time>
      <testsuite name tests failures errors skipped timestamp time>
        <testcase classname name file>
          <failure message type>verify's rows</failure>   a record that is INVALID
          <error message type>why</error>                  a file that cannot be read (or a folder
                                                           that was not searched)
          <system-out>the state, and every warning</system-out>
        </testcase>

A VALID record passes; the exit code is verify's, as in every format. Copies of one record in conflict
(which fail the run) add a failure to each copy's test case.

Built with :mod:`xml.etree.ElementTree`, which escapes markup; every untrusted string (a path, anything
from a record) is first made visible (:func:`smcheck.text.visible`), then cleared of any character XML
1.0 cannot hold (:func:`xml_text`), so a hostile file name or answer cannot break the document. One
small element per record is held until the end (the counts come first in the XML), never a Report.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from pathlib import PurePath
from typing import TYPE_CHECKING, NamedTuple

from smcheck.errors import CannotOpen
from smcheck.formats import RepeatWarning, Reporter, Seen
from smcheck.report import said, unsearched
from smcheck.text import visible
from smcheck.verify import Report, Verdict

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from smcheck.merge import UnionOf

SUITE = "smcheck verify"
"""The name of the one test suite (and of the report)."""

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""A character XML 1.0 cannot hold (its ``Char`` production): C0 controls other than tab and line
breaks, lone surrogates (a non-UTF-8 file name's bytes), U+FFFE and U+FFFF."""


def xml_text(text: str, *, keep_newlines: bool = False) -> str:
    """Untrusted text as it may stand in the report: made visible as in every view, then stripped of
    what XML 1.0 cannot hold (visible text has none; the rule holds whatever comes)."""
    return _NOT_XML.sub("", visible(text, keep_newlines=keep_newlines))


def _body(report: Report) -> str:
    """The record's rows, as ``--format text`` prints them without colour: what a reader in the CI
    system opens to see why."""
    from smcheck.formats.text import report_text

    return report_text(report, colour=False, width=100).rstrip("\n") + "\n"


def _case_name(path: str) -> tuple[str, str]:
    """A record's test case: (classname, name): the folder it is in, and its path."""
    folder = str(PurePath(path).parent)
    return xml_text(folder), xml_text(path)


class Case(NamedTuple):
    """What the JUnit report shows of one record: for an invalid one, its failure (the first failing
    check's code, what verify says of it, its rows); and its state and warnings, for ``system-out``."""

    failure: tuple[str, str, str] | None
    """``(type, message, text)`` of the ``<failure>``; None for a valid record."""
    out: tuple[str, ...]


class JunitReporter(Reporter[Case]):
    """One ``<testcase>`` per record or unreadable file, the document written at :meth:`finish`."""

    def __init__(self, *, union: UnionOf | None = None) -> None:
        super().__init__(union=union)
        from xml.etree import ElementTree

        self._tree = ElementTree
        self._cases: list[Element] = []
        self._by_path: dict[str, Element] = {}
        """Each valid record's test case by path: copies found in conflict get a failure too."""
        self._failures = 0
        self._errors = 0
        self._started = time.monotonic()
        self._timestamp = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def _case(self, path: str) -> Element:
        classname, name = _case_name(path)
        case = self._tree.Element("testcase", classname=classname, name=name, file=name)
        self._cases.append(case)
        return case

    def show(self, report: Report, data: bytes) -> Case:
        words = said(report)
        failure = None
        if not report.valid:
            # The type: the first failing check's stable code (as --format json names it).
            code = next((c.code for c in report.checks if c.verdict is Verdict.FAIL), "invalid")
            failure = (code, words, _body(report))
        out = [f"{report.state.value}: {words}"]
        out += [
            f"warning: {c.title}: {c.summary}" for c in report.checks if c.verdict is Verdict.WARN
        ]
        return Case(failure, tuple(out))

    def record(self, seen: Seen[Case], warnings: list[RepeatWarning]) -> None:
        case = self._case(seen.path)
        if seen.shown.failure is None:
            self._by_path[seen.path] = case
        else:
            self._failures += 1
            code, message, body = seen.shown.failure
            failure = self._tree.SubElement(
                case, "failure", message=xml_text(message), type=xml_text(code)
            )
            failure.text = xml_text(body, keep_newlines=True)
        out = [*seen.shown.out, *(f"warning: {w['message']}" for w in warnings)]
        self._system_out(case, out)

    def cannot_open(self, exc: CannotOpen) -> None:
        super().cannot_open(exc)
        case = self._case(exc.path)
        self._errors += 1
        kind = "folder-not-searched" if unsearched(exc) else "cannot-open"
        error = self._tree.SubElement(case, "error", message=xml_text(exc.reason), type=kind)
        error.text = xml_text(exc.message, keep_newlines=True)

    def _system_out(self, case: Element, lines: list[str]) -> None:
        out = case.find("system-out")
        if out is None:
            out = self._tree.SubElement(case, "system-out")
        text = "".join(xml_text(line) + "\n" for line in lines)
        out.text = (out.text or "") + text

    def finish(self) -> None:
        super().finish()
        from smcheck.merge import merge_command

        for union in self.unions:
            joined = " + ".join(union.paths)
            for path in union.paths:
                case = self._by_path.get(path)
                if case is None:
                    continue
                if union.valid:
                    self._system_out(
                        case,
                        [
                            f"copies of one record ({joined}), judged together: {said(union.report)};"
                            f" to make one file of them: {merge_command(union.paths)}"
                        ],
                    )
                    continue
                why = (
                    "; and ".join(union.conflicts) + ": a conflict"
                    if union.conflicts
                    else said(union.report)
                )
                self._failures += case.find("failure") is None
                failure = self._tree.Element(
                    "failure",
                    message=xml_text(f"copies of one record in conflict: {why}"),
                    type="copies-conflict",
                )
                failure.text = xml_text(
                    f"copies of one record ({joined}), judged together: {why}; nobody should act"
                    " on it\n"
                )
                case.insert(0, failure)
        self._write()

    def _write(self) -> None:
        counts = {
            "tests": str(len(self._cases)),
            "failures": str(self._failures),
            "errors": str(self._errors),
            "skipped": "0",
            "time": f"{time.monotonic() - self._started:.3f}",
        }
        root = self._tree.Element("testsuites", {"name": SUITE, **counts})
        suite = self._tree.SubElement(
            root,
            "testsuite",
            {"name": SUITE, **counts, "timestamp": self._timestamp.isoformat()},
        )
        suite.extend(self._cases)
        self._tree.indent(root)
        data = self._tree.tostring(root, encoding="utf-8", xml_declaration=True)
        sys.stdout.flush()
        sys.stdout.buffer.write(data + b"\n")
        sys.stdout.buffer.flush()


__all__ = ["SUITE", "JunitReporter", "xml_text"]
