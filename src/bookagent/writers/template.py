"""The offline writer: varied, grounded posts from phrase templates, with no network and no key.

Each post type has openers, bodies and calls to action (`template_phrases`); a seeded
`random.Random` picks a combination, fills it only with the profile's own words (quotes and
reviews verbatim, the launch date and events as human dates, the price and awards as given), adds
a link and hashtags, and then checks the *final* text with `check_draft`. The author's rules
(`template_rules`) decide beforehand what may be used at all: no emoji, "!" or banned phrase
where the author forbids them, never a relative or short date, and a call to action with one of
the launch phase's required words when the post has none. Too long? It drops optional parts
(emoji and opener, call to action, extra hashtags, link) and, failing that, tries another
combination; it never cuts text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from functools import lru_cache
from string import Formatter

from bookagent.domain.near_duplicates import find_same_wording
from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Phase
from bookagent.domain.profile import launch_phase
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import check_draft
from bookagent.domain.validation import find_near_duplicate
from bookagent.domain.validation import find_ungrounded
from bookagent.domain.validation import split_sentences
from bookagent.domain.violation import ValidationReport
from bookagent.errors import InvalidInputError
from bookagent.platforms import UNITS
from bookagent.platforms import PlatformRules
from bookagent.platforms import extract_hashtags
from bookagent.platforms import extract_urls
from bookagent.platforms import get_rules
from bookagent.platforms import measure
from bookagent.writers import template_phrases as phrases
from bookagent.writers.template_phrases import POST_TYPES
from bookagent.writers.template_rules import WriterRules
from bookagent.writers.template_rules import human_date
from bookagent.writers.template_rules import required_ctas
from bookagent.writers.template_rules import writer_day

__all__ = [
    "POST_TYPES",
    "TemplateWriter",
    "draft_entities",
    "hashtag_candidates",
    "resolve_post_type",
]

_COMBINATIONS_TRIED = 24
#: Other post types tried when none of the requested type's posts passes, and the ones that need
#: the least material (only the title, author, genre or blurb).
_STAND_INS = 3
#: Combinations of one post type that may repeat a recent post before the next type is tried.
_REPEATS_TOLERATED = 12
#: How many of the newest texts in `WriteConstraints.avoid` are the platform's own (the rest are
#: other platforms'), as `bookagent.domain.generation.BatchState.avoid` orders them.
_OWN_WINDOW = 20
_GENERIC_TYPES = ("reader_question", "hook_question", "excerpt_teaser", "behind_the_scenes")
_FIELD = re.compile(r"“\{\w+\}”|\{\w+\}")
#: An option of a phrase table: its index in the table (for the template id) and its text.
_Option = tuple[int, str]


@cache
def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


@dataclass(frozen=True)
class _Phrases:
    """The phrase tables as one author's rules allow them: forbidden ones out, "!" rewritten."""

    openers: Mapping[str, tuple[_Option, ...]]
    bodies: Mapping[str, tuple[_Option, ...]]
    ctas: Mapping[str, tuple[_Option, ...]]
    emoji: tuple[str, ...]
    link_labels: tuple[str, ...]
    bio_lines: tuple[str, ...]
    last_resorts: tuple[_Option, ...]

    @classmethod
    def of(cls, rules: WriterRules) -> _Phrases:
        """The tables for `rules`; every opener and call to action table keeps its empty one."""

        def options(texts: Sequence[str]) -> tuple[_Option, ...]:
            toned = ((i, rules.tone(text)) for i, text in enumerate(texts))
            # The fields' own words are checked where they are filled (a quote or a review is
            # checked quoted): here, a neutral word stands for each.
            return tuple((i, text) for i, text in toned if rules.allows(_FIELD.sub("it", text)))

        def table(source: Mapping[str, tuple[str, ...]]) -> dict[str, tuple[_Option, ...]]:
            return {kind: options(texts) for kind, texts in source.items()}

        no_emoji = rules.rules.no_emoji
        return cls(
            openers=table(phrases.OPENERS),
            bodies=table(phrases.BODIES),
            ctas=table(phrases.CTAS),
            emoji=("",) if no_emoji else phrases.EMOJI,
            link_labels=tuple(text for _, text in options(phrases.LINK_LABELS)),
            bio_lines=tuple(dict.fromkeys(text for _, text in options(phrases.BIO_LINES))),
            last_resorts=options(phrases.LAST_RESORTS),
        )


