"""The offline writer: varied, grounded posts from phrase templates, with no network and no key.

Each post type has openers, bodies and calls to action; a seeded `random.Random` picks a
combination, fills it only with the profile's own words (quotes and reviews verbatim, dates and
prices from the profile), adds a link and hashtags, and then checks the *final* text with
`check_draft`. Too long? It drops optional parts (emoji and opener, call to action, extra
hashtags, link) and, failing that, tries another combination; it never cuts text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re
import threading
import unicodedata
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from functools import lru_cache
from string import Formatter

from bookagent.domain.ports import Draft
from bookagent.domain.ports import WriteConstraints
from bookagent.domain.profile import BookProfile
from bookagent.domain.validation import Grounding
from bookagent.domain.validation import ValidationReport
from bookagent.domain.validation import check_draft
from bookagent.domain.validation import find_near_duplicate
from bookagent.domain.validation import find_ungrounded
from bookagent.domain.validation import split_sentences
from bookagent.errors import InvalidInputError
from bookagent.platforms import UNITS
from bookagent.platforms import PlatformRules
from bookagent.platforms import extract_hashtags
from bookagent.platforms import extract_urls
from bookagent.platforms import get_rules

# fmt: off
POST_TYPES: tuple[str, ...] = (
    "hook_question", "theme_spotlight", "author_quote", "review_highlight", "behind_the_scenes",
    "reader_question", "launch_countdown", "retailer_cta", "fun_fact", "excerpt_teaser",
)
# Phrases never contain numbers, prices, dates, ratings, star glyphs or claims: those come
# only from the profile, so every post passes the grounding check by construction.
_OPENERS: Mapping[str, tuple[str, ...]] = {
    "hook_question": ("", "Quick question.", "Be honest.", "Here's one for you.", "Tell me."),
    "theme_spotlight": ("", "Theme spotlight:", "What this book is really about:", "On the page:"),
    "author_quote": ("", "Words to sit with.", "Still thinking about this one.", "Save this one."),
    "review_highlight": ("", "Reader love!", "In their words.", "Grateful for this one."),
    "behind_the_scenes": ("", "Behind the scenes:", "From the writing desk:", "Author notes:"),
    "reader_question": ("", "Question for readers:", "Let's talk books.", "Your turn:"),
    "launch_countdown": ("", "Countdown:", "Coming up:", "Launch news:"),
    "retailer_cta": ("", "Your next read?", "Looking for a new book?", "Shelf space check:"),
    "fun_fact": ("", "Fun fact:", "Did you know?", "A little trivia:"),
    "excerpt_teaser": ("", "The premise:", "From the back cover:", "In short:"),
}
_BODIES: Mapping[str, tuple[str, ...]] = {
    "hook_question": (
        "What would you risk for {theme}? {title} by {author} asks exactly that.",
        "Can {theme} survive everything that comes after? That question drives {title}.",
        "Ever finished a book and needed a quiet minute before talking to anyone? {title} by "
        "{author} is that kind of book.",
        "How far would you go for {theme}? Find out in {title}.",
        "{sentence} Would you keep turning the pages?",
        "Looking for {genre} that stays with you after the last page? Meet {title} by {author}.",
        "Is there a better feeling than starting a new book? Make it {title} by {author}.",
        "What are you reading this week? Here's a suggestion: {title} by {author}.",
        "Need a {genre} pick for a quiet evening? {title} is ready when you are.",
    ),
    "theme_spotlight": (
        "At its heart, {title} is about {theme}.",
        "{title} is a story about {theme} and {theme2}.",
        "Some books are about plot. {title} is about {theme}.",
        "{author} wrote {title} for anyone who has wrestled with {theme}.",
        "{theme} and {theme2}: the two threads that hold {title} together.",
        "In {title}, {theme} shapes everything.",
    ),
    "author_quote": (
        "“{quote}”\n— {author}, {title}",
        "A line from {title}: “{quote}”",
        "“{quote}” That's {author}, in {title}.",
        "From the pages of {title}: “{quote}”",
    ),
    "review_highlight": (
        "“{review}”\n— {source}",
        "What readers are saying about {title}: “{review}”",
        "“{review}” That's what {source} said about {title}.",
        "One reader on {title} by {author}: “{review}”",
    ),
    "behind_the_scenes": (
        "Behind the pages: {author} built {title} around {theme}.",
        "Where does a book like {title} begin? For {author}, with {theme}.",
        "Writing {genre} means living with your characters for a long time. For {author}, "
        "that meant {title}.",
        "{title} took shape around {theme} and {theme2}.",
        "Every book has a story behind it. This is {author}, and this is {title}.",
        "Every book starts with a blank page. For {author}, this one became {title}.",
        "A book is a conversation between writer and reader. {title} is {author}'s side of it.",
        "From first idea to finished book: {title}, by {author}.",
    ),
    "reader_question": (
        "What's the last {genre} book that kept you up too late?",
        "{theme} or {theme2}: which makes a story unforgettable for you?",
        "Do you like your {genre} with a side of {theme}?",
        "What's one book you'd hand to every reader who loves {genre}?",
        "Where do you read {genre}: in bed, on the train, or somewhere stranger?",
        "Which character type do you root for in {genre}: the rule-breaker or the loyal friend?",
        "Series or standalone: what do you prefer in {genre}?",
        "Do you judge a {genre} book by its cover? Be honest.",
        "Paperback, ebook or audiobook: how do you read your {genre}?",
        "Who first introduced you to {genre}?",
    ),
    "launch_countdown": (
        "Mark your calendar: {date} is launch day for {title} by {author}.",
        "Launch day for {title}: {date}.",
        "Save the date for {title} by {author}: {date}.",
        "On {date}, {title} meets its readers.",
        "Launch day for {title}: {date}. Price: {price}.",
    ),
    "retailer_cta": (
        "{title} by {author} is waiting for you.",
        "Looking for your next {genre} read? Try {title}.",
        "Get {title} by {author} for {price}.",
        "If {theme} is your kind of story, {title} belongs on your shelf.",
        "Give {title} a place on your reading list.",
    ),
    "fun_fact": (
        "{title} weaves together {theme} and {theme2}.",
        "The full title is {title}: {subtitle}.",
        "{author} wrote {title} with {audience} in mind.",
        "{title} is {author}'s take on {theme}.",
    ),
    "excerpt_teaser": (
        "{sentence}",
        "{sentence} {sentence2}",
        "{sentence}\n\nFrom {title} by {author}.",
    ),
}
_CTAS: Mapping[str, tuple[str, ...]] = {
    "hook_question": ("", "Tell me in the replies.", "Curious? Start with {title}."),
    "theme_spotlight": ("", "If {theme} speaks to you, this one is for you.", "Sound like you?"),
    "author_quote": ("", "Which line stays with you?", "More where that came from in {title}."),
    "review_highlight": ("", "Have you read it yet?", "See for yourself."),
    "behind_the_scenes": ("", "Ask {author} anything about it below.", "Want more like this?"),
    "reader_question": ("", "Answers below.", "I'm reading every reply."),
    "launch_countdown": ("", "Add it to your list.", "Tell a friend who loves {genre}."),
    "retailer_cta": ("", "Happy reading!", "Add it to your list today."),
    "fun_fact": ("", "Now you know.", "Meet {title}."),
    "excerpt_teaser": ("", "Want to know what happens next?", "Curious? Read on in {title}."),
}
_EMOJI = ("", "", "📚", "📖", "✨", "🔖", "☕")
_LINK_LABELS = ("", "Get it here:", "Find it here:", "More:", "→")
_GENERIC_TAGS = ("BookLovers", "AmReading", "Books", "Bookstagram", "ReadingList", "BookRecs")
_LINK_CHANCE = {"retailer_cta": 1.0, "launch_countdown": 1.0, "review_highlight": 0.5,
                "excerpt_teaser": 0.5, "author_quote": 0.3}
# post type -> (what it needs, the types to write instead when the profile lacks it)
_FALLBACKS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "theme_spotlight": ("key themes", ("hook_question",)),
    "author_quote": ("quotes", ("review_highlight", "excerpt_teaser", "hook_question")),
    "review_highlight": ("reviews", ("author_quote", "excerpt_teaser", "hook_question")),
    "launch_countdown": ("a launch date", ("retailer_cta", "hook_question")),
    "retailer_cta": ("links", ("launch_countdown", "reader_question")),
    "fun_fact": ("themes, an audience or a subtitle", ("theme_spotlight", "behind_the_scenes")),
    "excerpt_teaser": ("a blurb", ("author_quote", "hook_question")),
}
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
# fmt: on
_COMBINATIONS_TRIED = 24


@cache
def _fields(template: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in Formatter().parse(template) if name)


@dataclass(frozen=True)
class _Facts:
    """The profile's words, cleaned once per write: the only material a template may use."""

    base: Mapping[str, str]
    themes: tuple[str, ...]
    quotes: tuple[str, ...]
    reviews: tuple[tuple[str, str | None], ...]
    sentences: tuple[str, ...]
    links: tuple[str, ...]
    dates: tuple[str, ...]

    @classmethod
    def of(cls, book: BookProfile) -> _Facts:
        base = {
            "title": book.title.strip(),
            "author": book.author.strip(),
            "genre": book.genre.strip(),
            "price": (book.price or "").strip(),
            "audience": (book.target_audience or "").strip(),
            "subtitle": (book.subtitle or "").strip(),
        }
        d = book.launch_date
        dates = (
            ()
            if d is None
            else (
                f"{_MONTH_NAMES[d.month - 1]} {d.day}, {d.year}",
                f"{d.day} {_MONTH_NAMES[d.month - 1]} {d.year}",
                f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
            )
        )
        return cls(
            base={k: v for k, v in base.items() if v},
            themes=_clean(book.key_themes),
            quotes=_clean(book.quotes, quoted=True),
            reviews=tuple(
                (t, (r.source or "").strip() or None)
                for r in book.reviews
                if (t := _unquote(r.text))
            ),
            sentences=tuple(split_sentences(book.blurb)),
            links=tuple(sorted(book.link_urls().values())),
            dates=dates,
        )

    def has_data_for(self, post_type: str) -> bool:
        """Whether the profile holds what `post_type` needs."""
        return {
            "theme_spotlight": bool(self.themes),
            "author_quote": bool(self.quotes),
            "review_highlight": bool(self.reviews),
            "launch_countdown": bool(self.dates),
            "retailer_cta": bool(self.links),
            "excerpt_teaser": bool(self.sentences),
            "fun_fact": bool(self.themes) or {"audience", "subtitle"} & self.base.keys() != set(),
        }.get(post_type, True)

    def pick(self, rng: random.Random) -> dict[str, str]:
        """A random assignment of every field the profile can fill."""
        values = dict(self.base)
        if self.themes:
            values["theme"], *rest = rng.sample(self.themes, min(2, len(self.themes)))
            values.update({"theme2": rest[0]} if rest else {})
        if self.quotes:
            values["quote"] = rng.choice(self.quotes)
        if self.reviews:
            values["review"], source = rng.choice(self.reviews)
            values.update({"source": source} if source else {})
        if self.sentences:
            i = rng.randrange(len(self.sentences))
            values["sentence"] = self.sentences[i]
            if i + 1 < len(self.sentences):
                values["sentence2"] = self.sentences[i + 1]
        if self.dates:
            values["date"] = rng.choice(self.dates)
        return values


