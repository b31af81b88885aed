"""Survey indices on the quarter's responses: scoring, weighting, indices, drivers, PLS (pure)."""

from etl.survey.calibration import weight_respondents, weighting_rows
from etl.survey.eligibility import eligible_responses, outside_population_rule
from etl.survey.figures import survey_results
from etl.survey.indices import IndexInputError
from etl.survey.linkage import linkage_params, linkage_results, linked_frame
from etl.survey.scoring import RESPONDENT_COLUMNS, ScoredSurvey, SurveyDataError, score
from etl.survey.weighting import RakingError

__all__ = [
    "RESPONDENT_COLUMNS",
    "IndexInputError",
    "RakingError",
    "ScoredSurvey",
    "SurveyDataError",
    "eligible_responses",
    "linkage_params",
    "linkage_results",
    "linked_frame",
    "outside_population_rule",
    "score",
    "survey_results",
    "weight_respondents",
    "weighting_rows",
]
