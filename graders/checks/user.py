"""`user`: an account exists in the built image, with this uid, groups, home and shell.

Outside-in: /etc/passwd and /etc/group are read from the host (`ctx.read_file`) and parsed
here; nothing runs inside the image (no `id`, no `getent`), so a faked binary changes nothing
and the check works on images without a shell. A scratch image has no /etc/passwd: it says so.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import ClassVar

from graders.checks._common import (
    ID_FILE_LIMIT,
    Problem,
    clip,
    decode,
    id_file_rows,
    problems_outcome,
    scalar_text,
)
from graders.checks.base import Check, CheckContext, Need, Outcome
from graders.i18n import Text

PASSWD = "/etc/passwd"
GROUP = "/etc/group"
NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$")
"""A user or group name as useradd, adduser and groupadd accept it (`$`: machine accounts)."""
NAME_MAX = 256


@dataclass(frozen=True)
class Account:
    """One /etc/passwd line."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str


@dataclass(frozen=True)
class Group:
    """One /etc/group line."""

    name: str
    gid: int
    members: tuple[str, ...]


def parse_passwd(text: str) -> list[Account]:
    """The accounts of an /etc/passwd text, in file order; malformed lines are skipped."""
    accounts: list[Account] = []
    for parts in id_file_rows(text, 4):
        if not parts[3].isdigit():
            continue
        home = parts[5] if len(parts) > 5 else ""
        shell = parts[6] if len(parts) > 6 else ""
        accounts.append(Account(parts[0], int(parts[2]), int(parts[3]), home, shell))
    return accounts


def parse_group(text: str) -> list[Group]:
    """The groups of an /etc/group text, in file order; malformed lines are skipped."""
    groups: list[Group] = []
    for parts in id_file_rows(text):
        members = [m.strip() for m in parts[3].split(",")] if len(parts) > 3 else []
        groups.append(Group(parts[0], int(parts[2]), tuple(m for m in members if m)))
    return groups


def same_path(want: str, have: str) -> bool:
    """`/var/www/` is `/var/www`."""
    return posixpath.normpath(want) == posixpath.normpath(have or "/")


def same_shell(want: str, have: str) -> bool:
    """`/sbin/nologin` is `/usr/sbin/nologin` (and `/bin/sh` is `/usr/bin/sh`): Debian, Ubuntu
    and Fedora merged /usr, and tutorials write either."""
    a, b = posixpath.normpath(want), posixpath.normpath(have or "/")
    return a == b or a.removeprefix("/usr") == b.removeprefix("/usr")


