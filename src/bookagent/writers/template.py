"""The offline writer: varied, grounded posts from phrase templates, with no network and no key.

Each post type has openers, bodies and calls to action (`template_phrases`); a seeded
`random.Random` picks a combination, fills it only with the profile's own words (quotes and
reviews verbatim, the launch date and events as human dates, the price and awards as given), adds
a link and hashtags, and then checks the *final* text with `check_draft` for the day it is written
for (`WriteConstraints.on`, else today in the book's timezone), which sets its launch phase.

What may be used at all is decided once per profile (`template_material`, `template_rules`):
no emoji, "!" (rewritten to ".") or banned phrase, comparison or spoiler where the author forbids
them, never a relative or short date, no claim but the profile's awards; a post of a phase with
required words gets a call to action that holds one. Too long? It drops optional parts (emoji and
opener, call to action, extra hashtags, link) and, failing that, tries another combination; it
never cuts text. Then come short last-resort posts (the title and author); when even those
cannot pass (the requested type's material is too long for the platform, or every post of it
repeats a recent one) it writes another type that can, and says so.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import threading
from collections import Counter
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bookagent.domain.near_duplicates import find_same_wording
from bookagent.domain.ports import Angle
from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Phase
from bookagent.domain.profile import launch_phase
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.domain.validation import find_near_duplicate
from bookagent.domain.violation import ValidationReport
from bookagent.platforms import UNITS
from bookagent.platforms import PlatformRules
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from bookagent.platforms.hashtags import post_entities
from bookagent.platforms.threads import THREAD_PLATFORMS
from bookagent.platforms.threads import post_size
from bookagent.platforms.threads import thread_posts
from bookagent.writers import template_phrases as phrases
from bookagent.writers.template_formats import PIN_TITLE_MAX
from bookagent.writers.template_formats import Parts
from bookagent.writers.template_formats import format_of
from bookagent.writers.template_formats import iter_variants
from bookagent.writers.template_material import Facts
from bookagent.writers.template_material import Material
from bookagent.writers.template_material import Phrases
from bookagent.writers.template_material import fields
from bookagent.writers.template_material import hashtag_candidates
from bookagent.writers.template_material import resolve
from bookagent.writers.template_phrases import POST_TYPES
from bookagent.writers.template_rules import WriterRules
from bookagent.writers.template_rules import required_ctas
from bookagent.writers.template_rules import writer_day
from bookagent.writers.template_words import OPENING_READ as _OPENING_READ
from bookagent.writers.template_words import opening

__all__ = [
    "POST_TYPES",
    "TemplateWriter",
    "hashtag_candidates",
    "resolve_post_type",
]

_COMBINATIONS_TRIED = 24
#: How many of the platform's newest posts a new one avoids sharing a line with.
_FRESH_WINDOW = 12
#: A post may open with the same three words as this many of its platform's recent posts.
_OPENINGS_REPEATED = 2
#: How many other post types may stand in when neither the requested type's posts nor the
#: last-resort ones pass; `_GENERIC_TYPES` need the least material (title, author, genre, blurb).
_STAND_INS = 5
#: Combinations of the requested type, of the first type that may stand in for it, and of each
#: other stand-in, that may repeat a recent post before the next type is tried. Measured on the
#: generation benchmark (a book of one quote, one review and a one-sentence blurb, whose quote
#: posts all repeat the last one): a write whose requested type had repeated 12 times kept it
#: one time in eight, and searching on (to all 24 combinations, and 12 for every stand-in) took
#: a third of the writer's time. The first stand-in is the closest to what was asked (a review
#: for a quote post); the learning benchmark lost 2% of its engagement when it was left as soon
#: as the others.
_REQUESTED_REPEATS = 16
_FIRST_STAND_IN_REPEATS = 12
_REPEATS_TOLERATED = 4
_GENERIC_TYPES = (
    "reader_question",
    "hook_question",
    "excerpt_teaser",
    "behind_the_scenes",
    "theme_spotlight",
    "fun_fact",
)


def resolve_post_type(
    book: BookProfile, post_type: str, on: date | None = None
) -> tuple[str, str | None]:
    """The post type to write for `book` on day `on` (default: its today) and, when it had to
    fall back, the reason why."""
    day = writer_day(book.timezone, on)
    rules = WriterRules.of(book.rules, Grounding.from_book(book))
    return resolve(Facts.of(book, rules), post_type, day, launch_phase(book.launch_date, day))


@dataclass(frozen=True)
class _Plan:
    """What every candidate of one write shares."""

    post_type: str
    material: Material
    platform: PlatformRules
    day: date
    phase: Phase
    #: Calls to action carrying one of the phase's required words (none if it has none).
    required: tuple[str, ...]
    #: The post types to write, in turn: `post_type`, then the others that may stand in for it.
    types: tuple[str, ...]
    #: The platform's newest posts, joined: parts they hold are used again only when no other
    #: will do, so that two posts share as few lines as the material allows.
    recent: str = ""
    #: How the platform's recent posts open (`opening`), and how often each.
    openings: Counter[str] = dataclasses.field(default_factory=Counter)
    #: Which of its batch's posts of the requested type this one is, if it has siblings.
    angle: Angle | None = None

    #: `fresh` of the material's own tables (hooks, closers), kept for the write: the same
    #: for each of its candidates.
    _fresh: dict[tuple[str, ...], list[str]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    def opens_fresh(self, text: str) -> bool:
        """Whether a post opening with `text` opens like fewer than `_OPENINGS_REPEATED` of the
        platform's recent posts."""
        return self.openings[opening(text)] < _OPENINGS_REPEATED

    def opens_fresh_with(self, opener: str, body: str) -> bool:
        """`opens_fresh(f"{opener} {body}")`, without reading the body when the opener holds
        the three opening words itself (a word ends at the space between them)."""
        head = opening(opener)
        if head.count(" ") >= 2 and len(opener) <= _OPENING_READ:
            return self.openings[head] < _OPENINGS_REPEATED
        return self.opens_fresh(f"{opener} {body}")

    def fresh(self, options: Sequence[str]) -> list[str]:
        """The `options` none of the newest posts holds; all of them if each is held."""
        if isinstance(options, tuple):
            known = self._fresh.get(options)
            if known is None:
                known = self._fresh.setdefault(options, self._fresh_of(options))
            return list(known)
        return self._fresh_of(options)

    def fresh_hooks(self) -> list[str]:
        """The material's hooks (a long post's first line) that are `fresh` and open fresh."""
        return [h for h in self.fresh(self.material.phrases.hooks) if self.opens_fresh(h)]

    def _fresh_of(self, options: Sequence[str]) -> list[str]:
        unused = [text for text in options if text not in self.recent]
        return unused or list(options)


