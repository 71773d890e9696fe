"""Legitimate drafts the gate must pass: what the profiles ground, said in many ways.

Real quotes and reviews (exact or lightly trimmed, in every quote style, correctly credited),
reader reviews as "readers say", the price in its own and equivalent forms, the profile's awards,
the launch and event dates in several forms, relative dates that resolve to them from the
scheduled day, "pre-order" posts before launch, the profile's links, hashtags, CJK and emoji,
posts at the platform limit, apostrophes that are not quotes, ordinary numbers that are not
claims, questions and calls to action.
"""

from __future__ import annotations

from datetime import date

from tests.adversarial.cases import Case
from tests.adversarial.cases import ok
from tests.adversarial.corpus_claims import STYLES
from tests.adversarial.corpus_rules import BUSINESS_RECENT
from tests.adversarial.corpus_rules import PICTURE_RECENT
from tests.adversarial.corpus_rules import RECENT
from tests.adversarial.limits import at_limit
from tests.adversarial.profiles import POST_LAUNCH_DAY

AMZ = "https://www.amazon.com/dp/B0QUIET123"
SITE = "https://noravale.com/the-quiet-hours"
SHOP = "https://bookshop.org/p/books/the-quiet-hours/12345"
TAG = "#TheQuietHours"
LAUNCH_WEEK_DAY = date(2027, 3, 5)

# The cases are a table: one per entry, kept compact rather than one argument a line.
# fmt: off
_FRAMES = (
    "{q} Pre-order The Quiet Hours by Nora Vale. " + TAG,
    "From The Quiet Hours: {q} Pre-order now. " + TAG,
    "{q} — Nora Vale, The Quiet Hours. Pre-order: " + AMZ + " " + TAG,
)

QUOTES: list[Case] = [
    *(
        ok("quote", "thriller", "twitter",
           _FRAMES[i % 3].format(q=f"{o}Some silences are louder than screams.{c}"),
           note=f"exact quote in {o}{c}")
        for i, (o, c) in enumerate(STYLES)
    ),
    *(
        ok("quote", "thriller", "twitter",
           _FRAMES[(i + 1) % 3].format(q=f"{o}Every hospital has a floor nobody talks about.{c}"),
           note=f"exact quote in {o}{c}")
        for i, (o, c) in enumerate(STYLES)
    ),
    *(
        ok("quote", "thriller", "mastodon",
           f"Nora Vale: {o}Grief is a house with no doors.{c} Pre-order The Quiet Hours: {SITE} "
           f"{TAG}", note=f"exact quote in {o}{c}")
        for o, c in STYLES[::2]
    ),
    # Lightly trimmed.
    ok("quote", "thriller", "twitter",
       f"“Some silences are louder than screams” Pre-order The Quiet Hours. {TAG}",
       note="final period dropped"),
    ok("quote", "thriller", "twitter",
       f"“some silences are louder than screams…” Pre-order The Quiet Hours. {TAG}",
       note="lower case, ellipsis"),
    ok("quote", "thriller", "twitter",
       f'Nora Vale knows that "every hospital has a floor nobody talks about". Pre-order now. '
       f"{TAG}", note="quote inside a sentence"),
    ok("quote", "thriller", "bluesky",
       "“Grief is a house with no doors” — The Quiet Hours, by Nora Vale. Pre-order it."),
    ok("quote", "thriller", "twitter",
       f"As Nora Vale writes, “Every hospital has a floor nobody talks about.” Pre-order. {TAG}"),
    ok("quote", "thriller", "mastodon",
       "Some silences\nare louder\nthan screams.\n\nPre-order The Quiet Hours: "
       f"{AMZ} {TAG}", note="the quote unquoted, in lines"),
    *(
        ok("quote", "picture", "bluesky",
           f"{o}Even the moon needs a friend sometimes.{c} 🌙 Moonbeam Finds a Friend #KidLit",
           note=f"exact quote in {o}{c}")
        for o, c in STYLES[1::2]
    ),
    ok("quote", "picture", "bluesky", "“Brave is easier with two.” 🦉✨ #PictureBook"),
    ok("quote", "picture", "threads", "'Brave is easier with two.' Moonbeam Finds a Friend 🦉"),
    ok("quote", "picture", "bluesky", "«Brave is easier with two» — Pip Harlow 🌙 #KidLit"),
    *(
        ok("quote", "business", "linkedin",
           f"{o}Speed is a tactic. Patience is a strategy.{c} — Dana Okafor, The Patient "
           "Founder #PatientFounder", note=f"exact quote in {o}{c}")
        for o, c in STYLES[::3]
    ),
    ok("quote", "business", "twitter",
       "“The best companies are built by people who plan to stay.” #PatientFounder"),
    ok("quote", "business", "twitter",
       '"Patience is a strategy." The Patient Founder by Dana Okafor. #Leadership',
       note="second sentence of a quote"),
    ok("quote", "business", "linkedin",
       "Dana Okafor: „The best companies are built by people who plan to stay“ #PatientFounder"),
    ok("quote", "injected", "twitter",
       "“Glass remembers every hand that touches it.” The Glass Orchard. #GlassOrchard"),
]

