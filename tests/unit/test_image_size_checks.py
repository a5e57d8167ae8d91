"""image_size, path_absent, run_output and base_image's none_of, without Docker."""

from __future__ import annotations

import fnmatch
import runpy
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graders.checks.base import Check, ExecResult, Outcome
from graders.checks.base_image import BaseImageCheck, short_name
from graders.checks.image_size import ImageSizeCheck, megabytes
from graders.checks.path_absent import PathAbsentCheck
from graders.checks.run_output import RunOutputCheck
from graders.dockerfile.parser import parse_dockerfile
from tests.unit.dockerfiles import SEED_MULTISTAGE
from tests.unit.fake_context import (
    FakeContext,
    directory,
    en,
    failed,
    passed,
    pt,
    symlink,
    text_file,
)

LABS = Path(__file__).resolve().parents[2] / "labs"


@dataclass
class ImageContext(FakeContext):
    """FakeContext plus the two image-stage methods these checks use: list_dir and run_once."""

    runs: dict[tuple[str, ...] | None, ExecResult] = field(default_factory=dict)

    def list_dir(self, path: str, pattern: str = "*", limit: int = 256) -> list[str] | None:
        self.calls.append(("list_dir", path, pattern))
        base = path.rstrip("/") + "/"
        if path != "/" and (path not in self.files or self.files[path][0].kind != "directory"):
            return None
        names = {p[len(base):].split("/")[0] for p in self.files if p.startswith(base)}
        return sorted(n for n in names if n and fnmatch.fnmatchcase(n, pattern))[:limit]

    def run_once(self, argv: list[str] | None = None, timeout: float = 10.0) -> ExecResult:
        self.calls.append(("run_once", tuple(argv) if argv is not None else None, timeout))
        return self.runs[tuple(argv) if argv is not None else None]




def go(check: Check, **data: Any) -> Outcome:
    assert check.validate() == []
    return check.run(ImageContext(**data))


# --- image_size --------------------------------------------------------------------------------
def test_image_size_under_and_over_the_limit() -> None:
    passed(go(ImageSizeCheck(max_mb=20), inspect={"Size": 3_803_533}))
    out = failed(go(ImageSizeCheck(max_mb=20), inspect={"Size": 792_000_000}))
    assert "792 MB" in out.message.en and "792 MB" in out.message.pt
    assert en(out.expected) == "≤ 20 MB"
    out = failed(go(ImageSizeCheck(min_mb=1, max_mb=20), inspect={"Size": 10_000}))
    assert "0.01 MB" in en(out.actual)


def test_megabytes_are_decimal_like_docker() -> None:
    assert megabytes(1_978_000) == "1.98 MB" and megabytes(786_500_000) == "786 MB"


@pytest.mark.parametrize("fields", [{}, {"max_mb": "20"}, {"max_mb": -1}, {"max_mb": True},
                                    {"min_mb": 30, "max_mb": 20}])
def test_image_size_rejects_bad_fields(fields: dict[str, Any]) -> None:
    assert ImageSizeCheck(**fields).validate()


# --- path_absent -------------------------------------------------------------------------------
GOLANG_FS = {
    "/usr": directory(), "/usr/lib": directory(), "/usr/bin": directory(),
    "/usr/lib/gcc": directory(), "/usr/lib/go-1.19": directory(),
    "/usr/lib/go-1.19/bin/go": text_file(b"\x7fELF", mode=0o755),
    "/usr/lib/go": symlink("go-1.19"), "/usr/bin/go": symlink("../lib/go-1.19/bin/go"),
}
TOOLCHAIN = ["/usr/local/go", "/usr/lib/go", "/usr/bin/go", "/usr/lib/go-*"]


def test_path_absent_reports_every_literal_path_found_without_exec() -> None:
    ctx = ImageContext(files=GOLANG_FS)
    out = failed(PathAbsentCheck(paths=TOOLCHAIN).run(ctx))
    assert "/usr/lib/go" in out.message.en and "/usr/bin/go" in out.message.pt
    assert "/usr/bin/go -> ../lib/go-1.19/bin/go" in en(out.actual)
    assert not ctx.called("exec") and not ctx.called("list_dir")  # literals found: no listing


