"""Where the tests' data lives, whatever room directory a test sits in."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
VECTORS = TESTS / "vectors"
FIXTURES = ROOT / "fixtures" / "records"