REVIEWS: list[Case] = [
    *(
        ok("review", "thriller", "twitter",
           f"{o}A chilling, elegant descent into grief and guilt.{c} — Kirkus Reviews. Pre-order "
           f"The Quiet Hours. {TAG}", note=f"critic review in {o}{c}")
        for o, c in STYLES
    ),
    ok("review", "thriller", "twitter",
       f"Kirkus Reviews: “A chilling, elegant descent into grief and guilt.” Pre-order now. {TAG}"),
    ok("review", "thriller", "twitter",
       f"Kirkus Reviews calls The Quiet Hours “a chilling, elegant descent into grief and "
       f"guilt.” Pre-order now. {TAG}"),
    ok("review", "thriller", "twitter",
       f"Kirkus Reviews calls it a chilling, elegant descent into grief and guilt. Pre-order "
       f"now. {TAG}", note="unquoted, correctly credited"),
    ok("review", "thriller", "twitter",
       f"“A chilling, elegant descent” — Kirkus Reviews. Pre-order The Quiet Hours. {TAG}",
       note="trimmed"),
    ok("review", "thriller", "twitter",
       f"“…a chilling, elegant descent into grief…” (Kirkus Reviews). Pre-order now. {TAG}",
       note="trimmed both ends"),
    ok("review", "thriller", "twitter",
       f"\"Vale writes suspense with a surgeon's precision.\" — Publishers Weekly. Pre-order "
       f"now. {TAG}"),
    ok("review", "thriller", "twitter",
       f"“Vale writes suspense with a surgeon’s precision.” — Publishers Weekly. Pre-order now. "
       f"{TAG}", note="typographic apostrophe inside"),
    ok("review", "thriller", "twitter",
       f"Publishers Weekly says Vale writes suspense with a surgeon's precision. Pre-order. "
       f"{TAG}", note="unquoted, correctly credited"),
    ok("review", "thriller", "bluesky",
       "In the words of Publishers Weekly, ‘Vale writes suspense with a surgeon’s precision.’ "
       "Pre-order The Quiet Hours."),
    ok("review", "thriller", "twitter",
       f'Booklist calls it "Tense, intimate and impossible to put down." Pre-order now. {TAG}'),
    ok("review", "thriller", "twitter",
       f"“Tense, intimate” — Booklist. Pre-order The Quiet Hours. {TAG}",
       note="a two-word fragment, credited"),
    ok("review", "thriller", "mastodon",
       f"«Tense, intimate and impossible to put down.» — Booklist\n\nPre-order: {SHOP} {TAG}"),
    ok("review", "picture", "bluesky",
       "“A warm hug of a bedtime story.” — School Library Journal 🌙 #KidLit"),
    ok("review", "picture", "bluesky",
       "School Library Journal calls it a warm hug of a bedtime story 🦉 #PictureBook"),
    ok("review", "picture", "mastodon",
       "School Library Journal: «A warm hug of a bedtime story.» 🌙 #BedtimeStory"),
    ok("review", "business", "linkedin",
       "“A rare business book that rewards patience over hype.” — Financial Times "
       "#PatientFounder"),
    ok("review", "business", "twitter",
       'Financial Times: "A rare business book that rewards patience over hype." #Leadership'),
    ok("review", "business", "linkedin",
       "The Financial Times calls it a rare business book that rewards patience over hype. "
       "#PatientFounder"),
    ok("review", "business", "twitter",
       '"Practical, humane and refreshingly free of jargon." — Inc. Magazine #PatientFounder',
       note="'free' that is not a price"),
    ok("review", "business", "linkedin",
       "Inc. Magazine found it “practical, humane and refreshingly free of jargon.” "
       "#PatientFounder"),
    ok("review", "injected", "twitter",
       "“Luminous and strange, a fable for a thirsty age.” — Booklist #GlassOrchard"),
]

