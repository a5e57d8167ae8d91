"""Intake: look at a submission before anything of it is built or run.

Everything from the submission is untrusted data. Nothing in it is ever imported, collected or
executed by the grader's own process (a `conftest.py`, `sitecustomize.py` or `.pth` file in a
submission is just bytes in the build context). The checks here refuse what the build must
not see, before Docker sees it:

* a Dockerfile or build context path that is a symbolic link, or leads outside the submission;
* a symbolic link in the context that leads outside the submission (the file is named);
* special files (FIFOs, sockets, devices) in the context;
* a context over the size or file-count cap (counted after `.dockerignore`, before sending);
* a Dockerfile that is not UTF-8 text, is empty or over its size cap;
* `# syntax=` frontends (BuildKit would pull and run an image of the student's choosing; the
  classic builder ignores the line, but the policy holds for both), `RUN --mount` of type
  cache, secret or ssh, `RUN --security` and `RUN --network` (entitlements labgrade never
  grants), `WORKDIR /proc/...` (the Leaky Vessels pattern), and `ADD <url>` when the lab's
  build has no network.

A refusal is the student's fault: the build is FAILED with the refusal as its explanation and
the checks that needed the image are skipped with the same reason; never an exception.

The build context is then sent as a tar archive built here, from exactly the files that were
checked (symbolic links are archived as links, never followed).
"""

from __future__ import annotations

import os
import stat
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from graders.dockerfile.model import Dockerfile
from graders.engine.dockerignore import BadPattern, Matcher, TooDeep, read_patterns, walk
from graders.engine.sandbox import Limits, human_size
from graders.errors import UsageError
from graders.i18n import Text, shown

if TYPE_CHECKING:
    from graders.spec import BuildSpec

DOCKERIGNORE_LIMIT = 64 * 1024
MAX_DEPTH = 100
"""Folders nested deeper than this in the build context are refused (the student's fault)."""
INTAKE_SECONDS = 60.0
"""Reading the context never takes longer than this (or the run's own budget, when shorter)."""
FORBIDDEN_MOUNTS = ("cache", "secret", "ssh")
OUTSIDE_DOCKERFILE = ".dockerfile.labgrade"
"""The name a Dockerfile kept outside the context gets in the archive (as docker-py does)."""


@dataclass(frozen=True)
class Refusal:
    """Why a submission is not built. `dockerfile` is True when the Dockerfile itself is
    unusable, so the checks that read it are skipped too."""

    reason: Text
    path: str = ""
    """The offending path, relative to the submission."""
    line: int | None = None
    """The Dockerfile line, for refusals of Dockerfile content."""
    dockerfile: bool = False


class Refused(Exception):
    """Raised inside intake; the engine turns it into a FAILED build, never a crash."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason.en)
        self.refusal = refusal


@dataclass(frozen=True)
class Intake:
    dockerfile: Dockerfile | None
    refusal: Refusal | None = None


@dataclass(frozen=True)
class ContextArchive:
    """The build context as a tar file on the host, and the Dockerfile's name inside it."""

    path: Path
    dockerfile: str
    files: int
    size: int


def check_submission(folder: Path) -> None:
    """The submission must be an existing folder (a usage error, not the student's fault)."""
    if not folder.exists():
        raise UsageError(NO_FOLDER.format(folder=str(folder)))
    if not folder.is_dir():
        raise UsageError(NOT_A_FOLDER.format(folder=str(folder)))


NO_FOLDER = Text(
    "A pasta da entrega {folder} não existe. Indique a pasta que contém o Dockerfile do aluno.",
    "Submission folder {folder} does not exist. Give the folder that holds the student's "
    "Dockerfile.",
)
NOT_A_FOLDER = Text(
    "{folder} não é uma pasta. Indique a pasta que contém o Dockerfile.",
    "{folder} is not a folder. Give the folder that holds the Dockerfile.",
)


