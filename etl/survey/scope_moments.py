"""Weighted sums of the scored columns per segment cell: every scope's figures from one pass.

A scope (the company, a branch, a channel, a product line, a branch's own channel or
product line) is a union of cells branch × channel × product line. So each column is
summed once per cell (counts, Σw, Σw², Σw·x and Σw·(x − cell mean)², by `np.bincount` on
the cell codes), and a scope's figures come from adding its cells' sums: no per-scope
selection of rows, no pandas per scope. Within a cell the squares are taken about the
cell's own mean, and cells are pooled with the parallel-variance formula (Chan et al.), so
no variance is a difference of two large sums (a cell whose answers are all equal has a
variance of zero but for the rounding of its mean, as when the rows are summed one by one).

The CSI's standard error needs the respondents' joint influence on all dimension means,
so each cell also keeps Σw²·y_d·y_e, Σw²·y_d·1_e and Σw²·1_d·1_e of the service dimensions
(y the value about the cell mean, 0 where not rated; 1 the rated indicator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

SEGMENT_COLUMNS = ("branch_code", "channel_code", "product_line_code")


@dataclass(frozen=True)
class Cells:
    """Each respondent's cell and the segment codes present, sorted (missing last)."""

    of_row: np.ndarray  # (respondents,) cell index
    levels: tuple[tuple[str, ...], ...]  # per segment column, the codes present

    @property
    def shape(self) -> tuple[int, ...]:
        """Cells as a grid: one slot per code of each column, plus one for a missing code."""
        return tuple(len(level) + 1 for level in self.levels)

    @property
    def count(self) -> int:
        return int(np.prod(self.shape))

    def select(self, **codes: str) -> np.ndarray:
        """Boolean over cells: the cells with these codes (branch_code="SC", …)."""
        grid = np.zeros(self.shape, dtype=bool)
        index: list[int | slice] = []
        for column, level in zip(SEGMENT_COLUMNS, self.levels, strict=True):
            if column not in codes:
                index.append(slice(None))
            elif codes[column] in level:
                index.append(level.index(codes[column]))
            else:
                return grid.ravel()  # a code without respondents: no cell
        grid[tuple(index)] = True
        return grid.ravel()


def cells_of(frame: pd.DataFrame) -> Cells:
    """The cell of every respondent from its branch, channel and product line."""
    cell = np.zeros(len(frame), dtype=np.int64)
    levels = []
    for column in SEGMENT_COLUMNS:
        values = frame[column] if column in frame else pd.Series(np.nan, index=frame.index)
        codes, uniques = pd.factorize(values)
        names = [str(u) for u in uniques]
        order = sorted(range(len(names)), key=names.__getitem__)  # scopes are listed sorted
        rank = np.empty(len(names) + 1, dtype=np.int64)
        rank[order] = np.arange(len(names))
        rank[-1] = len(names)  # missing (code −1): the last slot
        cell = cell * (len(names) + 1) + rank[codes]
        levels.append(tuple(names[i] for i in order))
    return Cells(cell, tuple(levels))


@dataclass(frozen=True)
class Moments:
    """Weighted sums of columns over a set of respondents (answered values only).

    Arrays have one entry per column (last axis), and per cell before they are pooled.
    """

    columns: tuple[str, ...]
    n: np.ndarray  # values answered
    weight: np.ndarray  # Σw
    weight_sq: np.ndarray  # Σw²
    total: np.ndarray  # Σw·x
    squares: np.ndarray  # Σw·(x − mean)²

    def column(self, name: str) -> int:
        return self.columns.index(name)

    def mean(self, j: int) -> float:
        return float(self.total[j] / self.weight[j])

    def spread(self, j: int) -> float:
        """Σw(x − x̄)²/Σw, the weighted variance the standard errors use."""
        return float(self.squares[j] / self.weight[j])

    def effective_n(self, j: int) -> float:
        """Kish's effective n of the weights of the answered values."""
        return float(self.weight[j] ** 2 / self.weight_sq[j])


