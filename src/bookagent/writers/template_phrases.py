"""The template writer's phrases: openers, bodies and calls to action per post type.

Phrases hold no number, price, date, rating, star glyph, claim, comparison, contraction or
relative date ("today", "this week"): those come only from the profile (its price, its launch
date and events as human dates, its awards verbatim), so a post is grounded by construction and
no apostrophe of ours can pair with another into something that reads as a quotation. The only
quotations are the profile's quotes and reviews, verbatim; a review is attributed to its own
source only, and only a reader's review is presented as what readers say.

Fields a phrase may name: `title`, `author`, `genre`, `price`, `audience`, `subtitle`, `theme`,
`theme2`, `quote`, `review` (any review), `source` (that review's source), `reader_review` (a
reader's review), `sentence`, `sentence2` (blurb sentences), `award`, `launch_date` (before the
launch), `launched_on` (in launch week), `event` and `event_date` (an upcoming event).
"""

from __future__ import annotations

from collections.abc import Mapping

# fmt: off
POST_TYPES: tuple[str, ...] = (
    "hook_question", "theme_spotlight", "author_quote", "review_highlight", "behind_the_scenes",
    "reader_question", "launch_countdown", "retailer_cta", "fun_fact", "excerpt_teaser",
)
OPENERS: Mapping[str, tuple[str, ...]] = {
    "hook_question": ("", "Quick question.", "Be honest.", "Here is one for you.", "Tell me."),
    "theme_spotlight": ("", "Theme spotlight:", "What this book is really about:", "On the page:"),
    "author_quote": ("", "Words to sit with.", "Still thinking about this one.", "Save this one."),
    "review_highlight": ("", "Kind words!", "In their words.", "Grateful for this one."),
    "behind_the_scenes": ("", "Behind the scenes:", "From the writing desk:", "Writing notes:"),
    "reader_question": ("", "Question for readers:", "Time to talk books.", "Your turn:"),
    "launch_countdown": ("", "Countdown:", "Coming up:", "Launch news:"),
    "retailer_cta": ("", "Need a new book?", "Looking for a new book?", "Shelf space check:"),
    "fun_fact": ("", "Fun fact:", "Did you know?", "A little trivia:"),
    "excerpt_teaser": ("", "The premise:", "From the back cover:", "In short:"),
}
BODIES: Mapping[str, tuple[str, ...]] = {
    "hook_question": (
        "What would you risk for {theme}? {title} by {author} asks exactly that.",
        "Can {theme} survive everything that comes after? That question drives {title}.",
        "Ever finished a book and needed a quiet minute before talking to anyone? {title} by "
        "{author} is that kind of book.",
        "How far would you go for {theme}? Find out in {title}.",
        "{sentence} Would you keep turning the pages?",
        "Looking for {genre} that stays with you after the last page? Meet {title} by {author}.",
        "Is there a better feeling than starting a new book? Make it {title} by {author}.",
        "What is on your nightstand? Here is a suggestion: {title} by {author}.",
        "Need a {genre} book for a quiet evening? {title} is ready when you are.",
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
        "“{quote}”\n\nFrom {title} by {author}.",
        "A line from {title}: “{quote}”",
        "“{quote}” Words from {title}, by {author}.",
        "From the pages of {title}: “{quote}”",
    ),
    "review_highlight": (
        "“{review}”\n— {source}",
        "On {title}, readers say: “{reader_review}”",
        "{source} says: “{review}”",
        "One reader on {title} by {author}: “{reader_review}”",
        "From a review of {title}: “{review}”",
        "{source} on {title}: “{review}”",
    ),
    "behind_the_scenes": (
        "Behind the pages: {author} built {title} around {theme}.",
        "Where does a book like {title} begin? For {author}, with {theme}.",
        "Writing {genre} means living with your characters for a long time. For {author}, "
        "that meant {title}.",
        "{title} took shape around {theme} and {theme2}.",
        "Every book has a story behind it. This is {author}, and this is {title}.",
        "Every book starts with a blank page. For {author}, this one became {title}.",
        "A book is a conversation between writer and reader. In {title}, {author} starts it.",
        "From first idea to finished book: {title}, by {author}.",
    ),
    "reader_question": (
        "What is the last {genre} book that kept you up too late?",
        "{theme} or {theme2}: which makes a story unforgettable for you?",
        "Do you like your {genre} with a side of {theme}?",
        "What is one book you would hand to every reader who loves {genre}?",
        "Where do you read {genre}: in bed, on the train, or somewhere stranger?",
        "Which character type do you root for in {genre}: the rule-breaker or the loyal friend?",
        "Series or standalone: what do you prefer in {genre}?",
        "Do you judge a {genre} book by its cover? Be honest.",
        "Paperback, ebook or audiobook: how do you read your {genre}?",
        "Who first introduced you to {genre}?",
    ),
    "launch_countdown": (
        "Mark your calendar: {launch_date} is launch day for {title} by {author}.",
        "Launch day for {title}: {launch_date}.",
        "Save the date for {title} by {author}: {launch_date}.",
        "On {launch_date}, {title} reaches its readers.",
        "Launch day for {title}: {launch_date}. Price: {price}.",
        "{title} by {author} came out on {launched_on}.",
        "Launch week for {title}, out since {launched_on}.",
        "Save the date: {event}, {event_date}.",
        "Mark your calendar for {event} on {event_date}.",
        "{event}: {event_date}. A date for everyone who loves {title}.",
    ),
    "retailer_cta": (
        "{title} by {author} is waiting for you.",
        "Looking for a new {genre} read? Try {title}.",
        "Get {title} by {author} for {price}.",
        "If {theme} is your kind of story, {title} belongs on your shelf.",
        "Give {title} a place on your reading list.",
    ),
    "fun_fact": (
        "{title} weaves together {theme} and {theme2}.",
        "The full title is {title}: {subtitle}.",
        "{author} wrote {title} with {audience} in mind.",
        "In {title}, {author} takes on {theme}.",
        "{title} by {author}: {award}.",
    ),
    "excerpt_teaser": (
        "{sentence}",
        "{sentence} {sentence2}",
        "{sentence}\n\nFrom {title} by {author}.",
    ),
}
CTAS: Mapping[str, tuple[str, ...]] = {
    "hook_question": ("", "Tell me in the replies.", "Curious? Start with {title}."),
    "theme_spotlight": ("", "If {theme} speaks to you, this one is for you.", "Sound like you?"),
    "author_quote": ("", "Which line stays with you?", "More where that came from in {title}."),
    "review_highlight": ("", "Have you read it yet?", "See for yourself."),
    "behind_the_scenes": ("", "Ask {author} anything about it below.", "Want more like this?"),
    "reader_question": ("", "Answers below.", "I am reading every reply."),
    "launch_countdown": ("", "Add it to your list.", "Tell a friend who loves {genre}."),
    "retailer_cta": ("", "Happy reading!", "Add it to your reading list."),
    "fun_fact": ("", "Now you know.", "Meet {title}."),
    "excerpt_teaser": ("", "Want to know what happens?", "Curious? Read on in {title}."),
}
EMOJI = ("", "", "📚", "📖", "✨", "🔖", "☕")
LINK_LABELS = ("", "Get it here:", "Find it here:", "More:", "→")
BIO_LINES = ("Link in bio.", "Link in bio!", "The link is in my bio.")
GENERIC_TAGS = ("BookLovers", "AmReading", "Books", "Bookstagram", "ReadingList", "BookRecs")
LINK_CHANCE = {"retailer_cta": 1.0, "launch_countdown": 1.0, "review_highlight": 0.5,
               "excerpt_teaser": 0.5, "author_quote": 0.3}
#: Posts that always fit: tried when no combination passed (each with a required word if any).
LAST_RESORTS = ("{title} by {author}", "{title}", "A new story by {author}.", "Happy reading!")
# post type -> (what it needs, the types to write instead when the profile lacks it)
FALLBACKS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "theme_spotlight": ("key themes", ("hook_question",)),
    "author_quote": ("quotes", ("review_highlight", "excerpt_teaser", "hook_question")),
    "review_highlight": ("reviews", ("author_quote", "excerpt_teaser", "hook_question")),
    "launch_countdown": (
        "an upcoming launch date or event", ("retailer_cta", "hook_question")
    ),
    "retailer_cta": ("links", ("launch_countdown", "reader_question")),
    "fun_fact": (
        "themes, an audience, a subtitle or awards", ("theme_spotlight", "behind_the_scenes")
    ),
    "excerpt_teaser": ("a blurb", ("author_quote", "hook_question")),
}
# fmt: on
