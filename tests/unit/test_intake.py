"""Intake without Docker: what is refused before a build, and what is sent to the daemon."""

from __future__ import annotations

import os
import tarfile
import time
from pathlib import Path

import pytest

from graders.engine.intake import (
    OUTSIDE_DOCKERFILE,
    Refused,
    check_submission,
    context_archive,
    read_dockerfile,
    scan_context,
)
from graders.engine.sandbox import resolve_limits
from graders.errors import UsageError
from graders.spec import BuildSpec
from tests.deep_folders import chain, remove_all

GOOD = "FROM busybox:1.35\nCOPY index.html /www/\nCMD [\"httpd\", \"-f\"]\n"
LIMITS = resolve_limits({"context_max_bytes": "1m", "context_max_files": 20})


def make(folder: Path, files: dict[str, object]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            os.symlink(content[1], path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(str(content))
    return folder


def refusal(folder: Path, dockerfile: str = "Dockerfile", limits=LIMITS):  # type: ignore[no-untyped-def]
    found = read_dockerfile(folder, dockerfile, limits)
    return found.refusal


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        check_submission(tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        check_submission(tmp_path / "file")


def test_a_good_dockerfile_is_parsed(tmp_path: Path) -> None:
    found = read_dockerfile(make(tmp_path, {"Dockerfile": GOOD}), "Dockerfile", LIMITS)
    assert found.refusal is None and found.dockerfile is not None
    assert [i.keyword for i in found.dockerfile.instructions] == ["FROM", "COPY", "CMD"]


def test_no_dockerfile_is_not_a_refusal(tmp_path: Path) -> None:
    found = read_dockerfile(make(tmp_path, {"README.md": "hi"}), "Dockerfile", LIMITS)
    assert found.dockerfile is None and found.refusal is None


@pytest.mark.parametrize(("files", "says"), [
    ({"dockerfile": GOOD}, "but there is dockerfile"),
    ({"Dockerfile.txt": GOOD}, "but there is Dockerfile.txt: rename it to Dockerfile"),
    ({"app/Dockerfile": GOOD}, "but there is app/Dockerfile: move it to the top"),
    ({"Dockerfile/inner": "x"}, "is a folder"),
    ({"Dockerfile": ""}, "is empty"),
    ({"Dockerfile": "  \n\n"}, "is empty"),
    ({"Dockerfile": GOOD.encode("utf-16")}, "UTF-16"),
    ({"Dockerfile": b"FROM x\n\x00\x01binary"}, "not text"),
    ({"Dockerfile": "#" * (2 * 1024 * 1024)}, "over the limit of 1 MiB"),
])
def test_unusable_dockerfiles_are_refused(tmp_path: Path, files: dict, says: str) -> None:
    found = refusal(make(tmp_path, files))
    assert found is not None and found.dockerfile
    assert says in found.reason.en


def test_dockerfile_symlink_is_refused_unread(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"hidden.py": "SECRET = 1\n"})
    sub = make(tmp_path / "s", {"Dockerfile": ("link", str(outside / "hidden.py"))})
    found = read_dockerfile(sub, "Dockerfile", LIMITS)
    assert found.dockerfile is None and found.refusal is not None
    assert "a symbolic link" in found.refusal.reason.en
    assert "SECRET" not in found.refusal.reason.en


def test_dockerfile_through_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"Dockerfile": GOOD})
    sub = make(tmp_path / "s", {"docker": ("link", str(outside))})
    found = refusal(sub, "docker/Dockerfile")
    assert found is not None and "goes through docker, a symbolic link" in found.reason.en


@pytest.mark.parametrize(("line", "refused"), [
    ("RUN --mount=type=cache,target=/root/.cache pip install x", "type=cache"),
    ("RUN --mount=type=secret,id=tok cat /run/secrets/tok", "type=secret"),
    ("RUN --mount=type=ssh git clone x", "type=ssh"),
    ("RUN --security=insecure true", "RUN --security"),
    ("RUN --network=host true", "RUN --network"),
    ("WORKDIR /proc/self/fd/7", "WORKDIR under /proc"),
    ("RUN --mount=type=bind,target=/src make", None),
    ("RUN --mount=target=/src make", None),
    ("ADD https://example.invalid/x.tgz /x", None),  # the build has network by default
    ("WORKDIR /app", None),
])
def test_dockerfile_policy(tmp_path: Path, line: str, refused: str | None) -> None:
    found = refusal(make(tmp_path, {"Dockerfile": f"FROM busybox\n{line}\n"}))
    if refused is None:
        assert found is None
    else:
        assert found is not None and refused in found.reason.en and found.line == 2
        assert not found.dockerfile  # the Dockerfile checks still run on it