def resolve_post_type(book: BookProfile, post_type: str) -> tuple[str, str | None]:
    """The post type to write for `book` and, when it had to fall back, the reason why."""
    return _resolve(_Facts.of(book), post_type)


def _resolve(facts: _Facts, post_type: str) -> tuple[str, str | None]:
    if post_type not in POST_TYPES:
        raise InvalidInputError.for_field("post_type", f"must be one of {', '.join(POST_TYPES)}")
    if facts.has_data_for(post_type):
        return post_type, None
    needs, instead = _FALLBACKS[post_type]
    chosen = next((kind for kind in instead if facts.has_data_for(kind)), "hook_question")
    return chosen, f"{post_type} needs {needs}, which the profile lacks; wrote {chosen} instead"


def draft_entities(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The hashtags (with `#`) and http(s) links of a final post, in order, without repeats."""
    tags = tuple(dict.fromkeys(f"#{tag}" for tag in extract_hashtags(text)))
    return tags, tuple(dict.fromkeys(extract_urls(text)))


def hashtag_candidates(book: BookProfile, grounding: Grounding) -> tuple[str, ...]:
    """Usable tags, best first: the book's own, then CamelCase genre/theme tags, then generic."""
    own = [_camel(tag) for tag in book.hashtags]
    derived = [_camel(text) for text in (book.genre, *book.key_themes)]
    seen: set[str] = set()
    result = []
    for tag in [*own, *derived, *_GENERIC_TAGS]:
        usable = tag and len(tag) <= 40 and extract_hashtags(f"#{tag}") == [tag]
        if usable and tag.casefold() not in seen and not find_ungrounded(grounding, f"#{tag}"):
            seen.add(tag.casefold())
            result.append(tag)
    return tuple(result)


@dataclass(frozen=True)
class _Material:
    """What the writer derives from one profile before writing: facts, grounding, hashtags."""

    facts: _Facts
    grounding: Grounding
    tags: tuple[str, ...]

    @classmethod
    def of(cls, book: BookProfile) -> _Material:
        grounding = Grounding.from_book(book)
        return cls(_Facts.of(book), grounding, hashtag_candidates(book, grounding))


class TemplateWriter:
    """Writes posts offline from phrase templates; deterministic per seed and attempt."""

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
        facts, grounding, tags = material.facts, material.grounding, material.tags
        post_type, reason = _resolve(facts, constraints.post_type)
        key = [book.id, rules.name, constraints.post_type, constraints.seed, constraints.attempt]
        rng = random.Random("|".join(map(str, [*key, *constraints.feedback])))
        tried = 0
        last: tuple[str, str, ValidationReport | None] | None = None
        for template_id, text in _candidates(post_type, facts, rules, tags, rng):
            tried += 1
            # Most candidates that fail are near-duplicates: rule those out before the full gate.
            if find_near_duplicate(text, constraints.avoid) is not None:
                last = (template_id, text, None)
                continue
            report = check_draft(book, rules, text, recent=constraints.avoid, grounding=grounding)
            last = (template_id, text, report)
            if report.ok:
                break
        assert last is not None  # _candidates always yields its last-resort posts
        template_id, text, final = last
        if final is None:  # every candidate was a near-duplicate: report on the last one
            final = check_draft(book, rules, text, recent=constraints.avoid, grounding=grounding)
        report = final
        hashtags, links = draft_entities(text)
        metadata = {
            "template_id": template_id,
            "requested_post_type": constraints.post_type,
            "fallback_reason": reason,
            "candidates_tried": tried,
            "attempt": constraints.attempt,
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


def _candidates(
    post_type: str, facts: _Facts, rules: PlatformRules, tags: tuple[str, ...], rng: random.Random
) -> Iterator[tuple[str, str]]:
    """Full combinations and their shorter variants, then last-resort posts that always fit."""
    low = rules.hashtags_min
    high = max(low, min(rules.hashtags_max, 5 if rules.name == "instagram" else 3))
    for _ in range(_COMBINATIONS_TRIED):
        values = facts.pick(rng)
        fill = [i for i, body in enumerate(_BODIES[post_type]) if _fields(body) <= values.keys()]
        if not fill:
            break
        b = rng.choice(fill)
        o = rng.randrange(len(_OPENERS[post_type]))
        named = _fields(_BODIES[post_type][b]) & {"title", "theme"}  # say each only once
        ctas = [
            i for i, cta in enumerate(_CTAS[post_type]) if _fields(cta) <= values.keys() - named
        ]
        c = rng.choice(ctas)
        head = " ".join(p for p in (rng.choice(_EMOJI), _OPENERS[post_type][o]) if p)
        body = _BODIES[post_type][b].format(**values)
        cta = _CTAS[post_type][c].format(**values)
        link = _link_line(post_type, facts, rules, rng)
        chosen = _choose_tags(tags, rng.randint(low, high), rng)
        sep = rng.choice(("\n\n", "\n\n", " "))
        template_id = f"{post_type}/b{b}/o{o}/c{c}"
        variants = [
            (head, cta, link, chosen),
            ("", cta, link, chosen),
            ("", "", link, chosen),
            ("", "", link, chosen[:low]),
            ("", "", "", chosen[:low]),
        ]
        for variant in dict.fromkeys(variants):
            yield template_id, _compose(variant[0], body, *variant[1:], sep)
    minimal = _choose_tags(tags[::-1], low, rng)  # generic tags first: always clean
    for i, body in enumerate(
        ("{title} by {author}", "{title}", "A new story by {author}.", "Happy reading!")
    ):
        if _fields(body) <= facts.base.keys():
            yield (
                f"last_resort/b{i}",
                _compose("", body.format(**facts.base), "", "", minimal, "\n\n"),
            )


def _compose(head: str, body: str, cta: str, link: str, tags: tuple[str, ...], sep: str) -> str:
    text = f"{head} {body}" if head else body
    if cta:
        text += ("\n\n" if "\n" in body else sep) + cta
    if link:
        text += "\n\n" + link
    if tags:
        text += "\n\n" + " ".join(f"#{tag}" for tag in tags)
    return text


def _link_line(post_type: str, facts: _Facts, rules: PlatformRules, rng: random.Random) -> str:
    if not facts.links or rng.random() >= _LINK_CHANCE.get(post_type, 0.0):
        return ""
    if not rules.links_clickable:
        return rng.choice(("Link in bio.", "Link in bio!", "The link is in my bio."))
    label = rng.choice(_LINK_LABELS)
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
    words = re.split(r"[\W_]+", unicodedata.normalize("NFC", text).lstrip("#＃"))
    tag = "".join(w[:1].upper() + w[1:] for w in words if w)
    return tag if tag[:1].isalpha() else ""


def _unquote(text: str) -> str:
    return text.strip().strip('"“”«»„').strip()


def _clean(items: tuple[str, ...], *, quoted: bool = False) -> tuple[str, ...]:
    cleaned = (_unquote(item) if quoted else item.strip() for item in items)
    return tuple(dict.fromkeys(item for item in cleaned if item))


def _prompt_hash(template_id: str, seed: int) -> str:
    return hashlib.sha256(f"{template_id}:{seed}".encode()).hexdigest()