READERS: list[Case] = [
    ok("readers", "thriller", "twitter",
       f"Readers say: “I read it in one sitting and slept with the lights on.” Pre-order now. "
       f"{TAG}"),
    ok("readers", "thriller", "twitter",
       f'One Goodreads reader: "I read it in one sitting and slept with the lights on." '
       f"Pre-order. {TAG}"),
    ok("readers", "thriller", "twitter",
       f"What early readers are saying: ‘I read it in one sitting and slept with the lights "
       f"on.’ Pre-order. {TAG}"),
    ok("readers", "thriller", "bluesky",
       "A reader on Goodreads read it in one sitting and slept with the lights on. Pre-order "
       "The Quiet Hours."),
    ok("readers", "picture", "bluesky",
       "Readers say: “My four-year-old asks for it every single night.” 🦉 #KidLit"),
    ok("readers", "picture", "bluesky",
       "An Amazon customer writes: «My four-year-old asks for it every single night.» 🌙 "
       "#PictureBook"),
    ok("readers", "business", "twitter",
       "A Goodreads reader gave it five stars: “Changed how I run my bakery.” #PatientFounder",
       note="the rating is the reader review's own"),
    ok("readers", "business", "twitter",
       'Readers say: "Five stars. Changed how I run my bakery." #PatientFounder'),
    ok("readers", "business", "linkedin",
       "★★★★★ from a Goodreads reader: „Changed how I run my bakery.“ #PatientFounder"),
]

PRICES: list[Case] = [
    ok("price", "thriller", "twitter", f"Pre-order The Quiet Hours for $4.99. {TAG}"),
    ok("price", "thriller", "twitter", f"Pre-order The Quiet Hours: 4.99 USD. {TAG}"),
    ok("price", "thriller", "twitter", f"Pre-order The Quiet Hours for US$4.99. {TAG}"),
    ok("price", "thriller", "twitter", f"Pre-order The Quiet Hours for USD 4.99. {TAG}"),
    ok("price", "thriller", "twitter", f"Pre-order the ebook for 4.99 dollars. {TAG}"),
    ok("price", "thriller", "twitter", f"Just $4.99 to pre-order: {AMZ} {TAG}"),
    ok("price", "thriller", "mastodon",
       f"The Quiet Hours, $4.99. Pre-order: {AMZ}. {TAG}", note="price next to a link"),
    ok("price", "thriller", "twitter",
       f"Feel free to share: The Quiet Hours is up for pre-order. {TAG}",
       note="'free' that is not a price"),
    ok("price", "thriller", "twitter",
       f"A thriller about guilt and free will. Pre-order The Quiet Hours. {TAG}",
       note="'free' that is not a price"),
    ok("price", "picture", "bluesky", "Moonbeam Finds a Friend, $14.99 🦉 #KidLit"),
    ok("price", "picture", "bluesky", "Moonbeam Finds a Friend: 14.99 USD 🌙 #PictureBook"),
    ok("price", "business", "twitter", "The Patient Founder, $19.99. #PatientFounder"),
    ok("price", "business", "twitter", "The Patient Founder: 19.99 USD. #PatientFounder"),
    ok("price", "business", "linkedin", "The Patient Founder: USD 19.99 in hardcover. "
       "#PatientFounder"),
    ok("price", "business", "linkedin",
       "Your next book for $19.99: https://www.amazon.com/dp/B0PATIENT1 #PatientFounder"),
    ok("price", "injected", "twitter", "The Glass Orchard by Leona Marsh, $3.99. https://www."
       "amazon.com/dp/B0GLASS001 #GlassOrchard"),
]

AWARDS: list[Case] = [
    ok("award", "thriller", "twitter",
       f"From Edgar Award nominee Nora Vale. Pre-order The Quiet Hours. {TAG}"),
    ok("award", "thriller", "twitter",
       f"The Quiet Hours, an Edgar Award nominee. Pre-order now. {TAG}"),
    ok("award", "thriller", "twitter",
       f"Nominated for the Edgar Award. Pre-order The Quiet Hours. {TAG}"),
    ok("award", "thriller", "twitter",
       f"A 2026 Edgar Award nominee. Pre-order The Quiet Hours. {TAG}"),
    ok("award", "thriller", "twitter",
       f"The Edgar Award–nominated thriller. Pre-order The Quiet Hours. {TAG}"),
    ok("award", "thriller", "bluesky",
       "Edgar Award nominee 2026: The Quiet Hours by Nora Vale. Pre-order it."),
    ok("award", "business", "twitter", "A Wall Street Journal bestseller. #PatientFounder"),
    ok("award", "business", "linkedin",
       "The Wall Street Journal bestseller The Patient Founder, by Dana Okafor. #Leadership"),
    ok("award", "business", "twitter",
       "The Wall Street Journal bestselling guide to building companies that last. "
       "#PatientFounder"),
    ok("award", "business", "linkedin",
       "Dana Okafor's The Patient Founder is a Wall Street Journal bestseller. #PatientFounder"),
]