class TemplateWriter:
    """Writes posts offline from phrase templates; deterministic per seed, attempt and day."""

    name = "template"
    model = "template-v1"
    #: Profiles whose material is kept; deriving it costs more than writing a post.
    material_cache_size = 64

    def __init__(self) -> None:
        # Keyed by the profile's repr, which holds its id and every field: an edited profile
        # is a new key, so cached material never outlives the words it was derived from.
        self._material: dict[str, Material] = {}
        self._lock = threading.Lock()
        # The last profile object written for, with its mutable parts as they were and its
        # material: a batch passes one profile object for every post, and the repr of a large
        # profile costs more than writing a post (~1 ms).
        self._last: tuple[BookProfile, _Mutable, Material] | None = None

    def _material_for(self, book: BookProfile) -> Material:
        last = self._last
        if last is not None and last[0] is book and last[1] == _mutable_parts(book):
            return last[2]
        key = repr(book)
        material = self._material.get(key)
        if material is None:
            material = Material.of(book)
            with self._lock:
                while len(self._material) >= self.material_cache_size:
                    del self._material[next(iter(self._material))]
                self._material[key] = material
        self._last = (book, _mutable_parts(book), material)
        return material

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        """Write one draft that fits `constraints` and passes `check_draft`, if any can."""
        rules = _rules_for(constraints)
        material = self._material_for(book)
        day = writer_day(book.timezone, constraints.on)
        phase = launch_phase(book.launch_date, day)
        post_type, reason = resolve(material.facts, constraints.post_type, day, phase)
        required = _required_ctas(material, phase)
        types = _stand_ins(material.facts, post_type, day, phase)
        newest = "\n".join(constraints.avoid[-_FRESH_WINDOW:])
        layout = format_of(rules.name)
        # How the platform's recent posts open: a post opens with the same three words as at
        # most `_OPENINGS_REPEATED` of them, if any candidate does.
        # (`map`: the cached `opening` called from C; only a pin's opening is not its text's.)
        avoided = constraints.avoid
        starts = [_opening_of(t, layout) for t in avoided] if layout == "pin" else avoided
        openings = Counter(map(opening, starts))
        plan = _Plan(
            post_type,
            material,
            rules,
            day,
            phase,
            required,
            types,
            newest,
            openings,
            constraints.angle,
        )
        key = [book.id, rules.name, constraints.post_type, constraints.seed, constraints.attempt]
        rng = random.Random("|".join(map(str, [*key, *constraints.feedback])))

        recent = _Recent(constraints.avoid, constraints.elsewhere)

        def gate(text: str) -> ValidationReport:
            return _check(book, rules, text, recent, material.grounding, day)

        tried = 0
        last: tuple[str, str, ValidationReport | None] | None = None
        repeats = _Repeats(types)
        for template_id, text in _candidates(plan, rng, repeats):
            tried += 1
            # Most candidates that fail are too long (long material on a short platform) or
            # near-duplicates: rule those out cheaply before the full gate.
            if post_size(rules, text).length > rules.max_length:
                last = (template_id, text, None)
                continue
            if not plan.opens_fresh(_opening_of(text, layout)):
                last = (template_id, text, None)
                continue
            if recent.repeated_by(text):
                last = (template_id, text, None)
                repeats.add(template_id)
                continue
            report = gate(text)
            last = (template_id, text, report)
            if report.ok:
                break
        assert last is not None  # _candidates always yields the last-resort posts
        template_id, text, final = last
        report = gate(text) if final is None else final  # none went to the gate: the last one's
        # Why the post is not of the requested type: the profile lacks what it needs ("lacks":
        # a countdown after the launch), or every post of it failed the gate today ("gate": its
        # quotes all went out lately). The learning plan leaves out only the first kind.
        cause = "lacks" if reason else None
        written = template_id.split("/")[0]
        if written != post_type and written in POST_TYPES:
            why = f"no {post_type} post passed the gate on {rules.name}; wrote {written} instead"
            reason = f"{reason}; {why}" if reason else why
            cause = cause or "gate"
            post_type = written
        hashtags, links = post_entities(rules.name, text)
        metadata: dict[str, object] = {
            "template_id": template_id,
            "requested_post_type": constraints.post_type,
            "fallback_reason": reason,
            "fallback_cause": cause,
            "candidates_tried": tried,
            "attempt": constraints.attempt,
            "phase": phase,
            "category": material.category,
            "format": "thread" if len(thread_posts(rules, text)) > 1 else layout,
            "validation": report.to_dict(),
        }
        if layout == "pin":
            metadata["pin"] = _pin(text, material.facts)
        return Draft(
            content=text,
            platform=rules.name,
            post_type=post_type,
            provider=self.name,
            model=self.model,
            prompt_hash=_prompt_hash(template_id, constraints.seed),
            hashtags=hashtags,
            links=links,
            metadata=metadata,
        )