def test_path_absent_expands_globs_when_no_literal_path_exists() -> None:
    files = {k: v for k, v in GOLANG_FS.items() if k not in ("/usr/lib/go", "/usr/bin/go")}
    ctx = ImageContext(files=files)
    out = failed(PathAbsentCheck(paths=TOOLCHAIN).run(ctx))
    assert "/usr/lib/go-1.19 (directory)" in en(out.actual)
    assert ("list_dir", "/usr/lib", "go-*") in ctx.calls and not ctx.called("exec")


def test_path_absent_passes_on_a_scratch_image() -> None:
    ctx = ImageContext(files={"/hello": text_file(b"\x7fELF", mode=0o755)})
    passed(PathAbsentCheck(paths=TOOLCHAIN).run(ctx))
    assert not ctx.called("exec")


def test_path_absent_globs_in_the_middle_and_the_tar_case() -> None:
    files = {"/srv": directory(), "/srv/app": directory(),
             "/srv/app/site.tar.gz": text_file(b"\x1f\x8b"), "/srv/app/status.txt": text_file("ok")}
    check = PathAbsentCheck(paths=["/srv/*/*.tar*", "/srv/app/*.tgz"])
    out = failed(go(check, files=files))
    assert en(out.actual) == "/srv/app/site.tar.gz (file)"
    files.pop("/srv/app/site.tar.gz")
    passed(go(check, files={**files, "/srv/app/index.html": text_file("<h1>")}))


@pytest.mark.parametrize("paths", [[], "/usr/bin/go", ["usr/bin/go"], ["/"], ["/a/../b"],
                                   ["/usr/**/go"], [3]])
def test_path_absent_rejects_bad_paths(paths: Any) -> None:
    assert PathAbsentCheck(paths=paths).validate()


# --- run_output --------------------------------------------------------------------------------
HELLO_CONFIG = {"Cmd": ["/app/hello"]}


def test_run_output_exact_output_ignores_the_trailing_newline() -> None:
    ctx = ImageContext(config=HELLO_CONFIG, runs={None: ExecResult(0, "Hello, World!\r\n", "")})
    out = passed(RunOutputCheck(equals="Hello, World!").run(ctx))
    assert '["/app/hello"]' in out.message.en and not ctx.called("exec")
    assert ("run_once", None, 10.0) in ctx.calls


def test_run_output_wrong_output_and_exit_code_reported_together() -> None:
    ctx = ImageContext(config=HELLO_CONFIG, runs={None: ExecResult(1, "Hello World\n", "boom")})
    out = failed(RunOutputCheck(equals="Hello, World!").run(ctx))
    assert "exited with code 1" in out.message.en and "not exactly" in out.message.en
    assert "código 1" in out.message.pt
    assert en(out.expected) == 'stdout = "Hello, World!"\nexit code 0'
    assert en(out.actual) == 'stdout = "Hello World"\nexit code 1' and "boom" in out.details
    assert pt(out.actual) == 'stdout = "Hello World"\ncódigo de saída 1'


def test_run_output_command_that_cannot_start() -> None:
    err = "[FATAL tini (7)] exec /app/hello failed: No such file or directory\n"
    ctx = ImageContext(config=HELLO_CONFIG, runs={None: ExecResult(127, "", err)})
    out = failed(RunOutputCheck(equals="Hello, World!").run(ctx))
    assert "could not be run" in out.message.en and "/app/hello failed" in out.message.pt


def test_run_output_timeout() -> None:
    ctx = ImageContext(config=HELLO_CONFIG, runs={None: ExecResult(None, "", "")})
    out = failed(RunOutputCheck(exit_code=None, timeout=2).run(ctx))
    assert "2 s" in out.message.en and "killed" in en(out.actual)


