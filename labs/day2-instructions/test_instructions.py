"""Instructor tests of day2-instructions: probes that lab.yaml's check types do not make.

Each test is a check of the lab, graded by `labgrade grade`, batch, every platform format and
`pytest --lab` alike (docs/writing-checks.md, "Instructor tests in Python"). A docstring's and a
message's `pt:` and `en:` lines are what a student reads in each language.
"""

import pytest


@pytest.mark.points(5)
def test_data_folder_belongs_to_its_user(host):
    """pt: A pasta de dados /srv/app/data pertence ao usuário com que o contêiner roda
    en: The data folder /srv/app/data belongs to the user the container runs as
    """
    uid = int(host.run("id -u").stdout.strip())
    folder = host.file("/srv/app/data")
    assert folder.is_directory, (
        "pt: /srv/app/data não é uma pasta: crie-a num RUN (mkdir -p /srv/app/data)\n"
        "en: /srv/app/data is not a folder: create it in a RUN (mkdir -p /srv/app/data)")
    # Root is charged by the lab's non-root check, not here; a folder anyone may write is fine.
    assert uid == 0 or folder.uid == uid or folder.mode & 0o002, (
        f"pt: /srv/app/data pertence ao uid {folder.uid} e o contêiner roda como uid {uid}: "
        "dê a pasta ao usuário no RUN que a cria (chown app:app /srv/app/data)\n"
        f"en: /srv/app/data belongs to uid {folder.uid}, the container runs as uid {uid}: give "
        "the folder to the user in the RUN that creates it (chown app:app /srv/app/data)")
