"""What the template writer makes of one book profile before it writes: its material.

`Material.of(book)` is derived once per profile version (the writer keeps it): the phrase tables
as the author's rules allow them (`Phrases`), the profile's own words that may stand in a post
(`Facts`), its grounding and its usable hashtags. Every phrase and every piece of material is
checked on its own by the gate (`template_rules.WriterRules.allows`), so a post is composed only
of parts that pass.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import cache
from string import Formatter

from bookagent.domain.categories import Category
from bookagent.domain.categories import book_category
from bookagent.domain.categories import suits
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import Phase
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import find_ungrounded
from bookagent.domain.validation import split_sentences
from bookagent.errors import InvalidInputError
from bookagent.platforms import is_portable_tag
from bookagent.writers import template_phrases as phrases
from bookagent.writers.template_phrases import POST_TYPES
from bookagent.writers.template_rules import WriterRules
from bookagent.writers.template_words import GenreWords
from bookagent.writers.template_words import ages
from bookagent.writers.template_words import human_date

_CHILDREN_PREFIX = re.compile(r"^\s*(?:children|kids?)['’]?s?\s+", re.IGNORECASE)
_NOT_SHOPS = frozenset({"landing_page", "website", "newsletter"})
_FIELD = re.compile(r"“\{\w+\}”|\{\w+\}")
#: An option of a phrase table: its index in the table (for the template id) and its text.
Option = tuple[int, str]


@cache
def fields(template: str) -> frozenset[str]:
    """The names of the fields `template` fills."""
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


@dataclass(frozen=True)
class Phrases:
    """The phrase tables of one category as one author's rules allow them: forbidden ones out,
    "!" rewritten."""

    openers: Mapping[str, tuple[Option, ...]]
    bodies: Mapping[str, tuple[Option, ...]]
    ctas: Mapping[str, tuple[Option, ...]]
    emoji: tuple[str, ...]
    #: Per launch phase: the labels before a retailer link, and the endings of selling posts.
    link_labels: Mapping[Phase, tuple[str, ...]]
    phase_ctas: Mapping[Phase, tuple[Option, ...]]
    bio_lines: tuple[str, ...]
    #: A long post's first line and closing question.
    hooks: tuple[str, ...]
    closers: tuple[str, ...]
    last_resorts: tuple[Option, ...]

    @classmethod
    def of(cls, rules: WriterRules, category: Category = "fiction") -> Phrases:
        """The tables for `category` and `rules`; every opener and ending table keeps its
        empty one."""

        def options(texts: Sequence[str]) -> tuple[Option, ...]:
            toned = ((i, rules.tone(text)) for i, text in enumerate(texts))
            # The fields' own words are checked where they are filled (a quote or a review is
            # checked quoted): here, a neutral word stands for each.
            return tuple((i, text) for i, text in toned if rules.allows(_FIELD.sub("it", text)))

        def texts(source: Sequence[str]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(text for _, text in options(source)))

        tables = phrases.tables(category)
        no_emoji = rules.rules.no_emoji
        return cls(
            openers={kind: options(t[0]) for kind, t in tables.items()},
            bodies={kind: options(t[1]) for kind, t in tables.items()},
            ctas={kind: options(t[2]) for kind, t in tables.items()},
            emoji=("",) if no_emoji else phrases.EMOJI[category],
            link_labels={p: texts(labels) for p, labels in phrases.LINK_LABELS.items()},
            phase_ctas={p: options(ctas) for p, ctas in phrases.PHASE_CTAS.items()},
            bio_lines=texts(phrases.BIO_LINES),
            hooks=texts(phrases.HOOKS[category]),
            closers=texts(phrases.CLOSERS[category]),
            last_resorts=options(phrases.LAST_RESORTS),
        )


@dataclass(frozen=True)
class Facts:
    """The profile's words the author's rules allow, cleaned once: all a template may use."""

    base: Mapping[str, str]
    themes: tuple[str, ...]
    quotes: tuple[str, ...]
    #: (text, its source if it may be named, whether a reader wrote it)
    reviews: tuple[tuple[str, str | None, bool], ...]
    #: (blurb sentence, the sentence right after it in the blurb if usable)
    sentences: tuple[tuple[str, str | None], ...]
    links: tuple[str, ...]
    #: The links where the book can be bought or ordered (not the landing page or website).
    shops: tuple[str, ...]
    awards: tuple[str, ...]
    launch: date | None
    events: tuple[tuple[date, str], ...]
    category: Category = "fiction"
    timezone: str = "UTC"

    @classmethod
    def of(cls, book: BookProfile, rules: WriterRules, category: Category = "fiction") -> Facts:
        """The usable material of `book`: each piece as it would stand in a post passes the gate."""

        def usable(texts: Sequence[str | None]) -> tuple[str, ...]:
            kept = (rules.rewrite(t) for t in texts if t and t.strip())
            return tuple(dict.fromkeys(t for t in kept if t))

        genre = GenreWords.of(book.genre, category)
        young = ages(book.target_audience) if category == "children" else None
        base = {
            "title": book.title,
            "author": book.author,
            "genre_one": genre.one if genre else None,
            "genre_many": genre.many if genre else None,
            "price": book.price,
            "subtitle": book.subtitle,
            "young_readers": f"children {young}" if young else None,
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
                (s, blurb[i + 1] if i + 1 < len(blurb) else None)
                for i, s in enumerate(blurb)
                if s and (i == 0 or _stands_alone(s))
            ),
            links=tuple(u for u in sorted(book.link_urls().values()) if rules.allows(u)),
            shops=tuple(
                url
                for name, url in sorted(book.link_urls().items())
                if name not in _NOT_SHOPS and rules.allows(url)
            ),
            awards=usable(book.awards),
            launch=book.launch_date,
            events=tuple(sorted((on, name) for on, name in events if name)),
            category=category,
            timezone=book.timezone,
        )

    def dates_on(self, day: date, phase: Phase) -> bool:
        """Whether a post on `day` has a date to name: the coming launch, or an event."""
        return (self.launch is not None and phase != "post_launch") or any(
            on >= day for on, _ in self.events
        )

    def has_data_for(self, post_type: str, day: date, phase: Phase) -> bool:
        """Whether the profile holds what `post_type` needs on `day`."""
        # Only the asked type's test is run (a writer asks this of a dozen types a post).
        need = _NEEDS.get(post_type)
        return True if need is None else need(self, day, phase)

    def pick(self, rng: random.Random, day: date, phase: Phase) -> dict[str, str]:
        """A random assignment of every field the profile can fill on `day`."""
        values = dict(self.base)
        if self.themes:
            chosen = rng.sample(self.themes, min(3, len(self.themes)))
            values.update(zip(("theme", "theme2", "theme3"), chosen, strict=False))
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
            values["launch_date"] = human_date(self.launch, self.timezone, day)
        elif self.launch is not None and phase == "launch_week":
            values["launched_on"] = human_date(self.launch, self.timezone, day)
        upcoming = [event for event in self.events if event[0] >= day]
        if upcoming:
            on, values["event"] = rng.choice(upcoming)
            values["event_date"] = human_date(on, self.timezone, day)
        return values


#: What each post type needs of a profile (`Facts.has_data_for`); any other type needs nothing.
_NEEDS: dict[str, Callable[[Facts, date, Phase], bool]] = {
    "theme_spotlight": lambda f, day, phase: bool(f.themes),
    "author_quote": lambda f, day, phase: bool(f.quotes),
    "review_highlight": lambda f, day, phase: bool(f.reviews),
    "launch_countdown": lambda f, day, phase: f.dates_on(day, phase),
    "retailer_cta": lambda f, day, phase: bool(f.links),
    "excerpt_teaser": lambda f, day, phase: bool(f.sentences),
    "fun_fact": lambda f, day, phase: bool(f.themes or f.awards) or "subtitle" in f.base,
    "read_aloud": lambda f, day, phase: bool(f.quotes or f.sentences),
    "parent_teacher": lambda f, day, phase: bool(f.themes),
    "key_idea": lambda f, day, phase: bool(f.quotes or f.themes or f.sentences),
    "framework": lambda f, day, phase: len(f.themes) >= 2,
    "myth_vs_fact": lambda f, day, phase: bool(f.themes),
    "chapter_takeaway": lambda f, day, phase: bool(f.quotes),
}


def hashtag_candidates(
    book: BookProfile, grounding: Grounding, rules: WriterRules | None = None
) -> tuple[str, ...]:
    """Usable tags, best first: the book's own, then CamelCase genre/theme tags, then generic.

    With `rules`, tags that hold a banned phrase (or an emoji the author forbids) are left out.
    """
    own = [_camel(tag) for tag in book.hashtags]
    # Tags made from words: a one- or two-letter genre makes no tag ("#G").
    genre = _CHILDREN_PREFIX.sub("", book.genre or "")
    derived = [t for text in (genre, *book.key_themes) if len(t := _camel(text)) > 2]
    seen: set[str] = set()
    result = []
    for tag in [*own, *derived, *phrases.GENERIC_TAGS]:
        # One tag on every network (and as the gate counts it): `#Sci-Fi` would be `Sci-Fi` on
        # Bluesky but `Sci` on Mastodon and X.
        usable = tag and len(tag) <= 40 and is_portable_tag(tag)
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
class Material:
    """What the writer derives from one profile before writing: its rules, phrases and facts,
    grounding and hashtags."""

    rules: WriterRules
    phrases: Phrases
    facts: Facts
    grounding: Grounding
    tags: tuple[str, ...]
    category: Category = "fiction"
    #: The calls to action holding a launch phase's required words, by phase, as the writer
    #: first makes them (`template._required_ctas`): each is checked by the gate, so they are
    #: made once per profile version and phase, not once per post.
    required_ctas: dict[Phase, tuple[str, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, book: BookProfile) -> Material:
        """The material of `book` (a few ms for a typical profile; once per profile version)."""
        grounding = Grounding.from_book(book)
        rules = WriterRules.of(book.rules, grounding)
        category = book_category(book)
        return cls(
            rules,
            Phrases.of(rules, category),
            Facts.of(book, rules, category),
            grounding,
            hashtag_candidates(book, grounding, rules),
            category,
        )


#: What a post type of another category becomes: its nearest type in every category.
_ACROSS = {
    "read_aloud": "author_quote",
    "parent_teacher": "theme_spotlight",
    "activity_idea": "reader_question",
    "key_idea": "author_quote",
    "framework": "theme_spotlight",
    "myth_vs_fact": "hook_question",
    "chapter_takeaway": "author_quote",
}


def resolve(facts: Facts, post_type: str, day: date, phase: Phase) -> tuple[str, str | None]:
    """The post type to write (`post_type` if the book's category writes it and the facts hold
    what it needs on `day`, else a fallback) and, when it fell back, the reason why."""
    if post_type not in POST_TYPES:
        raise InvalidInputError.for_field("post_type", f"must be one of {', '.join(POST_TYPES)}")
    if not suits(post_type, facts.category):
        written, why = resolve(facts, _ACROSS[post_type], day, phase)
        reason = f"{post_type} is not a {facts.category} post type; wrote {written} instead"
        return written, f"{reason} ({why})" if why else reason
    if facts.has_data_for(post_type, day, phase):
        return post_type, None
    needs, fallbacks = phrases.FALLBACKS[post_type]
    chosen = next(
        (kind for kind in fallbacks if facts.has_data_for(kind, day, phase)), "hook_question"
    )
    return chosen, f"{post_type} needs {needs}, which the profile lacks; wrote {chosen} instead"


#: Words that tie a sentence to the one before it ("Then the voice begins..."): such a sentence
#: makes no sense alone, so only the blurb's first sentence or one that opens otherwise is used.
_TIED = frozenset(
    ("then", "but", "and", "so", "or", "yet", "it", "its", "this", "that", "these", "those",
     "they", "them", "she", "he", "her", "his", "him", "everyone", "everything", "nobody",
     "someone", "there", "here", "now", "still", "also", "instead", "soon", "later")
)  # fmt: skip


def _stands_alone(sentence: str) -> bool:
    first = sentence.split(maxsplit=1)[0].strip(",;:").casefold() if sentence.split() else ""
    return first not in _TIED


def _camel(text: str) -> str:
    """`text` as one CamelCase tag: the letters, marks and decimal digits of each word, joined.

    Marks stay in their word (Devanagari vowel signs are marks: `महात्मा` is one word); anything
    else separates words, including `_`, `²` and `Ⅻ`, which some networks keep in a tag and
    others end it at.
    """
    plain = re.sub(r"(?<=\w)['’](?=\w)", "", unicodedata.normalize("NFC", text))  # children's
    kept = "".join(c if _is_tag_character(c) else " " for c in plain.lstrip("#＃"))
    tag = "".join(w[:1].upper() + w[1:] for w in kept.split())
    return tag if tag[:1].isalpha() else ""


def _is_tag_character(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd"


def _unquote(text: str) -> str:
    return text.strip().strip('"“”«»„').strip()


def _clean(items: tuple[str, ...], *, quoted: bool = False) -> tuple[str, ...]:
    cleaned = (_unquote(item) if quoted else item.strip() for item in items)
    return tuple(dict.fromkeys(item for item in cleaned if item))
