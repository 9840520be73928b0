"""The documentation a newcomer reads: a README they finish, links that work from a package index and
within docs/, and addresses (the answers schema's) that point at files the repository holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.records import ROOT

from smcheck import registry
from smcheck.schema import SCHEMA_BASE, answers_schema_url

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
REPOSITORY = "https://github.com/essex-digital/smcheck/blob/main/"
RAW = "https://raw.githubusercontent.com/essex-digital/smcheck/main/"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchors(markdown: str) -> set[str]:
    """GitHub's anchors for a Markdown file's headings (lower case, punctuation dropped, spaces as -)."""
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE):
        text = heading.strip().lower().replace("`", "")
        anchors.add(re.sub(r"[^\w\- ]", "", text).replace(" ", "-"))
    return anchors


def _target(link: str, source: Path) -> tuple[Path, str]:
    """The repository file and anchor a link names (absolute links into this repository included)."""
    path, _, anchor = link.partition("#")
    if path.startswith(REPOSITORY):
        return ROOT / path.removeprefix(REPOSITORY), anchor
    return (source.parent / path if path else source).resolve(), anchor


def test_the_readme_is_one_a_newcomer_finishes() -> None:
    data = README.read_bytes()
    assert len(data) <= 20 * 1024, f"README.md is {len(data):,} bytes: move reference text to docs/"
    text = data.decode("utf-8")
    # What it is, the two set-up commands, a path for each user, exit codes, where to read more.
    headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
    assert headings[0].startswith("Set up")
    for user in ("Proposers", "Reviewers", "Co-signers", "Policy owners"):
        assert any(h.startswith(user) for h in headings), user
    assert "Exit codes" in headings and "Read more" in headings
    assert text.count("<!-- ci: test command -->") == 1


def test_every_readme_link_works_from_a_package_index() -> None:
    for link in LINK.findall(README.read_text(encoding="utf-8")):
        assert re.match(r"(https?://|mailto:|#)", link), f"relative link {link!r} breaks on PyPI"


@pytest.mark.parametrize("page", [README, *DOCS, ROOT / "CONTRIBUTING.md"], ids=lambda p: p.name)
def test_every_link_into_the_repository_names_a_file_and_heading_that_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for link in LINK.findall(text):
        if re.match(r"(https?://|mailto:)", link) and not link.startswith(REPOSITORY):
            continue
        target, anchor = _target(link, page)
        assert target.exists(), f"{page.name}: {link} names no file of the repository"
        if anchor and target.suffix == ".md":
            assert anchor in _anchors(target.read_text(encoding="utf-8")), (
                f"{page.name}: {link}: no heading #{anchor} in {target.name}"
            )


def test_the_schema_address_checklist_template_writes_is_a_file_of_the_repository() -> None:
    assert SCHEMA_BASE.startswith(RAW)
    for checklist in registry.shipped():
        url = answers_schema_url(checklist)
        assert (ROOT / url.removeprefix(RAW)).is_file(), url


def test_the_docs_pre_commit_example_is_where_ci_reads_it() -> None:
    scripting = (ROOT / "docs" / "scripting.md").read_text(encoding="utf-8")
    assert scripting.count("<!-- ci: pre-commit config -->") == 1
    assert "docs/scripting.md" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
