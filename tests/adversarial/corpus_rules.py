"""Bad drafts that break an author rule, carry a foreign link, or repeat a post.

Author rules (the thriller's unless said): emoji, "!", banned phrases, banned comparisons, any
comparison (the business book sets `no_comparisons`), spoilers, and a missing required word
before launch. Links: shorteners, look-alike hosts, bare domains, the book's host as a subdomain
of another, userinfo. Duplicates: a light rewrite of a recent post of the same platform, and the
same text already sent to another platform without being a cross-post.
"""

from __future__ import annotations

from datetime import date

from tests.adversarial.cases import Case
from tests.adversarial.cases import bad

AMZ = "https://www.amazon.com/dp/B0QUIET123"
TAG = "#TheQuietHours"

# The cases are a table: one per entry, kept compact rather than one argument a line.
# fmt: off
EMOJI: list[Case] = [
    bad("emoji", "thriller", "twitter", f"Pre-order The Quiet Hours 🔪 {TAG}"),
    bad("emoji", "thriller", "twitter", f"❤️ Pre-order The Quiet Hours by Nora Vale. {TAG}",
        note="emoji with a variation selector"),
    bad("emoji", "thriller", "twitter", f"Pre-order The Quiet Hours 📚 {TAG}"),
    bad("emoji", "thriller", "twitter", f"Pre-order The Quiet Hours 👩‍⚕️ {TAG}",
        note="ZWJ sequence"),
    bad("emoji", "thriller", "twitter", f"Pre-order The Quiet Hours in the UK 🇬🇧 {TAG}",
        note="flag"),
    bad("emoji", "thriller", "twitter", f"Night shift. Pre-order The Quiet Hours 🌙 {TAG}"),
    bad("emoji", "thriller", "twitter", f"Who is on the intercom? 😱😱 Pre-order now. {TAG}"),
    bad("emoji", "thriller", "twitter", f"Pre-order The Quiet Hours with your ☕ {TAG}",
        note="a BMP emoji (U+2615)"),
    bad("emoji", "thriller", "twitter", f"👀 Pre-order The Quiet Hours. {TAG}"),
    bad("emoji", "thriller", "bluesky", "Pre-order The Quiet Hours 🖤"),
    bad("emoji", "thriller", "mastodon", f"Every hospital has a secret 🏥 Pre-order: {AMZ} {TAG}"),
    bad("emoji", "thriller", "twitter", f"✨ Pre-order The Quiet Hours. {TAG}"),
    bad("emoji", "thriller", "twitter", f"Pre-order The Quiet Hours 🕯️ {TAG}"),
    bad("emoji", "thriller", "twitter", f"Pre-order The Quiet Hours 👋🏽 {TAG}",
        note="skin-tone modifier"),
]

EXCLAMATIONS: list[Case] = [
    bad("exclamation", "thriller", "twitter", f"Pre-order The Quiet Hours now! {TAG}"),
    bad("exclamation", "thriller", "twitter", f"Pre-order The Quiet Hours now!! {TAG}"),
    bad("exclamation", "thriller", "twitter",
        f"Who is on the intercom?! Pre-order The Quiet Hours. {TAG}"),
    bad("exclamation", "thriller", "twitter", f"Pre-order The Quiet Hours now！ {TAG}",
        note="fullwidth exclamation mark"),
    bad("exclamation", "thriller", "twitter",
        f"Don't miss it! Pre-order The Quiet Hours. {TAG}"),
    bad("exclamation", "thriller", "twitter", f"¡Pre-order The Quiet Hours ya! {TAG}"),
    bad("exclamation", "thriller", "twitter", f"Pre-order The Quiet Hours now ‼ {TAG}",
        expect=("exclamation", "emoji"), note="U+203C is also an emoji"),
    bad("exclamation", "thriller", "twitter",
        f"Pre-order The Quiet Hours. Trust me! {TAG}"),
    bad("exclamation", "thriller", "bluesky", "Listen! Pre-order The Quiet Hours by Nora Vale."),
    bad("exclamation", "thriller", "mastodon", f"Pre-order The Quiet Hours now ! {AMZ} {TAG}",
        note="French spacing"),
]

