"""Trust in one place, checked from the source (read with ``ast``, as tests/test_structure.py does).

- who may sign what, in which role, when, is :mod:`smcheck.trust.policy`'s to decide: outside
  ``smcheck/trust`` nothing uses the trust file's lookups (``decide_trust``, ``keys_of``, the pattern
  matchers, revocation) or a private name of the trust package, and nothing writes a trust line itself;
- the commands that sign ask the policy first (``sign``: ``proposer_for``; ``approve``:
  ``approver_for``; ``trust add``: ``proposer_to_add``);
- producing a signature is :mod:`smcheck.trust.signing`'s: the policy imports no signing mechanism, and
  nothing else asks a key to sign.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

PACKAGE = Path(__file__).resolve().parent.parent / "smcheck"
TRUST = PACKAGE / "trust"

READING_THE_TRUST_FILE = frozenset(
    {"AllowedSigner", "Authority", "TrustFile", "load_allowed_signers", "MAX_TRUST_FILE_BYTES"}
)
"""What a module outside smcheck/trust may take from smcheck.trust.allowed: the file, read, and its
types. Everything else there (a lookup, a match, a Trust status) is for the policy to apply."""

SIGNING_MECHANISM = ("smcheck.trust.signing", "smcheck.trust.keys", "smcheck.trust.agent")


class From(NamedTuple):
    module: str
    name: str
    line: int


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def where(path: Path) -> str:
    return str(path.relative_to(PACKAGE))


def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def names_from(path: Path) -> list[From]:
    """Every ``from MODULE import NAME`` in a module (module level or inside a function)."""
    found: list[From] = []
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend(From(node.module, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.extend(From(alias.name, "", node.lineno) for alias in node.names)
    return found


def called(path: Path) -> set[str]:
    """The names a module calls (``f(...)`` and ``x.f(...)`` both give ``f``)."""
    names: set[str] = set()
    for node in ast.walk(tree_of(path)):
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                names.add(node.func.id)
            elif isinstance(node.func, ast.Attribute):
                names.add(node.func.attr)
    return names


def outside_trust() -> list[Path]:
    return [path for path in modules() if TRUST not in path.parents]


def test_no_module_outside_the_trust_package_applies_the_trust_file_itself() -> None:
    found = [
        f"{where(path)}:{imp.line}: {imp.name}"
        for path in outside_trust()
        for imp in names_from(path)
        if imp.module == "smcheck.trust.allowed" and imp.name not in READING_THE_TRUST_FILE
    ]
    assert found == [], "ask smcheck.trust.policy instead"


def test_no_module_outside_the_trust_package_uses_its_private_names() -> None:
    found = [
        f"{where(path)}:{imp.line}: {imp.module}.{imp.name}"
        for path in outside_trust()
        for imp in names_from(path)
        if imp.module.startswith("smcheck.trust") and imp.name.startswith("_")
    ]
    assert found == []


def test_only_the_policy_writes_a_trust_line() -> None:
    """A line granting a role (a principal, ``namespaces="..."`` and a key) is policy.grant_line's."""
    found: list[str] = []
    for path in modules():
        for node in ast.walk(tree_of(path)):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(
                part.value
                for part in node.values
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
            )
            keys = [
                part
                for part in node.values
                if isinstance(part, ast.FormattedValue)
                and isinstance(part.value, ast.Call)
                and isinstance(part.value.func, ast.Attribute)
                and part.value.func.attr == "openssh"
            ]
            if 'namespaces="' in text and keys:
                found.append(f"{where(path)}:{node.lineno}")
    assert [place.split(":")[0] for place in found] == ["trust/policy.py"], found


def test_the_commands_that_sign_ask_the_policy_first() -> None:
    asks = {
        "commands/sign.py": "proposer_for",
        "commands/approve.py": "approver_for",
        "commands/trust.py": "proposer_to_add",
    }
    for name, function in asks.items():
        path = PACKAGE / name
        imported = {(imp.module, imp.name) for imp in names_from(path)}
        assert ("smcheck.trust.policy", function) in imported, name
        assert function in called(path), name


def test_the_policy_decides_and_signs_nothing() -> None:
    policy = TRUST / "policy.py"
    mechanism = [
        f"{imp.line}: {imp.module}.{imp.name}"
        for imp in names_from(policy)
        if imp.module.startswith(SIGNING_MECHANISM) or imp.name == "sign"
    ]
    assert mechanism == []
    assert not {"sign", "sign_raw", "sign_with"} & called(policy)


def test_only_the_signing_module_asks_a_key_to_sign() -> None:
    """A key signs raw bytes (``sign_raw``) only for signing.sign, which wraps them in an SSHSIG and
    checks them; keys.py and agent.py implement it (a certified key hands it on to its key)."""
    signers = {where(path) for path in modules() if {"sign_raw", "sign_with"} & called(path)}
    assert signers == {"trust/signing.py", "trust/keys.py", "trust/agent.py"}


def test_signatures_are_made_with_the_signing_module() -> None:
    """Outside smcheck/trust, seals and signatures come from smcheck.trust.signing, never from the
    format module or the policy."""
    makers = {"sign", "seal_record", "seal_decision", "decision_on"}
    found = [
        f"{where(path)}:{imp.line}: {imp.module}.{imp.name}"
        for path in modules()
        for imp in names_from(path)
        if imp.name in makers
        and imp.module != "smcheck.trust.signing"
        and imp.module.startswith("smcheck.trust")
    ]
    assert found == []