DATES: list[Case] = [
    ok("date", "thriller", "twitter", f"The Quiet Hours is out March 3. Pre-order now. {TAG}"),
    ok("date", "thriller", "twitter", f"Out 3 March 2027. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter", f"Release date: 2027-03-03. Pre-order now. {TAG}"),
    ok("date", "thriller", "twitter", f"Out March 3rd. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter", f"Out Mar. 3, 2027. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter", f"Out 03/03/2027. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter",
       f"Out Wednesday, March 3. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter", f"Out on 3 March. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter", f"Out 03.03.2027. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter", f"3月3日発売。Pre-order The Quiet Hours. {TAG}",
       note="a CJK date"),
    ok("date", "thriller", "twitter", f"2027年3月3日発売。Pre-order The Quiet Hours. {TAG}"),
    ok("date", "thriller", "twitter",
       f"Launch reading at Riverside Books on March 6. Pre-order now. {TAG}"),
    ok("date", "thriller", "twitter",
       f"Saturday, March 6: launch reading at Riverside Books. Pre-order. {TAG}"),
    ok("date", "thriller", "mastodon",
       f"Join Nora Vale at Riverside Books on 6 March 2027. Pre-order: {SHOP} {TAG}"),
    ok("date", "thriller", "twitter",
       f"Out March 3, reading March 6. Pre-order The Quiet Hours. {TAG}"),
    ok("date", "picture", "bluesky",
       "Storytime at Maple Street Library on December 12 🦉 #KidLit"),
    ok("date", "picture", "bluesky", "Sat, Dec 12: storytime at Maple Street Library 🌙 #KidLit"),
    ok("date", "picture", "bluesky", "Storytime 12/12 at Maple Street Library 📚 #KidLit"),
    ok("date", "picture", "bluesky", "Out since October 15, 2026 🦉 #PictureBook"),
    ok("date", "picture", "mastodon", "2026-12-12: Storytime at Maple Street Library 🌙 #KidLit"),
    ok("date", "business", "twitter",
       "Keynote at the Small Business Summit on January 20. #PatientFounder"),
    ok("date", "business", "twitter", "20 January 2027: keynote at the Small Business Summit. "
       "#PatientFounder"),
    ok("date", "business", "twitter", "Jan. 20: Dana Okafor at the Small Business Summit. "
       "#PatientFounder"),
    ok("date", "business", "twitter", "Live Q&A webinar with Dana Okafor on Feb 4. "
       "#PatientFounder"),
    ok("date", "business", "linkedin",
       "Thursday, February 4th: a live Q&A webinar with Dana Okafor. #PatientFounder"),
    ok("date", "business", "twitter", "Live Q&A webinar: 2027-02-04. #PatientFounder"),
    ok("date", "business", "linkedin", "Out since September 15, 2026. #PatientFounder"),
    ok("date", "business", "twitter", "1月20日、Small Business Summitで基調講演。 #PatientFounder",
       note="a CJK date"),
]

RELATIVE_DATES: list[Case] = [
    ok("relative_date", "thriller", "twitter", f"Out tomorrow. Pre-order The Quiet Hours. {TAG}",
       scheduled_on=date(2027, 3, 2)),
    ok("relative_date", "thriller", "twitter", f"The Quiet Hours is out today. {TAG}",
       scheduled_on=date(2027, 3, 3)),
    ok("relative_date", "thriller", "twitter",
       f"Out this Wednesday. Pre-order The Quiet Hours. {TAG}", scheduled_on=date(2027, 2, 28)),
    ok("relative_date", "thriller", "twitter",
       f"Out in three days. Pre-order The Quiet Hours. {TAG}", scheduled_on=date(2027, 2, 28)),
    ok("relative_date", "thriller", "twitter", f"Out on Wednesday. Pre-order now. {TAG}",
       scheduled_on=date(2027, 3, 1)),
    ok("relative_date", "thriller", "twitter",
       f"Join Nora Vale this Saturday at Riverside Books for a launch reading. {TAG}",
       scheduled_on=date(2027, 3, 4)),
    ok("relative_date", "thriller", "twitter",
       f"Tonight: launch reading at Riverside Books. {TAG}", scheduled_on=date(2027, 3, 6)),
    ok("relative_date", "thriller", "twitter",
       f"Launch reading tomorrow at Riverside Books. {TAG}", scheduled_on=date(2027, 3, 5)),
    ok("relative_date", "thriller", "twitter", f"The Quiet Hours came out yesterday. {TAG}",
       scheduled_on=date(2027, 3, 4)),
    ok("relative_date", "picture", "bluesky",
       "Storytime this Saturday at Maple Street Library 🦉 #KidLit",
       scheduled_on=date(2026, 12, 10)),
    ok("relative_date", "picture", "bluesky",
       "Storytime tomorrow at Maple Street Library 🌙 #KidLit", scheduled_on=date(2026, 12, 11)),
    ok("relative_date", "picture", "bluesky",
       "See you today at Maple Street Library for storytime 📚 #KidLit",
       scheduled_on=date(2026, 12, 12)),
    ok("relative_date", "business", "twitter",
       "Keynote tomorrow at the Small Business Summit. #PatientFounder",
       scheduled_on=date(2027, 1, 19)),
    ok("relative_date", "business", "twitter",
       "Live Q&A webinar this Thursday. #PatientFounder", scheduled_on=date(2027, 2, 1)),
    ok("relative_date", "business", "twitter",
       "Today: live Q&A webinar with Dana Okafor. #PatientFounder",
       scheduled_on=date(2027, 2, 4)),
    ok("relative_date", "business", "linkedin",
       "In two days: my keynote at the Small Business Summit. #PatientFounder",
       scheduled_on=date(2027, 1, 18)),
]