@dataclass(frozen=True)
class _Facts:
    """The profile's words the author's rules allow, cleaned once: all a template may use."""

    base: Mapping[str, str]
    themes: tuple[str, ...]
    quotes: tuple[str, ...]
    #: (text, its source if it may be named, whether a reader wrote it)
    reviews: tuple[tuple[str, str | None, bool], ...]
    #: (blurb sentence, the sentence right after it in the blurb if usable)
    sentences: tuple[tuple[str, str | None], ...]
    links: tuple[str, ...]
    awards: tuple[str, ...]
    launch: date | None
    events: tuple[tuple[date, str], ...]

    @classmethod
    def of(cls, book: BookProfile, rules: WriterRules) -> _Facts:
        """The usable material of `book`: each piece as it would stand in a post passes the gate."""

        def usable(texts: Sequence[str | None]) -> tuple[str, ...]:
            kept = (rules.rewrite(t) for t in texts if t and t.strip())
            return tuple(dict.fromkeys(t for t in kept if t))

        base = {
            "title": book.title,
            "author": book.author,
            "genre": book.genre,
            "price": book.price,
            "audience": book.target_audience,
            "subtitle": book.subtitle,
        }
        reviews = []
        for review in book.reviews:
            text = _unquote(review.text)
            if text and rules.allows(f"“{text}”"):
                source = (review.source or "").strip()
                named = source if source and rules.allows(f"“{text}”\n— {source}") else None
                reviews.append((text, named, review.kind == "reader"))
        blurb = [rules.rewrite(s) for s in split_sentences(book.blurb)]
        events = ((e.on, rules.rewrite(e.name)) for e in book.events)
        return cls(
            base={k: t for k, v in base.items() if v and (t := rules.rewrite(v))},
            themes=usable(book.key_themes),
            quotes=tuple(q for q in _clean(book.quotes, quoted=True) if rules.allows(f"“{q}”")),
            reviews=tuple(dict.fromkeys(reviews)),
            sentences=tuple(
                (s, blurb[i + 1] if i + 1 < len(blurb) else None) for i, s in enumerate(blurb) if s
            ),
            links=tuple(u for u in sorted(book.link_urls().values()) if rules.allows(u)),
            awards=usable(book.awards),
            launch=book.launch_date,
            events=tuple(sorted((on, name) for on, name in events if name)),
        )

    def dates_on(self, day: date, phase: Phase) -> bool:
        """Whether a post on `day` has a date to name: the coming launch, or an event."""
        return (self.launch is not None and phase != "post_launch") or any(
            on >= day for on, _ in self.events
        )

    def has_data_for(self, post_type: str, day: date, phase: Phase) -> bool:
        """Whether the profile holds what `post_type` needs on `day`."""
        return {
            "theme_spotlight": bool(self.themes),
            "author_quote": bool(self.quotes),
            "review_highlight": bool(self.reviews),
            "launch_countdown": self.dates_on(day, phase),
            "retailer_cta": bool(self.links),
            "excerpt_teaser": bool(self.sentences),
            "fun_fact": bool(self.themes or self.awards)
            or {"audience", "subtitle"} & self.base.keys() != set(),
        }.get(post_type, True)

    def pick(self, rng: random.Random, day: date, phase: Phase) -> dict[str, str]:
        """A random assignment of every field the profile can fill on `day`."""
        values = dict(self.base)
        if self.themes:
            values["theme"], *rest = rng.sample(self.themes, min(2, len(self.themes)))
            values.update({"theme2": rest[0]} if rest else {})
        if self.quotes:
            values["quote"] = rng.choice(self.quotes)
        if self.reviews:
            values["review"], source, by_reader = rng.choice(self.reviews)
            values.update({"source": source} if source else {})
            values.update({"reader_review": values["review"]} if by_reader else {})
        if self.sentences:
            values["sentence"], after = rng.choice(self.sentences)
            values.update({"sentence2": after} if after else {})
        if self.awards:
            values["award"] = rng.choice(self.awards)
        if self.launch is not None and phase == "pre_launch":
            values["launch_date"] = human_date(self.launch)
        elif self.launch is not None and phase == "launch_week":
            values["launched_on"] = human_date(self.launch)
        upcoming = [event for event in self.events if event[0] >= day]
        if upcoming:
            on, values["event"] = rng.choice(upcoming)
            values["event_date"] = human_date(on)
        return values


