"""Voice of the customer: feedback tagged by dimension and sentiment, personal data masked."""

from etl.operations.voc.keywords import (
    VocFindings,
    VocQuote,
    VocTheme,
    feedback_params,
    mask_personal_data,
    tag,
    voc_results,
)

__all__ = [
    "VocFindings",
    "VocQuote",
    "VocTheme",
    "feedback_params",
    "mask_personal_data",
    "tag",
    "voc_results",
]
