"""The one table of question kinds (smcheck.qtypes): whole, asked everywhere, and loud when a kind is new.

Adding a kind is meant to be one entry in ``qtypes.KINDS`` (and, for a new way of answering, one piece per
asker). These tests add a kind, and a widget, that the rest of smcheck has never heard of, and show that
every place that must know about it fails at once with a clear error instead of treating it as text:

- a kind in the enum without an entry in the table stops ``import smcheck.qtypes`` (so smcheck itself);
- a question of a kind without an entry is refused by the validators, the schema, the answers template,
  both askers and the interview's count of questions (``qtypes.IncompleteTable``);
- a kind whose widget no asker knows reaches ``typing.assert_never`` in each ``match`` on the widget.

Before run time there is mypy: each of those ``match`` statements ends in ``case _: assert_never(x)``, and
``mypy --strict`` (run on smcheck and tests by CI) reports a ``match`` that misses a member of the enum as
an error (``Argument 1 to "assert_never" has incompatible type "Literal[Widget.TEXT]"``). The last test
here checks that every ``match`` on a kind or a widget in smcheck ends that way, so none escapes mypy.
"""

from __future__ import annotations

import ast
import datetime as dt
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import pytest

from smcheck import qtypes
from smcheck.asking import Position
from smcheck.checklist import Checklist, QType, Question
from smcheck.qtypes import IncompleteTable, KindSpec, Widget

PACKAGE = Path(__file__).resolve().parent.parent / "smcheck"
TODAY = dt.date(2026, 11, 2)
POSITION = Position(1, 1, "Section", 1, 1)


class NewKind(StrEnum):
    """A kind of question smcheck does not know (the enum cannot be extended in place)."""

    RATING = "rating"


class NewWidget(StrEnum):
    """A way of answering no asker knows."""

    SLIDER = "slider"


def with_kind(checklist: Checklist, qid: str, kind: Any) -> tuple[Checklist, Question]:
    """``checklist`` with the question ``qid`` made of ``kind`` (in its section and in the flat list)."""
    found = checklist.question(qid)
    assert found is not None
    changed = found._replace(type=kind)
    sections = tuple(
        s._replace(questions=tuple(changed if q.id == qid else q for q in s.questions))
        for s in checklist.sections
    )
    questions = tuple(changed if q.id == qid else q for q in checklist.questions)
    return checklist._replace(sections=sections, questions=questions), changed


def text_question(essex: Checklist) -> Question:
    return next(q for q in essex.questions if q.type is QType.TEXT and q.required)


# -- the table is whole ------------------------------------------------------------------------------


def test_the_table_has_one_entry_per_kind_and_says_how_to_type_the_text_kinds() -> None:
    assert list(qtypes.KINDS) == list(QType)  # in the enum's order, which messages follow
    qtypes.check_table(qtypes.KINDS)
    for kind, entry in qtypes.KINDS.items():
        assert (entry.typed is not None) == (entry.widget is Widget.TEXT), kind


def test_every_widget_is_used_by_some_kind() -> None:
    assert {entry.widget for entry in qtypes.KINDS.values()} == set(Widget)


