# The sample districts and framework of tests/scoring, for the importers' hostile files.
from tests.scoring.conftest import binh_phuoc, framework  # noqa: F401