# --- paths -------------------------------------------------------------------------------------
def _refuse(pt: str, en: str, path: str = "", *, line: int | None = None,
            dockerfile: bool = False) -> Refused:
    return Refused(Refusal(Text(pt, en), path, line, dockerfile))


def safe_path(folder: Path, relative: str, what: Text, *, dockerfile: bool = False) -> Path:
    """`folder/relative` when no part of it is a symbolic link and it stays inside `folder`."""
    root = folder.resolve()
    parts = PurePosixPath(relative).parts
    if PurePosixPath(relative).is_absolute() or ".." in parts:
        raise _refuse(f"{what.pt} {relative} sai da entrega.",
                      f"The {what.en} {relative} leads outside the submission.", relative,
                      dockerfile=dockerfile)
    current = root
    for i, part in enumerate(p for p in parts if p != "."):
        current = current / part
        if current.is_symlink():
            name = shown("/".join(parts[: i + 1]))
            target = shown(os.readlink(current))
            raise _refuse(
                f"{what.pt} passa por {name}, um link simbólico (para {target}); ele precisa "
                "ser um arquivo ou pasta de verdade dentro da entrega.",
                f"The {what.en} goes through {name}, a symbolic link (to {target}); it must "
                "be a real file or folder inside the submission.", name, dockerfile=dockerfile)
    return current


def _inside(root: Path, path: str) -> bool:
    real = os.path.realpath(path)
    return real == str(root) or real.startswith(str(root) + os.sep)


# --- the Dockerfile ----------------------------------------------------------------------------
def read_dockerfile(folder: Path, relative: str, limits: Limits) -> Intake:
    """Read and parse the submission's Dockerfile, refusing what must not be built."""
    from graders.dockerfile.parser import parse_dockerfile

    try:
        data = _dockerfile_bytes(folder, relative, limits)
    except Refused as r:
        return Intake(None, r.refusal)
    if data is None:
        return Intake(None, _near_miss(folder, relative))
    dockerfile = parse_dockerfile(data.decode("utf-8", errors="replace"), str(folder / relative))
    return Intake(dockerfile, dockerfile_policy(dockerfile, relative, limits))


def _dockerfile_bytes(folder: Path, relative: str, limits: Limits) -> bytes | None:
    what = Text("Dockerfile", "Dockerfile")
    path = safe_path(folder, relative, what, dockerfile=True)
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(f"{relative} é uma pasta, não um arquivo.",
                      f"{relative} is a folder, not a file.", relative, dockerfile=True)
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(f"{relative} não é um arquivo comum.", f"{relative} is not a regular file.",
                      relative, dockerfile=True)
    if st.st_size > limits.dockerfile_max_bytes:
        size, cap = human_size(st.st_size), human_size(limits.dockerfile_max_bytes)
        raise _refuse(f"{relative} tem {size}, mais que o limite de {cap}.",
                      f"{relative} is {size}, over the limit of {cap}.", relative, dockerfile=True)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(fd, "rb") as f:
            data = f.read(limits.dockerfile_max_bytes + 1)
    except OSError as e:  # the student's file: FAILED with the reason, never an ERROR
        reason = shown(e.strerror or type(e).__name__)
        raise _refuse(f"{relative} não pôde ser lido ({reason}): dê permissão de leitura "
                      f"(chmod a+r {relative}).",
                      f"{relative} could not be read ({reason}): make it readable "
                      f"(chmod a+r {relative}).", relative, dockerfile=True) from None
    if not data.strip():
        raise _refuse(f"{relative} está vazio.", f"{relative} is empty.", relative,
                      dockerfile=True)
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise _refuse(f"{relative} está em UTF-16; salve-o em UTF-8.",
                      f"{relative} is saved as UTF-16; save it as UTF-8.", relative,
                      dockerfile=True)
    if b"\0" in data:
        raise _refuse(f"{relative} não é texto (tem bytes binários).",
                      f"{relative} is not text (it has binary bytes).", relative, dockerfile=True)
    return data


