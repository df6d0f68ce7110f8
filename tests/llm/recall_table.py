"""What users tell the built-in model about themselves, what they ask back, and the answer.

Each row: the user's statements (one turn each, in order), the question, the expected answer.
Written for issue 10: the common English forms, British and American spellings, corrections,
later statements overriding earlier ones, and questions about things never stated.
"""

from __future__ import annotations

RECALL_TABLE: list[tuple[tuple[str, ...], str, str]] = [
    # names
    (("My name is Alice",), "What is my name?", "Your name is Alice."),
    (("I'm Sam",), "What is my name?", "Your name is Sam."),
    (("I am Priya.",), "Who am I?", "Your name is Priya."),
    (("Call me Ishmael",), "What's my name?", "Your name is Ishmael."),
    (("Hi, I'm called Jo.",), "What am I called?", "Your name is Jo."),
    (("My name is Alice", "Actually, my name is Dana"), "What is my name?", "Your name is Dana."),
    (("My name is not Alice, it is Dana",), "What is my name?", "Your name is Dana."),
    (("My name isn't Bob, it's Rob.",), "Do you remember my name?", "Your name is Rob."),
    (("I'm not Alice, I'm Dana",), "What is my name?", "Your name is Dana."),
    (("My name is Alice", "My name is Zoe"), "What is my name?", "Your name is Zoe."),
    # favourites, British and American spellings
    (("My favorite color is blue",), "What color did I say?", "Your favorite color is blue."),
    (
        ("My favourite colour is green",),
        "What is my favorite color?",
        "Your favorite color is green.",
    ),
    (("My favorite color is red",), "What's my favourite colour?", "Your favorite color is red."),
    (("My favourite food is ramen",), "What food do I like?", "Your favorite food is ramen."),
    (("My favourite food is ramen",), "What do I like?", "Your favorite food is ramen."),
    (
        ("My favorite band is Muse", "No, my favorite band is Queen"),
        "What is my favorite band?",
        "Your favorite band is Queen.",
    ),
    (("My hobbies are chess and go",), "What are my hobbies?", "Your hobbies are chess and go."),
    # likes and dislikes
    (("I love ramen",), "What do I like?", "You like ramen."),
    (("I like jazz. I also enjoy hiking.",), "What do I enjoy?", "You like jazz and hiking."),
    (("I hate mushrooms",), "What do I hate?", "You don't like mushrooms."),
    (("I can't stand cold weather",), "What do I dislike?", "You don't like cold weather."),
    (("I love sushi",), "Do I like sushi?", "Yes, you told me you like sushi."),
    (("I hate olives",), "Do I like olives?", "No, you told me you don't like olives."),
    (
        ("I hate olives", "Actually I love olives now"),
        "Do I like olives?",
        "Yes, you told me you like olives.",
    ),
    # where, when, what
    (("I live in Paris",), "Where do I live?", "You live in Paris."),
    (("I live in Paris", "I moved to Berlin"), "Where do I live?", "You live in Berlin."),
    (("I live in Leeds, but I work in Manchester",), "Where do I work?", "You work in Manchester."),
    (("I work at Google",), "Where do I work?", "You work at Google."),
    (("I'm a nurse",), "What do I do?", "You are a nurse."),
    (("I am an architect",), "What is my job?", "You are an architect."),
    (("I study physics",), "What do I study?", "You study physics."),
    (("I was born in 1990",), "When was I born?", "You were born in 1990."),
    (("I was born in Lagos",), "Where was I born?", "You were born in Lagos."),
    (("I'm from Spain",), "Where am I from?", "You are from Spain."),
    (("I am 34 years old",), "How old am I?", "You are 34 years old."),
    (("I'm 27",), "How old am I?", "You are 27 years old."),
    # possessions and counts
    (("I have two cats",), "How many cats do I have?", "You have two cats."),
    (("I have a dog named Rex",), "Do I have a dog?", "You have a dog named Rex."),
    (("I have three kids",), "How many kids do I have?", "You have three kids."),
    (
        ("I have two cats", "Actually, I have three cats"),
        "How many cats do I have?",
        "You have three cats.",
    ),
    # everything at once
    (
        ("My name is Dana", "I live in Rome", "I love ramen"),
        "What do you know about me?",
        "Here is what you told me: your name is Dana; you live in Rome; you like ramen.",
    ),
    # never stated: an honest answer
    ((), "What is my name?", "You haven't told me your name yet."),
    (("I love ramen",), "Where do I live?", "You haven't told me where you live."),
    (
        ("My name is Alice",),
        "How many cats do I have?",
        "You haven't told me how many cats you have.",
    ),
    (
        ("I live in Oslo",),
        "What is my favourite colour?",
        "You haven't told me your favorite color yet.",
    ),
    (("My name is Alice",), "How old am I?", "You haven't told me how old you are."),
    (("My name is Alice",), "What do I like?", "You haven't told me what you like."),
    ((), "What do you know about me?", "You haven't told me anything about yourself yet."),
    (("I love tea",), "Do I have a dog?", "You haven't told me whether you have a dog."),
    (("I love tea",), "Where do I work?", "You haven't told me where you work."),
]