def test_add_from_a_url_is_refused_without_network(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": "FROM busybox\nADD https://example.invalid/x /x\n"})
    found = refusal(sub, limits=resolve_limits({"build_network": "none"}))
    assert found is not None and "ADD from a URL" in found.reason.en


@pytest.mark.parametrize("directive", ["# syntax=docker/dockerfile:1", "#syntax = evil/frontend",
                                       "# SYNTAX=evil/frontend"])
def test_syntax_directives_are_refused(tmp_path: Path, directive: str) -> None:
    found = refusal(make(tmp_path, {"Dockerfile": f"{directive}\n{GOOD}"}))
    assert found is not None and "# syntax=" in found.reason.en and found.line == 1


def test_syntax_after_an_instruction_is_just_a_comment(tmp_path: Path) -> None:
    assert refusal(make(tmp_path, {"Dockerfile": f"{GOOD}# syntax=evil/frontend\n"})) is None


# --- the build context --------------------------------------------------------------------------
SPEC = BuildSpec()


def test_symlinks_leading_outside_are_refused_with_the_file_named(tmp_path: Path) -> None:
    for i, target in enumerate(["/etc/passwd", "../../../../etc/passwd", "../../outside.txt"]):
        (tmp_path / "outside.txt").write_text("x")
        sub = make(tmp_path / f"s{i}", {"Dockerfile": GOOD, "app/secret": ("link", target)})
        with pytest.raises(Refused) as e:
            scan_context(sub, SPEC, LIMITS)
        assert e.value.refusal.path == "app/secret"
        assert "app/secret is a symbolic link that leads outside" in e.value.refusal.reason.en


def test_symlinks_inside_are_kept_as_links(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD, "index.html": "hi", "alias": ("link", "index.html"),
                          "dangling": ("link", "nothing-here")})
    with context_archive(sub, SPEC, LIMITS) as archive:
        with tarfile.open(archive.path) as tar:
            members = {m.name: m for m in tar.getmembers()}
        assert members["alias"].issym() and members["alias"].linkname == "index.html"
        assert archive.dockerfile == "Dockerfile"
        path = archive.path
    assert not path.exists()  # removed once sent


def test_special_files_are_refused(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD})
    os.mkfifo(sub / "fifo")
    with pytest.raises(Refused, match="special file"):
        scan_context(sub, SPEC, LIMITS)


def test_size_cap_counts_before_sending(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD})
    with open(sub / "big.iso", "wb") as f:
        f.truncate(5 * 1024**3)  # sparse: nothing is written
    t0 = time.monotonic()
    with pytest.raises(Refused) as e:
        scan_context(sub, SPEC, LIMITS)
    assert time.monotonic() - t0 < 1
    assert "over 1 MiB (at big.iso)" in e.value.refusal.reason.en


def test_file_count_cap_stops_early(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD})
    for i in range(2000):
        (sub / f"f{i}").write_text("")
    t0 = time.monotonic()
    with pytest.raises(Refused, match="more than 20 files"):
        scan_context(sub, SPEC, LIMITS)
    assert time.monotonic() - t0 < 1


def test_dockerignore_is_honoured_and_cannot_drop_the_dockerfile(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD, "index.html": "hi", "secret.env": "TOKEN=x",
                          "node_modules/a/b.js": "x", ".dockerignore": "*\n!index.html\n"})
    with open(sub / "huge.bin", "wb") as f:
        f.truncate(5 * 1024**3)  # excluded, so never counted
    with context_archive(sub, SPEC, LIMITS) as archive, tarfile.open(archive.path) as tar:
        names = sorted(tar.getnames())
    assert names == [".dockerignore", "Dockerfile", "index.html"]


def test_dockerignore_symlink_is_refused(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD, ".dockerignore": ("link", "/etc/hostname")})
    with pytest.raises(Refused, match=r"\.dockerignore must be a regular file"):
        scan_context(sub, SPEC, LIMITS)


def test_context_folder_symlink_is_refused(tmp_path: Path) -> None:
    outside = make(tmp_path / "outside", {"x": "y"})
    sub = make(tmp_path / "s", {"Dockerfile": GOOD, "app": ("link", str(outside))})
    with pytest.raises(Refused, match="goes through app, a symbolic link"):
        scan_context(sub, BuildSpec(context="app"), LIMITS)


