"""Write site.tar.gz, the archive the lab's Dockerfile extracts with ADD (deterministic bytes).

    python labs/day2-instructions/make_archive.py            # writes it next to this file
    python labs/day2-instructions/make_archive.py OUT.tar.gz

Copy the result into starter/, solution/ and every sample that ADDs it.
"""

from __future__ import annotations

import gzip
import io
import sys
import tarfile
from pathlib import Path

MTIME = 1_700_000_000
INDEX = """<!doctype html>
<html lang="pt-BR">
<head><meta charset="utf-8"><title>Instruções do Dockerfile</title></head>
<body>
<h1>Instruções do Dockerfile</h1>
<p>Esta página veio de site.tar.gz, extraído pelo ADD.</p>
<p>Dockerfile instructions lab: this page came from site.tar.gz, extracted by ADD.</p>
</body>
</html>
"""
TABLE = """FROM        imagem base / base image
RUN         executa no build / runs at build time
CMD         comando padrão do contêiner / the container's default command
LABEL       metadados (maintainer=...) / metadata
COPY        copia arquivos e pastas / copies files and folders
ADD         como COPY, e extrai arquivos .tar locais / like COPY, and extracts local .tar files
ENTRYPOINT  o executável do contêiner / the container's executable
ENV         variáveis de ambiente / environment variables
EXPOSE      a porta em que o contêiner escuta / the port the container listens on
USER        o usuário (o padrão é root) / the user (root by default)
VOLUME      ponto de montagem / mount point
WORKDIR     o diretório de trabalho / the working directory
"""
FILES = {"index.html": INDEX, "docs/instrucoes.txt": TABLE}


def archive() -> bytes:
    """site.tar.gz: a docs/ folder and two files, root-owned, fixed times, no gzip name."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        folder = tarfile.TarInfo("docs")
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, MTIME
        tar.addfile(folder)
        for name, text in sorted(FILES.items()):
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), 0o644, MTIME
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("site.tar.gz")
    out.write_bytes(archive())
    print(f"wrote {out} ({out.stat().st_size} bytes)")