#: A profile's parts that can change without a new profile object: its two mappings (a frozen
#: dataclass holds them by reference). Every other field is immutable.
_Mutable = tuple[tuple[tuple[str, str | None], ...], tuple[tuple[str, tuple[str, ...]], ...]]


def _mutable_parts(book: BookProfile) -> _Mutable:
    return tuple(book.links.items()), tuple(book.rules.required_words.items())


def _opening_of(text: str, layout: str) -> str:
    """Where a post's opening words are: a pin opens after its title line (every pin's title
    names the book)."""
    return text.partition("\n\n")[2] or text if layout == "pin" else text


def _pin(text: str, facts: Facts) -> dict[str, str | None]:
    """A pin's title, description and destination link (a shop's link, else the book's)."""
    title, _, description = text.partition("\n\n")
    if len(title) > PIN_TITLE_MAX or not description:  # a last resort: one line
        title, description = "", text
    link = next(iter(facts.shops or facts.links), None)
    return {"title": title or None, "description": description, "link": link}


class _Recent:
    """The posts a draft must not repeat, as the gate compares them, prepared once a write.

    The gate holds a draft to both measures of repetition against its own platform's posts
    (`WriteConstraints.avoid`, the gate's `recent`), and to the wording alone against the other
    platforms' (`elsewhere`). The writer's last check is the gate's own, on the same texts, so
    `write_one`'s check of the draft is answered from the gate's caches.
    """

    def __init__(self, own: tuple[str, ...], others: tuple[str, ...]) -> None:
        self.own, self.others = own, others

    def repeated_by(self, text: str) -> bool:
        """Whether `text` repeats one of them as the gate would say (a cheap test, done first).

        The gate's own functions, on the same texts and thresholds: they keep their answers, so
        the gate's check of the candidate that passes here does not compare it again.
        """
        if find_near_duplicate(text, self.own) is not None:
            return True
        return find_same_wording(text, self.others) is not None


