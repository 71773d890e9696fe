"""Pairs of posts, hand-written, that measure the near-duplicate check (see
`bookagent.domain.near_duplicates`): repeats it must flag, repeats it may miss, and distinct posts
of one book (sharing its title, author, themes, hashtags and links) it must not flag.

The books are "The Salt Road" by Mara Quell and "The Lighthouse Keeper" by A. Writer.
"""

from __future__ import annotations

#: The same post, its clauses reordered, a few words swapped or added, punctuation, emoji,
#: hashtags and links changed, "Pre-order now" as "Preorder today".
SAME_WORDS: list[tuple[str, str]] = [
    (
        "Pre-order The Salt Road now! A smuggler crosses a desert of salt to pay a debt she "
        "never owed. https://www.amazon.com/dp/B0SALT #SaltRoad",
        "A smuggler crosses a salt desert to pay a debt she never owed 🌵 Preorder The Salt "
        "Road today: https://www.amazon.com/dp/B0SALT #FantasyBooks #BookTok",
    ),
    (
        "If you love found family and slow-burning grief, The Salt Road is for you. Out "
        "March 1. #SaltRoad",
        "The Salt Road is for you if you love slow-burning grief and found family! Out March "
        "1 #SaltRoad #Fantasy",
    ),
    (
        "What would you risk to pay a debt you never owed? Meet the smuggler of The Salt "
        "Road. #SaltRoad",
        "What would you risk to repay a debt you never owed? Meet the smuggler at the heart "
        "of The Salt Road 🐪 #SaltRoad",
    ),
    (
        "Quiet question for readers: which book made you cry on a train? Mine was a "
        "lighthouse story. #BookTok",
        "Question for readers: which book made you cry on the train? For me it was a story "
        "about a lighthouse #BookTok #amreading",
    ),
    (
        "The Lighthouse Keeper is out today! A keeper of a remote lighthouse finds a message "
        "in a bottle from her late husband. Grab your copy: "
        "https://www.amazon.com/dp/B000000000",
        "Out now: The Lighthouse Keeper. A remote lighthouse, a keeper, and a message in a "
        "bottle from her late husband. Get your copy https://www.amazon.com/dp/B000000000 "
        "#BookTok",
    ),
    (
        "I wrote most of The Salt Road at my kitchen table before sunrise, with cold coffee "
        "and a very patient cat. #WritingCommunity",
        "Most of The Salt Road was written at my kitchen table before sunrise - cold coffee, "
        "one very patient cat. #amwriting #SaltRoad",
    ),
    (
        "Launch day is almost here: The Salt Road arrives March 1, 2027. Mark your calendar "
        "and tell a friend who loves fantasy.",
        "Mark your calendars! The Salt Road arrives March 1, 2027 — launch day is almost "
        "here. Tell a fantasy-loving friend.",
    ),
    (
        "Readers are calling The Salt Road 'a stunning debut, lyrical and fierce'. Thank "
        "you, Kirkus! #SaltRoad",
        "Thank you Kirkus for calling The Salt Road “a stunning debut, lyrical and fierce”! "
        "🙏 #SaltRoad #BookReview",
    ),
    (
        "Fun fact: the desert in The Salt Road is based on a real salt flat I visited in "
        "2019. #SaltRoad",
        "Did you know? The desert in The Salt Road is based on a real salt flat I visited "
        "back in 2019! #FunFact",
    ),
    (
        "Only $4.99 this week: get The Salt Road on Kindle and start the journey across the "
        "salt. https://www.amazon.com/dp/B0SALT",
        "Start the journey across the salt this week — The Salt Road is just $4.99 on Kindle "
        "https://www.amazon.com/dp/B0SALT #KindleDeals",
    ),
    (
        "Found family, grief and the cost of loyalty: these are the threads that hold The "
        "Salt Road together.",
        "Grief, found family and the cost of loyalty are the threads holding The Salt Road "
        "together. #SaltRoad",
    ),
    (
        "Looking for your next fantasy read? The Salt Road by Mara Quell follows a smuggler "
        "across a desert of salt. Available now.",
        "Need your next fantasy read? Mara Quell's The Salt Road follows a smuggler across a "
        "salt desert. Available today!",
    ),
    (
        "Tell me in the comments: would you cross the salt desert for someone who betrayed "
        "you? #SaltRoad",
        "Would you cross the salt desert for someone who betrayed you? Tell me in the "
        "comments 👇 #SaltRoad #BookQuestion",
    ),
    (
        'My favourite line in The Salt Road: "The desert remembers every footstep you take." '
        "What's yours?",
        "What's your favourite line? Mine from The Salt Road: “The desert remembers every "
        "footstep you take.” #SaltRoad",
    ),
    (
        "Book club pick alert! The Lighthouse Keeper is perfect for readers of quiet, "
        "character-driven fiction. Discussion questions on my website: "
        "https://example.com/lighthouse",
        "Book clubs: The Lighthouse Keeper is perfect for readers who love quiet, "
        "character-driven fiction. Find discussion questions on my website "
        "https://example.com/lighthouse #BookClub",
    ),
    (
        "Thank you to everyone who came to the launch party last night. Signed copies are "
        "still available at the shop!",
        "Thanks to everyone who came to last night's launch party! Signed copies still "
        "available at the shop 📚",
    ),
    (
        "The audiobook of The Salt Road is narrated by the wonderful June Okafor, and it is "
        "out now on Audible.",
        "Out now on Audible: The Salt Road audiobook, narrated by the wonderful June Okafor! 🎧",
    ),
    (
        "Writing the ending of The Lighthouse Keeper took me three years and nine drafts. "
        "Worth it.",
        "Three years and nine drafts: that's how long writing the ending of The Lighthouse "
        "Keeper took me. Worth it! #amwriting",
    ),
    (
        "Cozy night in? Pair The Lighthouse Keeper with a cup of tea and the sound of rain.",
        "Cozy night in? Pair a cup of tea and the sound of rain with The Lighthouse Keeper "
        "☕🌧️ #cozyreads",
    ),
    (
        'Five stars! "A luminous, aching novel." — Book Review Weekly on The Lighthouse Keeper',
        'Book Review Weekly on The Lighthouse Keeper: "A luminous, aching novel." ⭐⭐⭐⭐⭐',
    ),
    (
        "Giveaway! Win a signed copy of The Salt Road: follow, like this post and tag a "
        "friend. Ends Sunday.",
        "GIVEAWAY 🎉 Follow, like this post and tag a friend to win a signed copy of The Salt "
        "Road. Ends on Sunday! #giveaway",
    ),
    (
        "A smuggler. A debt she never owed. A desert that has other plans. The Salt Road, "
        "out March 1.",
        "A debt she never owed, a smuggler, and a desert with other plans: The Salt Road is "
        "out March 1 #fantasy",
    ),
    (
        "Behind the scenes: the map of the salt desert was hand-drawn by my daughter.",
        "Behind the scenes — my daughter hand-drew the map of the salt desert! #SaltRoad #maps",
    ),
    (
        "Just hit 1,000 reviews on Goodreads for The Salt Road. I am so grateful to every reader!",
        "So grateful to every single reader: The Salt Road just hit 1,000 reviews on Goodreads! 💛",
    ),
    (
        "Which character from The Salt Road would you want on your side in a sandstorm?",
        "In a sandstorm, which character from The Salt Road would you want by your side? #SaltRoad",
    ),
    (
        "New blog post: five books that inspired The Salt Road, from desert epics to heist "
        "novels. https://maraquell.com/blog/inspirations",
        "On the blog: 5 books that inspired The Salt Road, from heist novels to desert epics "
        "https://maraquell.com/blog/inspirations #bookrecs",
    ),
    (
        "The ebook of The Salt Road is free this weekend only. Download it before Monday!",
        "This weekend only, The Salt Road e-book is free! Download before Monday. #freebook",
    ),
    (
        "Chapter one of The Lighthouse Keeper is free to read on my website. Come meet Ada "
        "and her lighthouse.",
        "Come meet Ada and her lighthouse: chapter 1 of The Lighthouse Keeper is free to "
        "read on my website! https://example.com/lighthouse",
    ),
    (
        "The Salt Road is a story about debts, deserts, and the families we choose.",
        "The Salt Road: a story about deserts, debts and the families we choose 🏜️ #FoundFamily",
    ),
    (
        "Librarians, The Salt Road is now available for your library through OverDrive!",
        "The Salt Road is now available through OverDrive for your library, librarians! 📚 "
        "#libraries",
    ),
]

