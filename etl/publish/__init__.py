"""Publishing reports: atomic files, revisions, each quarter's manifest and the index file."""

from etl.publish.files import (
    ARCHIVE_FOLDER,
    INDEX_NAME,
    MANIFEST_NAME,
    ArchiveError,
    atomic_write_bytes,
    atomic_write_text,
    is_partial,
    publish_lock,
    remove_stale_parts,
    sha256_file,
    today_in,
)
from etl.publish.manifest import (
    build_manifest,
    delivery_status,
    publish_quarter,
    read_manifest,
    read_manifests,
)
from etl.publish.revisions import (
    Revision,
    archived_name,
    decide_revision,
    inputs_sha256,
    keep_previous,
    latest_revision,
    publish_revision,
    record_revision,
)

__all__ = [
    "ARCHIVE_FOLDER",
    "INDEX_NAME",
    "MANIFEST_NAME",
    "ArchiveError",
    "Revision",
    "archived_name",
    "atomic_write_bytes",
    "atomic_write_text",
    "build_manifest",
    "decide_revision",
    "delivery_status",
    "inputs_sha256",
    "is_partial",
    "keep_previous",
    "latest_revision",
    "publish_lock",
    "publish_quarter",
    "publish_revision",
    "read_manifest",
    "read_manifests",
    "record_revision",
    "remove_stale_parts",
    "sha256_file",
    "today_in",
]