PHASES: list[Case] = [
    ok("phase", "thriller", "twitter", f"The Quiet Hours is out now: {AMZ} {TAG}",
       today=POST_LAUNCH_DAY, note="no word required after launch"),
    ok("phase", "thriller", "twitter", f"Night shifts will never feel the same. {TAG}",
       today=POST_LAUNCH_DAY),
    ok("phase", "thriller", "bluesky", "Grief is a house with no doors.", today=POST_LAUNCH_DAY),
    ok("phase", "thriller", "twitter", f"Launch week: The Quiet Hours is here. {SITE} {TAG}",
       today=LAUNCH_WEEK_DAY),
    ok("phase", "thriller", "twitter", f"Preorder The Quiet Hours by Nora Vale. {TAG}",
       note="'preorder' in one word"),
    ok("phase", "thriller", "twitter", f"PRE-ORDER The Quiet Hours. {TAG}"),
    ok("phase", "thriller", "facebook",
       "Meet Iris Cole, a night-shift nurse who hears her dead sister on the intercom. "
       "Pre-order The Quiet Hours."),
    ok("phase", "thriller", "twitter", f"The pre-order link is in my bio. {TAG}"),
    ok("phase", "thriller", "bluesky",
       "Pre-order The Quiet Hours from your local bookshop or from Amazon."),
]

LINKS: list[Case] = [
    ok("link", "thriller", "twitter", f"Pre-order: {AMZ}?tag=noravale-20 {TAG}"),
    ok("link", "thriller", "twitter", f"Pre-order The Quiet Hours at {AMZ}. {TAG}",
       note="trailing period"),
    ok("link", "thriller", "twitter", f"Pre-order from your local shop ({SHOP}). {TAG}"),
    ok("link", "thriller", "twitter", f"Read an excerpt and pre-order: {SITE}#excerpt {TAG}"),
    ok("link", "thriller", "twitter", f"Pre-order at noravale.com/the-quiet-hours {TAG}",
       note="bare domain"),
    ok("link", "thriller", "twitter", f"Pre-order: amazon.com/dp/B0QUIET123 {TAG}",
       note="bare, without www"),
    ok("link", "thriller", "twitter", f"Pre-order: {SITE}/ {TAG}", note="trailing slash"),
    ok("link", "thriller", "twitter",
       f"Pre-order: https://NoraVale.com/the-quiet-hours, or ask your bookshop. {TAG}",
       note="upper-case host, trailing comma"),
    ok("link", "thriller", "twitter", f"Pre-order: <{SITE}> {TAG}"),
    ok("link", "thriller", "twitter", f"Pre-order: {SHOP}?ref=nv&utm_source=x {TAG}"),
    ok("link", "thriller", "mastodon", f"Pre-order The Quiet Hours:\n{AMZ}\n{SHOP}\n\n{TAG}"),
    ok("link", "thriller", "twitter",
       f"Pre-order The Quiet Hours; events at https://noravale.com/events {TAG}",
       note="another page of the author's site"),
    ok("link", "thriller", "twitter",
       f"Pre-order: {AMZ}/ref=sr_1_1?keywords=the+quiet+hours {TAG}"),
    ok("link", "business", "threads",
       "The Patient Founder: https://www.amazon.com/dp/B0PATIENT1 "
       "https://bookshop.org/p/books/the-patient-founder/99887 "
       "https://danaokafor.com/patient-founder #PatientFounder", note="three links on Threads"),
    ok("link", "business", "linkedin",
       "More at https://danaokafor.com/patient-founder?utm_campaign=launch. #PatientFounder"),
    ok("link", "business", "twitter",
       "Order from your bookshop: bookshop.org/p/books/the-patient-founder/99887 "
       "#PatientFounder"),
    ok("link", "picture", "bluesky", "Moonbeam Finds a Friend: pipharlow.com/moonbeam 🦉"),
    ok("link", "picture", "bluesky",
       "Meet Moonbeam (https://pipharlow.com/moonbeam) 🌙 #KidLit"),
]

