"""Survey indices on the quarter's responses: scoring, weighting, indices, drivers, PLS (pure)."""

from etl.survey.figures import survey_results, weight_respondents
from etl.survey.indices import IndexInputError
from etl.survey.linkage import linkage_params, linkage_results, linked_frame
from etl.survey.scoring import ScoredSurvey, SurveyDataError, score
from etl.survey.weighting import RakingError

__all__ = [
    "IndexInputError",
    "RakingError",
    "ScoredSurvey",
    "SurveyDataError",
    "linkage_params",
    "linkage_results",
    "linked_frame",
    "score",
    "survey_results",
    "weight_respondents",
]