def _near_miss(folder: Path, relative: str) -> Refusal | None:
    """A `dockerfile`, a `Dockerfile.txt` or an `app/Dockerfile` where `Dockerfile` is
    expected: say what is there and what to do with it."""
    parent = (folder / relative).parent
    name = PurePosixPath(relative).name
    lowered = name.lower()
    try:
        here = sorted(p.name for p in parent.iterdir() if p.is_file())
        below = sorted(f"{d.name}/{p.name}" for d in parent.iterdir()
                       if d.is_dir() and not d.is_symlink() and not d.name.startswith(".")
                       for p in d.iterdir() if p.name == name and p.is_file())
    except OSError:
        return None
    case = next((n for n in here if n.lower() == lowered and n != name), None)
    if case is not None:
        shown_name = shown(case)
        return Refusal(Text(f"Não há {relative}, mas há {shown_name}: o nome precisa ser {name}, "
                            "com essas maiúsculas e minúsculas.",
                            f"There is no {relative}, but there is {shown_name}: the name must "
                            f"be {name}, in that exact case."), shown_name, dockerfile=True)
    extension = next((n for n in here if n.lower().startswith(lowered + ".")), None)
    if extension is not None:
        shown_name = shown(extension)
        return Refusal(Text(
            f"Não há {relative}, mas há {shown_name}: renomeie para {name}, sem extensão (o "
            "Windows e alguns editores escondem o .txt).",
            f"There is no {relative}, but there is {shown_name}: rename it to {name}, with no "
            "extension (Windows and some editors hide the .txt)."), shown_name, dockerfile=True)
    if below:
        shown_name = shown(below[0])
        return Refusal(Text(
            f"Não há {relative} na raiz da entrega, mas há {shown_name}: mova-o para a raiz "
            "(junto com os arquivos que ele copia).",
            f"There is no {relative} at the top of the submission, but there is {shown_name}: "
            "move it to the top (with the files it copies)."), shown_name, dockerfile=True)
    return None


def dockerfile_policy(dockerfile: Dockerfile, relative: str, limits: Limits) -> Refusal | None:
    """The first Dockerfile feature labgrade refuses to build, or None."""
    if "syntax" in dockerfile.directives:
        value = dockerfile.directives["syntax"]
        return Refusal(Text(
            f"A diretiva # syntax={value} não é permitida: ela faz o build baixar e executar "
            "outro frontend. Apague essa linha.",
            f"The # syntax={value} directive is not allowed: it makes the build pull and run "
            "another frontend. Delete that line."), relative, 1)
    for ins in dockerfile.instructions:
        refusal = _instruction_policy(ins.keyword, ins.flag_words, ins.value, limits)
        if refusal is not None:
            where = Text(f"Linha {ins.line}: ", f"Line {ins.line}: ")
            return Refusal(where + refusal, relative, ins.line)
    return None


def _instruction_policy(keyword: str, flags: tuple[str, ...], value: str,
                        limits: Limits) -> Text | None:
    if keyword == "RUN":
        for flag in flags:
            name, _, rest = flag.lstrip("-").partition("=")
            if name == "mount":
                fields = dict(f.partition("=")[::2] for f in rest.split(","))
                kind = fields.get("type", "bind")
                if kind in FORBIDDEN_MOUNTS:
                    return Text(f"RUN --mount=type={kind} não é permitido (ele compartilha "
                                "dados entre builds ou com a máquina).",
                                f"RUN --mount=type={kind} is not allowed (it shares data "
                                "between builds or with the host).")
            if name in ("security", "network"):
                return Text(f"RUN --{name} não é permitido: o corretor nunca concede esse "
                            "privilégio ao build.",
                            f"RUN --{name} is not allowed: the grader never grants the build "
                            "that privilege.")
    if keyword == "WORKDIR" and value.strip().strip("\"'").startswith("/proc"):
        return Text("WORKDIR em /proc não é permitido.", "WORKDIR under /proc is not allowed.")
    if keyword == "ADD" and limits.build_network == "none":
        words = value.split()
        if any(w.startswith(("http://", "https://", "git@", "git://")) for w in words[:-1]):
            return Text("ADD de uma URL não é permitido: este laboratório constrói sem rede.",
                        "ADD from a URL is not allowed: this lab builds without network.")
    return None


