"""Voice of the customer: feedback tagged by dimension and sentiment, personal data masked."""

from etl.operations.voc.keywords import (
    VocFindings,
    VocQuote,
    VocTheme,
    feedback_params,
    quote_text,
    tag,
    voc_results,
)
from etl.operations.voc.privacy import DETECTORS, mask_personal_data, personal_data_found

__all__ = [
    "DETECTORS",
    "VocFindings",
    "VocQuote",
    "VocTheme",
    "feedback_params",
    "mask_personal_data",
    "personal_data_found",
    "quote_text",
    "tag",
    "voc_results",
]