def _check(
    book: BookProfile,
    rules: PlatformRules,
    text: str,
    recent: _Recent,
    grounding: Grounding,
    day: date,
) -> ValidationReport:
    """`check_draft` of `text` as an unscheduled post of `day` (which sets its launch phase)."""
    return check_draft(
        book,
        rules,
        text,
        recent=recent.own,
        elsewhere=recent.others,
        grounding=grounding,
        today=day,
    )


def _stand_ins(facts: Facts, post_type: str, day: date, phase: Phase) -> tuple[str, ...]:
    """`post_type`, then up to `_STAND_INS` types to write when neither its posts nor the
    last-resort ones pass (its material is too long for the platform, or every post of it repeats
    a recent one)."""
    _, instead = phrases.FALLBACKS.get(post_type, ("", ()))
    others = (k for k in (*instead, *_GENERIC_TYPES) if facts.has_data_for(k, day, phase))
    return tuple(dict.fromkeys([post_type, *others]))[: 1 + _STAND_INS]


class _Repeats:
    """The candidates of one write that repeat a recent post, which steer the next ones.

    A combination whose fullest variant repeats a recent post is left (its shorter variants only
    share more of their words with it), and so is a type once `_REPEATS_TOLERATED` of its
    combinations did (`_REQUESTED_REPEATS` for the requested type, `_FIRST_STAND_IN_REPEATS` for
    the first that may stand in): it has no new material left for this platform.
    """

    def __init__(self, types: tuple[str, ...]) -> None:
        self.limits = dict(zip(types, (_REQUESTED_REPEATS, _FIRST_STAND_IN_REPEATS), strict=False))
        self.combination = ""
        self.per_type: Counter[str] = Counter()

    def add(self, template_id: str) -> None:
        """Note that the candidate `template_id` repeats a recent post."""
        self.combination = template_id
        self.per_type[template_id.split("/")[0]] += 1

    def exhausted(self, post_type: str) -> bool:
        """Whether `post_type` should give way to the next type."""
        return self.per_type[post_type] >= self.limits.get(post_type, _REPEATS_TOLERATED)


def _candidates(plan: _Plan, rng: random.Random, repeats: _Repeats) -> Iterator[tuple[str, str]]:
    """The requested type's combinations and their shorter variants, then the combinations of
    the types that may stand in, and only then the last-resort posts (the title, the author, a
    required word): a post that says nothing but "Say hello to <title>." is what no author would
    publish, so it comes after a review standing in for a quote post whose quotes all went out
    lately, and is only for a platform too tight for any real post."""
    requested, *stand_ins = plan.types
    yield from _combinations(plan, requested, rng, repeats)
    for post_type in stand_ins:
        yield from _combinations(plan, post_type, rng, repeats)
    yield from _last_resorts(plan, rng)


