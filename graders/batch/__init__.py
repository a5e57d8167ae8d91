"""Batch grading for instructors: a roster in, a gradebook, reports and summaries out."""

from graders.batch.merge import MergeReport, merge
from graders.batch.roster import Entry, RosterError, load_roster, parse_shard, shard_of
from graders.batch.runner import BatchConfig, BatchReport, run_batch
from graders.batch.store import Record, Store

__all__ = ["BatchConfig", "BatchReport", "Entry", "MergeReport", "Record", "RosterError",
           "Store", "load_roster", "merge", "parse_shard", "run_batch", "shard_of"]
