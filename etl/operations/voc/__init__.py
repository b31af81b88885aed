"""Voice of the customer: feedback tagged by dimension and sentiment, personal data masked."""

from etl.operations.voc.batch import TaggedComment, tag_and_mask
from etl.operations.voc.privacy import DETECTORS, mask_personal_data, personal_data_found
from etl.operations.voc.quotes import Quote, pick_quotes, quote_text
from etl.operations.voc.tagger import TaggedText, Tagger, default_tagger, tag
from etl.operations.voc.themes import (
    VocFindings,
    VocQuote,
    VocTheme,
    feedback_params,
    tag_frame,
    voc_results,
    weak_dimensions,
)

__all__ = [
    "DETECTORS",
    "Quote",
    "TaggedComment",
    "TaggedText",
    "Tagger",
    "VocFindings",
    "VocQuote",
    "VocTheme",
    "default_tagger",
    "feedback_params",
    "mask_personal_data",
    "personal_data_found",
    "pick_quotes",
    "quote_text",
    "tag",
    "tag_and_mask",
    "tag_frame",
    "voc_results",
    "weak_dimensions",
]