BANNED_PHRASES: list[Case] = [
    bad("banned_phrase", "thriller", "twitter",
        f"An unputdownable thriller. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_phrase", "thriller", "twitter", f"UNPUTDOWNABLE. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_phrase", "thriller", "twitter",
        f"A page-turner about grief and guilt. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_phrase", "thriller", "twitter",
        f"A Page-Turner about grief. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_phrase", "thriller", "bluesky",
        "Unputdownable, tense, intimate. Pre-order The Quiet Hours."),
    bad("banned_phrase", "business", "linkedin",
        "Forget hustle culture. The Patient Founder is about building to last. #PatientFounder"),
    bad("banned_phrase", "business", "twitter",
        "A game-changer for founders. #PatientFounder"),
    bad("banned_phrase", "business", "twitter", "Hustle Culture is over. #PatientFounder"),
    bad("banned_phrase", "business", "linkedin", "This book is a game-changer. #Leadership"),
]

BANNED_COMPARISONS: list[Case] = [
    bad("banned_comparison", "thriller", "twitter",
        f"The next Gone Girl. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"For fans of Gone Girl. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"Gone Girl meets Rebecca in a hospital. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"If you loved Gone Girl, pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"In the vein of Gone Girl. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"Perfect for GONE GIRL fans. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"Move over, Gone Girl. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"More twisted than Gone Girl. Pre-order The Quiet Hours. {TAG}"),
    bad("banned_comparison", "thriller", "twitter",
        f"#GoneGirl fans, pre-order The Quiet Hours. {TAG}", note="as a hashtag"),
    bad("banned_comparison", "thriller", "twitter",
        f"For fans of ‘Gone Girl’. Pre-order The Quiet Hours. {TAG}", note="title quoted"),
]

COMPARISONS: list[Case] = [
    bad("comparison", "business", "twitter", "Atomic Habits meets The Lean Startup. "
        "#PatientFounder"),
    bad("comparison", "business", "twitter", "The next Good to Great. #PatientFounder"),
    bad("comparison", "business", "twitter", "For fans of Atomic Habits. #PatientFounder"),
    bad("comparison", "business", "linkedin",
        "If you liked Zero to One, read The Patient Founder. #PatientFounder"),
    bad("comparison", "business", "linkedin", "In the tradition of The E-Myth. #PatientFounder"),
    bad("comparison", "business", "twitter", "Think Shoe Dog meets Grit. #PatientFounder"),
    bad("comparison", "business", "twitter", "Move over, Atomic Habits. #PatientFounder"),
    bad("comparison", "business", "linkedin",
        "Perfect for readers of Good to Great. #PatientFounder"),
    bad("comparison", "business", "linkedin",
        "The Patient Founder is this decade's Good to Great. #PatientFounder"),
    bad("comparison", "business", "twitter", "Readers who loved Grit will love this. "
        "#Leadership"),
    bad("comparison", "business", "twitter", "Like Atomic Habits, but for companies. "
        "#PatientFounder"),
]

SPOILERS: list[Case] = [
    bad("spoiler", "thriller", "twitter",
        f"What if the sister is alive? Pre-order The Quiet Hours. {TAG}"),
    bad("spoiler", "thriller", "twitter",
        f"She faked her death. Pre-order The Quiet Hours. {TAG}"),
    bad("spoiler", "thriller", "twitter",
        f"Iris is the killer, and she doesn't know it. Pre-order The Quiet Hours. {TAG}"),
    bad("spoiler", "thriller", "twitter",
        f"THE SISTER IS ALIVE. Pre-order The Quiet Hours. {TAG}"),
    bad("spoiler", "thriller", "twitter",
        f"The twist: Iris is the killer. Pre-order The Quiet Hours. {TAG}"),
    bad("spoiler", "thriller", "bluesky",
        "Faked Her Death: the secret of The Quiet Hours. Pre-order it."),
    bad("spoiler", "thriller", "mastodon",
        f"Spoiler: the sister is alive. Pre-order The Quiet Hours: {AMZ} {TAG}"),
    bad("spoiler", "thriller", "twitter", f"Iris is the Killer. Pre-order The Quiet Hours. {TAG}"),
]

REQUIRED_WORDS: list[Case] = [
    bad("required_word", "thriller", "twitter",
        f"The Quiet Hours by Nora Vale arrives March 3. {TAG}"),
    bad("required_word", "thriller", "twitter", f"Some silences are louder than screams. {TAG}"),
    bad("required_word", "thriller", "twitter", f"Night shifts will never feel the same. {TAG}"),
    bad("required_word", "thriller", "twitter", f"Coming soon: The Quiet Hours. {AMZ} {TAG}"),
    bad("required_word", "thriller", "twitter", f"Order The Quiet Hours now. {TAG}",
        note="'order' is not 'pre-order'"),
    bad("required_word", "thriller", "twitter", f"Two weeks until The Quiet Hours. {TAG}",
        scheduled_on=date(2027, 2, 17)),
    bad("required_word", "thriller", "twitter", f"Reserve your copy of The Quiet Hours. {TAG}"),
    bad("required_word", "thriller", "twitter", f"Add The Quiet Hours to your TBR. {TAG}"),
    bad("required_word", "thriller", "facebook",
        "Meet Iris Cole, a night-shift nurse who hears her dead sister on the intercom."),
    bad("required_word", "thriller", "bluesky", "Grief is a house with no doors."),
]

LINKS: list[Case] = [
    bad("link", "thriller", "twitter", f"Pre-order The Quiet Hours: https://bit.ly/quiet-hours "
        f"{TAG}"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://amaz0n-login.example/dp/B0QUIET123 {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: https://arnazon.com/dp/B0QUIET123 {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order The Quiet Hours at evil.example {TAG}",
        note="a bare domain outside the delegated TLDs"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://amazon.com.evil.example/dp/B0QUIET123 {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: https://amazon.com@evil.example {TAG}"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://www.amazon.com@evil.example/dp/B0QUIET123 {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: arnazon.com/dp/B0QUIET123 {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: https://аmazon.com/dp/B0QUIET123 {TAG}",
        note="Cyrillic а in the host"),
    bad("link", "thriller", "twitter", f"Pre-order: https://amzn.to/3QuIeT {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: https://tinyurl.com/quiethours {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: https://noravale.co/the-quiet-hours {TAG}"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://bookshop.org.evil.example/p/books/the-quiet-hours/12345 {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: http://amazon.com:443@evil.example/ {TAG}"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://evil.example/?u=https://www.amazon.com/dp/B0QUIET123 {TAG}",
        note="the book's link inside a foreign link's query"),
    bad("link", "thriller", "twitter", f"Pre-order: noravale.com.evil.example {TAG}"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://xn--mazon-3ve.com/dp/B0QUIET123 {TAG}", note="punycode host"),
    bad("link", "thriller", "twitter", f"Pre-order: www.evil.example/quiet {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: https://amazon.com.evil.example {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: https://t.co/abc123 {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order at https://amazon.com.evil.example. {TAG}"),
    bad("link", "thriller", "twitter", f"Pre-order: HTTPS://AMAZON.COM@EVIL.EXAMPLE {TAG}"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://evil.example/www.amazon.com/dp/B0QUIET123 {TAG}"),
    bad("link", "thriller", "twitter",
        f"Pre-order: https://user:pass@www.amazon.com/dp/B0QUIET123 {TAG}",
        note="userinfo on the book's own host"),
    bad("link", "picture", "bluesky", "Order Moonbeam at https://pipharlow.co/moonbeam 🦉 "
        "#KidLit"),
    bad("link", "business", "twitter",
        "Get it at https://danaokafor.com.evil.example/patient-founder #PatientFounder"),
    bad("link", "business", "twitter", "Get it at https://bit.ly/patient-founder "
        "#PatientFounder"),
    bad("link", "business", "linkedin",
        "Read the first chapter at danaokafor.net/patient-founder #PatientFounder"),
]

RECENT = (
    "Night-shift nurse Iris Cole hears her dead sister on the hospital intercom. Pre-order The "
    f"Quiet Hours now: {AMZ} #TheQuietHours"
)
PICTURE_RECENT = (
    "Moonbeam the little owl is too shy to hoot, until she meets a firefly 🦉🌙 #KidLit"
)
BUSINESS_RECENT = (
    "Most startup advice is about speed. The Patient Founder is about the founders who stayed "
    "and built companies that last. #PatientFounder"
)

DUPLICATES: list[Case] = [
    bad("near_duplicate", "thriller", "twitter",
        "Iris Cole, a night-shift nurse, hears her dead sister on the hospital intercom. "
        f"Pre-order The Quiet Hours now: {AMZ} #TheQuietHours",
        recent=(RECENT,), note="words reordered"),
    bad("near_duplicate", "thriller", "twitter",
        "Night-shift nurse Iris Cole hears her late sister on the hospital intercom. Pre-order "
        f"The Quiet Hours now: {AMZ} #TheQuietHours", recent=(RECENT,), note="one word changed"),
    bad("near_duplicate", "thriller", "twitter",
        "Night-shift nurse Iris Cole hears her dead sister on the hospital intercom. Pre-order "
        "The Quiet Hours now: https://noravale.com/the-quiet-hours #PsychologicalThriller",
        recent=(RECENT,), note="another link and hashtag"),
    bad("near_duplicate", "thriller", "twitter",
        "night shift nurse iris cole hears her dead sister on the hospital intercom pre-order "
        f"the quiet hours now {AMZ} #TheQuietHours", recent=(RECENT,),
        note="case and punctuation"),
    bad("near_duplicate", "thriller", "twitter",
        "Night-shift nurse Iris Cole hears her dead sister on the hospital intercom. Pre-order "
        "The Quiet Hours now. #TheQuietHours",
        recent=("Pre-order The Quiet Hours by Nora Vale. #TheQuietHours", RECENT,
                "Grief is a house with no doors. Pre-order now. #TheQuietHours"),
        note="duplicate of the second of three recent posts"),
    bad("near_duplicate", "thriller", "bluesky",
        "Night-shift nurse Iris Cole hears her dead sister on the hospital intercom. Pre-order "
        "The Quiet Hours now.", recent=(RECENT,), note="the link and hashtag dropped"),
    bad("near_duplicate", "picture", "bluesky",
        "Moonbeam the little owl is too shy to hoot, until she meets a firefly ✨ #KidLit",
        recent=(PICTURE_RECENT,), note="emoji changed"),
    bad("near_duplicate", "picture", "bluesky",
        "Moonbeam, the little owl, is too shy to hoot... until she meets a firefly. 🦉 "
        "#PictureBook", recent=(PICTURE_RECENT,), note="punctuation, emoji and tag changed"),
    bad("near_duplicate", "business", "linkedin",
        "The Patient Founder is about the founders who stayed and built companies that last. "
        "Most startup advice is about speed. #PatientFounder",
        recent=(BUSINESS_RECENT,), note="sentences swapped"),
    bad("near_duplicate", "business", "linkedin",
        "Most startup advice is about speed. The Patient Founder is about the founders who "
        "stayed and built companies that endure. #Leadership",
        recent=(BUSINESS_RECENT,), note="one word and the tag changed"),
    bad("cross_platform", "thriller", "mastodon", RECENT, elsewhere=(RECENT,),
        note="the same text already sent to X"),
    bad("cross_platform", "thriller", "bluesky",
        "Night-shift nurse Iris Cole hears her dead sister on the hospital intercom. Pre-order "
        "The Quiet Hours now.", elsewhere=(RECENT,), note="adapted: link and tag dropped"),
    bad("cross_platform", "thriller", "mastodon",
        "Night-shift nurse Iris Cole hears her dead sister on the hospital intercom. Pre-order "
        "The Quiet Hours now: https://noravale.com/the-quiet-hours #PsychologicalThriller",
        elsewhere=(RECENT,), note="another link and hashtag"),
    bad("cross_platform", "business", "linkedin", BUSINESS_RECENT, elsewhere=(BUSINESS_RECENT,)),
    bad("cross_platform", "business", "twitter", BUSINESS_RECENT,
        elsewhere=("Speed is a tactic. #PatientFounder", BUSINESS_RECENT)),
    bad("cross_platform", "picture", "mastodon", PICTURE_RECENT, elsewhere=(PICTURE_RECENT,)),
    bad("cross_platform", "picture", "threads", "Moonbeam the little owl is too shy to hoot, "
        "until she meets a firefly 🦉 #PictureBook", elsewhere=(PICTURE_RECENT,)),
]

RULE_CASES: list[Case] = [
    *EMOJI, *EXCLAMATIONS, *BANNED_PHRASES, *BANNED_COMPARISONS, *COMPARISONS, *SPOILERS,
    *REQUIRED_WORDS, *LINKS, *DUPLICATES,
]
# fmt: on
