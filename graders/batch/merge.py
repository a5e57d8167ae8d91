"""`labgrade merge DIR... --out OUT`: shard out folders into one gradebook and summaries.

Each shard contributes its `labgrade.sqlite` (history included) or, without one, its
`students/*/record.json`. Merging is idempotent: merging the same shard twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graders.batch.outputs import RECORD, STUDENTS, read_record, write_student, write_summaries
from graders.batch.store import FILENAME, Record, Store
from graders.errors import UsageError
from graders.i18n import Lang, Text


@dataclass(frozen=True)
class MergeReport:
    lab: str
    records: list[Record]
    shards: int
    new_rows: int


def merge(out: Path, shard_dirs: list[Path], lang: Lang) -> MergeReport:
    out.mkdir(parents=True, exist_ok=True)
    for d in shard_dirs:
        if not d.is_dir():
            raise UsageError(Text(f"{d} não é uma pasta; indique as pastas --out do "
                                  "`labgrade batch`.",
                                  f"{d} is not a folder; give the out folders of "
                                  "`labgrade batch`."))
        if d.resolve() == out.resolve():
            raise UsageError(Text(f"{d} é a própria pasta --out do merge; junte numa pasta nova.",
                                  f"{d} is the merge's own out folder; merge into a new "
                                  "folder."))
        if not (d / FILENAME).exists() and not any((d / STUDENTS).glob(f"*/{RECORD}")):
            raise UsageError(Text(f"{d} não tem resultados de batch (nem {FILENAME}, nem "
                                  f"{STUDENTS}/*/{RECORD}); indique as pastas --out do "
                                  "`labgrade batch`.",
                                  f"{d} holds no batch results (no {FILENAME}, no "
                                  f"{STUDENTS}/*/{RECORD}); give the out folders of "
                                  "`labgrade batch`."))
    from graders.batch.runner import out_lock

    new = 0
    with out_lock(out), Store(out / FILENAME) as store:
        for d in shard_dirs:
            if (d / FILENAME).exists():
                new += store.import_from(d / FILENAME)
            else:
                new += _import_records(store, d)
        labs = store.labs()
        if len(labs) != 1:
            raise UsageError(Text(f"As partes têm resultados de {len(labs)} labs "
                                  f"({', '.join(sorted(labs))}); junte as de um lab por vez.",
                                  f"The shards hold results of {len(labs)} labs "
                                  f"({', '.join(sorted(labs))}); merge one lab's shards at a "
                                  "time."))
        lab = labs.pop()
        records = sorted(store.latest(lab).values(), key=lambda r: r.student)
    if records:
        for rec in records:
            write_student(out, rec, lang)
        first = records[0].result
        write_summaries(out, records, lab, first.title, lang)
    return MergeReport(lab, records, len(shard_dirs), new)


def _import_records(store: Store, folder: Path) -> int:
    count = 0
    for path in sorted((folder / STUDENTS).glob(f"*/{RECORD}")):
        rec = read_record(path)
        known = {(r.run_id, r.graded_at) for r in store.history(rec.student, rec.result.lab)}
        if (rec.run_id, rec.graded_at) not in known:
            store.add_run_if_missing(rec.run_id, rec.result.lab, rec.graded_at)
            store.add(rec)
            count += 1
    return count
