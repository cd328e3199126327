"""The matcher: every quote of the real page found again in 240 generated revisions, exactly.

Properties, for every quote of every generated revision (the generator knows the truth):
a quote whose own words survive is ``kept``/``moved`` to exactly their new place; a quote whose
words were deleted is ``lost``; nothing is ever ``kept``/``moved`` onto words that differ from it.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from nato_iraq_kg.build.pipeline import BuildResult
from nato_iraq_kg.cli import cli
from nato_iraq_kg.source.reanchor import Quote, Status, reanchor
from revisions import KINDS, generate

REAL = Path(__file__).resolve().parents[1] / "data" / "source"
SEEDS = range(240)


@pytest.fixture(scope="module")
def quotes(build: BuildResult) -> list[Quote]:
    """Every quote of the real revision, as the build makes them."""
    return [Quote(str(a.evidence), a.quote, a.start, a.end) for a in build.assertions]


@pytest.fixture(scope="module")
def text(build: BuildResult) -> str:
    """The real revision's text."""
    return build.revisions[0].text


def test_properties_hold_on_generated_revisions(text: str, quotes: list[Quote]) -> None:
    """Survivors are found exactly, deleted quotes are lost, nothing is anchored to other words."""
    outcomes: Counter[tuple[str, str]] = Counter()
    edits: Counter[str] = Counter()
    for seed in SEEDS:
        revision = generate(text, seed)
        edits.update(edit.split(" ")[0] for edit in revision.edits)
        for found in reanchor(text, revision.text, quotes):
            fate, at = revision.fate(found.quote.start, found.quote.end)
            outcomes[(fate, found.status.value)] += 1
            where = f"seed {seed} {revision.edits}: {found.quote.id} {found.status}"
            if found.status in (Status.KEPT, Status.MOVED):
                assert found.new is not None
                assert revision.text[found.new[0] : found.new[1]] == found.quote.exact, where
            if found.status is Status.CHANGED:
                assert found.new_exact != found.quote.exact, where
            if fate == "survived":
                assert found.new == (at, at + len(found.quote.exact)), where
                assert found.status is (Status.KEPT if at == found.quote.start else Status.MOVED)
            elif fate == "deleted":
                assert found.status is Status.LOST, where
            else:
                assert found.status.needs_review, where
    assert sum(outcomes.values()) == len(SEEDS) * len(quotes) == 240 * 326
    for needed in [("survived", "kept"), ("survived", "moved"), ("deleted", "lost")]:
        assert outcomes[needed] > 100, outcomes
    assert outcomes[("touched", "changed")] > 100, outcomes
    assert set(edits) == set(KINDS), edits
    assert all(n >= 20 for n in edits.values()), edits


def test_generator_is_seeded(text: str) -> None:
    """The same seed makes the same revision; another seed another one."""
    assert generate(text, 5).text == generate(text, 5).text
    assert generate(text, 5).text != generate(text, 6).text


def test_unchanged_text_keeps_every_quote(text: str, quotes: list[Quote]) -> None:
    """Against its own text, every quote is kept at its offsets with score 1."""
    found = reanchor(text, text, quotes)
    assert {a.status for a in found} == {Status.KEPT}
    assert all(a.new == (a.quote.start, a.quote.end) and a.score == 1.0 for a in found)


def test_copied_paragraph_is_ambiguous() -> None:
    """A moved sentence that now stands twice, each copy as well placed as the other: no guess.

    One copy keeps the words that followed it (R), the other those that preceded it (L); L and R
    are equally long, so neither copy is closer to the old place than the other.
    """
    sentence = "NATO trains officers in Jordan each spring."
    left = "The first paragraph has a good many words of its own, to anchor it."
    right = "The last paragraph also has a good many words, to anchor it well!!!"
    assert len(left) == len(right)
    old = f"{left}\n\n{sentence}\n\n{right}\n"
    new = f"{sentence}\n\n{right}\n\n{left}\n\n{sentence}\n"
    start = old.index("officers in Jordan")
    [found] = reanchor(old, new, [Quote("q", "officers in Jordan", start, start + 18)])
    assert found.status is Status.AMBIGUOUS
    places = [m for m in range(len(new)) if new.startswith("officers in Jordan", m)]
    assert [a for a, _ in found.candidates] == places and found.new is None


def test_equal_words_elsewhere_are_not_the_quote() -> None:
    """A short quote deleted with its sentence is lost though its word occurs elsewhere."""
    old = "Iraq asked. NATO agreed to help. Allies met.\n"
    new = "Iraq asked. Allies met. NATO met too.\n"
    start = old.index("NATO")
    [found] = reanchor(old, new, [Quote("q", "NATO", start, start + 4)])
    assert found.status is Status.LOST


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process on the real project."""
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_cli_json_contract_and_exit_0_for_the_same_text() -> None:
    """The JSON has from, to and one entry per quote with the documented keys; all kept: exit 0."""
    code, out, _ = invoke(
        "reanchor", str(REAL / "nato-relations-with-iraq-2017-02-03.txt"), "--format", "json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["from"] == report["to"]
    assert len(report["quotes"]) == 326
    keys = {"id", "status", "exact", "old", "new", "new_exact", "score"}
    assert all(set(q) == keys for q in report["quotes"])


def test_cli_exit_1_names_the_quotes_needing_review(tmp_path: Path, text: str) -> None:
    """A revision that drops the lead paragraph: exit 1, the lead's quotes named on stderr."""
    lead = "NATO and Iraq are engaged in political dialogue"
    start = text.index(lead)
    end = text.index("\n", start)
    new = tmp_path / "new.txt"
    new.write_text(text[:start] + text[end:], encoding="utf-8")
    code, out, err = invoke("reanchor", str(new))
    assert code == 1
    assert "lost      fact-lead-partners" in out
    assert "fact-lead-partners" in err and "need review" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"\xff\xfe bad", "not UTF-8"), (b"text\x00more", "NUL byte")],
)
def test_cli_exit_2_for_unusable_input(tmp_path: Path, content: bytes, message: str) -> None:
    """A text that is not UTF-8, or not text at all, is refused with exit 2."""
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    code, _, err = invoke("reanchor", str(path))
    assert code == 2 and message in err


def test_cli_exit_2_for_a_missing_revision() -> None:
    """A name that is neither a file nor a registered revision is refused with exit 2."""
    code, _, err = invoke("reanchor", "no-such-revision")
    assert code == 2 and "neither a file nor a registered revision" in err
