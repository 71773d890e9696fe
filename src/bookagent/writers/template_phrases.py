"""The template writer's phrases: openers, bodies and calls to action per category and post type.

Phrases hold no number, price, date, rating, star glyph, claim, comparison, contraction or
relative date ("today", "this week"): those come only from the profile (its price, its launch
date and events as human dates, its awards verbatim), so a post is grounded by construction and
no apostrophe of ours can pair with another into something that reads as a quotation. The only
quotations are the profile's quotes and reviews, verbatim; a review is attributed to its own
source only, and only a reader's review is presented as what readers say.

A category (`bookagent.domain.categories`) takes the shared tables (`SHARED`) and replaces the
post types it phrases its own way: a children's book gets no "kept you up past midnight", a
nonfiction book no "what happens next?". No profile value that is free text sits in a sentence:
the genre comes as a noun phrase (`genre_one`, `genre_many`), the audience only as the ages it
names (`young_readers`), themes only where any noun phrase reads well ("a story about {theme}").
A field never starts a sentence unless it is a proper noun or the profile's own sentence.

Fields a phrase may name: `title`, `author`, `genre_one`, `genre_many`, `price`, `subtitle`,
`theme`, `theme2`, `theme3`, `quote`, `review` (any review), `source` (that review's source),
`reader_review` (a reader's review), `sentence`, `sentence2` (blurb sentences), `award`,
`launch_date` (before the launch), `launched_on` (in launch week), `event` and `event_date` (an
upcoming event), `young_readers` ("children ages 3 to 6", children's books only).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bookagent.domain.categories import OWN_TYPES
from bookagent.domain.categories import POST_TYPES as POST_TYPES
from bookagent.domain.categories import SHARED_TYPES
from bookagent.domain.categories import Category
from bookagent.domain.profile import Phase

#: A post type's phrases: (openers, bodies, calls to action); "" is an empty opener or ending.
Table = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]

# fmt: off
SHARED: Mapping[str, Table] = {
    "hook_question": (
        ("", "Quick question.", "Be honest.", "Reader poll.", "Settle this for me.",
         "One for the late-night readers."),
        ("Do you read stories about {theme} for comfort or for the ache? {title} offers both.",
         "When did a book about {theme} last keep you reading past midnight? {title} by "
         "{author} could be your next one.",
         "{sentence} Would you keep reading?",
         "Looking for {genre_one} to lose a weekend to? Meet {title} by {author}.",
         "Is there a better feeling than opening a new book on a quiet evening? Make it "
         "{title}.",
         "What is on your nightstand right now? Here is a suggestion: {title} by {author}.",
         "Can you resist a story about {theme} and {theme2}? {title} is one."),
        ("", "Tell me in the replies.", "Curious? Start with {title}.", "Answers welcome below."),
    ),
    "theme_spotlight": (
        ("", "Theme spotlight.", "What this book is really about.", "Under the plot.",
         "Look closer."),
        ("{title} is a story about {theme}.",
         "Some books are about plot. {title} is about {theme}.",
         "{author} wrote {title} for anyone who has thought hard about {theme}.",
         "In {title}, {theme} shapes everything.",
         "Every story has a center of gravity. In {title}, it is {theme}.",
         "Two threads hold {title} together: {theme} and {theme2}."),
        ("", "If {theme} speaks to you, this one is for you.",
         "Does that sound like your kind of book?", "Which theme pulls you in?"),
    ),
    "author_quote": (
        ("", "Words to sit with.", "Worth saving.", "Still thinking about this one.",
         "Underline this."),
        ("“{quote}”\n\nFrom {title} by {author}.",
         "A line from {title}: “{quote}”",
         "From the pages of {title}: “{quote}”",
         "One sentence from {title} that stays: “{quote}”",
         "“{quote}”\n— {title}"),
        ("", "More where that came from in {title}.", "Save it for later.",
         "Would you underline it?"),
    ),
    "review_highlight": (
        ("", "Kind words.", "In their words.", "Grateful for this one.", "A review to share."),
        ("“{review}”\n— {source}",
         "What readers are saying about {title}: “{reader_review}”",
         "{source} on {title}: “{review}”",
         "One reader on {title} by {author}: “{reader_review}”"),
        ("", "Have you read it yet?", "See for yourself.", "Add it to your list.",
         "Add {title} to your list."),
    ),
    "behind_the_scenes": (
        ("", "Behind the scenes.", "From the writing desk.", "Writing notes.",
         "A look behind the book."),
        ("{author} built {title} around {theme}.",
         "Where does a book like {title} begin? For {author}, with {theme}.",
         "Writing {genre_one} means living with its characters for a long time. For {author}, "
         "that meant {title}.",
         "{title} took shape around {theme} and {theme2}.",
         "Every book starts with a blank page. For {author}, this one became {title}.",
         "A book is a conversation between writer and reader. In {title}, {author} starts it."),
        ("", "Ask {author} anything about it below.", "Want more notes from the desk?",
         "What would you ask a writer about their process?"),
    ),
    "reader_question": (
        ("", "Question for readers.", "Time to talk books.", "Your turn.", "Over to you.",
         "Book chat."),
        ("What is the last book about {theme} that stayed with you?",
         "Series or standalone: which do you reach for when you want {genre_many}?",
         "Where do you read {genre_many}: in bed, on the train, or somewhere stranger?",
         "Paperback, ebook or audiobook: how do you read {genre_many}?",
         "Who first handed you {genre_one}, and do you still remember the title?",
         "Which matters more in a story about {theme}: the plot or the people?",
         "What is one book you would put in the hands of every reader?",
         "What was the last book you finished in one sitting?",
         "Do you try to guess the ending of {genre_many}, or let the story surprise you?",
         "Which book about {theme} would you hand to a friend who never reads {genre_many}?",
         "What makes you put a book down early: the pace, the voice, or something else?",
         "Do you read the last page first? Be honest.",
         "Which character from a book about {theme} would you most like to meet?",
         "Morning reader or night reader: when do {genre_many} work best for you?",
         "How many books are waiting on your nightstand right now?"),
        ("", "Answers below.", "Every reply gets read.", "Tell me in the comments."),
    ),
    "launch_countdown": (
        ("", "Countdown.", "Coming up.", "Launch news.", "Save the date."),
        ("Mark your calendar: {title} by {author} comes out on {launch_date}.",
         "{title} arrives on {launch_date}.",
         "On {launch_date}, {title} reaches its readers.",
         "Counting down to {launch_date}, when {title} by {author} comes out.",
         "{title} by {author} came out on {launched_on}.",
         "Launch week for {title}: out since {launched_on}.",
         "Since {launched_on}, {title} has been out in the world.",
         "Coming up on {event_date}: {event}.",
         "{event}, {event_date}. A date for everyone who loves {title}."),
        ("",),  # the launch phase's own endings (`PHASE_CTAS`) close these
    ),
    "retailer_cta": (
        ("", "Need a new book?", "Looking for your next read?", "Shelf space check.",
         "For your reading list."),
        ("{title} by {author} is waiting for you.",
         "Looking for {genre_one} for your next read? Try {title}.",
         "{title} by {author}, for {price}.",
         "If {theme} is your kind of story, {title} belongs on your shelf.",
         "Give {title} a place on your reading list.",
         "Your next read could be {title} by {author}."),
        ("",),
    ),
    "fun_fact": (
        ("", "Fun fact.", "Did you know?", "A little trivia.", "Book trivia."),
        ("{title} weaves together {theme} and {theme2}.",
         "The full title is {title}: {subtitle}.",
         "In {title}, {author} takes on {theme}.",
         "{title} by {author}: {award}."),
        ("", "Meet {title}.", "Tell a friend who would love it."),
    ),
    "excerpt_teaser": (
        ("", "The premise.", "From the back cover.", "In short.", "Here is the setup."),
        ("{sentence}",
         "{sentence} {sentence2}",
         "{sentence}\n\nFrom {title} by {author}.",
         "The premise of {title}: {sentence}"),
        ("", "Want to know what happens next?", "Curious? Read on in {title}.",
         "Would you keep reading?"),
    ),
}

CHILDREN: Mapping[str, Table] = {
    "hook_question": (
        ("", "Quick question for parents.", "Storytime question.", "For the grown-ups.",
         "Bedtime check."),
        ("Looking for a read-aloud about {theme}? {title} by {author} is a gentle one.",
         "Which picture book do your little ones ask for again and again? {title} wants to be "
         "the next one.",
         "What makes a read-aloud work for you: the rhythm, the pictures or the giggles?",
         "{sentence} What would your little one do?",
         "Is there anything better than a story that ends in a sleepy smile? Try {title}."),
        ("", "Tell me in the replies.", "Share your favourites below."),
    ),
    "behind_the_scenes": (
        ("", "Behind the scenes.", "From the drawing table.", "Story notes.",
         "How this book began."),
        ("Every picture book starts with a small idea. For {author}, it was {theme}.",
         "{title} took shape around {theme} and {theme2}.",
         "Making {genre_one} means saying a lot in very few words. For {author}, that meant "
         "{title}.",
         "Where does a story like {title} begin? For {author}, with {theme}."),
        ("", "Ask {author} anything about it below.", "What would your little reader ask?"),
    ),
    "reader_question": (
        ("", "Question for parents.", "Storytime chat.", "Your turn.", "Over to you."),
        ("What was your favourite picture book as a child?",
         "Bedtime story or breakfast story: when do you read together?",
         "Which book does your little one ask for every single night?",
         "Who does the voices at your house during storytime?",
         "What is the best book you know for talking about {theme} with little ones?"),
        ("", "Answers below.", "Tell me in the comments."),
    ),
    "excerpt_teaser": (
        ("", "The story.", "Storytime preview.", "In short.", "Meet the story."),
        ("{sentence}",
         "{sentence} {sentence2}",
         "{sentence}\n\nFrom {title} by {author}.",
         "The story of {title}: {sentence}"),
        ("", "Ready for storytime?", "Curious? Read on in {title}."),
    ),
    "theme_spotlight": (
        ("", "Big feelings, small readers.", "Theme spotlight.", "What this story is about."),
        ("{title} is a story about {theme}.",
         "In {title}, {theme} is at the heart of every page.",
         "A gentle story about {theme} and {theme2}: {title} by {author}.",
         "{author} wrote {title} for little readers learning about {theme}."),
        ("", "A good one for storytime.", "Does your little one love stories like this?"),
    ),
    "read_aloud": (
        ("", "Read-aloud moment.", "Storytime favourite.", "Try this one out loud.",
         "For your softest voice."),
        ("A read-aloud moment from {title}: “{quote}”",
         "Best read slowly, with a pause before the page turn: “{quote}”\n— {title}",
         "Try this in your softest voice: “{quote}”\n\nFrom {title} by {author}.",
         "{sentence}\n\nA story made for reading aloud: {title}."),
        ("", "Who reads at bedtime in your house?", "Save it for the next storytime."),
    ),
    "parent_teacher": (
        ("", "For parents and teachers.", "For the classroom.", "A note for grown-ups.",
         "For your book basket."),
        ("{title} is a gentle way to talk about {theme} with {young_readers}.",
         "A classroom read about {theme} and {theme2}: {title} by {author}.",
         "Reading {title} together opens a conversation about {theme}.",
         "Looking for a picture book about {theme} for {young_readers}? Try {title}."),
        ("", "Add it to your storytime list.", "Share it with a teacher who would love it."),
    ),
    "activity_idea": (
        ("", "Activity idea.", "After storytime.", "Try this at home.", "A little project."),
        ("After reading {title}, ask your little one to draw their favourite page.",
         "After storytime with {title}, talk together about what {theme} means.",
         "Read {title}, then make up one more page together: what happens next?",
         "A storytime idea: read {title}, then let your child retell it in their own words.",
         "Read {title} aloud, then act out the story together, one voice each."),
        ("", "Tell me how it goes.", "Share a picture of the result."),
    ),
}

NONFICTION: Mapping[str, Table] = {
    "hook_question": (
        ("", "A question worth asking.", "Be honest.", "Think about this.", "Here is a thought."),
        ("What if {theme} is the skill nobody teaches?",
         "Where does {theme} fit in your week? {title} by {author} makes the case for it.",
         "When did you last make time for {theme}?",
         "{sentence} Does that match what you see?",
         "Is {theme} a habit or a talent? {title} explores the question."),
        ("", "Tell me in the comments.", "Curious? Start with {title}."),
    ),
    "theme_spotlight": (
        ("", "Theme spotlight.", "What this book is about.", "The big idea.", "Look closer."),
        ("{title} is a book about {theme}.",
         "In {title}, {author} takes {theme} seriously.",
         "Two ideas run through {title}: {theme} and {theme2}.",
         "{author} wrote {title} for anyone who wants to get better at {theme}."),
        ("", "Is this on your list?", "Which idea matters most to you?"),
    ),
    "behind_the_scenes": (
        ("", "Behind the book.", "Why this book.", "Writing notes.", "From the desk."),
        ("Every book starts with a question. For {author}, it was about {theme}.",
         "Why a book about {theme}? {author} answers in {title}.",
         "{title} took shape around {theme} and {theme2}.",
         "Writing {genre_one} means testing every idea against real work. For {author}, that "
         "meant {title}."),
        ("", "Ask {author} anything about it below.", "What would you ask the author?"),
    ),
    "reader_question": (
        ("", "Question for you.", "Over to you.", "Your turn.", "Quick poll."),
        ("What is one book that changed how you work?",
         "Which do you find harder: {theme} or {theme2}?",
         "Where do you read {genre_many}: at your desk, on the commute, or on a slow morning?",
         "What is the best advice you ever got about {theme}?",
         "Which book would you give someone starting out?"),
        ("", "Answers below.", "Tell me in the comments."),
    ),
    "excerpt_teaser": (
        ("", "The argument.", "In short.", "From the introduction.", "The starting point."),
        ("{sentence}",
         "{sentence} {sentence2}",
         "{sentence}\n\nFrom {title} by {author}.",
         "The case {title} makes: {sentence}"),
        ("", "Want the rest of the argument?", "Read the full case in {title}."),
    ),
    "fun_fact": (
        ("", "Did you know?", "Worth knowing.", "A detail.", "Book facts."),
        ("The full title is {title}: {subtitle}.",
         "In {title}, {author} takes on {theme}.",
         "{title} by {author}: {award}.",
         "{title} connects {theme} and {theme2}."),
        ("", "Meet {title}.", "Share it with a colleague."),
    ),
    "key_idea": (
        ("", "Worth remembering.", "Food for thought.", "One to think about.", "Save this."),
        ("One idea from {title}: “{quote}”",
         "A key idea from {title} by {author}: “{quote}”",
         "The idea at the center of {title}: {theme}.",
         "{sentence}\n\nThat is where {title} begins."),
        ("", "Agree or disagree?", "How does that land for you?", "Save it for your next plan."),
    ),
    "framework": (
        ("", "A simple framework.", "Try this lens.", "For your next planning session.",
         "Mental model of the day."),
        ("Three ideas that run through {title}: {theme}, {theme2} and {theme3}.",
         "Two ideas to take into your week, from {title}: {theme} and {theme2}.",
         "One way into {title}: start with {theme}, then {theme2}.",
         "{title} in three ideas: {theme}, {theme2}, {theme3}."),
        ("", "Which one do you need most right now?", "Which would you start with?"),
    ),
    "myth_vs_fact": (
        ("", "Quick check.", "Let us test an idea.", "Gut check.", "Poll time."),
        ("Myth or fact: {theme} can be learned?",
         "Myth or fact: {theme} is a luxury most of us cannot afford?",
         "True or false: {theme} matters more than talent?",
         "Myth: there is no time for {theme}. What do you think?"),
        ("Where do you stand?", "Tell me below, then see what {author} says in {title}."),
    ),
    "chapter_takeaway": (
        ("", "Takeaway.", "One thing to keep.", "For your notes.", "Sticky-note worthy."),
        ("A takeaway from {title}: “{quote}”",
         "If you take one thing from {title}, make it this: “{quote}”",
         "Worth writing on a sticky note, from {title} by {author}: “{quote}”"),
        ("", "Would you put it on your wall?", "Save it for Monday."),
    ),
}

#: Endings that carry the launch phase's wording, for posts that sell or count down.
PHASE_CTAS: Mapping[Phase, tuple[str, ...]] = MappingProxyType({
    "pre_launch": ("Pre-order it now.", "Pre-orders are open.", "Reserve yours with a pre-order.",
                   "Pre-order your copy.", "Pre-order {title} now."),
    "launch_week": ("Out now.", "Get your copy now.", "It is out in the world now.",
                    "{title} is out now."),
    "post_launch": ("Add it to your list.", "Get your copy.", "Tell a friend who would love it.",
                    "Add {title} to your list."),
})
#: Labels before a retailer link, by launch phase.
LINK_LABELS: Mapping[Phase, tuple[str, ...]] = MappingProxyType({
    "pre_launch": ("Pre-order:", "Pre-order your copy:", "Pre-order now:"),
    "launch_week": ("Out now:", "Get your copy:", "Available now:"),
    "post_launch": ("Get your copy:", "Find it here:", "Read it:", "Available here:"),
})
#: Hooks that open a long post (LinkedIn, Facebook), by category.
HOOKS: Mapping[Category, tuple[str, ...]] = MappingProxyType({
    "fiction": ("Some books stay with you long after the last page.",
                "Every writer has one story they had to tell.",
                "A good book is a quiet kind of company.",
                "The best stories ask a question and make you wait for the answer.",
                "Every reader has a book they push into the hands of friends."),
    "children": ("The best bedtime stories get asked for again and again.",
                 "Small readers have big feelings.",
                 "Storytime is the best part of the day in a lot of homes.",
                 "A picture book can start a conversation nothing else can.",
                 "The right story at bedtime can make a long day end well."),
    "nonfiction": ("Most advice is about doing more. Some of the best is about doing less.",
                   "Good ideas are easy to nod at and hard to practise.",
                   "The books that change how we work are rarely the loudest ones.",
                   "One idea, applied for a long time, beats ten ideas tried once.",
                   "The best advice often sounds obvious until you try to follow it."),
})
#: Closing questions of a long post, by category.
CLOSERS: Mapping[Category, tuple[str, ...]] = MappingProxyType({
    "fiction": ("What are you reading this month?", "What is the last book that surprised you?",
                "Which book would you hand a friend right now?"),
    "children": ("What are your little ones reading right now?",
                 "Which picture book would you add to every bookshelf?",
                 "What was your favourite storytime book as a child?"),
    "nonfiction": ("What is one idea you would add?", "How do you make room for this at work?",
                   "Which book changed how you work?"),
})
#: Emoji a post may open with, by category ("" twice: most posts open without one).
EMOJI: Mapping[Category, tuple[str, ...]] = MappingProxyType({
    "fiction": ("", "", "📚", "📖", "✨", "🔖", "☕"),
    "children": ("", "", "📖", "🌙", "🎈", "🧸", "🎨"),
    "nonfiction": ("", "", "📘", "💡", "📌", "📈"),
})
BIO_LINES = ("Link in bio.", "The link is in my bio.", "Find the link in my bio.")
GENERIC_TAGS = ("BookLovers", "AmReading", "Books", "Bookstagram", "ReadingList", "BookRecs")
#: Tags that name one network's community, used on that network only (casefolded): #Bookstagram
#: is Instagram's book community, and reads as a cross-post anywhere else.
NETWORK_TAGS = MappingProxyType({"bookstagram": "instagram"})
LINK_CHANCE = {"retailer_cta": 1.0, "launch_countdown": 1.0, "review_highlight": 0.5,
               "excerpt_teaser": 0.5, "author_quote": 0.3, "key_idea": 0.3,
               "parent_teacher": 0.5, "read_aloud": 0.3}
#: Posts that always fit: tried when no combination passed (each with a required word if any).
LAST_RESORTS = ("{title} by {author}", "Meet {title} by {author}.", "Introducing {title}.",
                "A book by {author}: {title}.", "Say hello to {title}.", "One to know: {title}.",
                "{title}")
# post type -> (what it needs, the types to write instead when the profile lacks it)
FALLBACKS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "theme_spotlight": ("key themes", ("hook_question",)),
    "author_quote": ("quotes", ("review_highlight", "excerpt_teaser", "hook_question")),
    "review_highlight": ("reviews", ("author_quote", "excerpt_teaser", "hook_question")),
    "launch_countdown": (
        "an upcoming launch date or event", ("retailer_cta", "reader_question")
    ),
    "retailer_cta": ("links", ("launch_countdown", "reader_question")),
    "fun_fact": (
        "themes, a subtitle or awards", ("theme_spotlight", "behind_the_scenes")
    ),
    "excerpt_teaser": ("a blurb", ("author_quote", "hook_question")),
    "read_aloud": ("quotes or a blurb", ("excerpt_teaser", "theme_spotlight")),
    "parent_teacher": ("key themes", ("read_aloud", "hook_question")),
    "activity_idea": ("a title", ("read_aloud", "hook_question")),
    "key_idea": ("quotes, themes or a blurb", ("excerpt_teaser", "hook_question")),
    "framework": ("two key themes", ("key_idea", "theme_spotlight")),
    "myth_vs_fact": ("key themes", ("key_idea", "hook_question")),
    "chapter_takeaway": ("quotes", ("key_idea", "excerpt_teaser")),
}
# fmt: on

#: Post types whose endings are the launch phase's (`PHASE_CTAS`).
PHASE_ENDED = frozenset({"launch_countdown", "retailer_cta"})


def tables(category: Category) -> Mapping[str, Table]:
    """Every post type's phrases for `category`: its own where it has them, else the shared."""
    own = {"children": CHILDREN, "nonfiction": NONFICTION}.get(category, {})
    types = (*SHARED_TYPES, *OWN_TYPES[category])
    return {post_type: own.get(post_type) or SHARED[post_type] for post_type in types}
