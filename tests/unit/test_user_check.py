"""The `user` check against a FakeContext serving /etc/passwd and /etc/group (no Docker)."""

from __future__ import annotations

from typing import Any

import pytest

from graders.checks import get_check_class
from graders.checks.base import Need, Outcome
from graders.checks.user import UserCheck, parse_group, parse_passwd
from tests.unit.fake_context import FakeContext, failed, symlink, text_file
from tests.unit.fake_context import passed as any_pass

PASSWD = """\
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
# a comment line, and a malformed one
broken:x:notanumber:1::/:/bin/sh
appuser:x:1001:999::/home/appuser:/bin/sh
Tester:x:1002:1002::/home/Tester:/bin/bash
"""
GROUP = """\
root:x:0:
daemon:x:1:
www-data:x:33:
appgroup:x:999:
docker:x:998:appuser,Tester
audio:x:29:
Tester:x:1002:
"""


def ctx_with(passwd: str | None = PASSWD, group: str | None = GROUP) -> FakeContext:
    files = {}
    if passwd is not None:
        files["/etc/passwd"] = text_file(passwd)
    if group is not None:
        files["/etc/group"] = text_file(group)
    return FakeContext(files=files)


def run(check: UserCheck, ctx: FakeContext | None = None) -> Outcome:
    assert check.validate() == [], check.validate()
    context = ctx or ctx_with()
    outcome = check.run(context)
    assert not context.called("exec") and not context.called("run_once")  # outside-in only
    return outcome





def passed(outcome: Outcome) -> Outcome:
    return any_pass(outcome, translated=True)  # the user check's passes name who was found


def test_registered_and_needs_only_the_image() -> None:
    assert get_check_class("user") is UserCheck
    assert UserCheck.need is Need.IMAGE  # a created, never started container: scratch too
    hint = UserCheck.default_hint
    assert hint is not None
    assert "useradd -r -u 1001 -g appgroup appuser" in hint.en
    assert "useradd -r -u 1001 -g appgroup appuser" in hint.pt
    assert "adduser -D" in hint.en and "adduser -D" in hint.pt


def test_passes_with_every_field() -> None:
    check = UserCheck(name="www-data", uid=33, group="www-data", groups=["www-data"],
                      home="/var/www", shell="/usr/sbin/nologin")
    out = passed(run(check))
    assert out.actual == "uid 33, group www-data (33), home /var/www, shell /usr/sbin/nologin"
    assert out.message.en == "The user www-data exists (uid 33)."
    assert out.message.pt == "O usuário www-data existe (uid 33)."


def test_passes_with_the_name_only_and_reads_through_a_symlink() -> None:
    passed(run(UserCheck(name="appuser")))
    ctx = FakeContext(files={"/etc/passwd": symlink("/usr/share/base-passwd/passwd.master"),
                             "/usr/share/base-passwd/passwd.master": text_file(PASSWD)})
    passed(run(UserCheck(name="daemon", uid=1), ctx))


def test_normalised_values_pass() -> None:
    """Gids for names, a trailing slash on home, /sbin vs /usr/sbin (merged /usr)."""
    passed(run(UserCheck(name="appuser", group=999, groups=[998, "appgroup"],
                         home="/home/appuser/")))
    passed(run(UserCheck(name="appuser", group="999")))
    passed(run(UserCheck(name="www-data", shell="/sbin/nologin")))
    passed(run(UserCheck(name="appuser", shell="/usr/bin/sh")))


def test_groups_count_the_primary_group_and_member_lists() -> None:
    # www-data's own group lists no members: it is the primary group, as `id -Gn` shows
    passed(run(UserCheck(name="www-data", groups=["www-data"])))
    passed(run(UserCheck(name="appuser", groups=["docker", "appgroup"])))
    # a primary gid with no /etc/group line still counts by number
    ctx = ctx_with(passwd="app:x:1000:4242::/home/app:/bin/sh\n")
    passed(run(UserCheck(name="app", group=4242, groups=[4242]), ctx))


def test_uid_mismatch() -> None:
    out = failed(run(UserCheck(name="appuser", uid=1000)))
    assert (out.expected, out.actual) == ("1000", "1001")
    assert out.message.en == "The user appuser has another uid."
    assert out.message.pt == "O usuário appuser tem outro uid."


