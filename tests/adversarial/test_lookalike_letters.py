"""Words of the gate's and the voice rules' patterns spelled with the letters `re` matches to
ASCII ones under IGNORECASE (İ ı ſ K) and in any case: every check answers, none raises.

Casefolding "İNR" gives "i̇nr" and "ınformal" stays as it is: a lookup of the matched word by
its casefolded spelling once raised a KeyError in the price codes and the voice levels (a 500
from the measure route and from saving a profile).
"""

from __future__ import annotations

import re

from bookagent.domain import attributions
from bookagent.domain import claims
from bookagent.domain import offers
from bookagent.domain import relative_dates
from bookagent.domain import voice_choices
from bookagent.domain import voice_rules
from bookagent.domain.validation import check_draft
from bookagent.domain.voice_rules import infer_rules
from bookagent.platforms import get_rules
from tests.adversarial.profiles import PROFILES


def pattern_words() -> list[str]:
    """The lowercase words in the sources of the modules' compiled patterns."""
    found: set[str] = set()
    for module in (attributions, claims, offers, relative_dates, voice_choices, voice_rules):
        for value in vars(module).values():
            source = getattr(value, "pattern", None)
            if isinstance(source, str):
                found.update(re.findall(r"[a-z]{2,}", source))
    return sorted(found)


#: Each look-alike spelling: every "i" (or "s", "k") of a word written as one of these.
LOOKALIKES = (("i", "İ"), ("i", "ı"), ("s", "ſ"), ("k", "\u212a"))
#: Where a pattern's word stands: after or before a number, in a voice rule, before a quote.
PLACES = ("{} 40", "Only {} 4.99.", "40 {}", "Keep it {}.", "A {} tone.", "{} says: “A gem.”")


def spellings() -> list[str]:
    """Every pattern word with a look-alike letter, once per look-alike, in capitals too."""
    found = []
    for word in pattern_words():
        for plain, lookalike in LOOKALIKES:
            if plain in word:
                spelled = word.replace(plain, lookalike)
                found += [spelled, spelled.upper()]
    return found


def test_every_check_answers_every_lookalike_spelling() -> None:
    profile = PROFILES[sorted(PROFILES)[0]]
    rules = get_rules("facebook")
    for word in spellings():
        for place in PLACES:
            text = place.format(word)
            report = check_draft(profile, rules, text)
            assert report.ok in (True, False), text
            assert isinstance(infer_rules(text, text), list), text