def resolve_post_type(
    book: BookProfile, post_type: str, on: date | None = None
) -> tuple[str, str | None]:
    """The post type to write for `book` on day `on` (default: its today) and, when it had to
    fall back, the reason why."""
    day = writer_day(book.timezone, on)
    rules = WriterRules.of(book.rules, Grounding.from_book(book))
    facts = _Facts.of(book, rules)
    return _resolve(facts, post_type, day, launch_phase(book.launch_date, day))


def _resolve(facts: _Facts, post_type: str, day: date, phase: Phase) -> tuple[str, str | None]:
    if post_type not in POST_TYPES:
        raise InvalidInputError.for_field("post_type", f"must be one of {', '.join(POST_TYPES)}")
    if facts.has_data_for(post_type, day, phase):
        return post_type, None
    needs, instead = phrases.FALLBACKS[post_type]
    chosen = next(
        (kind for kind in instead if facts.has_data_for(kind, day, phase)), "hook_question"
    )
    return chosen, f"{post_type} needs {needs}, which the profile lacks; wrote {chosen} instead"


def draft_entities(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The hashtags (with `#`) and http(s) links of a final post, in order, without repeats."""
    tags = tuple(dict.fromkeys(f"#{tag}" for tag in extract_hashtags(text)))
    return tags, tuple(dict.fromkeys(extract_urls(text)))


def hashtag_candidates(
    book: BookProfile, grounding: Grounding, rules: WriterRules | None = None
) -> tuple[str, ...]:
    """Usable tags, best first: the book's own, then CamelCase genre/theme tags, then generic.

    With `rules`, tags that hold a banned phrase (or an emoji the author forbids) are left out.
    """
    own = [_camel(tag) for tag in book.hashtags]
    derived = [_camel(text) for text in (book.genre, *book.key_themes)]
    seen: set[str] = set()
    result = []
    for tag in [*own, *derived, *phrases.GENERIC_TAGS]:
        usable = tag and len(tag) <= 40 and extract_hashtags(f"#{tag}") == [tag]
        if not usable or tag.casefold() in seen:
            continue
        if rules is not None:
            usable = rules.allows_tag(tag)
        else:  # a tag holds no required word: that is the post's to hold
            found = find_ungrounded(grounding, f"#{tag}")
            usable = all(v.code == "missing_required_word" for v in found)
        if usable:
            seen.add(tag.casefold())
            result.append(tag)
    return tuple(result)


@dataclass(frozen=True)
class _Material:
    """What the writer derives from one profile before writing: its rules, facts and phrases,
    grounding and hashtags."""

    rules: WriterRules
    phrases: _Phrases
    facts: _Facts
    grounding: Grounding
    tags: tuple[str, ...]

    @classmethod
    def of(cls, book: BookProfile) -> _Material:
        grounding = Grounding.from_book(book)
        rules = WriterRules.of(book.rules, grounding)
        return cls(
            rules,
            _Phrases.of(rules),
            _Facts.of(book, rules),
            grounding,
            hashtag_candidates(book, grounding, rules),
        )


@dataclass(frozen=True)
class _Plan:
    """What every candidate of one write shares."""

    post_type: str
    material: _Material
    platform: PlatformRules
    day: date
    phase: Phase
    #: Calls to action carrying one of the phase's required words (none if it has none).
    required: tuple[str, ...]
    #: The post types to write, in turn: `post_type`, then the others that may stand in for it.
    types: tuple[str, ...]


class TemplateWriter:
    """Writes posts offline from phrase templates; deterministic per seed, attempt and day."""

    name = "template"
    model = "template-v1"
    #: Profiles whose material is kept; deriving it costs more than writing a post.
    material_cache_size = 64

    def __init__(self) -> None:
        # Keyed by the profile's repr, which holds its id and every field: an edited profile
        # is a new key, so cached material never outlives the words it was derived from.
        self._material: dict[str, _Material] = {}
        self._lock = threading.Lock()

    def _material_for(self, book: BookProfile) -> _Material:
        key = repr(book)
        material = self._material.get(key)
        if material is None:
            material = _Material.of(book)
            with self._lock:
                while len(self._material) >= self.material_cache_size:
                    del self._material[next(iter(self._material))]
                self._material[key] = material
        return material

    async def write(self, book: BookProfile, constraints: WriteConstraints) -> Draft:
        """Write one draft that fits `constraints` and passes `check_draft`, if any can."""
        rules = _rules_for(constraints)
        material = self._material_for(book)
        day = writer_day(book.timezone, constraints.on)
        phase = launch_phase(book.launch_date, day)
        post_type, reason = _resolve(material.facts, constraints.post_type, day, phase)
        required = _required_ctas(material.rules, phase)
        types = _stand_ins(material.facts, post_type, day, phase)
        plan = _Plan(post_type, material, rules, day, phase, required, types)
        key = [book.id, rules.name, constraints.post_type, constraints.seed, constraints.attempt]
        rng = random.Random("|".join(map(str, [*key, *constraints.feedback])))

        own, others = _split_avoid(constraints.avoid)

        def gate(text: str) -> ValidationReport:
            return _check(book, rules, text, own, others, material.grounding, day)

        tried = 0
        last: tuple[str, str, ValidationReport | None] | None = None
        repeats = _Repeats()
        for template_id, text in _candidates(plan, rng, repeats):
            tried += 1
            # Most candidates that fail are too long (long material on a short platform) or
            # near-duplicates: rule those out cheaply before the full gate.
            if measure(rules.name, text, rules) > rules.max_length:
                last = (template_id, text, None)
                continue
            if _repeats_one(text, own, others):
                last = (template_id, text, None)
                repeats.add(template_id)
                continue
            report = gate(text)
            last = (template_id, text, report)
            if report.ok:
                break
        assert last is not None  # _candidates always yields its last-resort posts
        template_id, text, final = last
        report = gate(text) if final is None else final  # none went to the gate: the last one's
        written = template_id.split("/")[0]
        if written != post_type and written in POST_TYPES:
            why = f"no {post_type} post passed the gate on {rules.name}; wrote {written} instead"
            reason = f"{reason}; {why}" if reason else why
            post_type = written
        hashtags, links = draft_entities(text)
        metadata = {
            "template_id": template_id,
            "requested_post_type": constraints.post_type,
            "fallback_reason": reason,
            "candidates_tried": tried,
            "attempt": constraints.attempt,
            "phase": phase,
            "validation": report.to_dict(),
        }
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


def _split_avoid(avoid: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`avoid` as (the platform's own recent posts, the other platforms' ones).

    `write_one` passes the other platforms' newest posts first and the platform's own newest
    `_OWN_WINDOW` last; the gate holds a draft to both measures of repetition against its own
    platform's posts, and to the wording alone against the others'.
    """
    return avoid[-_OWN_WINDOW:], avoid[:-_OWN_WINDOW]


def _repeats_one(text: str, own: Sequence[str], others: Sequence[str]) -> bool:
    """Whether `text` repeats a recent post as the gate sees it (a cheap test, done first)."""
    return find_near_duplicate(text, own) is not None or (
        bool(others) and find_same_wording(text, others) is not None
    )


def _check(
    book: BookProfile,
    rules: PlatformRules,
    text: str,
    own: Sequence[str],
    others: Sequence[str],
    grounding: Grounding,
    day: date,
) -> ValidationReport:
    """`check_draft` of `text` as an unscheduled post of `day` (which sets its launch phase)."""
    return check_draft(
        book, rules, text, recent=own, elsewhere=others, grounding=grounding, today=day
    )


def _stand_ins(facts: _Facts, post_type: str, day: date, phase: Phase) -> tuple[str, ...]:
    """`post_type`, then up to `_STAND_INS` types to write when none of its posts passes (its
    material is too long for the platform, or every post of it repeats a recent one)."""
    _, instead = phrases.FALLBACKS.get(post_type, ("", ()))
    others = (k for k in (*instead, *_GENERIC_TYPES) if facts.has_data_for(k, day, phase))
    return tuple(dict.fromkeys([post_type, *others]))[: 1 + _STAND_INS]


class _Repeats:
    """The candidates of one write that repeat a recent post, which steer the next ones.

    A combination whose fullest variant repeats a recent post is left (its shorter variants only
    share more of their words with it), and so is a post type once `_REPEATS_TOLERATED` of its
    combinations did: it has no new material left for this platform.
    """

    def __init__(self) -> None:
        self.combination = ""
        self.per_type: Counter[str] = Counter()

    def add(self, template_id: str) -> None:
        """Note that the candidate `template_id` repeats a recent post."""
        self.combination = template_id
        self.per_type[template_id.split("/")[0]] += 1

    def exhausted(self, post_type: str) -> bool:
        """Whether `post_type` should give way to the next type."""
        return self.per_type[post_type] >= _REPEATS_TOLERATED


def _candidates(plan: _Plan, rng: random.Random, repeats: _Repeats) -> Iterator[tuple[str, str]]:
    """Each type's combinations and their shorter variants, then last-resort posts."""
    for post_type in plan.types:
        yield from _combinations(plan, post_type, rng, repeats)
    yield from _last_resorts(plan, rng)


def _combinations(
    plan: _Plan, post_type: str, rng: random.Random, repeats: _Repeats
) -> Iterator[tuple[str, str]]:
    """Combinations of `post_type`, each fullest first, then its shorter variants."""
    material, rules = plan.material, plan.platform
    table, facts, author = material.phrases, material.facts, material.rules
    low = rules.hashtags_min
    high = max(low, min(rules.hashtags_max, 5 if rules.name == "instagram" else 3))
    openers, bodies, ctas = (t[post_type] for t in (table.openers, table.bodies, table.ctas))
    for _ in range(_COMBINATIONS_TRIED):
        if repeats.exhausted(post_type):
            return
        values = facts.pick(rng, plan.day, plan.phase)
        fill = [(i, body) for i, body in bodies if _fields(body) <= values.keys()]
        if not fill:
            break
        b, body_template = rng.choice(fill)
        o, opener = rng.choice(openers)
        named = _fields(body_template) & {"title", "theme"}  # say each only once
        body = body_template.format(**values)
        if measure(rules.name, body, rules) > rules.max_length:
            continue  # every variant holds the body: none can fit
        needs_word = bool(plan.required) and not author.has_required(plan.phase, body)
        pool = (
            [(f"r{i}", cta) for i, cta in enumerate(plan.required)]
            if needs_word
            else [(str(i), cta) for i, cta in ctas]
        )
        pool = [(i, cta) for i, cta in pool if _fields(cta) <= values.keys() - named]
        if not pool:
            continue
        c, cta_template = rng.choice(pool)
        head = " ".join(p for p in (rng.choice(table.emoji), opener) if p)
        cta = cta_template.format(**values)
        link = _link_line(post_type, facts, table, rules, rng)
        chosen = _choose_tags(material.tags, rng.randint(low, high), rng)
        sep = rng.choice(("\n\n", "\n\n", " "))
        template_id = f"{post_type}/b{b}/o{o}/c{c}"
        kept = cta if needs_word else ""  # a required word is never dropped
        variants = [
            (head, cta, link, chosen),
            ("", cta, link, chosen),
            ("", kept, link, chosen),
            ("", kept, link, chosen[:low]),
            ("", kept, "", chosen[:low]),
        ]
        for variant in dict.fromkeys(variants):
            yield template_id, _compose(variant[0], body, *variant[1:], sep)
            if repeats.combination == template_id:
                break


def _last_resorts(plan: _Plan, rng: random.Random) -> Iterator[tuple[str, str]]:
    """Short posts that fit every platform: the title or author, and a required word."""
    material = plan.material
    base = material.facts.base
    minimal = _choose_tags(material.tags[::-1], plan.platform.hashtags_min, rng)  # generic first
    for i, template in material.phrases.last_resorts:
        if not _fields(template) <= base.keys():
            continue
        body = template.format(**base)
        cta = ""
        if plan.required and not material.rules.has_required(plan.phase, body):
            free = base.keys() - _fields(template)
            cta = next((c for c in plan.required if _fields(c) <= free), "")
            cta = cta.format(**base)
        yield f"last_resort/b{i}", _compose("", body, cta, "", minimal, " ")


@lru_cache(maxsize=256)
def _required_ctas_of(words: tuple[str, ...]) -> tuple[str, ...]:
    return required_ctas(words)


def _required_ctas(rules: WriterRules, phase: Phase) -> tuple[str, ...]:
    if not rules.rules.required_words.get(phase):
        return ()
    return tuple(c for c in _required_ctas_of(rules.required_words(phase)) if rules.allows(c))


def _compose(head: str, body: str, cta: str, link: str, tags: tuple[str, ...], sep: str) -> str:
    text = f"{head} {body}" if head else body
    if cta:
        text += ("\n\n" if "\n" in body else sep) + cta
    if link:
        text += "\n\n" + link
    if tags:
        text += "\n\n" + " ".join(f"#{tag}" for tag in tags)
    return text


def _link_line(
    post_type: str, facts: _Facts, table: _Phrases, rules: PlatformRules, rng: random.Random
) -> str:
    if not facts.links or rng.random() >= phrases.LINK_CHANCE.get(post_type, 0.0):
        return ""
    if not rules.links_clickable:
        return rng.choice(table.bio_lines) if table.bio_lines else ""
    label = rng.choice(table.link_labels) if table.link_labels else ""
    url = rng.choice(facts.links)
    return f"{label} {url}" if label else url


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


def _camel(text: str) -> str:
    plain = re.sub(r"(?<=\w)['’](?=\w)", "", unicodedata.normalize("NFC", text))  # children's
    words = re.split(r"[\W_]+", plain.lstrip("#＃"))
    tag = "".join(w[:1].upper() + w[1:] for w in words if w)
    return tag if tag[:1].isalpha() else ""


def _unquote(text: str) -> str:
    return text.strip().strip('"“”«»„').strip()


def _clean(items: tuple[str, ...], *, quoted: bool = False) -> tuple[str, ...]:
    cleaned = (_unquote(item) if quoted else item.strip() for item in items)
    return tuple(dict.fromkeys(item for item in cleaned if item))


def _prompt_hash(template_id: str, seed: int) -> str:
    return hashlib.sha256(f"{template_id}:{seed}".encode()).hexdigest()
