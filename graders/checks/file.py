"""`file`: a path in the container exists with this kind, mode, owner and content (a path that
must not exist is `path_absent`'s).

Everything is read from the host through the Docker API (`ctx.stat`, `ctx.read_file`), so the
check works on images without a shell and on a created-but-stopped container.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import (
    Problem,
    clip,
    decode,
    name_of,
    problems_outcome,
    read_ids,
    regex_problems,
    resolve_id,
    scalar_text,
    type_problems,
)
from graders.checks._pattern import pattern_text
from graders.checks._words import KIND_PT, kind_text
from graders.checks.base import Check, CheckContext, FileStat, Need, Outcome
from graders.i18n import Text

KINDS = ("file", "directory", "symlink")
CONTENT_LIMIT = 1 << 20
"""Bytes read for `contains`."""
EXISTS = Text("existe", "exists")
LABELS = {
    "kind": Text("tipo:", "kind:"),
    "mode": Text("permissões:", "mode:"),
    "owner": Text("dono:", "owner:"),
    "group": Text("grupo:", "group:"),
    "content": Text("conteúdo:", "content:"),
}


MAX_LINKS = 8


def follow(ctx: CheckContext, st: FileStat) -> FileStat | None:
    """What a symlink points to, like `stat -L`; None when it dangles or loops."""
    for _ in range(MAX_LINKS):
        if st.kind != "symlink":
            return st
        target = posixpath.join(posixpath.dirname(st.path), st.linkname)
        found = ctx.stat(posixpath.normpath(target))
        if found is None:
            return None
        st = found
    return None


@dataclass(frozen=True)
class FileCheck(Check):
    """A path in the container exists: its kind, mode, owner, group and content. For paths that
    must not exist, use `path_absent`.

    Failures read "/app/run.sh has incorrect permissions. Expected: 0755, Actual: 0644".

    ```yaml
    - id: run-script
      type: file
      path: /app/run.sh
      kind: file
      mode: "0755"
      owner: app
      contains: '^#!/bin/sh'
    ```
    """

    path: str = ""
    """Absolute path in the container."""
    kind: str | None = None
    """`file`, `directory` or `symlink`."""
    mode: str | None = None
    """Permission bits in octal, as a string: `"0755"`, `"644"`, `"4755"`."""
    owner: str | None = None
    """User name or uid; names are resolved through the container's /etc/passwd."""
    group: str | None = None
    """Group name or gid; names are resolved through the container's /etc/group."""
    contains: str | None = None
    """A regex searched (multi-line) in the first MiB of the file."""

    type_name: ClassVar[str] = "file"
    need: ClassVar[Need] = Need.CONTAINER
    default_title: ClassVar[Text] = Text("Arquivo no contêiner", "File in the container")

    def validate(self) -> list[str]:
        problems = regex_problems("contains", self.contains)
        if not isinstance(self.path, str) or not self.path.startswith("/"):
            problems.append(f"path: expected an absolute path, got {self.path!r}")
        if self.kind is not None and self.kind not in KINDS:
            problems.append(f"kind: expected one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.mode is not None:
            # YAML reads an unquoted 0644 as the number 420: only a quoted mode is unambiguous
            what = 'quoted octal permissions, as mode: "0755"'
            problems += type_problems("mode", self.mode, str, what) or (
                []
                if re.fullmatch(r"[0-7]{3,4}", self.mode)
                else [f"mode: expected {what}, got {self.mode!r}"]
            )
        return problems

    def run(self, ctx: CheckContext) -> Outcome:
        st = ctx.stat(self.path)
        if st is None:
            return Outcome.fail(
                Text(f"{self.path} não existe.", f"{self.path} does not exist."),
                expected=kind_text(self.kind) if self.kind else EXISTS,
                actual=Text("(não existe)", "(absent)"),
            )
        if self.kind != "symlink" and st.kind == "symlink":
            target = follow(ctx, st)
            if target is None:
                return Outcome.fail(
                    Text(
                        f"{self.path} é um link simbólico quebrado.",
                        f"{self.path} is a broken symlink.",
                    ),
                    expected=kind_text(self.kind) if self.kind else EXISTS,
                    actual=Text(f"link simbólico para {st.linkname}, que não existe",
                                f"symlink to {st.linkname} (missing)"),
                )
            st = target
        problems = self._problems(ctx, st)
        if not problems:
            return Outcome.ok(Text(f"{self.path} está correto.", f"{self.path} is correct."))
        return problems_outcome(problems)

    def _problems(self, ctx: CheckContext, st: FileStat) -> list[Problem]:
        p = self.path
        if self.kind is not None and st.kind != self.kind:
            what = Text(f"{p} não é um {KIND_PT[self.kind]}.", f"{p} is not a {self.kind}.")
            return [Problem(LABELS["kind"], what, kind_text(self.kind), kind_text(st.kind))]
        problems: list[Problem] = []
        if self.mode is not None and st.mode & 0o7777 != int(scalar_text(self.mode), 8):
            problems.append(
                Problem(
                    LABELS["mode"],
                    Text(f"{p} tem permissões incorretas.", f"{p} has incorrect permissions."),
                    f"{int(scalar_text(self.mode), 8):04o}",
                    f"{st.mode & 0o7777:04o}",
                )
            )
        for field, want, have, table in (
            ("owner", self.owner, st.uid, "/etc/passwd"),
            ("group", self.group, st.gid, "/etc/group"),
        ):
            if want is None:
                continue
            ids = read_ids(ctx, table)
            want_id = resolve_id(scalar_text(want), ids)
            label = Text("dono" if field == "owner" else "grupo", field)
            if want_id is None:
                what = Text(
                    f"{label.pt.capitalize()} {want} não existe no contêiner ({table}).",
                    f"The {label.en} {want} does not exist in the container ({table}).",
                )
                problems.append(Problem(LABELS[field], what, scalar_text(want),
                                        name_of(have, ids)))
            elif want_id != have:
                problems.append(
                    Problem(
                        LABELS[field],
                        Text(f"{p} tem {label.pt} incorreto.", f"{p} has the wrong {label.en}."),
                        name_of(want_id, ids),
                        name_of(have, ids),
                    )
                )
        if self.contains is not None:
            problems += self._content(ctx, st)
        return problems

    def _content(self, ctx: CheckContext, st: FileStat) -> list[Problem]:
        p = self.path
        data = ctx.read_file(st.path, CONTENT_LIMIT) if st.kind == "file" else None
        if data is None:
            what = Text(f"{p} não é um arquivo legível.", f"{p} is not a readable file.")
            return [Problem(LABELS["content"], what, self._wanted(), kind_text(st.kind))]
        text = decode(data)
        if re.search(self.contains or "", text, re.MULTILINE):
            return []
        what = Text(f"{p} não tem o conteúdo esperado.", f"{p} does not have the expected content.")
        if not text.strip():
            return [Problem(LABELS["content"], what, self._wanted(), Text("(vazio)", "(empty)"))]
        first = clip(text.strip().splitlines()[0], 120)
        return [Problem(LABELS["content"], what, self._wanted(),
                        Text(f"primeira linha: {first}", f"first line: {first}"))]

    def _wanted(self) -> Text:
        return pattern_text(self.contains or "")
