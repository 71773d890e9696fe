"""Drafts whose verdict is arguable: run and reported with the verdict we lean to, not asserted.

Each carries the reason in `debatable`; the gate's owner decides, and a settled case moves to
the asserted corpus.
"""

from __future__ import annotations

from datetime import date

from tests.adversarial.cases import Case
from tests.adversarial.cases import bad
from tests.adversarial.cases import ok

AMZ = "https://www.amazon.com/dp/B0QUIET123"
TAG = "#TheQuietHours"

# The cases are a table: one per entry, kept compact rather than one argument a line.
# fmt: off
DEBATABLE_CASES: list[Case] = [
    ok("number", "thriller", "twitter", f"A 300-page novel of one night shift. Pre-order. {TAG}",
       debatable="the page count is not in the profile, but it is no claim the gate checks"),
    ok("quote", "thriller", "twitter",
       f'Iris has a "perfect" life until the intercom speaks. Pre-order now. {TAG}',
       debatable="a one-word scare quote: no one is quoted, yet the prompt forbids it"),
    ok("quote", "thriller", "twitter",
       f"A story about “grief” and “guilt”. Pre-order The Quiet Hours. {TAG}",
       debatable="key themes in quotation marks"),
    ok("readers", "picture", "bluesky",
       "Parents say: “My four-year-old asks for it every single night.” 🦉 #KidLit",
       debatable="a reader review presented as what parents say"),
    bad("attribution", "thriller", "twitter", f"Critics are raving. Pre-order now. {TAG}",
        debatable="the profile has positive critic reviews; 'raving' overstates them"),
    bad("banned_phrase", "thriller", "twitter",
        f"A page turner about grief. Pre-order The Quiet Hours. {TAG}",
        debatable="'page turner' without the hyphen of the banned 'page-turner'"),
    bad("banned_phrase", "business", "twitter", "A game changer for founders. #PatientFounder",
        debatable="'game changer' without the hyphen of the banned 'game-changer'"),
    bad("required_word", "thriller", "twitter", f"Pre order The Quiet Hours now. {TAG}",
        debatable="'pre order' with a space: the required word, spelled loosely"),
    ok("phase", "thriller", "twitter", f"Have you pre-ordered The Quiet Hours yet? {TAG}",
       debatable="'pre-ordered' inflects the required 'pre-order'"),
    ok("phase", "thriller", "twitter", f"Preordering is open for The Quiet Hours. {TAG}",
       debatable="'Preordering' holds 'preorder' as a prefix"),
    bad("spoiler", "thriller", "twitter",
        f"What if she faked her own death? Pre-order The Quiet Hours. {TAG}",
        debatable="the spoiler 'faked her death' with a word inserted"),
    ok("relative_date", "thriller", "twitter",
       f"Only 3 days left to pre-order The Quiet Hours. {TAG}", scheduled_on=date(2027, 2, 28),
       debatable="a true countdown (28 Feb + 3 = launch); the prompt says not to count days"),
    bad("award", "thriller", "twitter",
        f"The most anticipated thriller of 2027. Pre-order The Quiet Hours. {TAG}",
        debatable="an unsourced superlative, not a list the gate knows"),
    bad("injection", "injected", "twitter",
        "The Glass Orchard by Leona Marsh. #GlassOrchard #NYTBestseller",
        debatable="the claim is one of the profile's own hashtags"),
    ok("award", "business", "twitter", "From bestselling author Dana Okafor. #PatientFounder",
       debatable="a Wall Street Journal bestseller makes its author a bestselling author?"),
    ok("award", "business", "twitter", "A WSJ bestseller. #PatientFounder",
       debatable="the award abbreviated"),
    bad("link", "thriller", "twitter", f"Pre-order: https://www.amazon.co.uk/dp/B0QUIET123 {TAG}",
        debatable="a real Amazon store, but not a host the profile links to"),
    bad("quote", "thriller", "twitter",
        f"“Some silences are not louder than screams.” Pre-order The Quiet Hours. {TAG}",
        debatable="a real quote with its meaning inverted; fuzzy matching accepts it"),
    ok("comparison", "business", "linkedin",
       "When patience meets discipline, companies last. #PatientFounder",
       debatable="'X meets Y' with no title in it"),
    bad("price", "thriller", "twitter", f"The Quiet Hours is on sale now. Pre-order. {TAG}",
        debatable="'on sale' means 'for sale' as often as 'discounted'"),
    ok("quote", "thriller", "twitter",
       f"「沈黙は悲鳴よりも大きい」— Nora Vale. Pre-order The Quiet Hours. {TAG}",
       debatable="a translation of a real quote"),
    bad("date", "thriller", "twitter",
        f"Join Nora Vale this Saturday at 7pm at Riverside Books. {TAG}",
        scheduled_on=date(2027, 3, 4),
        debatable="the event's day is right; its time is not in the profile"),
    ok("relative_date", "thriller", "twitter",
       f"Launch reading at Riverside Books this weekend. {TAG}", scheduled_on=date(2027, 3, 4),
       debatable="a weekend holds the event's day"),
    bad("near_duplicate", "thriller", "twitter",
        "Iris Cole works nights as a nurse, and her dead sister speaks to her through the "
        f"hospital intercom. Pre-order The Quiet Hours now: {AMZ} #TheQuietHours",
        recent=(
            "Night-shift nurse Iris Cole hears her dead sister on the hospital intercom. "
            f"Pre-order The Quiet Hours now: {AMZ} #TheQuietHours",
        ),
        debatable="a real paraphrase: same post, different words"),
]
# fmt: on
