"""`image_cmd`: the built image's `Cmd` (argv logic in `image_entrypoint`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from graders.checks.base import Need
from graders.checks.image_entrypoint import ArgvCheck
from graders.i18n import Text


@dataclass(frozen=True)
class ImageCmdCheck(ArgvCheck):
    """The image's CMD (or, with `effective: true`, ENTRYPOINT + CMD) is this command.

    `CMD ["apachectl", "-D", "FOREGROUND"]` and `ENTRYPOINT ["apachectl"]` with
    `CMD ["-D", "FOREGROUND"]` both pass the `effective: true` example.

    ```yaml
    - id: apache-foreground
      type: image_cmd
      effective: true
      matches: '^(apachectl|apache2ctl|httpd) -D FOREGROUND$'
    ```
    """

    type_name: ClassVar[str] = "image_cmd"
    need: ClassVar[Need] = Need.IMAGE
    config_key: ClassVar[str] = "Cmd"
    default_title: ClassVar[Text] = Text("CMD da imagem", "Image CMD")
    default_hint: ClassVar[Text | None] = Text(
        'Use a forma exec: CMD ["executável", "arg"].',
        'Use the exec form: CMD ["executable", "arg"].',
    )