def test_dockerfile_outside_the_context_travels_under_its_own_name(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD, "app/index.html": "hi"})
    with context_archive(sub, BuildSpec(context="app"), LIMITS) as archive:
        with tarfile.open(archive.path) as tar:
            names = sorted(tar.getnames())
            data = tar.extractfile(OUTSIDE_DOCKERFILE).read()  # type: ignore[union-attr]
        assert archive.dockerfile == OUTSIDE_DOCKERFILE
    assert names == [OUTSIDE_DOCKERFILE, "index.html"] and data == GOOD.encode()


def test_hostile_names_are_archived_as_data(tmp_path: Path) -> None:
    sub = make(tmp_path, {"Dockerfile": GOOD, "new\nline": "a", ";rm -rf ~": "b", "--help": "c"})
    (sub / os.fsdecode(b"bad-\xff.bin")).write_bytes(b"d")
    with context_archive(sub, SPEC, LIMITS) as archive, tarfile.open(archive.path) as tar:
        assert len(tar.getnames()) == 5


def test_submission_python_files_are_never_imported(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    code = f"open({str(marker)!r}, 'w').write('x')\n"
    sub = make(tmp_path / "s", {"Dockerfile": GOOD, "conftest.py": code,
                                "sitecustomize.py": code, "graders/__init__.py": code})
    read_dockerfile(sub, "Dockerfile", LIMITS)
    with context_archive(sub, SPEC, LIMITS):
        pass
    assert not marker.exists()


# --- issue 16, round 2 ---------------------------------------------------------------------------
from graders.engine.dockerignore import Matcher, compile_pattern, read_patterns  # noqa: E402
from graders.engine.intake import MAX_DEPTH  # noqa: E402
from graders.i18n import shown  # noqa: E402

SPEC = BuildSpec()


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("*.pyc", "x.pyc", True), ("*.pyc", "d/x.pyc", False), ("**/*.pyc", "d/e/x.pyc", True),
    ("**/*.pyc", "x.pyc", True), ("a/**/b", "a/b", True), ("a/**/b", "a/x/y/b", True),
    ("a**", "abc/d", True), ("**", "x/y", True), ("[a-c]x", "bx", True), ("[^a]x", "bx", True),
    ("[^a]x", "ax", False), ("?x", "/x", False), ("\\*x", "*x", True), ("\\*x", "ax", False),
    ("**/foo", "foo", True), ("**/foo", "x/foo", True), ("d/./e/../f", "d/f", True),
    ("*a" * 12 + "*b", "a" * 100, False), ("*a" * 12 + "*b", "a" * 40 + "b", True),
])
def test_dockerignore_patterns_match_as_docker_does(pattern: str, path: str,
                                                    matches: bool) -> None:
    assert compile_pattern(pattern).match(path) is matches


def test_dockerignore_lines_are_read_as_docker_cli_reads_them() -> None:
    text = "\ufeff# comment\n  /foo/../bar/ \n!  baz\n  #not a comment\n\n./a//b/\n"
    assert read_patterns(text) == ["bar", "!baz", "#not a comment", "a/b"]


def test_dockerignore_exceptions_and_folders() -> None:
    m = Matcher(["node_modules", "!node_modules/keep.js", "*.md", "!README.md"])
    folder, info = m.matches("node_modules", None)
    assert folder and m.could_reach_inside("node_modules")
    assert m.matches("node_modules/x.js", info)[0]
    assert not m.matches("node_modules/keep.js", info)[0]
    assert not m.matches("README.md", None)[0] and m.matches("a.md", None)[0]


def test_backtracking_glob_is_linear(tmp_path: Path) -> None:
    """docker-py's fnmatch took 0.4 s with 4 stars, 5 s with 5, 76 s with 6 (about 15x per
    star) on this name; 13 stars here."""
    sub = make(tmp_path / "s", {"Dockerfile": GOOD, "index.html": "x", "a" * 100: "x",
                                ".dockerignore": "*a" * 12 + "*b\n"})
    t0 = time.monotonic()
    _context, _inside, entries, _size = scan_context(sub, SPEC, LIMITS)
    assert time.monotonic() - t0 < 2
    assert "a" * 100 in entries


def test_bad_dockerignore_pattern_is_refused(tmp_path: Path) -> None:
    sub = make(tmp_path / "s", {"Dockerfile": GOOD, ".dockerignore": "[abc\n"})
    with pytest.raises(Refused) as e:
        scan_context(sub, SPEC, LIMITS)
    assert "invalid pattern" in e.value.refusal.reason.en
    assert "padrão inválido" in e.value.refusal.reason.pt