# --- the build context -------------------------------------------------------------------------
def _dockerignore(context: Path, folder: Path) -> list[str]:
    path = context / ".dockerignore"
    if not path.is_symlink() and not path.exists():
        return []
    rel = str(path.relative_to(folder))
    if path.is_symlink() or not path.is_file():
        raise _refuse(f"{rel} precisa ser um arquivo comum, não um link simbólico.",
                      f"{rel} must be a regular file, not a symbolic link.", rel)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        text = f.read(DOCKERIGNORE_LIMIT).decode("utf-8", errors="surrogateescape")
    return read_patterns(text)


def scan_context(folder: Path, spec: BuildSpec, limits: Limits, budget: float | None = None
                 ) -> tuple[Path, str | None, list[str], int]:
    """Walk the context as Docker would send it (after .dockerignore), refusing on the way.

    Returns the context folder, the Dockerfile's path inside it (None when it lies outside),
    the entries to send and their total size. Stops at the first entry over a cap, so a
    context of a million files is refused in the time of reading a few thousand. The walk is
    iterative (no depth makes it raise), refuses folders nested over `MAX_DEPTH`, matches
    .dockerignore in linear time (graders.engine.dockerignore) and ends within `budget` seconds
    (default `INTAKE_SECONDS`), refusing when it would not.
    """
    root = folder.resolve()
    deadline = time.monotonic() + min(budget or INTAKE_SECONDS, INTAKE_SECONDS)
    what = Text("A pasta de contexto do build", "build context folder")
    context = safe_path(folder, spec.context, what)
    if not context.is_dir():
        raise _refuse(f"A pasta de contexto do build {spec.context} não existe.",
                      f"The build context folder {spec.context} does not exist.", spec.context)
    dockerfile = (folder / spec.dockerfile)
    try:
        inside: str | None = str(dockerfile.relative_to(context))
    except ValueError:
        inside = None
    patterns = [*_dockerignore(context, folder), "!.dockerignore"]
    if inside is not None:
        patterns.append(f"!{inside}")
    try:
        matcher = Matcher(patterns)
    except BadPattern as e:
        raise _refuse(
            f"O .dockerignore tem um padrão inválido ({shown(str(e))}). Corrija-o; o Docker "
            "também o recusaria ('syntax error in pattern').",
            f"The .dockerignore has an invalid pattern ({shown(str(e))}). Fix it; Docker "
            "refuses it too ('syntax error in pattern').", ".dockerignore") from None
    size, entries = 0, []
    try:
        for count, rel in enumerate(walk(str(context), matcher, MAX_DEPTH), 1):
            size = _entry(context, root, rel, count, size, spec, limits)
            entries.append(rel)
            if time.monotonic() > deadline:
                raise _too_slow(deadline)
    except TooDeep as e:
        name = shown(str((context / e.path).relative_to(root)))
        raise _refuse(
            f"A entrega tem pastas aninhadas demais: {name} está a {e.depth} níveis de "
            f"profundidade; o limite é {MAX_DEPTH}. Esperado: uma estrutura rasa. Dica: apague "
            "as pastas que o build não usa ou exclua-as com um .dockerignore.",
            f"The submission has folders nested too deep: {name} is {e.depth} levels deep; "
            f"the limit is {MAX_DEPTH}. Expected: a shallow tree. Hint: delete the folders the "
            "build does not use, or leave them out with a .dockerignore.", name) from None
    return context, inside, sorted(entries), size