#: Reworded further: an opener or a call to action added, several words replaced (the
#: token-sort ratio of most is under 85); the content words still give them away.
REWORDED: list[tuple[str, str]] = [
    (
        "The Salt Road is out now! A smuggler crosses a desert of salt to pay a debt she "
        "never owed. Grab your copy: https://www.amazon.com/dp/B0SALT #SaltRoad",
        "Out today 🎉 In The Salt Road, a smuggler must cross a desert of salt to pay off a "
        "debt she never owed. Get your copy here https://www.amazon.com/dp/B0SALT "
        "#FantasyBooks #NewRelease",
    ),
    (
        "If you love found family and slow-burning grief, The Salt Road is for you. Out "
        "March 1. #SaltRoad",
        "Slow-burning grief? Found family? Then The Salt Road was written for you, and it "
        "arrives March 1. #SaltRoad #FantasyBooks",
    ),
    (
        "I wrote most of The Salt Road at my kitchen table before sunrise, with cold coffee "
        "and a very patient cat. #WritingCommunity",
        "Confession: nearly all of The Salt Road was drafted at the kitchen table before "
        "sunrise. Cold coffee, a patient cat, and me. #WritingCommunity #amwriting",
    ),
    (
        "Tell me in the comments: would you cross the salt desert for someone who betrayed "
        "you? #SaltRoad",
        "Question time 👇 Someone betrayed you. Would you still cross the salt desert for "
        "them? Comments are open! #SaltRoad",
    ),
    (
        "Thank you to everyone who came to the launch party last night. Signed copies are "
        "still available at the shop!",
        "What a night! Huge thanks to all of you who came to the launch party. If you missed "
        "it, the shop still has signed copies.",
    ),
    (
        "Giveaway! Win a signed copy of The Salt Road: follow, like this post and tag a "
        "friend. Ends Sunday.",
        "It's giveaway time 🎉 To win a signed copy of The Salt Road, follow me, like this "
        "post and tag a friend below. Closes Sunday night!",
    ),
    (
        "Chapter one of The Lighthouse Keeper is free to read on my website. Come meet Ada "
        "and her lighthouse.",
        "Want to meet Ada and her lighthouse? You can read the first chapter of The "
        "Lighthouse Keeper for free on my website.",
    ),
    (
        'My favourite line in The Salt Road: "The desert remembers every footstep you take." '
        "What's yours?",
        '"The desert remembers every footstep you take." That line from The Salt Road is my '
        "favourite. Which line stayed with you?",
    ),
    (
        "New blog post: five books that inspired The Salt Road, from desert epics to heist "
        "novels. https://maraquell.com/blog/inspirations",
        "Just posted on the blog: the five books that shaped The Salt Road (desert epics, "
        "heist novels and more) https://maraquell.com/blog/inspirations",
    ),
    (
        "The audiobook of The Salt Road is narrated by the wonderful June Okafor, and it is "
        "out now on Audible.",
        "Prefer listening? The Salt Road audiobook is now on Audible, with the wonderful "
        "June Okafor narrating. 🎧",
    ),
    (
        "Just hit 1,000 reviews on Goodreads for The Salt Road. I am so grateful to every reader!",
        "1,000 Goodreads reviews for The Salt Road! Thank you, every single reader. I'm so "
        "grateful. 💛",
    ),
    (
        "A smuggler. A debt she never owed. A desert that has other plans. The Salt Road, "
        "out March 1.",
        "She's a smuggler with a debt she never owed, and the desert has plans of its own. "
        "Meet her in The Salt Road on March 1.",
    ),
]