@pytest.fixture(autouse=True)
def _no_deep_leftovers(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Deep folder chains are removed here, iteratively: pytest's own clean-up recurses."""
    yield
    remove_all(tmp_path)




def test_thousand_nested_folders_are_refused_not_a_recursion_error(tmp_path: Path) -> None:
    sub = make(tmp_path / "s", {"Dockerfile": GOOD})
    chain(sub, 1000)
    with pytest.raises(Refused) as e:
        scan_context(sub, SPEC, resolve_limits({"context_max_files": 5000}))
    reason = e.value.refusal.reason
    assert f"the limit is {MAX_DEPTH}" in reason.en and "aninhadas demais" in reason.pt
    assert "Hint" in reason.en and "Dica" in reason.pt


def test_folders_at_the_depth_cap_are_fine(tmp_path: Path) -> None:
    sub = make(tmp_path / "s", {"Dockerfile": GOOD})
    chain(sub, MAX_DEPTH)
    _c, _i, entries, _s = scan_context(sub, SPEC, resolve_limits({"context_max_files": 5000}))
    assert len(entries) == MAX_DEPTH + 1


def test_a_non_utf8_fifo_name_is_refused_in_safe_text(tmp_path: Path) -> None:
    sub = make(tmp_path / "s", {"Dockerfile": GOOD})
    os.mkfifo(os.path.join(os.fsencode(sub), b"\xff\xfe-pipe"))
    with pytest.raises(Refused) as e:
        scan_context(sub, SPEC, LIMITS)
    r = e.value.refusal
    assert "\\xff\\xfe-pipe is a special file" in r.reason.en
    for text in (r.reason.en, r.reason.pt, r.path):
        text.encode("utf-8")  # no lone surrogate: record.json and SQLite can hold it


def test_a_non_utf8_symlink_target_is_shown_safely(tmp_path: Path) -> None:
    sub = make(tmp_path / "s", {"Dockerfile": GOOD})
    os.symlink(b"/etc/\xff\nx", os.path.join(os.fsencode(sub), b"link\xfe"))
    with pytest.raises(Refused) as e:
        scan_context(sub, SPEC, LIMITS)
    assert "link\\xfe is a symbolic link" in e.value.refusal.reason.en
    assert "/etc/\\xff\\x0ax" in e.value.refusal.reason.en
    e.value.refusal.reason.en.encode("utf-8")


def test_shown_escapes_and_cuts() -> None:
    assert shown("ok.txt") == "ok.txt"
    assert shown(os.fsdecode(b"a\xffb")) == "a\\xffb"
    assert shown("a\nb\x1b[31m") == "a\\x0ab\\x1b[31m"
    assert len(shown("x" * 1000)) == 300


def test_deep_yaml_is_a_yaml_error_not_a_recursion_error(tmp_path: Path) -> None:
    import yaml

    from graders.errors import SpecError
    from graders.registry.target import declared_image
    from graders.spec import load_lab
    from graders.spec_reader import load_yaml

    for text in ("a: " + "[" * 2000 + "]" * 2000, "".join(" " * i + "k:\n" for i in range(2000)),
                 "a: " + "[" * 500 + "]" * 500):
        with pytest.raises(yaml.YAMLError):
            load_yaml(text)
    sub = make(tmp_path / "s", {"labgrade.yaml": "".join(" " * i + "k:\n" for i in range(2000))})
    assert declared_image(sub).problem is not None  # the student's bad YAML, with a message
    lab = make(tmp_path / "labs" / "deep", {"lab.yaml": "id: deep\nchecks: " + "[" * 500 +
                                            "]" * 500 + "\n"})
    with pytest.raises(SpecError, match="nested more than 64 levels"):
        load_lab("deep", lab.parent)


def test_an_unreadable_dockerfile_is_refused_with_the_reason(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    """Root reads a mode-000 file anyway, so the failing open is simulated: what matters is
    that the student's unreadable file is a FAILED refusal with the reason, not an ERROR."""
    sub = make(tmp_path, {"Dockerfile": GOOD})
    real_open = os.open

    def deny(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith("Dockerfile"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    found = refusal(sub)
    assert found is not None and found.dockerfile
    assert "could not be read (Permission denied)" in found.reason.en
    assert "chmod a+r Dockerfile" in found.reason.en and "não pôde ser lido" in found.reason.pt
