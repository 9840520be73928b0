"""The checklist as data: the Essex content, and the linter's messages (each names the file and the place)."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import cast

import pytest
from helpers.records import DATA, ROOT
from typer.testing import CliRunner

from smcheck.checklist import Applies, Checklist, QType
from smcheck.cli import app
from smcheck.errors import FileProblem
from smcheck.loader import lint_checklist, load_checklist

SHARED_CLAUSES = ROOT.parent / "shared" / "policy" / "clauses.toml"
TINY = (DATA / "tiny.toml").read_text(encoding="utf-8")


def lint_text(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return [line.removeprefix(f"{path}: ") for line in lint_checklist(path)]


# -- the Essex checklist ---------------------------------------------------------------------------


def test_every_check_and_inform_clause_is_referenced_by_a_question(essex: Checklist) -> None:
    referenced = {cid for q in essex.questions for cid in q.clauses}
    needed = {c.id for c in essex.clauses if c.applies is not Applies.REVIEW}
    assert needed - referenced == set()


def test_the_clauses_are_copied_verbatim_from_the_policy_register(essex: Checklist) -> None:
    if not SHARED_CLAUSES.exists():
        pytest.skip("the shared policy register is not beside this checkout")
    register = tomllib.loads(SHARED_CLAUSES.read_text(encoding="utf-8"))["clause"]
    assert [(c.id, c.applies.value, c.text) for c in essex.clauses] == [
        (c["id"], c["applies"], c["text"]) for c in register
    ]


def test_essex_covers_every_question_type_and_the_required_content(essex: Checklist) -> None:
    assert {q.type for q in essex.questions} == set(QType)
    ids = {q.id for q in essex.questions}
    for needed in (
        "channel.platform",
        "channel.handle",
        "channel.url",
        "channel.department",
        "channel.purpose",
        "channel.audiences",
        "channel.launch_date",
        "administrator.name",
        "administrator.email",
        "administrator.role",
        "administrator.has_deputy",
        "alumni.contact",
        "alumni.consulted",
        "alumni.advancement_name",
        "alumni.advancement_date",
        "alumni.contact_source",
    ):
        assert needed in ids
    levels = {r.level.value for q in essex.questions for r in q.rules}
    assert levels == {"warning", "blocker", "referral"}
    assert essex.declaration.strip()


def test_the_shipped_checklists_lint_clean() -> None:
    for path in sorted((ROOT / "checklists").glob("*.toml")):
        assert lint_checklist(path) == [], path


# -- the linter --------------------------------------------------------------------------------


def test_the_tiny_checklist_is_clean(tmp_path: Path) -> None:
    assert lint_text(tmp_path, TINY) == []


def test_unknown_key_names_its_place(tmp_path: Path) -> None:
    text = TINY.replace(
        'prompt = "What kind of club?"', 'prompt = "What kind of club?"\ncolour = "red"'
    )
    assert lint_text(tmp_path, text) == ["sections[0].questions[1].colour: unknown key"]


def test_duplicate_question_id(tmp_path: Path) -> None:
    text = TINY.replace('id = "club.has_owner"', 'id = "club.kind"')
    problems = lint_text(tmp_path, text)
    assert "sections[0].questions[2].id: duplicate question id 'club.kind'" in problems


def test_condition_on_an_unknown_question(tmp_path: Path) -> None:
    text = TINY.replace(
        'when = { question = "club.has_owner", equals = true }',
        'when = { question = "club.owner", equals = true }',
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[3].when: names an unknown question 'club.owner'"
    ]


def test_condition_on_a_later_question(tmp_path: Path) -> None:
    text = TINY.replace(
        'when = { question = "club.has_owner", equals = true }',
        'when = { question = "web.sites", contains = "site" }',
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[3].when: names 'web.sites', which is not asked before 'club.owner_email'"
    ]


def test_a_rule_may_name_a_later_question(tmp_path: Path) -> None:
    text = TINY.replace(
        'when = { question = "club.kind", equals = "union" }',
        'when = { question = "web.sites", contains = "site" }',
    )
    assert lint_text(tmp_path, text) == []


def test_clause_that_does_not_exist(tmp_path: Path) -> None:
    text = TINY.replace(
        'clauses = ["C-1"]\n\n[[sections.questions.rules]]',
        'clauses = ["C-9"]\n\n[[sections.questions.rules]]',
    )
    problems = lint_text(tmp_path, text)
    assert "sections[0].questions[2].clauses[0]: no clause has the id 'C-9'" in problems


def test_unreferenced_check_clause(tmp_path: Path) -> None:
    text = TINY.replace('clauses = ["C-2"]', "clauses = []")
    assert lint_text(tmp_path, text) == [
        "clauses: clause C-2 (inform) is not referenced by any question, rule or section"
    ]


def test_bad_types(tmp_path: Path) -> None:
    text = TINY.replace('type = "yesno"', 'type = "boolean"').replace(
        "review_months = 6", 'review_months = "six"'
    )
    assert lint_text(tmp_path, text) == [
        "review_months: must be an integer, not a string",
        "sections[0].questions[2].type: must be one of 'yesno', 'text', 'email', 'url', 'date', 'choice', 'multi', not 'boolean'",
    ]


def test_condition_value_must_fit_the_question(tmp_path: Path) -> None:
    text = TINY.replace(
        'when = { question = "club.kind", equals = "union" }',
        'when = { question = "club.kind", equals = "dance" }',
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[1].rules[0].when: compares club.kind with 'dance': 'dance' is not one of its choices (sport, music, union)"
    ]
    text = TINY.replace(
        'when = { question = "club.has_owner", equals = true }',
        'when = { question = "club.has_owner", equals = "yes" }',
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[3].when: compares club.has_owner with 'yes': club.has_owner is yes/no, so compare with true or false"
    ]


def test_a_condition_is_data_of_a_known_form(tmp_path: Path) -> None:
    text = TINY.replace(
        'when = { question = "club.has_owner", equals = true }', 'when = "club.has_owner == true"'
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[3].when: a condition must be a table, not a string"
    ]
    text = TINY.replace(
        'when = { question = "club.has_owner", equals = true }',
        'when = { question = "club.has_owner", is = true }',
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[3].when.is: unknown comparison; use one of equals, not_equals, one_of, contains, answered, before, after, mentions"
    ]


def test_validator_that_does_not_fit_the_type(tmp_path: Path) -> None:
    text = TINY.replace(
        'validate = { domains = ["example.ac.uk"] }',
        'validate = { domains = ["example.ac.uk"], min_items = 1 }',
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[3].validate.min_items: applies to multi questions, not email"
    ]


def test_default_must_be_a_valid_answer(tmp_path: Path) -> None:
    text = TINY.replace('default = "sport"', 'default = "chess"')
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[1].default: not a valid answer: 'chess' is not one of the choices (sport, music, union)"
    ]


def test_hidden_characters_in_checklist_text(tmp_path: Path) -> None:
    text = TINY.replace('prompt = "Club name?"', 'prompt = "Club\\u202ename?"')
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[0].prompt: holds a control or invisible character (U+202E)"
    ]


def test_toml_errors_name_line_and_column(tmp_path: Path) -> None:
    (problem,) = lint_text(tmp_path, TINY.replace('title = "The club"', 'title = "The club'))
    assert problem.startswith("not valid TOML: ") and "line" in problem


def test_bom_and_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TINY.encode())
    assert lint_checklist(path) == [
        f"{path}: starts with a byte-order mark (BOM); save it as UTF-8 without BOM"
    ]
    path.write_bytes(TINY.encode().replace(b"Club name?", b"Club \xff?"))
    assert lint_checklist(path) == [
        f"{path}: not UTF-8 text (bad byte at offset {TINY.encode().index(b'Club name?') + 5})"
    ]


def test_load_refuses_a_bad_checklist_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        TINY.replace("format = 1", "format = 1\nextra = 1").replace(
            'type = "yesno"', 'type = "bool"'
        )
    )
    with pytest.raises(FileProblem) as info:
        load_checklist(path)
    assert sorted(info.value.problems) == [
        f"{path}: extra: unknown key",
        f"{path}: sections[0].questions[2].type: must be one of 'yesno', 'text', 'email', 'url', 'date', 'choice', 'multi', not 'bool'",
    ]
    assert str(info.value).endswith("(and 1 more)")
    assert info.value.hint and "README" in info.value.hint


# -- the checklist commands -------------------------------------------------------------------


runner = CliRunner()


def test_lint_command(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        TINY.replace(
            'prompt = "What kind of club?"', 'prompt = "What kind of club?"\ncolour = "red"'
        )
    )
    result = runner.invoke(app, ["checklist", "lint", str(path)])
    assert result.exit_code == 1
    assert "sections[0].questions[1].colour: unknown key" in result.output
    ok = runner.invoke(app, ["checklist", "lint", str(DATA / "tiny.toml")])
    assert ok.exit_code == 0 and "OK" in ok.output


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "[record]\nschema = 1\n[answers.club]\nname = 'x'\n",
            "a record, not a checklist: it is checked with smcheck verify",
        ),
        (
            "[draft]\nchecklist = 'x'\n[answers]\n[signoff]\n",
            "a draft of the interview, not a checklist: it is continued with smcheck new --resume",
        ),
        (
            "checklist = 'x'\n[answers.club]\nname = 'x'\n",
            "an answers file, not a checklist: a record is made from it with smcheck new --answers",
        ),
    ],
)
def test_a_file_smcheck_made_for_something_else_is_one_line_with_what_takes_it(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / "given.toml"
    path.write_text(text, encoding="utf-8")
    assert lint_checklist(path) == [f"{path}: {said} {path}"]
    result = runner.invoke(app, ["checklist", "lint", str(path)])
    assert result.exit_code == 1
    # The hint is an address (it works wherever smcheck is installed), never a path in the repository.
    assert (
        "the checklist format: https://github.com/essex-digital/smcheck/blob/main/checklists/README.md"
        in " ".join(result.output.split())
    )


def test_list_and_show(essex: Checklist) -> None:
    listed = json.loads(runner.invoke(app, ["checklist", "list", "--json"]).stdout)
    assert [c["id"] for c in listed] == ["essex-social-media"]
    shown = json.loads(
        runner.invoke(app, ["checklist", "show", "essex-social-media", "--json"]).stdout
    )
    questions = [q for s in shown["sections"] for q in s["questions"]]
    assert len(questions) == len(essex.questions)
    platform = next(q for q in questions if q["id"] == "channel.platform")
    assert (
        platform["type"] == "choice"
        and {"value": "instagram", "label": "Instagram"} in platform["choices"]
    )
    conditional = [q for q in questions if q["when"]]
    assert conditional and all(isinstance(q["when"], str) for q in conditional)
    assert all(isinstance(q["clauses"], list) for q in questions)
    text = runner.invoke(app, ["checklist", "show", "essex-social-media"]).stdout
    assert "alumni.consulted" in text and "asked when:" in text


def test_show_unknown_checklist_is_one_clear_line() -> None:
    result = runner.invoke(app, ["checklist", "show", "nope"])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_template_filled_in_becomes_a_valid_answers_file(tmp_path: Path, tiny: Checklist) -> None:
    result = runner.invoke(app, ["checklist", "template", str(DATA / "tiny.toml")])
    assert result.exit_code == 0
    template = result.stdout
    assert tomllib.loads(template) == {
        "checklist": "tiny-club",
        "answers": {"club": {}, "web": {}},
        "signoff": {},
    }
    assert "# Asked only when: club.has_owner = yes" in template
    assert '# Choices: "sport" (Sport), "music" (Music), "union" (Run by the union)' in template
    # Uncommenting the example lines gives a file with the right types for every question.
    filled = "\n".join(
        line[2:] if re.match(r"# [a-z_]+ = ", line) else line for line in template.splitlines()
    )
    parsed = tomllib.loads(filled)
    assert set(parsed["answers"]["club"]) == {"name", "kind", "has_owner", "owner_email", "founded"}
    assert parsed["signoff"]["agree"] is True


def test_a_deeply_nested_checklist_is_refused(tmp_path: Path) -> None:
    deep = TINY + "\n[extra]\n" + ".".join(["k"] * 5000) + " = 1\n"
    assert lint_text(tmp_path, deep) == ["nested too deeply (over 32 levels)"]


# -- co-signers ---------------------------------------------------------------------------------


def test_essex_requires_the_advancement_office_when_alumni_are_contacted(essex: Checklist) -> None:
    from smcheck.outcome import required_cosigners

    (cosigner,) = essex.cosigners
    assert (cosigner.role, cosigner.title, cosigner.clauses) == (
        "advancement-office",
        "the Advancement Office",
        ("GG-1", "EP-5"),
    )
    answers = {q.id: q.default for q in essex.questions if q.default is not None}
    assert required_cosigners(essex, {**answers, "alumni.contact": True}) == (cosigner,)
    assert required_cosigners(essex, {**answers, "alumni.contact": False}) == ()


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        (
            'role = "music-office"',
            'role = "reviewer"',
            "cosign[0].role: 'reviewer' is a built-in role, not a co-signer",
        ),
        (
            'role = "music-office"',
            'role = "Music Office"',
            "cosign[0].role: must be lower-case letters, digits and dashes",
        ),
        (
            'when = { question = "club.kind", equals = "music" }\nclauses = ["C-2"]',
            'when = { question = "club.colour", equals = "red" }\nclauses = ["C-2"]',
            "cosign[0].when: names an unknown question 'club.colour'",
        ),
        ('title = "the music office"\n', "", "cosign[0].title: missing; it must be a string"),
        (
            'clauses = ["C-2"]\n\n[declaration]',
            'clauses = ["C-9"]\n\n[declaration]',
            "cosign[0].clauses[0]: no clause has the id 'C-9'",
        ),
    ],
)
def test_cosigner_problems_name_their_place(
    tmp_path: Path, old: str, new: str, problem: str
) -> None:
    assert old in TINY
    assert problem in lint_text(tmp_path, TINY.replace(old, new))


def test_a_cosigner_role_appears_once(tmp_path: Path) -> None:
    block = TINY[TINY.index("[[cosign]]") : TINY.index("[declaration]")]
    text = TINY.replace("[declaration]", block + "[declaration]")
    assert lint_text(tmp_path, text) == ["cosign[1].role: duplicate co-signer role 'music-office'"]


def test_conditions_of_different_kinds_are_never_equal() -> None:
    from smcheck.checklist import AllOf, AnyOf, Compare, Not

    inner = Compare("club.kind", "equals", "sport")
    every, some, none = cast(object, AllOf((inner,))), cast(object, AnyOf((inner,))), Not(inner)
    assert every != some  # tuples alike, tags apart
    assert cast(object, none) != every
    assert AllOf((inner,)) == AllOf((inner,))


# -- who may sign off ([signoff]) ----------------------------------------------------------------


def with_signoff(table: str) -> str:
    return TINY.replace("[declaration]", table + "\n\n[declaration]")


def test_a_signoff_rule_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(with_signoff('[signoff]\nemail_domains = ["Example.ac.uk", "partner.org"]'))
    assert load_checklist(path).signoff.email_domains == ("example.ac.uk", "partner.org")
    assert load_checklist(DATA / "tiny.toml").signoff.email_domains == ()


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        (
            '[signoff]\nemail_domains = ["example.ac.uk"]\nwho = "staff"',
            "signoff.who: unknown key",
        ),
        ("[signoff]", "signoff.email_domains: missing; it must be an array"),
        (
            '[signoff]\nemail_domains = "example.ac.uk"',
            "signoff.email_domains: must be an array, not a string",
        ),
        (
            "[signoff]\nemail_domains = [1]",
            "signoff.email_domains[0]: must be a string, not an integer",
        ),
        (
            "[signoff]\nemail_domains = []",
            "signoff.email_domains: must name at least one domain, like essex.ac.uk",
        ),
        (
            '[signoff]\nemail_domains = ["@example.ac.uk"]',
            "signoff.email_domains[0]: '@example.ac.uk': write the domain alone, like essex.ac.uk"
            " (its subdomains are allowed too)",
        ),
        (
            '[signoff]\nemail_domains = ["*.example.ac.uk"]',
            "signoff.email_domains[0]: '*.example.ac.uk': write the domain alone, like essex.ac.uk"
            " (its subdomains are allowed too)",
        ),
        (
            '[signoff]\nemail_domains = ["localhost"]',
            "signoff.email_domains[0]: 'localhost' is not a domain name like essex.ac.uk (two or"
            " more labels of ASCII letters, digits and inner dashes, joined by dots)",
        ),
        (
            '[signoff]\nemail_domains = ["exa mple.ac.uk"]',
            "signoff.email_domains[0]: 'exa mple.ac.uk' is not a domain name like essex.ac.uk (two"
            " or more labels of ASCII letters, digits and inner dashes, joined by dots)",
        ),
        (
            '[signoff]\nemail_domains = ["-x.ac.uk"]',
            "signoff.email_domains[0]: '-x.ac.uk' is not a domain name like essex.ac.uk (two or"
            " more labels of ASCII letters, digits and inner dashes, joined by dots)",
        ),
        (
            '[signoff]\nemail_domains = ["example.ac.uk", "EXAMPLE.ac.uk"]',
            "signoff.email_domains[1]: duplicate domain 'EXAMPLE.ac.uk'",
        ),
        ('signoff = "staff only"', "signoff: must be a table, not a string"),
    ],
)
def test_the_signoff_rule_is_linted_strictly(tmp_path: Path, table: str, problem: str) -> None:
    text = (
        with_signoff(table)
        if table.startswith("[")
        else TINY.replace("format = 1", f"format = 1\n{table}")
    )
    assert lint_text(tmp_path, text) == [problem]


def test_an_email_questions_domains_are_linted_the_same_way(tmp_path: Path) -> None:
    text = TINY.replace(
        'validate = { domains = ["example.ac.uk"] }', 'validate = { domains = ["@example.ac.uk"] }'
    )
    assert lint_text(tmp_path, text) == [
        "sections[0].questions[3].validate.domains[0]: '@example.ac.uk': write the domain alone,"
        " like essex.ac.uk (its subdomains are allowed too)"
    ]