#: Reworded so far (synonyms for most content words) that the check misses them: kept to
#: measure its recall, not asserted one by one.
REWORDED_MISSED: list[tuple[str, str]] = [
    (
        "Launch day is almost here: The Salt Road arrives March 1, 2027. Mark your calendar "
        "and tell a friend who loves fantasy.",
        "Countdown is on! Launch day for The Salt Road is March 1, 2027 📅 Put it in your "
        "calendar, and share this with a friend who loves fantasy.",
    ),
    (
        "Which character from The Salt Road would you want on your side in a sandstorm?",
        "Sandstorm incoming 🌪️ Pick one character from The Salt Road to have on your side. "
        "Who is it?",
    ),
    (
        "Quiet question for readers: which book made you cry on a train? Mine was a "
        "lighthouse story. #BookTok",
        "Be honest, readers: has a book ever made you cry on a train? For me it was a story "
        "set in a lighthouse. #BookTok",
    ),
    (
        "Fun fact: the desert in The Salt Road is based on a real salt flat I visited in "
        "2019. #SaltRoad",
        "A little trivia for you: The Salt Road's desert comes from a real salt flat I "
        "walked across on a trip in 2019. #SaltRoad #FunFact",
    ),
    (
        "Only $4.99 this week: get The Salt Road on Kindle and start the journey across the "
        "salt. https://www.amazon.com/dp/B0SALT",
        "Deal alert 🚨 The Salt Road costs just $4.99 on Kindle this week. Begin your journey "
        "across the salt: https://www.amazon.com/dp/B0SALT",
    ),
    (
        "Looking for your next fantasy read? The Salt Road by Mara Quell follows a smuggler "
        "across a desert of salt. Available now.",
        "Need something new to read? Try The Salt Road by Mara Quell: one smuggler, one "
        "desert of salt, one very long journey. It's available now!",
    ),
    (
        "Writing the ending of The Lighthouse Keeper took me three years and nine drafts. "
        "Worth it.",
        "Behind the scenes: the ending of The Lighthouse Keeper needed nine drafts and three "
        "whole years. Was it worth it? Absolutely.",
    ),
    (
        "Cozy night in? Pair The Lighthouse Keeper with a cup of tea and the sound of rain.",
        "Perfect cozy evening: rain on the window, a hot cup of tea, and The Lighthouse "
        "Keeper in your hands. ☕",
    ),
    (
        "Behind the scenes: the map of the salt desert was hand-drawn by my daughter.",
        "Did you know the salt desert map at the front of the book was drawn by hand by my "
        "daughter? So proud of her.",
    ),
    (
        "The ebook of The Salt Road is free this weekend only. Download it before Monday!",
        "Free this weekend only: the ebook edition of The Salt Road. Make sure you download "
        "your copy before Monday comes around.",
    ),
    (
        "Librarians, The Salt Road is now available for your library through OverDrive!",
        "Good news for libraries: you can now order The Salt Road for your collection "
        "through OverDrive. Librarians, this one's for you!",
    ),
    (
        "The Lighthouse Keeper is out today! A keeper of a remote lighthouse finds a message "
        "in a bottle from her late husband. Grab your copy: "
        "https://www.amazon.com/dp/B000000000",
        "Publication day 🎉 The Lighthouse Keeper: on a remote lighthouse, a keeper discovers "
        "a bottle with a message from her late husband. Order your copy at "
        "https://www.amazon.com/dp/B000000000",
    ),
    (
        "Book club pick alert! The Lighthouse Keeper is perfect for readers of quiet, "
        "character-driven fiction. Discussion questions on my website: "
        "https://example.com/lighthouse",
        "Choosing your next book club read? The Lighthouse Keeper suits readers who like "
        "quiet, character-driven fiction, and there are free discussion questions on my site "
        "https://example.com/lighthouse",
    ),
]