def _combinations(
    plan: _Plan, post_type: str, rng: random.Random, repeats: _Repeats
) -> Iterator[tuple[str, str]]:
    """Combinations of `post_type`, each fullest first, then its shorter variants."""
    material, rules = plan.material, plan.platform
    table, facts, author = material.phrases, material.facts, material.rules
    layout = format_of(rules.name)
    low = rules.hashtags_min
    high = max(low, min(rules.hashtags_max, _TAGS_WANTED.get(layout, 3)))
    openers, bodies, ctas = (t[post_type] for t in (table.openers, table.bodies, table.ctas))
    if post_type in phrases.PHASE_ENDED:
        ctas = table.phase_ctas[plan.phase]
    angle = plan.angle if post_type == plan.types[0] else None
    for n in range(_COMBINATIONS_TRIED):
        if repeats.exhausted(post_type):
            return
        values = facts.pick(rng, plan.day, plan.phase)
        fill = [(i, body) for i, body in bodies if fields(body) <= values.keys()]
        if not fill:
            break
        if n == 0 and angle is not None:
            b, body_template = _angled(fill, post_type, angle)
        else:
            b, body_template = rng.choice(fill)
        used = fields(body_template)
        named = used & {"title", "theme"}  # say each only once
        body = body_template.format(**values)
        if measure(rules.name, body, rules) > rules.max_length:
            continue  # every variant holds the body: none can fit
        fresh = plan.fresh
        # An opener (a hook, in a long post) that makes the post open unlike its recent posts.
        # Never one the body echoes ("Coming up." before "Coming up on 6 March: …").
        unechoed = [(i, op) for i, op in openers if opening(op, 2) != opening(body, 2)] or openers
        o, opener = rng.choice(
            [(i, op) for i, op in unechoed if plan.opens_fresh_with(op, body)] or unechoed
        )
        needs_word = bool(plan.required) and not author.has_required(plan.phase, body)
        pool = (
            [(f"r{i}", cta) for i, cta in enumerate(plan.required)]
            if needs_word
            else [(str(i), cta) for i, cta in ctas]
        )
        pool = [(i, cta) for i, cta in pool if fields(cta) <= values.keys() - named]
        # A post whose opening has not named the book ends by naming it ("Pre-order The Quiet
        # Hours."), not with an "it" that nothing in the post refers to.
        title = values.get("title", "")
        title_named = not title or title in body or title in opener
        if not title_named:
            pool = [(i, cta) for i, cta in pool if "title" in fields(cta)] or pool
        if not pool:
            continue
        c, cta_template = rng.choice(pool)
        cta = cta_template.format(**values)
        emoji = rng.choice(table.emoji) if layout != "long" or rng.random() < 0.3 else ""
        threaded = rules.name in THREAD_PLATFORMS and rng.random() < _THREAD_SHARE
        form = "thread" if threaded else layout
        parts = Parts(
            head=" ".join(p for p in (emoji, opener) if p),
            body=body,
            cta=cta,
            link=_link_line(post_type, facts, table, rules, plan.phase, rng, cta),
            tags=_choose_tags(_tags_for(material.tags, rules.name), rng.randint(low, high), rng),
            sep=rng.choice(("\n\n", "\n\n", " ")),
            hook=_one(plan.fresh_hooks(), rng) if layout == "long" and rng.random() < 0.8 else "",
            support=_supports(facts, values, used, form, rng, plan, title_named),
            closer=_one(fresh(table.closers), rng),
            pin_title=_pin_title(values, rng) if layout == "pin" else "",
        )
        template_id = f"{post_type}/b{b}/o{o}/c{c}"
        kept = cta if needs_word else ""  # a required word is never dropped
        for text in iter_variants(form, parts, kept, low):
            yield template_id, text
            if repeats.combination == template_id:
                break


def _angled(fill: Sequence[tuple[int, str]], post_type: str, angle: Angle) -> tuple[int, str]:
    """The first combination's body for a post with siblings of its type in its batch: each
    sibling starts `index` bodies on from a start the batch shares (its `key`), so that posts
    written at once, which cannot see each other, start from different bodies."""
    start = random.Random(f"{angle.key}|{post_type}").randrange(len(fill))
    return fill[(start + angle.index) % len(fill)]


