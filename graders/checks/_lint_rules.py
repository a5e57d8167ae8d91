"""Our own pt/en reading of hadolint rules; rules not listed fall back to hadolint's English."""

from __future__ import annotations

from graders.i18n import Text

RULES: dict[str, Text] = {
    "DL1000": Text(
        "o hadolint não conseguiu ler o Dockerfile", "hadolint could not parse the Dockerfile"
    ),
    "DL3000": Text("use um caminho absoluto no WORKDIR", "use an absolute WORKDIR"),
    "DL3002": Text(
        "o último USER não deveria ser root: troque para um usuário sem privilégios",
        "the last USER should not be root: switch to an unprivileged user",
    ),
    "DL3003": Text(
        "use WORKDIR para trocar de diretório em vez de cd no RUN",
        "use WORKDIR to switch directories instead of cd in RUN",
    ),
    "DL3004": Text(
        "não use sudo: o build já roda como root", "do not use sudo: builds run as root"
    ),
    "DL3006": Text(
        "indique sempre a tag da imagem no FROM (por exemplo debian:12)",
        "always tag the image version in FROM (for example debian:12)",
    ),
    "DL3007": Text(
        "evite a tag latest: ela muda sem aviso; fixe uma versão",
        "avoid the latest tag: it changes without notice; pin a version",
    ),
    "DL3008": Text(
        "fixe as versões no apt-get install (pacote=versão)",
        "pin versions in apt-get install (package=version)",
    ),
    "DL3009": Text(
        "apague as listas do apt depois de instalar (rm -rf /var/lib/apt/lists/*)",
        "delete the apt lists after installing (rm -rf /var/lib/apt/lists/*)",
    ),
    "DL3013": Text("fixe as versões no pip install", "pin versions in pip install"),
    "DL3014": Text("use -y no apt-get install", "use -y with apt-get install"),
    "DL3015": Text(
        "evite pacotes extras com --no-install-recommends",
        "avoid additional packages with --no-install-recommends",
    ),
    "DL3018": Text("fixe as versões no apk add", "pin versions in apk add"),
    "DL3019": Text("use --no-cache no apk add", "use --no-cache with apk add"),
    "DL3020": Text(
        "use COPY em vez de ADD para arquivos e pastas",
        "use COPY instead of ADD for files and folders",
    ),
    "DL3021": Text(
        "COPY com mais de 2 argumentos exige que o destino termine com /",
        "COPY with more than 2 arguments needs a destination ending in /",
    ),
    "DL3022": Text(
        "COPY --from deve apontar para um estágio definido antes (FROM ... AS nome)",
        "COPY --from should reference a previously defined stage (FROM ... AS name)",
    ),
    "DL3023": Text(
        "COPY --from não pode apontar para o próprio estágio",
        "COPY --from cannot reference its own stage",
    ),
    "DL3024": Text("nomes de estágio devem ser únicos", "stage names must be unique"),
    "DL3025": Text(
        'use a forma JSON em CMD e ENTRYPOINT: CMD ["executável", "arg"]',
        'use JSON notation for CMD and ENTRYPOINT: CMD ["executable", "arg"]',
    ),
    "DL3027": Text(
        "não use apt em scripts: use apt-get ou apt-cache",
        "do not use apt in scripts: use apt-get or apt-cache",
    ),
    "DL3042": Text(
        "evite o cache do pip com pip install --no-cache-dir",
        "avoid pip's cache with pip install --no-cache-dir",
    ),
    "DL3045": Text(
        "COPY para destino relativo sem WORKDIR definido",
        "COPY to a relative destination without WORKDIR set",
    ),
    "DL3059": Text(
        "vários RUN seguidos: junte-os com && para ter menos camadas",
        "multiple consecutive RUN instructions: join them with && for fewer layers",
    ),
    "DL3061": Text(
        "o Dockerfile deve começar com FROM, ARG ou um comentário",
        "a Dockerfile must begin with FROM, ARG or a comment",
    ),
    "DL4000": Text(
        'MAINTAINER está obsoleto: use LABEL maintainer="..."',
        'MAINTAINER is deprecated: use LABEL maintainer="..."',
    ),
    "DL4003": Text("há mais de um CMD: só o último vale", "multiple CMD: only the last one counts"),
    "DL4004": Text(
        "há mais de um ENTRYPOINT: só o último vale",
        "multiple ENTRYPOINT: only the last one counts",
    ),
    "DL4006": Text(
        "use SHELL com -o pipefail antes de um RUN com pipe (|), para que falhas não se percam",
        "set SHELL with -o pipefail before a RUN with a pipe (|), so failures are not lost",
    ),
}


def rule_text(code: str, hadolint_message: str) -> Text:
    """The rule in pt and en, or hadolint's own (English) message for both."""
    return RULES.get(code) or Text.same(hadolint_message.replace("\n", " "))
