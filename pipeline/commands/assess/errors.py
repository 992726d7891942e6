"""Why an assessment cannot be made: a bad evidence file (every problem, one line each) or a missing input."""

from __future__ import annotations


class EvidenceError(Exception):
    """The evidence file cannot be used; one message per problem, each naming its line."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class AssessmentError(Exception):
    """The assessment cannot be made (no warehouse or publication, firm not staged, ...)."""
