"""smcheck.picking: what a person types at a list, read alike in plain mode and the full-screen lists.
A name picks a choice only when one choice is called so; anything else is refused with the reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smcheck import picking
from smcheck.checklist import Checklist
from smcheck.qtypes import AnswerError


def names(essex: Checklist, qid: str) -> list[tuple[str, str]]:
    question = essex.question(qid)
    assert question is not None
    return [(c.label, c.value) for c in question.choices]


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("2", "facebook"),
        ("2.", "facebook"),
        ("2)", "facebook"),
        ("Facebook", "facebook"),
        ("  FACEBOOK ", "facebook"),
        ("faceb", "facebook"),
        ("x", "x"),  # a value in full, however short
        ("twitter", "x"),  # whole words of one label
        ("th", "threads"),
        ("you", "youtube"),
        ("other", "other"),
    ],
)
def test_one_choice_by_number_or_name(essex: Checklist, typed: str, value: str) -> None:
    called = names(essex, "channel.platform")
    assert called[picking.one(called, typed)][1] == value


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("t", "type the number of your choice, from 1 to 9, or the choice in full"),  # one letter
        ("myspace", "or the choice in full"),
        ("0", "there is no choice 0"),
        ("10", "there is no choice 10"),
        ("²", "or the choice in full"),
        ("instagram facebook", "or the choice in full"),
    ],
)
def test_one_refuses_what_names_no_choice(essex: Checklist, typed: str, reason: str) -> None:
    with pytest.raises(AnswerError, match=reason):
        picking.one(names(essex, "channel.platform"), typed)


def test_a_name_that_could_be_several_names_them_back(essex: Checklist) -> None:
    with pytest.raises(AnswerError) as raised:
        picking.one(names(essex, "channel.audiences"), "students")
    assert str(raised.value) == (
        "'students' could be 1. Prospective students (and their families) or 2. Current students:"
        " type more of it, or its number"
    )


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("1 3", ["prospective-students", "alumni"]),
        ("3, 1", ["alumni", "prospective-students"]),  # in the order typed (the check sorts them)
        ("current students and alumni", ["current-students", "alumni"]),
        ("staff & public", ["staff", "public"]),
        ("partner organisations and employers", ["partners"]),
        ("alumni, partner organisations and employers", ["alumni", "partners"]),
        ("1, 2, and 3", ["prospective-students", "current-students", "alumni"]),
    ],
)
def test_many_by_numbers_and_names(essex: Checklist, typed: str, values: list[str]) -> None:
    called = names(essex, "channel.audiences")
    assert [called[i][1] for i in picking.many(called, typed)] == values


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("and", "type the numbers of the choices"),  # a little word names nothing
        ("of", "type the numbers of the choices"),
        ("1, alumni, 3", "choice 3 is typed twice"),
        ("1 9", "there is no choice 9"),
        ("students", "could be 1. Prospective"),
        ("pupils", "type the numbers of the choices"),
    ],
)
def test_many_refuses_what_names_no_choice(essex: Checklist, typed: str, reason: str) -> None:
    with pytest.raises(AnswerError, match=reason):
        picking.many(names(essex, "channel.audiences"), typed)


LABELS = st.lists(
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=20),
    min_size=1,
    max_size=12,
    unique_by=str.casefold,
)


@given(LABELS, st.text(max_size=40))
def test_anything_typed_picks_a_choice_it_could_mean_or_is_refused(
    labels: list[str], typed: str
) -> None:
    called = [(label,) for label in labels]
    try:
        index = picking.one(called, typed)
    except AnswerError:
        return
    wanted = " ".join(typed.split()).casefold()
    number = picking.number_of(typed.strip())
    assert number == index + 1 or wanted in labels[index].casefold()


@given(LABELS, st.text(max_size=60))
def test_many_gives_distinct_choices_of_the_list_or_is_refused(
    labels: list[str], typed: str
) -> None:
    called = [(label,) for label in labels]
    try:
        picked = picking.many(called, typed)
    except AnswerError:
        return
    assert len(set(picked)) == len(picked)
    assert all(0 <= i < len(labels) for i in picked)