def _one(options: Sequence[str], rng: random.Random) -> str:
    return rng.choice(options) if options else ""


def _preorder(text: str) -> bool:
    folded = text.casefold()
    return "pre-order" in folded or "preorder" in folded


#: Hashtags a post of each layout carries at most (within the platform's own limits).
#: Supporting lines per layout (a short post's one, half the time; none in a pin).
_SUPPORTS_WANTED = {"long": 3, "thread": 3}
#: The share of X and Bluesky posts written as a thread, when their material makes one.
_THREAD_SHARE = 0.3
_TAGS_WANTED = {"short": 3, "long": 3, "caption": 5, "pin": 3, "conversational": 2}
#: Supporting lines of a long post (and one of a caption or a conversational post), by the
#: fields they need; a line is left out when the body already used its field.
_SUPPORTS = (
    ("“{review}”\n— {source}", "review"),
    ("One reader wrote: “{reader_review}”", "review"),
    ("{award}.", "award"),
    ("A line from the book: “{quote}”", "quote"),
    ("{sentence}", "sentence"),
)
_THEME_SUPPORT = {
    "fiction": "It is a story about {theme} and {theme2}.",
    "children": "It is a gentle story about {theme} and {theme2}.",
    "nonfiction": "It is a book about {theme} and {theme2}.",
}


def _supports(
    facts: Facts,
    values: dict[str, str],
    used: frozenset[str],
    layout: str,
    rng: random.Random,
    plan: _Plan,
    title_named: bool = True,
) -> tuple[str, ...]:
    """Up to three supporting lines for a long layout or a thread, one for the others (half the
    time for a short post), none for a pin. `title_named`: whether the post names the book
    before them (else the theme line names it rather than saying "It is")."""
    if layout == "pin" or (layout == "short" and rng.random() < 0.5):
        return ()
    said = {"review" if f in ("review", "reader_review", "source") else f for f in used}
    by_field = {  # one line per field: a review is not shown twice
        field: template.format(**values)
        for template, field in reversed(_SUPPORTS)
        if field not in said and fields(template) <= values.keys()
    }
    lines = list(by_field.values())
    if "theme" not in used and "theme2" not in used and "theme2" in values:
        line = _THEME_SUPPORT[facts.category]
        if not title_named:  # "It is a story about..." needs the book named before it
            line = line.replace("It is", "{title} is", 1)
        lines.append(line.format(**values))
    rng.shuffle(lines)
    unused = plan.fresh(lines)  # lines the newest posts did not hold come first
    ordered = [*unused, *(line for line in lines if line not in unused)]
    return tuple(ordered[: _SUPPORTS_WANTED.get(layout, 1)])


#: A pin's title forms, the richest first; those whose fields the book has are drawn from.
_PIN_TITLES = (
    "{title}, {genre_one} about {theme}",
    "{title}: {genre_one} by {author}",
    "{title} by {author}",
    "{title}",
)


def _pin_title(values: dict[str, str], rng: random.Random) -> str:
    """A pin's title line: the book and what kind of book it is, in at most 100 characters,
    from the fields the profile has (its rules may leave nothing of an author or a title)."""
    forms = [form for form in _PIN_TITLES if fields(form) <= values.keys()]
    if not forms:
        return ""  # the rules left nothing of the title: the pin opens with its description
    first = rng.randrange(len(forms) - 1) if len(forms) > 1 else 0
    for form in forms[first:]:
        title = form.format(**values)
        if len(title) <= PIN_TITLE_MAX:
            return title
    return values["title"][:PIN_TITLE_MAX]


def _last_resorts(plan: _Plan, rng: random.Random) -> Iterator[tuple[str, str]]:
    """Short posts that fit every platform: the title or author, and a required word."""
    material = plan.material
    base = material.facts.base
    tags = _tags_for(material.tags, plan.platform.name)[::-1]  # generic first
    minimal = _choose_tags(tags, plan.platform.hashtags_min, rng)
    for i, template in material.phrases.last_resorts:
        if not fields(template) <= base.keys():
            continue
        body = template.format(**base)
        cta = ""
        if plan.required and not material.rules.has_required(plan.phase, body):
            free = base.keys() - fields(template)
            cta = next((c for c in plan.required if fields(c) <= free), "")
            cta = cta.format(**base)
        yield f"last_resort/b{i}", _compose("", body, cta, "", minimal, " ")


