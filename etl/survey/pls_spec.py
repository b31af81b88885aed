"""A PLS path model's specification, checked: blocks, paths (no cycles), modes, scheme."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

SCHEMES = ("centroid", "factorial", "path")


MODES = ("A", "B")


class PLSSpecificationError(ValueError):
    """The blocks, paths, modes or data cannot define an estimable PLS path model."""


class PLSConvergenceError(ValueError):
    """The outer weights did not settle within the iteration limit."""


class PLSIndexError(ValueError):
    """The 0-100 index of a latent is undefined (bad scale bounds or non-positive weights)."""


@dataclass(frozen=True)
class _Model:
    """A validated model specification in positional form."""

    latents: tuple[str, ...]
    blocks: dict[str, tuple[str, ...]]
    paths: tuple[tuple[str, str], ...]
    modes: dict[str, str]
    adjacency: np.ndarray  # adjacency[i, j] == 1 when latent i → latent j
    columns: tuple[str, ...]
    block_index: tuple[np.ndarray, ...]


def _validate_model(
    data: pd.DataFrame,
    blocks: Mapping[str, Sequence[str]],
    paths: Sequence[tuple[str, str]],
    modes: Mapping[str, str] | None,
    scheme: str,
    tol: float,
    max_iter: int,
) -> _Model:
    """Check blocks, paths, modes and options against the data; build the positional model."""
    if scheme not in SCHEMES:
        raise PLSSpecificationError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    if not tol > 0:
        raise PLSSpecificationError(f"tol must be positive, got {tol}")
    if max_iter < 1:
        raise PLSSpecificationError(f"max_iter must be at least 1, got {max_iter}")
    checked_blocks = _validate_blocks(data, blocks)
    latents = tuple(checked_blocks)
    adjacency = _validate_paths(latents, paths)
    checked_modes = _validate_modes(latents, modes)
    columns = tuple(column for latent in latents for column in checked_blocks[latent])
    position = {column: i for i, column in enumerate(columns)}
    block_index = tuple(
        np.array([position[column] for column in checked_blocks[latent]]) for latent in latents
    )
    return _Model(
        latents=latents,
        blocks=checked_blocks,
        paths=tuple((a, b) for a, b in paths),
        modes=checked_modes,
        adjacency=adjacency,
        columns=columns,
        block_index=block_index,
    )


def _validate_blocks(
    data: pd.DataFrame, blocks: Mapping[str, Sequence[str]]
) -> dict[str, tuple[str, ...]]:
    """Every latent has items; every item is a numeric data column used in only one block."""
    if not blocks:
        raise PLSSpecificationError("blocks is empty: give at least two latents with items")
    owner: dict[str, str] = {}
    for latent, columns in blocks.items():
        if isinstance(columns, str) or len(columns) == 0:
            raise PLSSpecificationError(
                f"latent {latent!r}: block must be a non-empty list of column names"
            )
        for column in columns:
            if column in owner:
                raise PLSSpecificationError(
                    f"column {column!r} is in the blocks of both {owner[column]!r} and {latent!r}"
                )
            owner[column] = latent
            if column not in data.columns:
                raise PLSSpecificationError(
                    f"latent {latent!r}: column {column!r} is not in the data"
                )
            dtype = data[column].dtype
            if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
                raise PLSSpecificationError(
                    f"latent {latent!r}: column {column!r} is not numeric (dtype {dtype})"
                )
    return {latent: tuple(columns) for latent, columns in blocks.items()}


def _validate_paths(latents: tuple[str, ...], paths: Sequence[tuple[str, str]]) -> np.ndarray:
    """Paths join known latents, without duplicates or cycles, and leave no latent isolated."""
    if not paths:
        raise PLSSpecificationError("paths is empty: a path model needs at least one path")
    position = {latent: i for i, latent in enumerate(latents)}
    adjacency = np.zeros((len(latents), len(latents)))
    for path in paths:
        if len(path) != 2:
            raise PLSSpecificationError(f"path {path!r} must be a (from, to) pair")
        source, target = path
        for end in (source, target):
            if end not in position:
                raise PLSSpecificationError(
                    f"path {source!r} → {target!r} names unknown latent {end!r}; "
                    f"blocks define {list(latents)}"
                )
        if source == target:
            raise PLSSpecificationError(f"path {source!r} → {target!r} is a self-loop")
        if adjacency[position[source], position[target]]:
            raise PLSSpecificationError(f"path {source!r} → {target!r} is listed twice")
        adjacency[position[source], position[target]] = 1.0
    isolated = [lv for lv in latents if not (adjacency + adjacency.T)[position[lv]].any()]
    if isolated:
        raise PLSSpecificationError(
            f"latents {isolated} are in no path; their inner estimate would be empty"
        )
    in_cycle = _latents_in_cycles(latents, adjacency)
    if in_cycle:
        raise PLSSpecificationError(
            f"paths contain a cycle through {in_cycle}; the structural model must be recursive"
        )
    return adjacency


def _latents_in_cycles(latents: tuple[str, ...], adjacency: np.ndarray) -> list[str]:
    """Latents left after repeatedly removing sources (Kahn); empty when the graph is acyclic."""
    remaining = set(range(len(latents)))
    changed = True
    while changed:
        changed = False
        for node in sorted(remaining):
            if not any(adjacency[other, node] for other in remaining):
                remaining.discard(node)
                changed = True
    # Nodes downstream of a cycle but not on it also stay; keep those that reach themselves.
    return [latents[i] for i in sorted(remaining) if _reaches(adjacency, i, i)]


def _reaches(adjacency: np.ndarray, start: int, goal: int) -> bool:
    """Whether a directed walk of length ≥ 1 leads from start to goal."""
    frontier = list(np.flatnonzero(adjacency[start]))
    seen: set[int] = set()
    while frontier:
        node = int(frontier.pop())
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            frontier.extend(np.flatnonzero(adjacency[node]))
    return False


def _validate_modes(latents: tuple[str, ...], modes: Mapping[str, str] | None) -> dict[str, str]:
    """Mode per latent, "A" (reflective) unless set to "B" (formative)."""
    given = dict(modes or {})
    unknown = [latent for latent in given if latent not in latents]
    if unknown:
        raise PLSSpecificationError(f"modes names unknown latents {unknown}")
    bad = {latent: mode for latent, mode in given.items() if mode not in MODES}
    if bad:
        raise PLSSpecificationError(f"modes must be 'A' or 'B', got {bad}")
    return {latent: given.get(latent, "A") for latent in latents}