def _group_problems(field: str, value: object) -> list[str]:
    """A group is a name or a gid (`www-data`, `33`)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return [f"{field}: expected a group name or gid, got {value!r}"]
    if isinstance(value, int):
        return [] if value >= 0 else [f"{field}: a gid cannot be negative, got {value}"]
    if not NAME.match(value) or len(value) > NAME_MAX:
        return [f"{field}: {value!r} is not a group name or gid"]
    return []


def _path_problems(field: str, value: object) -> list[str]:
    if not isinstance(value, str) or not value.startswith("/") or any(c in value for c in ":\n"):
        return [f"{field}: expected an absolute path, got {value!r}"]
    return []


@dataclass(frozen=True)
class UserCheck(Check):
    """A user account exists in the image: its uid, primary group, groups, home and shell.

    Read from the image's /etc/passwd and /etc/group on the host, as `getent` would show them;
    no command runs in the image. A group in `groups` counts when /etc/group lists the user in
    it or when it is the user's primary group, as `id -Gn` shows. `/sbin/nologin` and
    `/usr/sbin/nologin` are the same shell; a trailing slash on `home` does not matter.

    ```yaml
    - id: www-data-user
      type: user
      name: www-data
      uid: 33
      group: www-data
      groups: [www-data]
      home: /var/www
      shell: /usr/sbin/nologin
    - id: app-user
      type: user
      name: appuser
      uid: 1001
      group: appgroup
    ```
    """

    name: str = ""
    """The user name (required)."""
    uid: int | None = None
    """The expected uid."""
    group: str | int | None = None
    """The primary group: a name (resolved through /etc/group) or a gid."""
    groups: list[str | int] | None = None
    """Groups (names or gids) the user must belong to; others are allowed."""
    home: str | None = None
    """The home folder, an absolute path."""
    shell: str | None = None
    """The login shell, an absolute path (`/usr/sbin/nologin` for a service account)."""

    type_name: ClassVar[str] = "user"
    need: ClassVar[Need] = Need.IMAGE
    default_title: ClassVar[Text] = Text("Usuário na imagem", "User in the image")
    default_hint: ClassVar[Text | None] = Text(
        "Crie o usuário em um RUN do Dockerfile: RUN groupadd -r appgroup && "
        "useradd -r -u 1001 -g appgroup appuser (Debian/Ubuntu), ou RUN adduser -D appuser "
        "(BusyBox/Alpine; addgroup appuser grupo para outro grupo).",
        "Create the user in a Dockerfile RUN: RUN groupadd -r appgroup && "
        "useradd -r -u 1001 -g appgroup appuser (Debian/Ubuntu), or RUN adduser -D appuser "
        "(BusyBox/Alpine; addgroup appuser somegroup for another group).",
    )

    def validate(self) -> list[str]:
        problems: list[str] = []
        if not isinstance(self.name, str) or not self.name:
            problems.append(f"name: expected a user name (required), got {self.name!r}")
        elif not NAME.match(self.name) or len(self.name) > NAME_MAX:
            problems.append(f"name: {self.name!r} is not a user name")
        if self.uid is not None and (
            isinstance(self.uid, bool) or not isinstance(self.uid, int) or self.uid < 0
        ):
            problems.append(f"uid: expected a whole number >= 0, got {self.uid!r}")
        if self.group is not None:
            problems += _group_problems("group", self.group)
        if self.groups is not None:
            if not isinstance(self.groups, list) or not self.groups:
                problems.append(f"groups: expected a non-empty list of group names, got "
                                f"{self.groups!r}")
            else:
                for i, item in enumerate(self.groups):
                    problems += _group_problems(f"groups[{i}]", item)
        for field, value in (("home", self.home), ("shell", self.shell)):
            if value is not None:
                problems += _path_problems(field, value)
        return problems

    def run(self, ctx: CheckContext) -> Outcome:
        n = self.name
        data = ctx.read_file(PASSWD, ID_FILE_LIMIT)
        if data is None:
            return Outcome.fail(
                Text(
                    f"A imagem não tem {PASSWD} (imagem scratch?); o usuário {n} não existe.",
                    f"The image has no {PASSWD} (a scratch image?); the user {n} does not exist.",
                ),
                expected=self._wanted(),
                actual=f"(no {PASSWD})",
            )
        accounts = parse_passwd(decode(data))
        account = next((a for a in accounts if a.name == n), None)
        if account is None:
            return self._absent(accounts)
        group_data = ctx.read_file(GROUP, ID_FILE_LIMIT)
        groups = parse_group(decode(group_data)) if group_data is not None else None
        problems = self._problems(account, accounts, groups)
        summary = show(account, groups)
        if not problems:
            return Outcome.ok(Text(f"O usuário {n} existe (uid {account.uid}).",
                                   f"The user {n} exists (uid {account.uid})."), actual=summary)
        return problems_outcome(problems)

    def _wanted(self) -> str:
        return self.name + (f" (uid {self.uid})" if self.uid is not None else "")

    def _absent(self, accounts: list[Account]) -> Outcome:
        n = self.name
        by_uid = next((a for a in accounts if a.uid == self.uid), None)
        # names below come from the submission's /etc/passwd: clipped before they are shown
        if by_uid is not None:  # the near miss: the right uid under another name
            return Outcome.fail(
                Text(
                    f"O usuário {n} não existe; o uid {self.uid} pertence a {shown(by_uid.name)}.",
                    f"The user {n} does not exist; uid {self.uid} belongs to "
                    f"{shown(by_uid.name)}.",
                ),
                expected=self._wanted(),
                actual=f"{shown(by_uid.name)} (uid {by_uid.uid})",
            )
        by_case = next((a for a in accounts if a.name.lower() == n.lower()), None)
        if by_case is not None:  # names are case-sensitive: App is not app
            return Outcome.fail(
                Text(
                    f"O usuário {n} não existe, mas existe {shown(by_case.name)} (maiúsculas "
                    "e minúsculas contam).",
                    f"The user {n} does not exist, but {shown(by_case.name)} does (names are "
                    "case-sensitive).",
                ),
                expected=self._wanted(),
                actual=f"{shown(by_case.name)} (uid {by_case.uid})",
            )
        names = ", ".join(a.name for a in accounts) or "(none)"
        return Outcome.fail(
            Text(f"O usuário {n} não existe na imagem ({PASSWD}).",
                 f"The user {n} does not exist in the image ({PASSWD})."),
            expected=self._wanted(),
            actual="(absent)",
            details=clip(f"users in {PASSWD}: {names}", 300),
        )

    def _problems(self, account: Account, accounts: list[Account],
                  groups: list[Group] | None) -> list[Problem]:
        n = self.name
        problems: list[Problem] = []
        if self.uid is not None and account.uid != self.uid:
            holder = next((a for a in accounts if a.uid == self.uid), None)
            pt_more = f"; o uid {self.uid} é de {shown(holder.name)}" if holder else ""
            en_more = f"; uid {self.uid} belongs to {shown(holder.name)}" if holder else ""
            problems.append(Problem(
                "uid",
                Text(f"O usuário {n} tem outro uid{pt_more}.",
                     f"The user {n} has another uid{en_more}."),
                str(self.uid), str(account.uid)))
        if self.group is not None:
            problems += self._primary(account, groups)
        if self.groups is not None:
            problems += self._membership(account, groups)
        if self.home is not None and not same_path(self.home, account.home):
            problems.append(Problem(
                "home",
                Text(f"O usuário {n} tem outro diretório home.",
                     f"The user {n} has another home folder."),
                self.home, clip(account.home or "(empty)", 120)))
        if self.shell is not None and not same_shell(self.shell, account.shell):
            problems.append(Problem(
                "shell",
                Text(f"O usuário {n} tem outro shell.", f"The user {n} has another shell."),
                self.shell, clip(account.shell or "(empty)", 120)))
        return problems

    def _primary(self, account: Account, groups: list[Group] | None) -> list[Problem]:
        n, want = self.name, scalar_text(self.group)
        found = find_group(want, groups)
        actual = group_name(account.gid, groups)
        if found is None and not want.isdigit():
            where = group_file(groups)
            return [Problem(
                "group",
                Text(f"O grupo {want} não existe na imagem ({where.pt}).",
                     f"The group {want} does not exist in the image ({where.en})."),
                want, actual)]
        want_gid = found.gid if found is not None else int(want)
        if want_gid == account.gid:
            return []
        return [Problem(
            "group",
            Text(f"O grupo principal de {n} é outro.", f"The primary group of {n} is another."),
            group_name(want_gid, groups), actual)]

    def _membership(self, account: Account, groups: list[Group] | None) -> list[Problem]:
        mine = member_of(account, groups)
        missing, unknown = [], []
        for item in self.groups or []:
            found = find_group(scalar_text(item), groups)
            if found is None and scalar_text(item) == str(account.gid):
                continue  # a primary gid without an /etc/group line
            if found is None:
                unknown.append(scalar_text(item))
            elif found.gid not in {g.gid for g in mine}:
                missing.append(found.name)
        n = self.name
        problems: list[Problem] = []
        have = clip(", ".join(shown(g.name) for g in mine), 200) or "(none)"
        if unknown:
            where = group_file(groups)
            names = ", ".join(unknown)
            problems.append(Problem(
                "groups",
                Text(f"Grupos inexistentes na imagem ({where.pt}): {names}.",
                     f"Groups missing from the image ({where.en}): {names}."),
                names, have))
        if missing:
            names = ", ".join(missing)
            problems.append(Problem(
                "groups",
                Text(f"O usuário {n} não pertence a: {names}.",
                     f"The user {n} is not in the groups: {names}."),
                names, have))
        return problems


def group_file(groups: list[Group] | None) -> Text:
    """Where groups were looked up, saying when the image has no /etc/group at all."""
    if groups is not None:
        return Text.same(GROUP)
    return Text(f"{GROUP}, que não existe", f"{GROUP}, which is missing")


def shown(name: str) -> str:
    """A user or group name from the submission, clipped for display."""
    return clip(name, 64)


def find_group(value: str, groups: list[Group] | None) -> Group | None:
    """The group named `value`, else (when it is a number) the first with that gid."""
    for g in groups or []:
        if g.name == value:
            return g
    if value.isdigit():
        return next((g for g in groups or [] if g.gid == int(value)), None)
    return None


def group_name(gid: int, groups: list[Group] | None) -> str:
    """`"www-data (33)"` when the gid has a name, else `"33"`."""
    found = next((g for g in groups or [] if g.gid == gid), None)
    return f"{shown(found.name)} ({gid})" if found else str(gid)


def member_of(account: Account, groups: list[Group] | None) -> list[Group]:
    """The user's groups as `id -Gn` lists them: the primary one, then where it is a member."""
    primary = [g for g in groups or [] if g.gid == account.gid][:1]
    others = [g for g in groups or [] if account.name in g.members and g not in primary]
    return primary + others


def show(account: Account, groups: list[Group] | None) -> str:
    """`uid 33, group www-data (33), home /var/www, shell /usr/sbin/nologin`."""
    return clip(
        f"uid {account.uid}, group {group_name(account.gid, groups)}, "
        f"home {account.home or '(empty)'}, shell {account.shell or '(empty)'}",
        300,
    )