# Written fresh for issue 21 (recall by retrieval, whatever the sentence's shape): verb +
# object, the verb in another form, adjective + complement, possessives, prepositional phrases,
# numbers and dates, names, corrections, two facts in one sentence, a fact followed by
# unrelated talk, yes/no questions, and questions about what was never said.
RETRIEVAL_TABLE: list[tuple[tuple[str, ...], str, str]] = [
    # verb + object
    (
        ("I play the cello at weekends.",),
        "What instrument do I play?",
        "You play the cello at weekends.",
    ),
    (("I drive a red Volvo",), "What car do I drive?", "You drive a red Volvo."),
    (
        ("I speak Portuguese and a little Greek",),
        "What languages do I speak?",
        "You speak Portuguese and a little Greek.",
    ),
    (
        ("I teach chemistry at a secondary school",),
        "What do I teach?",
        "You teach chemistry at a secondary school.",
    ),
    (("I owned a bakery for ten years",), "What did I own?", "You owned a bakery for ten years."),
    (("I collect vintage postcards",), "What do I collect?", "You collect vintage postcards."),
    (("I grow tomatoes on my balcony",), "What do I grow?", "You grow tomatoes on your balcony."),
    (("I read mostly science fiction",), "What do I read?", "You read mostly science fiction."),
    (("I wrote a book about bees",), "What did I write?", "You wrote a book about bees."),
    (
        ("I built a treehouse last summer",),
        "What did I build?",
        "You built a treehouse last summer.",
    ),
    (("I bought a sailboat in March",), "What did I buy?", "You bought a sailboat in March."),
    (
        ("I volunteer at the animal shelter",),
        "Where do I volunteer?",
        "You volunteer at the animal shelter.",
    ),
    (("I brew my own beer",), "What do I brew?", "You brew your own beer."),
    (("I run a small pottery studio",), "What do I run?", "You run a small pottery studio."),
    (("I repair old radios as a hobby",), "What do I repair?", "You repair old radios as a hobby."),
    # the question's verb in another form
    (
        ("I played rugby at university",),
        "Which sport do I play?",
        "You played rugby at university.",
    ),
    (("I am learning to knit",), "What am I learning?", "You are learning to knit."),
    (("I taught English in Japan",), "Where did I teach?", "You taught English in Japan."),
    (("I went to school in Dublin",), "Where did I go to school?", "You went to school in Dublin."),
    (("I swim every morning",), "When do I swim?", "You swim every morning."),
    (("I met my wife in Lisbon",), "Where did I meet my wife?", "You met your wife in Lisbon."),
    # adjective + complement
    (("I'm allergic to peanuts",), "What am I allergic to?", "You're allergic to peanuts."),
    (("I am afraid of spiders",), "What am I afraid of?", "You are afraid of spiders."),
    (("I'm good at chess",), "What am I good at?", "You're good at chess."),
    (
        ("I'm interested in astronomy",),
        "What am I interested in?",
        "You're interested in astronomy.",
    ),
    (("I am terrible at drawing",), "What am I terrible at?", "You are terrible at drawing."),
    (("I'm vegetarian",), "Am I vegetarian?", "You're vegetarian."),
    (("I'm married to Tom",), "Who am I married to?", "You're married to Tom."),
    (("I am left-handed",), "Am I left-handed?", "You are left-handed."),
    (("I'm proud of my garden",), "What am I proud of?", "You're proud of your garden."),
    # possessives
    (
        ("My sister lives in Toronto",),
        "Where does my sister live?",
        "Your sister lives in Toronto.",
    ),
    (("My dog is called Biscuit",), "What is my dog called?", "Your dog is called Biscuit."),
    (
        ("My brother works as a pilot",),
        "What does my brother do?",
        "Your brother works as a pilot.",
    ),
    (("My car is a blue Fiat",), "What is my car?", "Your car is a blue Fiat."),
    (("My daughter studies law",), "What does my daughter study?", "Your daughter studies law."),
    (("My boss is Ms Okafor",), "Who is my boss?", "Your boss is Ms Okafor."),
    (
        ("My flat has two bedrooms",),
        "How many bedrooms does my flat have?",
        "Your flat has two bedrooms.",
    ),
    (
        ("My grandmother was a sailor",),
        "What was my grandmother?",
        "Your grandmother was a sailor.",
    ),
    (
        ("My mother makes great curry",),
        "What does my mother make?",
        "Your mother makes great curry.",
    ),
    (
        ("My neighbour plays the drums at night",),
        "What does my neighbour play?",
        "Your neighbour plays the drums at night.",
    ),
    # prepositional phrases
    (
        ("I work from home on Fridays",),
        "When do I work from home?",
        "You work from home on Fridays.",
    ),
    (
        ("I keep my passport in the top drawer",),
        "Where do I keep my passport?",
        "You keep your passport in the top drawer.",
    ),
    (("I park behind the library",), "Where do I park?", "You park behind the library."),
    (
        ("I go climbing with my cousin",),
        "Who do I go climbing with?",
        "You go climbing with your cousin.",
    ),
    (("I jog along the river",), "Where do I jog?", "You jog along the river."),
    (("I grew up near the coast",), "Where did I grow up?", "You grew up near the coast."),
    (("I sleep with the window open",), "How do I sleep?", "You sleep with the window open."),
    (
        ("I practise yoga before breakfast",),
        "When do I practise yoga?",
        "You practise yoga before breakfast.",
    ),
    # numbers and dates
    (("I have 4 guitars",), "How many guitars do I have?", "You have 4 guitars."),
    (("I ran a marathon in 2019",), "When did I run a marathon?", "You ran a marathon in 2019."),
    (("My birthday is on 14 July",), "When is my birthday?", "Your birthday is on 14 July."),
    (
        ("I sleep about six hours a night",),
        "How many hours do I sleep?",
        "You sleep about six hours a night.",
    ),
    (("I moved here in 2015",), "When did I move here?", "You moved here in 2015."),
    (
        ("I drink three coffees a day",),
        "How many coffees do I drink?",
        "You drink three coffees a day.",
    ),
    (
        ("My rent is 900 pounds a month",),
        "How much is my rent?",
        "Your rent is 900 pounds a month.",
    ),
    (
        ("I started my job in September",),
        "When did I start my job?",
        "You started your job in September.",
    ),
    (
        ("I've been to 12 countries",),
        "How many countries have I been to?",
        "You've been to 12 countries.",
    ),
    (("My train leaves at 7:45",), "When does my train leave?", "Your train leaves at 7:45."),
    # names
    (("My cat's name is Pixel",), "What is my cat's name?", "Your cat's name is Pixel."),
    (("My best friend is Ravi",), "Who is my best friend?", "Your best friend is Ravi."),
    (("I named my boat Seagull",), "What did I name my boat?", "You named your boat Seagull."),
    (("My dentist is Dr Hughes",), "Who is my dentist?", "Your dentist is Dr Hughes."),
    (("My son is called Leo",), "What is my son called?", "Your son is called Leo."),
    # corrections
    (
        ("I play the violin", "Actually, I play the viola"),
        "What instrument do I play?",
        "You play the viola.",
    ),
    (("I drive a Ford", "No, I drive a Toyota"), "What car do I drive?", "You drive a Toyota."),
    (("I teach maths", "I meant I teach physics"), "What do I teach?", "You teach physics."),
    (("I live in Bristol, not Bath",), "Where do I live?", "You live in Bristol."),
    (("I speak not Spanish but Italian",), "What language do I speak?", "You speak Italian."),
    (
        ("My sister lives in Rome", "Sorry, my sister lives in Milan"),
        "Where does my sister live?",
        "Your sister lives in Milan.",
    ),
    (
        ("I have 2 bikes", "Correction: I have 3 bikes"),
        "How many bikes do I have?",
        "You have 3 bikes.",
    ),
    (
        ("I swim on Tuesdays", "Wait, I swim on Thursdays"),
        "When do I swim?",
        "You swim on Thursdays.",
    ),
    (
        ("My boss is Mr Grant", "Actually my boss is Ms Lee"),
        "Who is my boss?",
        "Your boss is Ms Lee.",
    ),
    (
        ("I grew up in Cork", "No, I grew up in Galway"),
        "Where did I grow up?",
        "You grew up in Galway.",
    ),
    # two facts in one sentence
    (
        ("I play the cello and my sister plays the flute",),
        "What instrument do I play?",
        "You play the cello.",
    ),
    (
        ("I play the cello and my sister plays the flute",),
        "What does my sister play?",
        "Your sister plays the flute.",
    ),
    (
        ("I teach art, but my husband teaches music",),
        "What does my husband teach?",
        "Your husband teaches music.",
    ),
    (
        ("My son studies history; my daughter studies biology",),
        "What does my daughter study?",
        "Your daughter studies biology.",
    ),
    (
        ("I cook on weekdays and my partner cooks at weekends",),
        "When does my partner cook?",
        "Your partner cooks at weekends.",
    ),
    (
        ("I drive to work, while my wife cycles",),
        "How does my wife get to work?",
        "Your wife cycles.",
    ),
    (("My cat sleeps all day and I work nights",), "When do I work?", "You work nights."),
    (("I own a piano, and I rent a cello",), "What do I rent?", "You rent a cello."),
    # a fact followed by unrelated talk
    (
        ("I collect stamps.", "What is the weather like on Mars?"),
        "What do I collect?",
        "You collect stamps.",
    ),
    (
        ("I fence on Wednesdays.", "Explain how rainbows form."),
        "When do I fence?",
        "You fence on Wednesdays.",
    ),
    (("I keep bees", "Tell me a joke", "What is Python?"), "What do I keep?", "You keep bees."),
    (
        ("My neighbour is Greta.", "How far is the moon?"),
        "Who is my neighbour?",
        "Your neighbour is Greta.",
    ),
    (
        ("I restore old clocks. Anyway, what is SSE?",),
        "What do I restore?",
        "You restore old clocks.",
    ),
    (
        ("I learned Welsh from my grandfather", "Can you explain recursion?"),
        "Who did I learn Welsh from?",
        "You learned Welsh from your grandfather.",
    ),
    # yes/no about what was said
    (("I eat fish but not meat",), "Do I eat fish?", "You eat fish but not meat."),
    (("I don't drink alcohol",), "Do I drink alcohol?", "You don't drink alcohol."),
    (("I never fly",), "Do I fly?", "You never fly."),
    (("I can juggle",), "Can I juggle?", "You can juggle."),
    (("I have visited Iceland",), "Have I visited Iceland?", "You have visited Iceland."),
    # never said: no invented answer
    (
        ("I play the cello",),
        "What car do I drive?",
        'You haven\'t told me that: nothing you said mentions "car" or "drive".',
    ),
    (
        ("My sister plays the violin",),
        "Where does my sister live?",
        'You haven\'t told me that: nothing you said mentions "sister" or "live".',
    ),
    (
        ("I eat fish",),
        "Do I eat meat?",
        'You haven\'t told me that: nothing you said mentions "eat" or "meat".',
    ),
    (
        ("I teach chemistry",),
        "When do I teach?",
        'You haven\'t told me that: nothing you said mentions "teach".',
    ),
    (
        ("I collect stamps",),
        "Who taught me to collect stamps?",
        'You haven\'t told me that: nothing you said mentions "taught" or "collect" or "stamps".',
    ),
    (
        (),
        "What instrument do I play?",
        'You haven\'t told me that: nothing you said mentions "instrument" or "play".',
    ),
    (
        ("I bought a sailboat",),
        "How many sailboats do I own?",
        "You haven't told me how many sailboats you have.",
    ),
    (("I commute by ferry",), "How do I commute?", "You commute by ferry."),
    (
        ("My favourite author is Le Guin",),
        "Who is my favourite author?",
        "Your favorite author is Le Guin.",
    ),
    (
        ("I'm saving for a trip to Peru",),
        "What am I saving for?",
        "You're saving for a trip to Peru.",
    ),
    (
        ("I lost my keys at the gym", "What time is it in Tokyo?"),
        "Where did I lose my keys?",
        "You lost your keys at the gym.",
    ),
    (
        ("My parents live in a village near York",),
        "Where do my parents live?",
        "Your parents live in a village near York.",
    ),
]

ALL_RECALL_PAIRS = RECALL_TABLE + RETRIEVAL_TABLE

NOT_FROM_THE_USER: list[tuple[tuple[str, ...], str]] = [
    # Questions about the world are not answered from the user's statements.
    (("I live in Paris",), "What is the capital of France?"),
    (("I teach chemistry",), "What is chemistry?"),
    (("My sister plays the violin",), "How many strings does a violin have?"),
    (("I drive a red Volvo",), "Where is Volvo from?"),
    (("I collect vintage postcards", "I love Lisbon"), "Who invented the postcard?"),
]