def test_a_kind_in_the_enum_without_an_entry_stops_smcheck_from_starting() -> None:
    # The enum is replaced by one with a member more before smcheck.qtypes is first imported.
    code = (
        "import enum, smcheck.checklist as checklist\n"
        "members = {m.name: m.value for m in checklist.QType} | {'RATING': 'rating'}\n"
        "checklist.QType = enum.StrEnum('QType', members)\n"
        "import smcheck.qtypes\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 1
    assert (
        "smcheck.qtypes.IncompleteTable: smcheck.qtypes.KINDS (question kinds) is incomplete:"
        " no entry for rating"
    ) in result.stderr


def test_a_table_with_an_entry_for_no_kind_or_a_text_kind_without_typing_words_is_refused() -> None:
    with pytest.raises(IncompleteTable, match=r"an entry for unknown rating$"):
        qtypes.check_table({**qtypes.KINDS, NewKind.RATING: qtypes.KINDS[QType.TEXT]})  # type: ignore[dict-item]
    untyped = qtypes.KINDS[QType.TEXT]._replace(typed=None)
    with pytest.raises(IncompleteTable, match=r"KINDS\['rating'\]: a kind taken as text says how"):
        qtypes.check_table(
            {**qtypes.KINDS, NewKind.RATING: untyped},  # type: ignore[dict-item]
            [*QType, NewKind.RATING],
        )


# -- a kind without an entry: every place that asks the table refuses it ---------------------------------


def test_a_question_of_a_kind_without_an_entry_is_refused_by_every_place(essex: Checklist) -> None:
    from smcheck.commands.checklist import template
    from smcheck.counting import likely
    from smcheck.plain_widgets import widget_for
    from smcheck.prompts.widgets import ask_by_widget
    from smcheck.schema import answers_schema
    from smcheck.values import as_text, check_comparable, check_typed, parse_text

    checklist, question = with_kind(essex, text_question(essex).id, NewKind.RATING)
    places: dict[str, Any] = {
        "check_typed": lambda: check_typed(question, "x", today=TODAY),
        "parse_text": lambda: parse_text(question, "x", today=TODAY),
        "check_comparable": lambda: check_comparable(question, "x"),
        "as_text": lambda: as_text(question, "x"),
        "answers schema": lambda: answers_schema(checklist),
        "answers template": lambda: template(checklist),
        "plain asker": lambda: widget_for(question),
        "full-screen asker": lambda: ask_by_widget(question, POSITION, None, str, str),
        "question count": lambda: likely(question, {}),
    }
    for name, call in places.items():
        with pytest.raises(IncompleteTable) as raised:
            call()
        assert str(raised.value) == "question kind 'rating' has no entry in smcheck.qtypes.KINDS", (
            name
        )


def test_once_the_table_has_the_entry_every_place_takes_the_kind(
    essex: Checklist, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other half of the proof: the entry alone is enough (nothing else keeps a list of kinds)."""
    from smcheck.commands.checklist import template
    from smcheck.plain_widgets import PlainText, widget_for
    from smcheck.schema import answers_schema
    from smcheck.values import as_text, check_typed, parse_text

    rating = qtypes.KINDS[QType.TEXT]._replace(described="a rating", example=lambda q: '"5"')
    extended: dict[Any, KindSpec] = {**qtypes.KINDS, NewKind.RATING: rating}
    monkeypatch.setattr(qtypes, "KINDS", extended)
    checklist, question = with_kind(essex, text_question(essex).id, NewKind.RATING)
    assert check_typed(question, "five", today=TODAY) == "five"
    assert parse_text(question, " five ", today=TODAY) == "five"
    assert as_text(question, "five") == "five"
    assert "# Type: a rating" in template(checklist)
    section, name = question.id.split(".", 1)
    schema = answers_schema(checklist)
    assert schema["properties"]["answers"]["properties"][section]["properties"][name]["type"] == (
        "string"
    )
    assert isinstance(widget_for(question), PlainText)


# -- a widget no asker knows: each match on the widget reaches assert_never ------------------------------


def test_a_kind_whose_widget_no_asker_knows_fails_in_every_asker(
    essex: Checklist, monkeypatch: pytest.MonkeyPatch
) -> None:
    from smcheck.counting import likely
    from smcheck.plain_widgets import widget_for
    from smcheck.prompts.widgets import ask_by_widget
    from smcheck.values import as_text

    unknown: Any = NewWidget.SLIDER
    slider = qtypes.KINDS[QType.TEXT]._replace(widget=unknown, typed=None)
    extended: dict[Any, KindSpec] = {**qtypes.KINDS, NewKind.RATING: slider}
    monkeypatch.setattr(qtypes, "KINDS", extended)
    _, question = with_kind(essex, text_question(essex).id, NewKind.RATING)
    places: dict[str, Any] = {
        "as_text": lambda: as_text(question, "x"),
        "plain asker": lambda: widget_for(question),
        "full-screen asker": lambda: ask_by_widget(question, POSITION, None, str, str),
        "question count": lambda: likely(question, {}),
    }
    for name, call in places.items():
        with pytest.raises(AssertionError, match="Expected code to be unreachable") as raised:
            call()
        assert "slider" in str(raised.value), name


def test_a_kind_spec_is_typed_and_frozen() -> None:
    entry = qtypes.spec(QType.URL)
    assert isinstance(entry, KindSpec)
    with pytest.raises(AttributeError):
        entry.widget = Widget.YESNO  # type: ignore[misc]


# -- every match on a kind or a widget ends in assert_never ------------------------------------------------


def _matches_on(tree: ast.AST, enums: set[str]) -> list[ast.Match]:
    """The ``match`` statements whose cases name members of one of ``enums`` (``case Widget.TEXT:``)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Match):
            continue
        for case in node.cases:
            for pattern in ast.walk(case.pattern):
                if (
                    isinstance(pattern, ast.MatchValue)
                    and isinstance(pattern.value, ast.Attribute)
                    and isinstance(pattern.value.value, ast.Name)
                    and pattern.value.value.id in enums
                ):
                    found.append(node)
                    break
            else:
                continue
            break
    return found


def _ends_in_assert_never(match: ast.Match) -> bool:
    last = match.cases[-1]
    is_wildcard = isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None
    calls = [
        node
        for statement in last.body
        for node in ast.walk(statement)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "assert_never"
    ]
    return is_wildcard and bool(calls)


def test_every_match_on_a_kind_or_a_widget_ends_in_assert_never() -> None:
    seen = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for match in _matches_on(tree, {"QType", "Widget"}):
            seen += 1
            where = f"{path.relative_to(PACKAGE)}:{match.lineno}"
            assert _ends_in_assert_never(match), f"{where}: the match must end in assert_never"
    assert seen >= 4  # as_text, the two askers, the question count


def test_no_module_but_the_table_compares_a_question_with_a_list_of_kinds() -> None:
    """``question.type in (QType.CHOICE, QType.MULTI)`` is how a new kind used to be missed."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "qtypes.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and any(
                isinstance(op, ast.In | ast.NotIn) for op in node.ops
            ):
                names = [
                    n
                    for c in node.comparators
                    for n in ast.walk(c)
                    if isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name)
                    and n.value.id == "QType"
                ]
                if names:
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []
