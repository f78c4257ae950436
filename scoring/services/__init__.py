"""Writes to scoring. Each function runs in one transaction; a validation failure
raises ``ScoringInputError`` listing every problem, and then nothing is written.
Every write that changes figures recomputes the stored results it affects. A write
the public sees (to a published framework, a publication, a withdrawal) moves the
public pages' data version (``public_version_bump``); a draft's writes do not."""

from scoring.services.common import ScoringInputError, public_version_bump
from scoring.services.framework_edits import (
    framework_bands_set,
    framework_details_set,
    framework_english_set,
    framework_participants_set,
)
from scoring.services.frameworks import (
    CriterionSpec,
    criteria_count_problem,
    framework_copy,
    framework_create,
    framework_criteria_set,
    framework_delete,
    framework_publish,
    framework_return,
    framework_submit,
    framework_unpublish,
)
from scoring.services.results import (
    PublishedChange,
    PublishedResultRow,
    framework_results_recompute,
    published_results_changes,
    published_results_set,
    unit_results_update,
)
from scoring.services.scores import (
    KEEP,
    ScoreCell,
    ScoreConflict,
    ScoreEdit,
    ScoreEntry,
    ScoreImportReport,
    score_problems,
    scores_delete,
    scores_edit,
    scores_import,
    scores_set,
    scores_validate,
)

__all__ = [
    "KEEP",
    "CriterionSpec",
    "PublishedChange",
    "PublishedResultRow",
    "ScoreCell",
    "ScoreConflict",
    "ScoreEdit",
    "ScoreEntry",
    "ScoreImportReport",
    "ScoringInputError",
    "criteria_count_problem",
    "framework_bands_set",
    "framework_copy",
    "framework_create",
    "framework_criteria_set",
    "framework_delete",
    "framework_details_set",
    "framework_english_set",
    "framework_participants_set",
    "framework_publish",
    "framework_results_recompute",
    "framework_return",
    "framework_submit",
    "framework_unpublish",
    "public_version_bump",
    "published_results_changes",
    "published_results_set",
    "score_problems",
    "scores_delete",
    "scores_edit",
    "scores_import",
    "scores_set",
    "scores_validate",
    "unit_results_update",
]