@lru_cache(maxsize=256)
def _required_ctas_of(words: tuple[str, ...]) -> tuple[str, ...]:
    return required_ctas(words)


def _required_ctas(material: Material, phase: Phase) -> tuple[str, ...]:
    """The calls to action holding one of `phase`'s required words that the rules allow (kept
    with the material: they depend on nothing else)."""
    known = material.required_ctas.get(phase)
    if known is None:
        known = material.required_ctas.setdefault(phase, _allowed_ctas(material.rules, phase))
    return known


def _allowed_ctas(rules: WriterRules, phase: Phase) -> tuple[str, ...]:
    if not rules.rules.required_words.get(phase):
        return ()
    return tuple(c for c in _required_ctas_of(rules.required_words(phase)) if rules.allows(c))


def _compose(head: str, body: str, cta: str, link: str, tags: tuple[str, ...], sep: str) -> str:
    return next(iter_variants("short", Parts(head, body, cta, link, tags, sep), cta, len(tags)))


def _link_line(
    post_type: str,
    facts: Facts,
    table: Phrases,
    rules: PlatformRules,
    phase: Phase,
    rng: random.Random,
    cta: str = "",
) -> str:
    """A link with a label in the launch phase's words ("Pre-order:" before the launch, unless
    the post's call to action `cta` says it already), a "link in bio" line where a post's links
    do not open, or nothing. A post that asks readers to pre-order always says where, and a
    label never repeats the call to action ("Get your copy." then "Get your copy: <link>")."""
    said_preorder = _preorder(cta)
    chance = 1.0 if said_preorder else phrases.LINK_CHANCE.get(post_type, 0.0)
    if not facts.links or rng.random() >= chance:
        return ""
    if format_of(rules.name) == "pin":
        return ""  # a pin's link is its destination, not a line of its text
    if not rules.links_clickable:
        return rng.choice(table.bio_lines) if table.bio_lines else ""
    url = rng.choice(facts.shops or facts.links)
    labels = table.link_labels.get(phase, ())
    if phase != "pre_launch" or said_preorder:
        labels = ("",) if said_preorder else (*labels, "")
    if cta:
        labels = tuple(label for label in labels if not label or opening(label) != opening(cta))
    label = rng.choice(labels) if labels else ""
    return f"{label} {url}" if label else url


@lru_cache(maxsize=256)
def _tags_for(tags: tuple[str, ...], platform: str) -> tuple[str, ...]:
    """`tags` without those of another network's community (`NETWORK_TAGS`)."""
    return tuple(t for t in tags if phrases.NETWORK_TAGS.get(t.casefold(), platform) == platform)


def _choose_tags(tags: tuple[str, ...], count: int, rng: random.Random) -> tuple[str, ...]:
    """`count` tags, mostly from the front of `tags` but shuffled so posts vary."""
    window = list(tags[: max(count * 2, count + 2)])
    rng.shuffle(window)
    return tuple(window[:count])


def _rules_for(constraints: WriteConstraints) -> PlatformRules:
    c = constraints
    return _limited_rules(c.platform, c.max_length, c.length_unit, c.hashtags_min, c.hashtags_max)


@lru_cache(maxsize=256)
def _limited_rules(
    platform: str, max_length: int, length_unit: str, hashtags_min: int, hashtags_max: int
) -> PlatformRules:
    rules = get_rules(platform)
    unit = next((u for u in UNITS if u == length_unit), rules.unit)
    return dataclasses.replace(
        rules,
        max_length=max_length,
        unit=unit,
        hashtags_min=hashtags_min,
        hashtags_max=hashtags_max,
    )


def _prompt_hash(template_id: str, seed: int) -> str:
    return hashlib.sha256(f"{template_id}:{seed}".encode()).hexdigest()