HASHTAGS: list[Case] = [
    ok("hashtag", "thriller", "twitter",
       "Pre-order The Quiet Hours. #TheQuietHours #PsychologicalThriller #BookTwitter "
       "#ThrillerBooks #NightShift", note="five tags, the most X allows"),
    ok("hashtag", "thriller", "twitter", "#TheQuietHours is almost here. Pre-order now. #BookTok"),
    ok("hashtag", "thriller", "twitter", "Pre-order The Quiet Hours. ＃TheQuietHours",
       note="fullwidth hash"),
    ok("hashtag", "picture", "bluesky", "#KidLit #PictureBook #BedtimeStory 🦉 Moonbeam Finds a "
       "Friend"),
    ok("hashtag", "business", "linkedin",
       "The Patient Founder by Dana Okafor. #PatientFounder #Entrepreneurship #Leadership "
       "#SmallBusiness #Founders"),
    ok("hashtag", "business", "mastodon",
       "Patience is a strategy. #PatientFounder #LongTermThinking"),
]

CJK: list[Case] = [
    ok("cjk", "picture", "bluesky",
       "小さなフクロウのムーンビームと、暗闇がこわいホタルの友情の物語。🌙 #KidLit"),
    ok("cjk", "picture", "bluesky",
       "月夜に読みたい絵本『Moonbeam Finds a Friend』🦉 #PictureBook",
       note="the title in 『』"),
    ok("cjk", "picture", "bluesky",
       "《Moonbeam Finds a Friend》——一本关于友谊和勇气的绘本。#PictureBook",
       note="the title in Chinese title marks"),
    ok("cjk", "picture", "bluesky", "달빛 아래 부엉이 문빔의 우정 이야기 🦉 #KidLit"),
    ok("cjk", "picture", "bluesky", "一緒に読もう！🦉 Moonbeam Finds a Friend #KidLit",
       note="fullwidth ! where allowed"),
    ok("cjk", "picture", "bluesky", "「Even the moon needs a friend sometimes.」🌙 #PictureBook"),
    ok("cjk", "picture", "bluesky", "価格は$14.99です 🦉 #PictureBook"),
    ok("cjk", "business", "twitter", "耐心是一种战略。《The Patient Founder》 #PatientFounder"),
    ok("cjk", "business", "twitter",
       "「Speed is a tactic. Patience is a strategy.」— Dana Okafor #PatientFounder"),
    ok("cjk", "thriller", "twitter",
       f"夜勤の看護師が聞いた、亡き姉の声。Pre-order The Quiet Hours: {AMZ} {TAG}"),
    ok("cjk", "thriller", "twitter",
       f"夜勤の看護師アイリスは、インターホンから亡き姉の声を聞く。発売中。 {TAG}",
       today=POST_LAUNCH_DAY),
    ok("cjk", "injected", "twitter",
       "ガラスの果樹園。The Glass Orchard by Leona Marsh #GlassOrchard"),
]

EMOJI: list[Case] = [
    ok("emoji", "picture", "bluesky", "Moonbeam Finds a Friend 🦉✨🌙 #KidLit"),
    ok("emoji", "picture", "bluesky",
       "Bedtime with the whole family 👨‍👩‍👧‍👦 Moonbeam Finds a Friend #BedtimeStory",
       note="ZWJ family"),
    ok("emoji", "picture", "bluesky", "Hello from Moonbeam 👋🏽🦉 #KidLit", note="skin tone"),
    ok("emoji", "picture", "threads", "Shy owl? Brave firefly? 🦉💛 #KidLit"),
    ok("emoji", "picture", "mastodon", "❤️ Moonbeam Finds a Friend by Pip Harlow #PictureBook"),
    ok("emoji", "business", "twitter", "Patience compounds 📈 The Patient Founder #PatientFounder"),
    ok("emoji", "business", "linkedin", "Build to last 🏗️ The Patient Founder #PatientFounder"),
]

_LIMIT_WORDS_EN = [
    "quiet corridors,", "humming lights,", "cold coffee,", "long nights,", "empty beds,",
    "slow footsteps,", "soft static,", "a voice that knows your name,", "grief, guilt, memory,",
    "and the hours before dawn",
]
_LIMIT_WORDS_KIDS = [
    "soft moonlight,", "sleepy owls,", "a brave firefly,", "warm blankets,", "one more page,",
    "gentle hoots,", "starry skies,", "a quiet forest,", "and a friend who stays",
]

