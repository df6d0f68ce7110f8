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
