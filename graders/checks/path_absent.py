"""`path_absent`: paths (or globs) that must not exist in the final image, such as a toolchain.

Outside-in: the created, never-started container is read from the host through the Docker
archive API (`ctx.stat`, and `ctx.list_dir` for glob components), so scratch and distroless
images, which have no shell, are graded without running anything in them.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import ClassVar

from graders.checks._common import clip
from graders.checks._words import kind_text
from graders.checks.base import Check, CheckContext, FileStat, Need, Outcome
from graders.i18n import Shown, Text, join_shown

GLOB_CHARS = "*?["
MAX_CANDIDATES = 64
"""Paths a pattern may expand to before the rest is not looked at (each costs a request)."""


def is_glob(part: str) -> bool:
    return any(c in part for c in GLOB_CHARS)


def expand(ctx: CheckContext, pattern: str) -> list[str]:
    """The existing paths `pattern` names: literal parts are joined, glob parts (`go*`, `*.tar`)
    are matched against the folder's names; the last part is checked with `stat` by the caller."""
    paths = ["/"]
    parts = [p for p in pattern.split("/") if p]
    for part in parts:
        grown: list[str] = []
        for base in paths:
            if is_glob(part):
                names = ctx.list_dir(base, part, MAX_CANDIDATES) or []
                grown += [posixpath.join(base, n) for n in names]
            else:
                grown.append(posixpath.join(base, part))
        paths = grown[:MAX_CANDIDATES]
    return paths


def describe(st: FileStat) -> Shown:
    if st.kind == "symlink":
        return f"{st.path} -> {st.linkname}"
    return Text.same(f"{st.path} (") + kind_text(st.kind) + Text.same(")")


@dataclass(frozen=True)
class PathAbsentCheck(Check):
    """None of these paths exists in the image; a pattern may use `*`, `?` and `[...]` in any
    part (`/usr/lib/go-*`). Symbolic links count as present, even when they dangle.

    Read from the host without starting the container, so it works on scratch images. Plain
    paths are looked up first; patterns are expanded only when none of them exists, because
    listing a folder streams its content (a pattern whose first part is literal, `go-*` rather
    than `*go`, lets the listing stop early).

    ```yaml
    - id: no-go-toolchain
      type: path_absent
      points: 15
      paths: [/usr/local/go, /usr/lib/go, /usr/bin/go, '/usr/lib/go-*']
    - id: archive-extracted
      type: path_absent
      paths: ['/srv/app/*.tar', '/srv/app/*.tar.gz', '/srv/app/*.tgz']
    ```
    """

    paths: list[str] = field(default_factory=list)
    """Absolute paths or glob patterns that must not exist."""

    type_name: ClassVar[str] = "path_absent"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text(
        "Caminhos ausentes da imagem", "Paths absent from the image"
    )
    default_hint: ClassVar[Text | None] = Text(
        "Num build multi-stage, copie para o estágio final só o que o programa precisa para "
        "rodar (COPY --from=build ...), não as ferramentas de compilação.",
        "In a multi-stage build, copy into the final stage only what the program needs to run "
        "(COPY --from=build ...), not the build tools.",
    )

    def validate(self) -> list[str]:
        if not isinstance(self.paths, list) or not self.paths:
            return ["paths: expected a non-empty list of absolute paths or globs"]
        problems: list[str] = []
        for i, path in enumerate(self.paths):
            if not isinstance(path, str) or not path.startswith("/") or path.strip("/") == "":
                problems.append(f"paths[{i}]: {path!r} is not an absolute path below /")
            elif ".." in path.split("/") or "**" in path:
                problems.append(f"paths[{i}]: {path!r} may not use '..' or '**'")
        return problems

    def run(self, ctx: CheckContext) -> Outcome:
        found: list[FileStat] = []
        literal = [p.rstrip("/") for p in self.paths if not is_glob(p)]
        globs = [p for p in self.paths if is_glob(p)]
        for path in literal:
            st = ctx.stat(path)
            if st is not None:
                found.append(st)
        for pattern in globs if not found else []:  # listing a folder streams its content
            for path in expand(ctx, pattern):
                st = ctx.stat(path)
                if st is not None and all(f.path != st.path for f in found):
                    found.append(st)
        expected = Text("ausentes: ", "absent: ") + Text.same(", ".join(self.paths))
        if not found:
            return Outcome.ok(
                Text(
                    "Nenhum dos caminhos existe na imagem: {p}.",
                    "None of the paths exists in the image: {p}.",
                ).format(p=clip(", ".join(self.paths), 200)),
                actual=Text("(nenhum encontrado)", "(none found)"),
            )
        shown = ", ".join(f.path for f in found[:5]) + (" …" if len(found) > 5 else "")
        return Outcome.fail(
            Text(
                "A imagem final ainda tem o que não deveria: {f}.",
                "The final image still holds what it should not: {f}.",
            ).format(f=clip(shown, 300)),
            expected=expected,
            actual=join_shown("\n", (describe(f) for f in found[:10])),
        )
