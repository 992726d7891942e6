"""`python -m pipeline assess`: a prefecture's nomination of a firm, assessed against its evidence.

A prefecture may nominate a firm that is not on the candidate list, with evidence (証憑) of
its real transactions. The assessment replaces the firm's rows in the year's network with the
evidence, recomputes the degrees of its prefecture (contract §3; the SQL is in pipeline/commands/sql/assess/),
applies the rule recorded for the year, and says what changed against the vendor data. It is
written to DATA_MARTS_DIR/assessments/<year>/ (outside the release folders, which every
publication replaces) and recorded in the audit trail: a line of assessments.jsonl there and a
row of the warehouse table `assessments`. The vendor data and the publication stay as they are.

Decisions: a counterparty that is a staged firm of the year is placed in its registered
prefecture whatever the evidence says (a differing prefecture is a warning); a counterparty
that is not a staged firm counts only in the assessed firm's own numerators (the denominators
stay over staged firms, as the contract says); exports stay as staged.
"""

from pipeline.commands.assess.command import add_parser, command
from pipeline.commands.assess.decision import verdict
from pipeline.commands.assess.errors import AssessmentError, EvidenceError
from pipeline.commands.assess.evidence import read_evidence
from pipeline.commands.assess.records import run_assessment

__all__ = [
    "AssessmentError",
    "EvidenceError",
    "add_parser",
    "command",
    "read_evidence",
    "run_assessment",
    "verdict",
]