def test_near_miss_the_name_with_another_uid_names_who_has_it() -> None:
    out = failed(run(UserCheck(name="appuser", uid=33)))
    assert "uid 33 belongs to www-data" in out.message.en
    assert "uid 33 é de www-data" in out.message.pt
    assert (out.expected, out.actual) == ("33", "1001")


def test_near_miss_the_uid_under_another_name() -> None:
    out = failed(run(UserCheck(name="app", uid=1001)))
    assert out.message.en == "The user app does not exist; uid 1001 belongs to appuser."
    assert out.message.pt == "O usuário app não existe; o uid 1001 pertence a appuser."
    assert out.expected == "app (uid 1001)" and out.actual == "appuser (uid 1001)"


def test_near_miss_the_name_in_another_case() -> None:
    out = failed(run(UserCheck(name="tester")))
    assert "Tester" in out.message.en and "case-sensitive" in out.message.en
    assert "Tester" in out.message.pt and "maiúsculas" in out.message.pt
    assert out.actual == "Tester (uid 1002)"


def test_names_from_the_submission_are_clipped() -> None:
    huge = "x" * 5000
    out = failed(run(UserCheck(name="app", uid=7), ctx_with(passwd=f"{huge}:x:7:7::/:/bin/sh\n")))
    assert len(out.message.en) < 200 and len(out.message.pt) < 200
    assert out.actual is not None and len(out.actual) < 100


def test_absent_user_lists_who_exists() -> None:
    out = failed(run(UserCheck(name="nginx")))
    assert out.message.en == "The user nginx does not exist in the image (/etc/passwd)."
    assert out.message.pt == "O usuário nginx não existe na imagem (/etc/passwd)."
    assert (out.expected, out.actual) == ("nginx", "(absent)")
    assert "root, daemon, www-data, appuser, Tester" in out.details
    assert "broken" not in out.details  # the malformed line is no user


def test_scratch_image_without_passwd_says_so() -> None:
    out = failed(run(UserCheck(name="app", uid=1001), FakeContext()))
    assert "no /etc/passwd" in out.message.en and "scratch" in out.message.en
    assert "não tem /etc/passwd" in out.message.pt and "scratch" in out.message.pt
    assert (out.expected, out.actual) == ("app (uid 1001)", "(no /etc/passwd)")


def test_primary_group_mismatch_and_unknown_group() -> None:
    out = failed(run(UserCheck(name="appuser", group="docker")))
    assert (out.expected, out.actual) == ("docker (998)", "appgroup (999)")
    assert out.message.en == "The primary group of appuser is another."
    assert out.message.pt == "O grupo principal de appuser é outro."
    out = failed(run(UserCheck(name="appuser", group="web")))
    assert out.message.en == "The group web does not exist in the image (/etc/group)."
    assert "O grupo web não existe" in out.message.pt
    assert (out.expected, out.actual) == ("web", "appgroup (999)")
    out = failed(run(UserCheck(name="appuser", group="appgroup"), ctx_with(group=None)))
    assert "/etc/group, which is missing" in out.message.en
    assert "/etc/group, que não existe" in out.message.pt
    assert out.actual == "999"


def test_supplementary_groups_missing_and_unknown() -> None:
    out = failed(run(UserCheck(name="appuser", groups=["docker", "audio", "www-data"])))
    assert out.message.en == "The user appuser is not in the groups: audio, www-data."
    assert out.message.pt == "O usuário appuser não pertence a: audio, www-data."
    assert (out.expected, out.actual) == ("audio, www-data", "appgroup, docker")
    out = failed(run(UserCheck(name="www-data", groups=["wheel"])))
    assert out.message.en == "Groups missing from the image (/etc/group): wheel."
    assert out.message.pt == "Grupos inexistentes na imagem (/etc/group): wheel."
    assert (out.expected, out.actual) == ("wheel", "www-data")
    out = failed(run(UserCheck(name="www-data", groups=["wheel"]), ctx_with(group=None)))
    assert out.message.pt == "Grupos inexistentes na imagem (/etc/group, que não existe): wheel."
    assert out.actual == "(none)"