#: Short posts: the same few content words.
SHORT_REPEATS: list[tuple[str, str]] = [
    (
        "Pre-order The Salt Road now! #SaltRoad",
        "Preorder The Salt Road today 🌵 #FantasyBooks",
    ),
    (
        "The Salt Road by Mara Quell",
        "Mara Quell's The Salt Road! #SaltRoad",
    ),
    (
        "Happy reading!",
        "Happy reading 📚 #BookTok",
    ),
]

#: Distinct posts of one book: a third to a half of their content words are its title,
#: author, themes and calls to action.
DISTINCT: list[tuple[str, str]] = [
    (
        "What would you risk to pay a debt you never owed? The Salt Road by Mara Quell. #SaltRoad",
        "Mara Quell on writing The Salt Road: the desert scenes came first, years before the "
        "plot. #SaltRoad",
    ),
    (
        'Five stars from Kirkus: "A stunning debut, lyrical and fierce." The Salt Road, out '
        "March 1. #SaltRoad",
        "The Salt Road is out March 1! Pre-order now for $4.99. "
        "https://www.amazon.com/dp/B0SALT #SaltRoad",
    ),
    (
        "Found family and grief sit at the heart of The Salt Road by Mara Quell. #SaltRoad "
        "#FantasyBooks",
        "Which fictional found family would you join? Mine is in The Salt Road by Mara "
        "Quell. #SaltRoad #FantasyBooks",
    ),
    (
        "The Salt Road by Mara Quell: a smuggler, a debt, a desert of salt. Out now "
        "https://www.amazon.com/dp/B0SALT #SaltRoad",
        "Thank you for 100 reviews of The Salt Road by Mara Quell! Every one of them made my "
        "week. https://www.amazon.com/dp/B0SALT #SaltRoad",
    ),
    (
        "The Lighthouse Keeper by A. Writer is out today! "
        "https://www.amazon.com/dp/B000000000 #BookTok #LiteraryFiction",
        "Grief and the sea: the two tides of The Lighthouse Keeper by A. Writer. "
        "https://www.amazon.com/dp/B000000000 #BookTok #LiteraryFiction",
    ),
    (
        "What's the saddest book you've loved? The Lighthouse Keeper is about grief, and the "
        "sea. #BookTok",
        "A keeper of a remote lighthouse finds a message in a bottle from her late husband. "
        "The Lighthouse Keeper, out March 1. #BookTok",
    ),
    (
        '"The sea keeps what it is given, and returns what it must." — The Lighthouse Keeper '
        "#BookTok",
        '"A luminous, aching novel." — Book Review Weekly on The Lighthouse Keeper #BookTok',
    ),
    (
        "Countdown: The Salt Road launches March 1, 2027. Pre-order at "
        "https://www.amazon.com/dp/B0SALT #SaltRoad",
        "Behind the scenes of The Salt Road: I rewrote the launch chapter seven times. "
        "#SaltRoad #amwriting",
    ),
    (
        "Theme spotlight: the cost of loyalty. In The Salt Road, every promise has a price. "
        "#SaltRoad",
        "Theme spotlight: found family. In The Salt Road, the crew becomes home. #SaltRoad",
    ),
    (
        "Looking for your next fantasy read? The Salt Road by Mara Quell, out now. #FantasyBooks",
        "Fantasy readers, tell me your favourite desert setting. Mine is in The Salt Road by "
        "Mara Quell. #FantasyBooks",
    ),
    (
        "Fun fact: The Salt Road started as a short story about a salt merchant. #SaltRoad",
        "Fun fact: The Salt Road's smuggler was named after my grandmother. #SaltRoad",
    ),
    (
        "The Salt Road is $4.99 on Kindle until Sunday. https://www.amazon.com/dp/B0SALT "
        "#SaltRoad #KindleDeals",
        "The Salt Road audiobook is out on Audible, narrated by June Okafor. #SaltRoad #Audiobooks",
    ),
    (
        "Reader question: would you cross the salt desert for a debt you never owed? #SaltRoad",
        "Reader question: who is your favourite smuggler in fiction? #SaltRoad",
    ),
    (
        "The Lighthouse Keeper by A. Writer: grief, the sea, and a message in a bottle. "
        "#LiteraryFiction",
        "Readers of quiet, character-driven fiction: The Lighthouse Keeper by A. Writer is "
        "for you. #LiteraryFiction",
    ),
    (
        "Signed copies of The Salt Road by Mara Quell are at Foyles this week! #SaltRoad",
        "Mara Quell reads from The Salt Road at Foyles on Friday, 7pm. #SaltRoad",
    ),
    (
        "Launch day for The Lighthouse Keeper: March 1, 2027. Tell a friend who loves "
        "literary fiction.",
        "Launch news: The Lighthouse Keeper audiobook will follow in the spring. Tell a "
        "friend who loves audiobooks.",
    ),
    (
        "Grief, the sea, and one message in a bottle. Meet The Lighthouse Keeper. "
        "https://example.com/lighthouse",
        "How do you write grief without drowning in it? Notes from writing The Lighthouse "
        "Keeper. https://example.com/lighthouse",
    ),
    (
        "Salt keeps what the sea forgets. The Salt Road by Mara Quell. #SaltRoad #FantasyBooks",
        "The desert remembers every footstep you take. The Salt Road by Mara Quell. "
        "#SaltRoad #FantasyBooks",
    ),
    (
        "The Salt Road by Mara Quell. #SaltRoad",
        "Meet the smuggler of The Salt Road by Mara Quell: she owes a debt she never made. "
        "#SaltRoad",
    ),
    (
        "Pre-order The Salt Road by Mara Quell today! https://www.amazon.com/dp/B0SALT",
        "Pre-order The Salt Road by Mara Quell and get the map poster free with your "
        "receipt. https://www.amazon.com/dp/B0SALT",
    ),
    (
        "Happy reading! #SaltRoad",
        "Happy launch day to The Salt Road! Happy reading, everyone. #SaltRoad",
    ),
    (
        "Out now: The Lighthouse Keeper by A. Writer. #BookTok",
        "The Lighthouse Keeper by A. Writer is on the Book Review Weekly list of autumn "
        "reads. #BookTok",
    ),
]