def test_run_output_args_replace_cmd_and_regexes() -> None:
    config = {"Entrypoint": ["/bin/tool"], "Cmd": ["--help"]}
    ctx = ImageContext(config=config, runs={("--version",): ExecResult(0, "tool 1.2\n", "warn")})
    check = RunOutputCheck(args=["--version"], stdout=r"^tool \d+\.\d+$", stderr="warn")
    assert '["/bin/tool", "--version"]' in passed(check.run(ctx)).message.en
    bad = RunOutputCheck(args=["--version"], stdout="^2", stderr="nothing")
    out = failed(bad.run(ctx))
    assert 'starting with "2"' in out.message.en and "standard error" in out.message.en
    assert "^2" not in out.message.en and 'começando com "2"' in out.message.pt


@pytest.mark.parametrize("fields", [{"stdout": "("}, {"equals": 3}, {"exit_code": "0"},
                                    {"timeout": 0}, {"args": "--version"}, {"args": [["a"]]}])
def test_run_output_rejects_bad_fields(fields: dict[str, Any]) -> None:
    assert RunOutputCheck(**fields).validate()


# --- base_image's none_of (the final stage is not the build image) ---------------------------
def final(check: BaseImageCheck, text: str) -> Outcome:
    assert check.validate() == []
    return check.run(FakeContext(dockerfile=parse_dockerfile(text)))


def test_none_of_rejects_the_build_image_pointing_at_its_line() -> None:
    text = SEED_MULTISTAGE.replace("FROM alpine:3.15.9", "FROM golang:1.18")
    out = failed(final(BaseImageCheck(none_of=["^golang$"]), text))
    assert out.line == 7 and "golang:1.18" in out.message.en and "golang:1.18" in out.message.pt
    assert "(golang)" in out.message.en and "^golang" not in out.message.en
    assert en(out.expected) == "a base image, not golang"
    assert pt(out.expected) == "uma imagem base, que não seja golang"


def test_none_of_follows_an_earlier_stage_and_normalises_docker_hub() -> None:
    text = "FROM docker.io/library/golang:1.19 AS build\nFROM build\nCMD [\"/x\"]\n"
    out = failed(final(BaseImageCheck(none_of=["^golang$"]), text))
    assert "through stage build" in out.message.en and out.line == 1
    assert short_name("docker.io/library/golang") == "golang"


@pytest.mark.parametrize("base", ["alpine:3.15.9", "busybox:1.35", "scratch",
                                  "gcr.io/distroless/static-debian12"])
def test_none_of_accepts_any_other_base(base: str) -> None:
    check = BaseImageCheck(none_of=["^golang$"])
    passed(final(check, SEED_MULTISTAGE.replace("alpine:3.15.9", base)))


def test_none_of_and_a_pin_are_one_verdict() -> None:
    text = SEED_MULTISTAGE.replace("FROM alpine:3.15.9", "FROM golang")
    out = failed(final(BaseImageCheck(none_of=["^golang$"], pinned=True), text))
    assert "not pinned" in out.message.en and "does not accept" in out.message.en


@pytest.mark.parametrize("fields", [{}, {"none_of": "golang"}, {"none_of": ["("]},
                                    {"none_of": [1]}])
def test_none_of_rejects_bad_fields(fields: dict[str, Any]) -> None:
    assert BaseImageCheck(**fields).validate()


# --- the instructions lab's archive ------------------------------------------------------------
def test_instructions_archive_is_the_scripts_output_everywhere() -> None:
    lab = LABS / "day2-instructions"
    files = runpy.run_path(str(lab / "make_archive.py"))["FILES"]
    copies = sorted(lab.glob("**/site.tar.gz"))
    assert len(copies) >= 3
    for copy in copies:
        with tarfile.open(copy) as tar:
            members = {m.name: m for m in tar.getmembers()}
            assert set(members) == {"docs", *files}, copy
            for name, text in files.items():
                handle = tar.extractfile(members[name])
                assert handle is not None and handle.read() == text.encode(), copy
                assert members[name].uid == 0 and members[name].mode == 0o644
