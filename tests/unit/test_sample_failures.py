"""Each sample's `fails:` list: valid, and worth exactly the points its score loses."""

from __future__ import annotations

from pathlib import Path

import pytest

from graders.errors import SpecError
from graders.spec import Lab, Sample, lab_ids, labs_root, load_lab, parse_lab

LABS = [load_lab(lab_id) for lab_id in lab_ids(labs_root())]
LISTED = [pytest.param(lab, s, id=f"{lab.id}/{s.path}") for lab in LABS for s in lab.samples
          if s.fails is not None]


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_bundled_sample_says_which_checks_it_fails(lab: Lab) -> None:
    assert lab.samples
    assert [s.path for s in lab.samples if s.fails is None] == []


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_a_solution_and_every_passes_sample_fail_nothing(lab: Lab) -> None:
    passing = [s for s in lab.samples
               if s.path == "solution" or s.path.rsplit("/", 1)[-1].startswith("passes_")]
    assert passing
    assert {s.path: sorted(s.fails or ()) for s in passing if s.fails} == {}


@pytest.mark.parametrize(("lab", "sample"), LISTED)
def test_listed_failures_cost_exactly_the_points_the_score_loses(lab: Lab, sample: Sample) -> None:
    fails = sample.fails or frozenset()
    lost = sum(c.points for c in lab.checks if c.id in fails)
    assert lab.points - lost == pytest.approx(sample.score), sorted(fails)


def _sample(tmp_path: Path, fails: object) -> Sample:
    folder = tmp_path / "demo"
    (folder / "solution").mkdir(parents=True, exist_ok=True)
    lab = parse_lab({
        "id": "demo", "title": "t", "description": "d",
        "checks": [{"id": "has-run", "type": "dockerfile_instruction", "points": 1,
                    "title": "t", "instruction": "RUN"}],
        "samples": [{"path": "solution", "score": 0, "fails": fails}],
    }, folder)
    return lab.samples[0]


def test_a_list_naming_no_check_of_the_lab_is_a_spec_error(tmp_path: Path) -> None:
    assert _sample(tmp_path, ["has-run"]).fails == {"has-run"}
    with pytest.raises(SpecError, match=r"no graded check 'has_run'.*has-run") as e:
        _sample(tmp_path, ["has_run"])
    assert e.value.field == "samples[0].fails"
    with pytest.raises(SpecError, match="a list of check ids"):
        _sample(tmp_path, "has-run")