LIMITS: list[Case] = [
    ok("limit", "thriller", "twitter",
       at_limit("twitter", "Pre-order The Quiet Hours:", _LIMIT_WORDS_EN, f"{AMZ} {TAG}"),
       note="exactly 280 weighted, a URL counting 23"),
    ok("limit", "picture", "twitter",
       at_limit("twitter", "ムーンビームと友だちのホタル 🦉🌙", ["おやすみ", "なさい"],
                "#PictureBook", joiner=""),
       note="exactly 280 weighted, CJK and emoji weighing 2"),
    ok("limit", "thriller", "bluesky",
       at_limit("bluesky", "Pre-order The Quiet Hours.", _LIMIT_WORDS_EN, TAG),
       note="exactly 300 graphemes"),
    ok("limit", "picture", "bluesky",
       at_limit("bluesky", "Moonbeam Finds a Friend 👨‍👩‍👧‍👦🇺🇸🦉", _LIMIT_WORDS_KIDS, "#KidLit"),
       note="exactly 300 graphemes with ZWJ emoji and a flag"),
    ok("limit", "business", "mastodon",
       at_limit("mastodon", "The Patient Founder by Dana Okafor:",
                ["patience,", "long-term thinking,", "sustainable growth,", "steady hiring,"],
                "https://danaokafor.com/patient-founder #PatientFounder"),
       note="exactly 500 characters, a URL counting 23"),
    ok("limit", "thriller", "mastodon",
       at_limit("mastodon", "Pre-order The Quiet Hours by Nora Vale:", _LIMIT_WORDS_EN, TAG),
       note="exactly 500 characters"),
    ok("limit", "picture", "threads",
       at_limit("threads", "Moonbeam Finds a Friend 🦉🌙", _LIMIT_WORDS_KIDS, "#KidLit"),
       note="exactly 500 on Threads, emoji as UTF-8 bytes"),
]

APOSTROPHES: list[Case] = [
    ok("apostrophe", "thriller", "twitter",
       f"Nora Vale's new thriller is almost here. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"It's the night shift, and the intercom crackles. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"Iris's sister's voice is on the intercom. Pre-order The Quiet Hours. {TAG}",
       note="straight apostrophes that pair up like quotes"),
    ok("apostrophe", "thriller", "twitter",
       f"Iris’s sister’s voice is on the intercom. Pre-order The Quiet Hours. {TAG}",
       note="typographic apostrophes that pair up like quotes"),
    ok("apostrophe", "thriller", "twitter",
       f"The nurses' station goes quiet. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"Don't answer the intercom. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"No rock 'n' roll on this ward, just the hum of the intercom. Pre-order. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"A hospital thriller with a '90s-paperback chill. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"The ’80s and ’90s hospital dramas never went this dark. Pre-order now. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"Nurses' coffee, patients' secrets, Iris's grief. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"It’s a quiet floor. It’s never quiet. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "thriller", "twitter",
       f"Night-shift nurses know the ’til-dawn silence. Pre-order The Quiet Hours. {TAG}"),
    ok("apostrophe", "picture", "bluesky",
       "Moonbeam's new friend is a firefly who's afraid of the dark 🦉 #KidLit"),
    ok("apostrophe", "picture", "bluesky",
       "Owls don't hoot when they're shy. That's Moonbeam's secret 🌙 #KidLit"),
    ok("apostrophe", "business", "linkedin",
       "Founders' mistakes aren't fatal; impatience is. #PatientFounder"),
    # The title (or subtitle) in quotation marks.
    ok("apostrophe", "thriller", "twitter", f'Pre-order "The Quiet Hours" by Nora Vale. {TAG}'),
    ok("apostrophe", "thriller", "twitter", f"Pre-order ‘The Quiet Hours’ by Nora Vale. {TAG}"),
    ok("apostrophe", "thriller", "twitter", f"«The Quiet Hours», Nora Vale. Pre-order now. {TAG}"),
    ok("apostrophe", "picture", "bluesky",
       'Add "Moonbeam Finds a Friend" to your bedtime pile 🌙 #KidLit'),
    ok("apostrophe", "business", "linkedin",
       "Why I wrote “The Patient Founder”: patience can be learned. #PatientFounder"),
    ok("apostrophe", "business", "linkedin",
       "“Building Companies That Last” is the promise of The Patient Founder. #PatientFounder",
       note="the subtitle quoted"),
]

