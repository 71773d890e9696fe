"""The adversarial corpus: every case, bad and legitimate, asserted and debatable.

The cases live in `corpus_claims` (invented facts), `corpus_rules` (author rules, links,
duplicates), `corpus_legit` (drafts that must pass) and `corpus_debatable`; `profiles` holds the
books. `python -m tests.adversarial.corpus` writes the corpus as JSON lines, for reading.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date

from tests.adversarial.cases import Case
from tests.adversarial.corpus_claims import CLAIM_CASES
from tests.adversarial.corpus_debatable import DEBATABLE_CASES
from tests.adversarial.corpus_legit import LEGIT_CASES
from tests.adversarial.corpus_rules import RULE_CASES

CORPUS: tuple[Case, ...] = (*CLAIM_CASES, *RULE_CASES, *LEGIT_CASES, *DEBATABLE_CASES)
#: The cases whose verdict the tests assert.
ASSERTED: tuple[Case, ...] = tuple(c for c in CORPUS if not c.debatable)
BAD: tuple[Case, ...] = tuple(c for c in ASSERTED if c.is_bad)
LEGIT: tuple[Case, ...] = tuple(c for c in ASSERTED if not c.is_bad)
DEBATABLE: tuple[Case, ...] = tuple(c for c in CORPUS if c.debatable)


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


if __name__ == "__main__":
    for case in CORPUS:
        sys.stdout.write(json.dumps(asdict(case), ensure_ascii=False, default=_json_default))
        sys.stdout.write("\n")