def test_home_and_shell_mismatch() -> None:
    out = failed(run(UserCheck(name="appuser", home="/app")))
    assert (out.expected, out.actual) == ("/app", "/home/appuser")
    assert "home" in out.message.en and "home" in out.message.pt
    out = failed(run(UserCheck(name="appuser", shell="/usr/sbin/nologin")))
    assert (out.expected, out.actual) == ("/usr/sbin/nologin", "/bin/sh")
    assert out.message.en == "The user appuser has another shell."
    assert out.message.pt == "O usuário appuser tem outro shell."
    out = failed(run(UserCheck(name="app", shell="/bin/sh"),
                     ctx_with(passwd="app:x:1000:1000:short line\n")))
    assert out.actual == "(empty)"


def test_every_mismatch_is_reported_at_once() -> None:
    check = UserCheck(name="appuser", uid=1000, group="docker", groups=["audio"],
                      home="/app", shell="/usr/sbin/nologin")
    out = failed(run(check))
    for word in ("uid", "primary group", "audio", "home", "shell"):
        assert word in out.message.en, word
    for word in ("uid", "grupo principal", "audio", "home", "shell"):
        assert word in out.message.pt, word
    assert out.expected == ("uid 1000; group docker (998); groups audio; home /app; "
                            "shell /usr/sbin/nologin")
    assert out.actual == ("uid 1001; group appgroup (999); groups appgroup, docker; "
                          "home /home/appuser; shell /bin/sh")


def test_parsers_skip_what_is_not_an_entry() -> None:
    accounts = parse_passwd(PASSWD + "+nisuser::::::\n\n::0:0::/:/bin/sh\n")
    assert [a.name for a in accounts] == ["root", "daemon", "www-data", "appuser", "Tester"]
    groups = parse_group(GROUP + "bad:x:\n")
    assert [g.members for g in groups if g.name == "docker"] == [("appuser", "Tester")]
    assert "bad" not in {g.name for g in groups}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, "name: expected a user name (required)"),
        ({"name": 7}, "name: expected a user name (required)"),
        ({"name": "a:b"}, "name: 'a:b' is not a user name"),
        ({"name": "app", "uid": -1}, "uid: expected a whole number >= 0"),
        ({"name": "app", "uid": "33"}, "uid: expected a whole number >= 0"),
        ({"name": "app", "uid": True}, "uid: expected a whole number >= 0"),
        ({"name": "app", "group": ["x"]}, "group: expected a group name or gid"),
        ({"name": "app", "group": "a b"}, "group: 'a b' is not a group name or gid"),
        ({"name": "app", "group": -3}, "group: a gid cannot be negative"),
        ({"name": "app", "groups": "docker"}, "groups: expected a non-empty list"),
        ({"name": "app", "groups": []}, "groups: expected a non-empty list"),
        ({"name": "app", "groups": ["docker", None]}, "groups[1]: expected a group name or gid"),
        ({"name": "app", "groups": ["ok", "no:pe"]}, "groups[1]: 'no:pe' is not a group name"),
        ({"name": "app", "home": "home/app"}, "home: expected an absolute path"),
        ({"name": "app", "shell": "sh"}, "shell: expected an absolute path"),
        ({"name": "app", "shell": 5}, "shell: expected an absolute path"),
    ],
)
def test_validate_names_the_field(fields: dict[str, Any], expected: str) -> None:
    problems = UserCheck(**fields).validate()
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_validate_reports_every_bad_field() -> None:
    problems = UserCheck(name="", uid=-1, groups=[None], home="x", shell="y").validate()
    assert [p.split(":")[0] for p in problems] == ["name", "uid", "groups[0]", "home", "shell"]
    assert UserCheck(name="www-data", uid=0, group=0, groups=[0, "root"], home="/",
                     shell="/bin/sh").validate() == []


def test_every_id_file_reader_skips_comments_and_nis_lines() -> None:
    """`read_ids` (image_user, file, process) and the `user` check read the same lines."""
    from graders.checks._common import read_ids

    passwd = "#root:x:0:0:root:/root:/bin/sh\n+::0:0:::\nwww:x:33:33::/var/www:/bin/sh\nbad:x:y:1\n"
    ctx = FakeContext(files={"/etc/passwd": text_file(passwd)})
    assert read_ids(ctx, "/etc/passwd") == {"www": 33}
    assert [a.name for a in parse_passwd(passwd)] == ["www"]
    assert [g.name for g in parse_group("#wheel:x:10:\n-adm:x:4:\nstaff:x:50:a,b\n")] == ["staff"]