NUMBERS: list[Case] = [
    ok("number", "thriller", "twitter",
       f"Chapter 3 is where the intercom first speaks. Pre-order The Quiet Hours. {TAG}"),
    ok("number", "thriller", "twitter",
       f"Nurses work 24/7. So does grief. Pre-order The Quiet Hours. {TAG}"),
    ok("number", "thriller", "twitter",
       f"One night shift, 12 hours, one voice. Pre-order The Quiet Hours. {TAG}"),
    ok("number", "thriller", "twitter", f"Room 4 never sleeps. Pre-order The Quiet Hours. {TAG}"),
    ok("number", "thriller", "twitter",
       f"Page 1 starts on the night shift. Pre-order The Quiet Hours. {TAG}"),
    ok("number", "picture", "bluesky", "2 friends, 1 dark night 🌙 #KidLit"),
    ok("number", "picture", "bluesky", "For ages 3-6 🦉 #PictureBook", note="not a date"),
    ok("number", "picture", "bluesky", "Perfect for ages 3 to 6 🌙 #KidLit"),
    ok("number", "business", "twitter",
       "3 lessons from The Patient Founder, one post at a time. #PatientFounder"),
    ok("number", "business", "twitter", "Step 1: stop measuring only speed. #PatientFounder"),
    ok("number", "business", "linkedin",
       "Your 5-year plan needs a 20-year view. #PatientFounder"),
    ok("number", "business", "twitter", "Open 24/7? Your company still needs rest. "
       "#PatientFounder"),
    ok("number", "business", "linkedin", "A 9-to-5 job is not the enemy. #PatientFounder"),
    ok("number", "business", "linkedin", "Q1, Q2, Q3, Q4: patience compounds. #PatientFounder"),
]

QUESTIONS: list[Case] = [
    ok("question", "thriller", "twitter",
       f"Would you answer a voice on the intercom? Pre-order The Quiet Hours. {TAG}"),
    ok("question", "thriller", "twitter",
       f"What would you do if the dead called your name? Pre-order now. {TAG}"),
    ok("question", "thriller", "twitter",
       f"Is The Quiet Hours on your pre-order list yet? {TAG}"),
    ok("question", "thriller", "twitter",
       f"Tell me: which quiet hour scares you most? Pre-order The Quiet Hours. {TAG}"),
    ok("question", "thriller", "twitter", f"Pre-order The Quiet Hours today: {AMZ} {TAG}",
       note="'today' in a call to action is not a date"),
    ok("question", "business", "twitter",
       "Get The Patient Founder today: https://www.amazon.com/dp/B0PATIENT1 #PatientFounder",
       note="'today' in a call to action is not a date"),
    ok("question", "business", "linkedin",
       "Which habit would make your company last? #PatientFounder"),
    ok("question", "business", "linkedin",
       "What is the next step for your company? #PatientFounder",
       note="'the next' that is not a comparison"),
    ok("question", "picture", "bluesky", "What helps your little one feel brave at bedtime? 🦉 "
       "#KidLit"),
    ok("question", "picture", "bluesky", "Reply with your favourite bedtime book 📚 #KidLit"),
    ok("question", "injected", "twitter", "What would the orchard sing to you? #GlassOrchard"),
    ok("question", "injected", "bluesky",
       "An orchard of glass trees appears overnight in a drought-struck valley. The Glass "
       "Orchard by Leona Marsh.", note="a blurb fragment that makes no claim"),
    ok("question", "injected", "twitter", "A story of drought and sisterhood. #GlassOrchard"),
]

DUPLICATES: list[Case] = [
    ok("duplicate", "thriller", "twitter",
       f"Grief is a house with no doors. Pre-order The Quiet Hours. {TAG}", recent=(RECENT,)),
    ok("duplicate", "thriller", "mastodon", RECENT, elsewhere=(RECENT,), cross_posted=True,
       note="a cross-post may repeat its text"),
    ok("duplicate", "thriller", "bluesky",
       "Every hospital has a floor nobody talks about. Pre-order The Quiet Hours.",
       elsewhere=(RECENT,)),
    ok("duplicate", "business", "linkedin",
       "Speed is a tactic. Patience is a strategy. #PatientFounder", recent=(BUSINESS_RECENT,)),
    ok("duplicate", "picture", "bluesky", "“A warm hug of a bedtime story.” — School Library "
       "Journal 🌙 #KidLit", recent=(PICTURE_RECENT,), elsewhere=(PICTURE_RECENT,)),
    ok("duplicate", "business", "twitter", BUSINESS_RECENT, elsewhere=(BUSINESS_RECENT,),
       cross_posted=True, note="a cross-post may repeat its text"),
]

LEGIT_CASES: list[Case] = [
    *QUOTES, *REVIEWS, *READERS, *PRICES, *AWARDS, *DATES, *RELATIVE_DATES, *PHASES, *LINKS,
    *HASHTAGS, *CJK, *EMOJI, *LIMITS, *APOSTROPHES, *NUMBERS, *QUESTIONS, *DUPLICATES,
]
# fmt: on