def cell_moments(columns: Mapping[str, np.ndarray], weights: np.ndarray, cells: Cells) -> Moments:
    """Per-cell sums of each column (NaN = not answered): arrays (cells, columns)."""
    count, of_row = cells.count, cells.of_row
    w = np.asarray(weights, dtype=float)
    every = (
        np.bincount(of_row, minlength=count).astype(float),
        np.bincount(of_row, weights=w, minlength=count),
        np.bincount(of_row, weights=w * w, minlength=count),
    )
    parts = []
    for values in columns.values():
        x = np.asarray(values, dtype=float)
        answered = ~np.isnan(x)
        if answered.all():  # every respondent: the cells' row sums serve
            n, weight, weight_sq, wx = *every, w
        else:
            x = np.where(answered, x, 0.0)
            wx = np.where(answered, w, 0.0)
            n = np.bincount(of_row, weights=answered.astype(float), minlength=count)
            weight = np.bincount(of_row, weights=wx, minlength=count)
            weight_sq = np.bincount(of_row, weights=wx * w, minlength=count)
        total = np.bincount(of_row, weights=wx * x, minlength=count)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(weight > 0, total / weight, 0.0)
        deviation = x - mean[of_row]
        squares = np.bincount(of_row, weights=wx * deviation * deviation, minlength=count)
        parts.append((n, weight, weight_sq, total, squares))
    stacked = [np.column_stack(part) for part in zip(*parts, strict=True)]
    return Moments(tuple(columns), *stacked)


def pooled(moments: Moments, selected: np.ndarray) -> Moments:
    """The sums of the selected cells pooled into one set (parallel-variance formula)."""
    n = moments.n[selected].sum(axis=0)
    weight = moments.weight[selected].sum(axis=0)
    total = moments.total[selected].sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cell_mean = moments.total[selected] / moments.weight[selected]
        mean = total / weight
        between = np.where(
            moments.weight[selected] > 0,
            moments.weight[selected] * (cell_mean - mean) ** 2,
            0.0,
        )
    squares = moments.squares[selected].sum(axis=0) + between.sum(axis=0)
    return Moments(
        moments.columns, n, weight, moments.weight_sq[selected].sum(axis=0), total, squares
    )


@dataclass(frozen=True)
class JointSums:
    """Per-cell Σw²·y_d·y_e, Σw²·y_d·1_e and Σw²·1_d·1_e of a few columns (cells, d, e)."""

    columns: tuple[str, ...]
    products: np.ndarray  # y·y
    cross: np.ndarray  # y_d·1_e
    rated: np.ndarray  # 1_d·1_e
    cell_means: np.ndarray  # (cells, d); 0 where a cell has no answers


def joint_sums(
    columns: Mapping[str, np.ndarray], weights: np.ndarray, cells: Cells, moments: Moments
) -> JointSums:
    """Each cell's squared-weight cross sums of the columns about the cell means."""
    names = tuple(columns)
    positions = [moments.column(c) for c in names]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = moments.total[:, positions] / moments.weight[:, positions]
    means = np.where(moments.weight[:, positions] > 0, means, 0.0)
    data = np.column_stack([np.asarray(columns[c], dtype=float) for c in names])
    w = np.asarray(weights, dtype=float)
    order = np.argsort(cells.of_row, kind="stable")
    bounds = np.searchsorted(cells.of_row[order], np.arange(cells.count + 1))
    k = len(names)
    gram = np.zeros((cells.count, 2 * k, 2 * k))
    for cell in np.flatnonzero(np.diff(bounds)):
        rows = order[bounds[cell] : bounds[cell + 1]]
        values = data[rows]
        answered = ~np.isnan(values)
        centred = np.where(answered, values - means[cell], 0.0)
        block = np.hstack([centred, answered]) * w[rows, None]  # w·[y, 1]
        gram[cell] = block.T @ block
    return JointSums(names, gram[:, :k, :k], gram[:, :k, k:], gram[:, k:, k:], means)


def pooled_influence(
    joint: JointSums, selected: np.ndarray, scope_means: np.ndarray, coefficients: np.ndarray
) -> float:
    """Σ_i (Σ_d a_d w_i (x_id − x̄_d) 1_id)² over the selected cells' respondents.

    With x − x̄ = y + δ (δ = cell mean − scope mean), the square expands into the cells'
    sums: Σ y_d y_e + δ_e Σ y_d 1_e + δ_d Σ y_e 1_d + δ_d δ_e Σ 1_d 1_e (each × w²).
    """
    shift = np.where(
        joint.rated[selected].diagonal(axis1=1, axis2=2) > 0,
        joint.cell_means[selected] - scope_means,
        0.0,
    )
    cross = joint.cross[selected]
    matrix = (
        joint.products[selected].sum(axis=0)
        + np.einsum("ce,cde->de", shift, cross)
        + np.einsum("cd,ced->de", shift, cross)
        + np.einsum("cd,ce,cde->de", shift, shift, joint.rated[selected])
    )
    return float(max(coefficients @ matrix @ coefficients, 0.0))