def _too_slow(_deadline: float) -> Refused:
    return _refuse(
        "Ler o contexto do build (com o .dockerignore) passou do tempo limite. Esperado: "
        "um contexto pequeno e padrões simples. Dica: exclua pastas inteiras no .dockerignore.",
        "Reading the build context (with its .dockerignore) ran out of time. Expected: a small "
        "context and simple patterns. Hint: leave whole folders out in the .dockerignore.",
        ".dockerignore")


def _entry(context: Path, root: Path, rel: str, count: int, size: int, spec: BuildSpec,
           limits: Limits) -> int:
    """Check one entry to be sent, refusing it; returns the context's size so far."""
    full = context / rel
    name = shown(str(full.relative_to(root)))
    st = os.lstat(full)
    if count > limits.context_max_files:
        raise _refuse(
            f"O contexto do build tem mais de {limits.context_max_files} arquivos e pastas "
            "(depois do .dockerignore). Exclua o que o build não usa com um .dockerignore.",
            f"The build context has more than {limits.context_max_files} files and folders "
            "(after .dockerignore). Leave out what the build does not use with a "
            ".dockerignore.", spec.context)
    if stat.S_ISLNK(st.st_mode):
        raw = os.readlink(full)
        if os.path.isabs(raw) or not _inside(root, str(full)):
            target = shown(raw)
            raise _refuse(
                f"{name} é um link simbólico que leva para fora da entrega ({target}); "
                "links assim não são aceitos. Copie o arquivo para dentro da entrega.",
                f"{name} is a symbolic link that leads outside the submission ({target}); "
                "such links are refused. Copy the file into the submission instead.", name)
    elif stat.S_ISREG(st.st_mode):
        size += st.st_size
        if size > limits.context_max_bytes:
            cap = human_size(limits.context_max_bytes)
            raise _refuse(
                f"O contexto do build passa de {cap} (em {name}). Exclua arquivos grandes "
                "com um .dockerignore.",
                f"The build context is over {cap} (at {name}). Leave large files out with "
                "a .dockerignore.", name)
    elif not stat.S_ISDIR(st.st_mode):
        raise _refuse(f"{name} é um arquivo especial (FIFO, socket ou dispositivo).",
                      f"{name} is a special file (a FIFO, socket or device).", name)
    return size


@contextmanager
def context_archive(folder: Path, spec: BuildSpec, limits: Limits,
                    dockerfile_bytes: bytes | None = None,
                    budget: float | None = None) -> Iterator[ContextArchive]:
    """The checked build context as a tar file (removed on exit); raises `Refused`.

    Symbolic links are archived as links (lstat), regular files are opened without following
    links, so what is sent is what was checked.
    """
    context, inside, entries, size = scan_context(folder, spec, limits, budget)
    with tempfile.TemporaryDirectory(prefix="labgrade-context-") as tmp:
        path = Path(tmp) / "context.tar"
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tar:
            for rel in entries:
                _add(tar, context / rel, rel)
            name = inside
            if name is None:  # a Dockerfile outside the context travels under its own name
                data = dockerfile_bytes
                if data is None:
                    data = _dockerfile_bytes(folder, spec.dockerfile, limits) or b""
                info = tarfile.TarInfo(OUTSIDE_DOCKERFILE)
                info.size = len(data)
                info.mode = 0o644
                import io

                tar.addfile(info, io.BytesIO(data))
                name = OUTSIDE_DOCKERFILE
        yield ContextArchive(path, name, len(entries), size)


def _add(tar: tarfile.TarFile, full: Path, rel: str) -> None:
    info = tar.gettarinfo(str(full), arcname=rel)
    if info.mtime < 0 or info.mtime > 8**11 - 1:
        info.mtime = int(max(0, min(info.mtime, 8**11 - 1)))
    if not info.isfile():
        tar.addfile(info)
        return
    fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        info.size = os.fstat(f.fileno()).st_size
        tar.addfile(info, f)
