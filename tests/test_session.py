"""From answers to a written record: nothing is written that verify would refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.records import EXAMPLE_ANSWERS, FIXED_NOW

from smcheck import session
from smcheck.answers import apply_answers, load_answers_file
from smcheck.checklist import Checklist
from smcheck.errors import SmcheckError
from smcheck.layout import render
from smcheck.outcome import evaluate
from smcheck.record import build_record


def test_a_record_verify_would_refuse_is_never_written(essex: Checklist, tmp_path: Path) -> None:
    applied = apply_answers(essex, load_answers_file(EXAMPLE_ANSWERS), today=FIXED_NOW.date())
    assert applied.signoff is not None
    outcome = evaluate(essex, applied.answers, today=FIXED_NOW.date())
    good = render(build_record(essex, applied.answers, outcome, applied.signoff, now=FIXED_NOW))
    session.refuse_unsound(good, essex, FIXED_NOW, tmp_path / "d.draft.toml")  # passes
    # A draft edited by hand could lack a required answer: the record is refused, the draft named.
    answers = dict(applied.answers)
    del answers["content.commitments"]
    bad = render(build_record(essex, answers, outcome, applied.signoff, now=FIXED_NOW))
    with pytest.raises(SmcheckError, match="would not verify") as caught:
        session.refuse_unsound(bad, essex, FIXED_NOW, tmp_path / "d.draft.toml")
    assert "d.draft.toml" in (caught.value.hint or "")
