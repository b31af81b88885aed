"""Ingest: survey exports, feedback and mystery-shop files into the warehouse, by rule.

Readers (Qualtrics, 问卷星, long CSV, feedback CSV/JSON Lines, mystery-shop CSV), the mapping
file, rules that quarantine what they reject, and a registry keyed by file content.
"""

from etl.ingest.decode import UnreadableFileError
from etl.ingest.load import FileOutcome, IngestRun, inbox_files, ingest_file
from etl.ingest.mapping import MAPPING_HELP, Mapping, MappingError, load_mapping
from etl.ingest.rules import IngestSettings, ingest_settings

__all__ = [
    "MAPPING_HELP",
    "FileOutcome",
    "IngestRun",
    "IngestSettings",
    "Mapping",
    "MappingError",
    "UnreadableFileError",
    "inbox_files",
    "ingest_file",
    "ingest_settings",
    "load_mapping",
]
