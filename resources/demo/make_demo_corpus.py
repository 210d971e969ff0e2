#!/usr/bin/env python3
"""Writes the offline demo corpus (counseling.jsonl, persuasion.jsonl) in our chat JSONL layout.

All text is written for this project; none comes from ESConv or PersuasionForGood. The output is
deterministic (fixed seed) and committed, so nothing runs this at build or run time:
    python3 resources/demo/make_demo_corpus.py
Each task mixes good, mixed and poor agents, so rewards vary and some dialogues are clearly
improvable (the point of hindsight relabeling); a few are left unlabeled for the reward labeler.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20240521)

# ----------------------------------------------------------------------------------- counseling
# Each scenario: metadata, and beats of (seeker lines, good reply (text, strategy), poor reply).
COUNSELING = [
    dict(emotion="anxiety", problem="job crisis", exp="Current Experience",
         situation="My team is being cut at the end of the quarter and I don't know if I'll keep my job.",
         beats=[
             (["They announced layoffs at work yesterday.", "Our whole team might be gone by March."],
              ("That's a lot of uncertainty to carry. How have you been holding up since the announcement?", "Question"),
              ("Layoffs happen everywhere these days.", "Others")),
             (["Not well. I keep checking my email for bad news."],
              ("So the waiting itself is wearing you down, not knowing when the news will come.", "Restatement or Paraphrasing"),
              ("You should stop checking your email then.", "Providing Suggestions")),
             (["Exactly. And I have rent and a car payment."],
              ("It makes sense that you'd feel scared with those costs depending on this job.", "Reflection of feelings"),
              ("Everyone has bills, you'll figure it out.", "Others")),
             (["I just don't know where to start."],
              ("Would it help to update your CV this week, just as a safety net? Having one small step done often makes the waiting easier.", "Providing Suggestions"),
              ("Just apply everywhere.", "Providing Suggestions")),
         ]),
    dict(emotion="sadness", problem="breakup with partner", exp="Current Experience",
         situation="My girlfriend ended our four-year relationship last week.",
         beats=[
             (["My girlfriend broke up with me last week.", "Four years together and it's just over."],
              ("I'm so sorry. Four years is a big part of your life. How are you feeling right now?", "Question"),
              ("Oh. Well, there are plenty of fish in the sea.", "Others")),
             (["Empty, mostly. The apartment is so quiet."],
              ("It sounds like you're really missing her presence, even in the small everyday moments.", "Reflection of feelings"),
              ("You could get a roommate.", "Providing Suggestions")),
             (["Yeah. We used to cook dinner together every night."],
              ("When my own long relationship ended, evenings were the hardest part for me too.", "Self-disclosure"),
              ("Cooking for one is cheaper at least.", "Others")),
             (["How did you get through it?"],
              ("Slowly. I asked friends to have dinner with me a few times a week. Is there someone you could invite over?", "Providing Suggestions"),
              ("Time heals everything.", "Affirmation and Reassurance")),
         ]),
    dict(emotion="anxiety", problem="academic pressure", exp="Current Experience",
         situation="I have three final exams in one week and I feel like I'm going to fail all of them.",
         beats=[
             (["I have three finals next week and I'm freaking out."],
              ("Three in one week is a heavy load. What worries you the most about them?", "Question"),
              ("Everyone has finals, it's normal.", "Others")),
             (["Chemistry. I failed the midterm."],
              ("So after the midterm you're afraid the same thing will happen again.", "Restatement or Paraphrasing"),
              ("Then you need to study more.", "Providing Suggestions")),
             (["Yes. I study for hours and nothing sticks."],
              ("Many students find that shorter sessions with practice problems stick better than long rereading. Research on spaced practice backs that up.", "Information"),
              ("Maybe chemistry just isn't for you.", "Others")),
             (["I could try that. I'm just so tired."],
              ("You've been pushing really hard, and that effort says a lot about you. Getting some sleep is part of studying too.", "Affirmation and Reassurance"),
              ("Drink more coffee.", "Providing Suggestions")),
         ]),
    dict(emotion="anger", problem="conflict with parents", exp="Current Experience",
         situation="My parents keep criticizing my decision to leave university and start an apprenticeship.",
         beats=[
             (["My parents won't stop going on about me leaving uni."],
              ("That sounds frustrating. What have they been saying?", "Question"),
              ("Parents always think they know best.", "Others")),
             (["That I'm throwing my future away. I'm doing an electrician apprenticeship!"],
              ("You made a considered choice and it hurts that they don't seem to respect it.", "Reflection of feelings"),
              ("Well, a degree is useful though.", "Others")),
             (["Exactly. I actually like it, for the first time in years."],
              ("It's great that you found work you enjoy. That's not a small thing.", "Affirmation and Reassurance"),
              ("Liking it doesn't pay the bills.", "Others")),
             (["I just want them to see that."],
              ("Maybe you could invite them to see what you're working on, or tell them about a day you were proud of? Sometimes parents need to see it to understand.", "Providing Suggestions"),
              ("Just ignore them.", "Providing Suggestions")),
         ]),
    dict(emotion="depression", problem="ongoing depression", exp="Current Experience",
         situation="I moved to a new city for work six months ago and I still don't know anyone.",
         beats=[
             (["I moved here six months ago and I still have no friends."],
              ("Moving somewhere new can be really isolating. How have your days been looking?", "Question"),
              ("Six months isn't that long.", "Others")),
             (["Work, home, sleep. Weekends are the worst."],
              ("So the weekends, when there's no structure, feel the loneliest.", "Restatement or Paraphrasing"),
              ("At least you have a job.", "Others")),
             (["Yeah. Some days I don't talk to anyone at all."],
              ("That sounds really lonely. I'm glad you reached out today.", "Reflection of feelings"),
              ("You should talk to people then.", "Providing Suggestions")),
             (["I don't even know where to meet people."],
              ("A lot of people find that a weekly activity helps, like a climbing gym, a choir or a volunteer group, because you see the same faces every week. Is there anything you used to enjoy?", "Providing Suggestions"),
              ("Try a dating app.", "Providing Suggestions")),
         ]),
    dict(emotion="anger", problem="problems with friends", exp="Previous Experience",
         situation="A close friend shared something private I told her with our whole group.",
         beats=[
             (["My best friend told everyone something I said in confidence."],
              ("That's a real breach of trust. What happened?", "Question"),
              ("That's what people do, unfortunately.", "Others")),
             (["I told her I was seeing a therapist. Now the whole group knows."],
              ("So something very personal was shared without your permission, and now you feel exposed.", "Restatement or Paraphrasing"),
              ("Seeing a therapist isn't a big deal though.", "Others")),
             (["I'm so angry I can't even look at her messages."],
              ("Of course you're angry. Anyone would be, when a friend they trusted does that.", "Reflection of feelings"),
              ("Don't be so dramatic about it.", "Others")),
             (["Should I just cut her off?"],
              ("That's your call to make. Some people find it helps to tell the friend exactly how it felt before deciding. Would you want to hear her side first?", "Question"),
              ("Yes, drop her.", "Providing Suggestions")),
         ]),
    dict(emotion="sadness", problem="grief", exp="Current Experience",
         situation="My dog of twelve years died on Sunday.",
         beats=[
             (["My dog died on Sunday.", "He was twelve."],
              ("I'm so sorry for your loss. Twelve years is a long time together. What was his name?", "Question"),
              ("Sorry to hear that. Will you get another one?", "Question")),
             (["Biscuit. He slept next to my bed every night."],
              ("Biscuit sounds like he was family. It makes sense that nights feel so hard now.", "Reflection of feelings"),
              ("Dogs don't live that long, sadly.", "Information")),
             (["People keep saying he was just a dog."],
              ("Grief for a pet is real grief. You lost a companion who was with you every day.", "Affirmation and Reassurance"),
              ("Well, they kind of have a point.", "Others")),
             (["I don't know what to do with his things."],
              ("There's no rush. Some people keep a collar or a photo out for a while. I kept my cat's bowl for months before I was ready.", "Self-disclosure"),
              ("Just throw them out so you don't have to look at them.", "Providing Suggestions")),
         ]),
    dict(emotion="depression", problem="job crisis", exp="Current Experience",
         situation="I work twelve-hour shifts as a nurse and I feel completely burnt out.",
         beats=[
             (["I'm a nurse and I'm exhausted all the time."],
              ("That sounds draining. How long have you been feeling this way?", "Question"),
              ("Nursing is a hard job, that's well known.", "Information")),
             (["Months. I used to love this job. Now I dread every shift."],
              ("So something you once loved has turned into something you dread.", "Restatement or Paraphrasing"),
              ("Maybe find another job then.", "Providing Suggestions")),
             (["I feel guilty even saying that. The patients need me."],
              ("Feeling burnt out doesn't make you a bad nurse. It shows how much you've been giving.", "Affirmation and Reassurance"),
              ("Well, they do need you.", "Others")),
             (["I don't know how to keep going."],
              ("Would it be possible to talk to your manager or occupational health about your hours? Burnout is very common in nursing, and many hospitals have support for it.", "Information"),
              ("Just take a vacation.", "Providing Suggestions")),
         ]),
    dict(emotion="fear", problem="Sleep Problems", exp="Current Experience",
         situation="I lie awake every night worrying and only sleep three or four hours.",
         beats=[
             (["I can't sleep. Three hours a night for weeks."],
              ("That must be exhausting. What goes through your mind when you're lying awake?", "Question"),
              ("Have you tried counting sheep?", "Providing Suggestions")),
             (["Everything. Work, money, whether I locked the door."],
              ("It sounds like your mind switches on the moment everything goes quiet.", "Reflection of feelings"),
              ("Just don't think about it.", "Providing Suggestions")),
             (["Exactly. Then I'm a zombie all day."],
              ("I've had stretches like that. Writing my worries down before bed helped me leave them on the page.", "Self-disclosure"),
              ("Coffee helps with that.", "Providing Suggestions")),
             (["I could try writing them down."],
              ("It's worth a try. And if it keeps going for weeks more, a doctor can help too; insomnia is very treatable.", "Information"),
              ("Sure.", "Others")),
         ]),
    dict(emotion="anxiety", problem="financial problems", exp="Current Experience",
         situation="My credit card debt keeps growing and I'm scared to even open my statements.",
         beats=[
             (["I have about eight thousand dollars of credit card debt."],
              ("That's a stressful weight to carry. How are you feeling about it today?", "Question"),
              ("That's not that much, honestly.", "Others")),
             (["Ashamed. I don't even open the statements anymore."],
              ("So the shame has made it hard to even look at the numbers.", "Restatement or Paraphrasing"),
              ("Not opening them makes it worse.", "Others")),
             (["I know. I feel so stupid."],
              ("You're not stupid. Debt builds up for lots of reasons, and you're facing it by talking about it now.", "Affirmation and Reassurance"),
              ("Well, you did spend the money.", "Others")),
             (["What would you do?"],
              ("Non-profit credit counseling services can help you make a plan, often for free. Would you be open to calling one this week?", "Information"),
              ("Cut up your cards.", "Providing Suggestions")),
         ]),
    dict(emotion="sadness", problem="marital problems", exp="Current Experience",
         situation="My husband and I argue about housework every day and I feel unappreciated.",
         beats=[
             (["My husband and I fight every day about chores."],
              ("That sounds exhausting. What usually sets the arguments off?", "Question"),
              ("All couples fight about chores.", "Others")),
             (["I do almost everything and he says I'm nagging."],
              ("So you're carrying most of the work and on top of that you feel dismissed when you bring it up.", "Restatement or Paraphrasing"),
              ("Maybe you are nagging a bit?", "Question")),
             (["Yes. I feel invisible."],
              ("Feeling invisible in your own home is painful. Your feelings make sense.", "Reflection of feelings"),
              ("He probably doesn't mean it.", "Others")),
             (["I don't want to fight anymore."],
              ("Some couples find it helps to sit down at a calm moment and write a list of tasks together, rather than discussing it in the middle of an argument. Could that work for you two?", "Providing Suggestions"),
              ("Then stop bringing it up.", "Providing Suggestions")),
         ]),
    dict(emotion="depression", problem="ongoing depression", exp="Previous Experience",
         situation="Since the lockdowns I've lost touch with most friends and I barely leave the house.",
         beats=[
             (["Since the lockdowns I hardly leave the house."],
              ("That must feel very isolating. What does a normal day look like for you now?", "Question"),
              ("Lockdowns are over though.", "Information")),
             (["I work from home, order food, watch TV. That's it."],
              ("So your world has shrunk to the inside of your home.", "Restatement or Paraphrasing"),
              ("Sounds relaxing honestly.", "Others")),
             (["My friends stopped inviting me."],
              ("That sounds lonely, and maybe a bit hurtful too.", "Reflection of feelings"),
              ("You probably stopped replying.", "Others")),
             (["I miss them."],
              ("It sounds like part of you wants to reconnect. Maybe a short message to one friend, just saying you miss them, could be a first step?", "Providing Suggestions"),
              ("Then call them.", "Providing Suggestions")),
         ]),
]

SEEKER_OPENERS = ["Hi.", "Hello, is anyone there?", "hey", "Hi there.", "Hello.", "hi, thanks for chatting"]
SUPPORTER_OPENERS = [
    ("Hi! How are you doing today?", "Question"),
    ("Hello, I'm here to listen. How are you today?", "Question"),
    ("Hi there, how are you feeling?", "Question"),
    ("Hello! How has your day been?", "Question"),
]
SEEKER_NOT_GREAT = ["Not great, honestly.", "Not so good.", "I've been better.", "Pretty rough, to be honest."]
DEFLATED = ["I guess.", "Okay...", "That's not really the point.", "I've tried that.", "Hm.", "Maybe.",
            "That doesn't really help.", "Right."]
GOOD_CLOSERS = [
    ["Thank you. This actually helped a lot.", ("I'm really glad. Take care of yourself, and come back anytime.", "Affirmation and Reassurance")],
    ["I feel a bit lighter now. Thanks for listening.", ("You're very welcome. You've been brave to talk about it.", "Affirmation and Reassurance")],
    ["Thanks, I think I have a plan now.", ("That's great to hear. I hope this week goes a bit easier.", "Affirmation and Reassurance")],
]
POOR_CLOSERS = [
    ["Okay. I should go.", ("Ok bye", "Others")],
    ["Thanks I guess.", ("No problem. Good luck.", "Others")],
    ["I don't feel any better, but thanks.", ("Alright, bye.", "Others")],
]


def agreeing_start_removed(line):
    # "Exactly. And I have rent..." only follows a reply that understood the seeker.
    for start in ("Exactly. ", "Exactly! ", "Yes. ", "Yeah. ", "Yes, "):
        if line.startswith(start):
            rest = line[len(start):]
            return rest[0].upper() + rest[1:]
    return line


def counseling_dialogue(i, scenario, profile):
    msgs = []

    def user(t):
        msgs.append({"role": "user", "content": t})

    def agent(t, s):
        msgs.append({"role": "assistant", "content": t, "annotations": {"strategy": s}})

    if rng.random() < 0.5:
        user(rng.choice(SEEKER_OPENERS))
        agent(*rng.choice(SUPPORTER_OPENERS))
        user(rng.choice(SEEKER_NOT_GREAT))
    else:
        agent(*rng.choice(SUPPORTER_OPENERS))
        user(rng.choice(SEEKER_NOT_GREAT))
    beats = scenario["beats"]
    quality = []
    for b, (seeker, good, poor) in enumerate(beats):
        for n, line in enumerate(seeker):
            if n == 0 and quality and not quality[-1]:
                line = agreeing_start_removed(line)
            user(line)
        if profile == "good":
            q = rng.random() < 0.92
        elif profile == "mixed":
            q = b % 2 == 0 if rng.random() < 0.8 else rng.random() < 0.5
        else:
            q = rng.random() < 0.12
        quality.append(q)
        agent(*(good if q else poor))
        if not q and b + 1 < len(beats):
            user(rng.choice(DEFLATED))
    share = sum(quality) / len(quality)
    closer = rng.choice(GOOD_CLOSERS if share >= 0.5 else POOR_CLOSERS)
    user(closer[0])
    agent(*closer[1])

    initial = rng.choice([3, 4, 4, 5, 5])
    if share >= 0.75:
        drop = rng.choice([2, 3, 3, 4])
    elif share >= 0.5:
        drop = rng.choice([1, 1, 2])
    elif share > 0:
        drop = rng.choice([0, 1])
    else:
        drop = rng.choice([-1, 0, 0])
    final = min(5, max(1, initial - drop))
    labeled = not (i % 13 == 6)  # a few left for the reward labeler
    meta = {
        "emotion_type": scenario["emotion"],
        "problem_type": scenario["problem"],
        "experience_type": scenario["exp"],
        "situation": scenario["situation"],
        "initial_emotion_intensity": initial,
        "final_emotion_intensity": final if labeled else None,
        "supporter_quality": profile,
    }
    return {
        "id": "demo-counseling-%03d" % (i + 1),
        "task": "counseling",
        "messages": msgs,
        "reward": float(initial - final) if labeled else None,
        "metadata": meta,
        "source": "demo",
    }


# ----------------------------------------------------------------------------------- persuasion
# Persona: opener small talk, an objection, the good answer (text, strategy), the poor answer,
# and how generous the persona is (0..1).
PERSONAS = [
    dict(kind="skeptical about overhead", generosity=0.5,
         objection="Honestly, I worry most of the money goes to admin and CEO salaries.",
         good=("That's a fair concern. Save the Children publishes its accounts, and about 85 cents of every dollar goes directly to programs. Charity Navigator rates them highly.", "credibility appeal"),
         poor=("I'm sure they use it well.", "other")),
    dict(kind="student short on money", generosity=0.3,
         objection="I'm a student, two dollars is actually a lot for me right now.",
         good=("I completely get that, I've been there. Even ten or twenty cents helps, and it all adds up when many people give a little.", "foot in the door"),
         poor=("It's only two dollars though.", "other")),
    dict(kind="parent of young children", generosity=0.8,
         objection="I have two little ones myself, so I do care about kids.",
         good=("Then you know how much a warm meal and a safe place matter. Save the Children provides exactly that to kids in war zones, like in Syria, where families have lost everything.", "emotion appeal"),
         poor=("Great, so you'll donate then.", "other")),
    dict(kind="already donates locally", generosity=0.5,
         objection="I already give to my local food bank every month.",
         good=("That's wonderful, thank you for doing that. This would reach children who have no food bank at all, in places hit by famine and conflict.", "logical appeal"),
         poor=("Local charities are less important than this one.", "other")),
    dict(kind="in a hurry", generosity=0.4,
         objection="Can we make this quick? I have somewhere to be.",
         good=("Of course! In short: Save the Children helps kids get food, health care and school. You can give any part of your $2 payment, straight from this task.", "donation information"),
         poor=("This is important, it will take as long as it takes.", "other")),
    dict(kind="curious", generosity=0.7,
         objection="What exactly do they do with the donations?",
         good=("They run health clinics, provide meals and clean water, and set up schools in emergencies. In 2017 they reached over 150 million children.", "logical appeal"),
         poor=("They help children.", "donation information")),
    dict(kind="worried about scams", generosity=0.35,
         objection="How do I know this isn't some scam?",
         good=("Good question to ask. The donation is handled by the research team running this task, and Save the Children is a registered charity you can look up at savethechildren.org.", "credibility appeal"),
         poor=("It's not a scam, trust me.", "other")),
    dict(kind="retired teacher", generosity=0.9,
         objection="I taught primary school for thirty years, so children's education means a lot to me.",
         good=("That's wonderful. Save the Children builds temporary schools so kids in crisis don't lose years of learning. Your donation would go right to that kind of work.", "personal related inquiry"),
         poor=("Cool. So how much will you give?", "proposition of donation")),
    dict(kind="prefers domestic causes", generosity=0.4,
         objection="I'd rather help kids here in the US than overseas.",
         good=("Save the Children actually works in the US too, in rural areas with early education and school meals. So your donation can help children here as well.", "logical appeal"),
         poor=("Kids overseas need it more.", "other")),
    dict(kind="wants proof of impact", generosity=0.55,
         objection="I like to see proof that donations actually change something.",
         good=("That makes sense. Their annual reports show measurable results, for example how many children were treated for malnutrition. I can tell you how I checked them myself.", "credibility appeal"),
         poor=("You'll just have to believe me.", "other")),
    dict(kind="indifferent", generosity=0.2,
         objection="Eh, I don't really think about charities much.",
         good=("That's okay! Imagine a seven-year-old who walks two hours for water each day. A few cents from you is something she would feel.", "emotion appeal"),
         poor=("You should think about them more.", "other")),
    dict(kind="bad past experience", generosity=0.3,
         objection="I gave to a charity once and then they spammed me for years.",
         good=("That's really annoying, I'm sorry. Here nothing is shared with anyone; it's deducted from your task payment and you won't be contacted.", "donation information"),
         poor=("That won't happen this time.", "other")),
]

GREETINGS = [
    ("Hi! How are you doing today?", "Hello, I'm good, thanks. You?"),
    ("Hello there, how's your day going?", "Not bad! A bit busy. How about you?"),
    ("Good morning! How are you?", "Morning. Doing alright."),
    ("Hey, nice to meet you!", "Hi, nice to meet you too."),
]
SMALL_TALK = [
    ("I'm well, thanks. Have you done many of these tasks?", "A few. This is my first chat one though."),
    ("Doing great. The weather here is finally nice.", "Lucky you, it's raining here."),
    ("Pretty good. Just had my coffee.", "Ha, I could use one too."),
]
INTRO_GOOD = [
    ("Have you heard of the charity Save the Children?", "personal related inquiry"),
    ("I wanted to tell you about a charity I really believe in, Save the Children. Do you know it?", "source related inquiry"),
]
INTRO_POOR = [
    ("So you need to donate to Save the Children.", "proposition of donation"),
    ("Let's talk about donating. Save the Children needs your money.", "proposition of donation"),
]
HEARD = ["I've heard the name, but don't know much.", "Not really, no.", "Yes, vaguely."]
ASK_GOOD = [
    ("Would you be willing to give part of your $2 task payment? Any amount makes a difference.", "proposition of donation"),
    ("How much of your payment would you like to donate? Even 50 cents helps a child.", "proposition of donation"),
]
ASK_POOR = [
    ("So will you donate the whole $2?", "proposition of donation"),
    ("You should give all of it, it's for kids.", "proposition of donation"),
]
AMOUNT_TEXT = {
    0.0: ["I don't think I'll donate this time, sorry.", "I'll pass, sorry.", "No, I'll keep it."],
    0.1: ["I can do ten cents.", "Okay, 10 cents."],
    0.2: ["Fine, twenty cents.", "I'll give 20 cents."],
    0.25: ["I'll give a quarter."],
    0.5: ["I'll donate 50 cents.", "Let's say fifty cents."],
    1.0: ["Okay, I'll give one dollar.", "Put me down for $1."],
    1.5: ["I'll do $1.50."],
    2.0: ["You know what, I'll give the whole $2.", "Let's do all $2."],
}
THANK_GOOD = [("Thank you so much! That really helps.", "other"), ("That's wonderful, thank you!", "other")]
THANK_POOR = [("Ok.", "other"), ("Fine, thanks.", "other")]


def pick_amount(generosity, share):
    # Better persuasion and a more generous persona shift the donation up.
    score = 0.55 * share + 0.45 * generosity + rng.uniform(-0.15, 0.15)
    ladder = [0.0, 0.1, 0.2, 0.25, 0.5, 1.0, 1.5, 2.0]
    if score < 0.3:
        return 0.0
    idx = min(len(ladder) - 1, int((score - 0.3) / 0.7 * len(ladder)) + 1)
    return ladder[idx]


def persuasion_dialogue(i, persona, profile):
    msgs = []

    def agent(t, s):
        msgs.append({"role": "assistant", "content": t, "annotations": {"strategy": s}})

    def user(t):
        msgs.append({"role": "user", "content": t})

    good_turns = 0
    total = 0

    def choose(good, poor):
        nonlocal good_turns, total
        q = {"good": rng.random() < 0.9, "mixed": rng.random() < 0.5, "poor": rng.random() < 0.1}[profile]
        good_turns += q
        total += 1
        return good if q else poor

    g = rng.choice(GREETINGS)
    agent(g[0], "greeting")
    user(g[1])
    if rng.random() < 0.6:
        s = rng.choice(SMALL_TALK)
        agent(s[0], "other")
        user(s[1])
    agent(*choose(rng.choice(INTRO_GOOD), rng.choice(INTRO_POOR)))
    user(rng.choice(HEARD))
    user(persona["objection"])
    agent(*choose(persona["good"], persona["poor"]))
    if total and good_turns == total:
        user(rng.choice(["That's good to know.", "Okay, that helps.", "Hm, I didn't know that."]))
    else:
        user(rng.choice(["I'm not convinced.", "Sure...", "That doesn't really answer my question."]))
    agent(*choose(rng.choice(ASK_GOOD), rng.choice(ASK_POOR)))
    share = good_turns / total
    amount = pick_amount(persona["generosity"], share)
    user(rng.choice(AMOUNT_TEXT[amount]))
    agent(*(rng.choice(THANK_GOOD) if amount > 0 else rng.choice([("I understand. Thanks for chatting anyway!", "other"), ("Ok, your choice.", "other")])))
    labeled = not (i % 14 == 9)
    return {
        "id": "demo-persuasion-%03d" % (i + 1),
        "task": "persuasion",
        "messages": msgs,
        "reward": amount if labeled else None,
        "metadata": {
            "persuadee_persona": persona["kind"],
            "persuader_quality": profile,
            "donation": amount if labeled else None,
        },
        "source": "demo",
    }


def write(name, rows):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    profiles = ["good", "mixed", "poor"]
    counseling = []
    for k in range(36):
        counseling.append(counseling_dialogue(k, COUNSELING[k % len(COUNSELING)], profiles[(k // len(COUNSELING)) % 3]))
    persuasion = []
    for k in range(36):
        persuasion.append(persuasion_dialogue(k, PERSONAS[k % len(PERSONAS)], profiles[(k // len(PERSONAS)) % 3]))
    write("counseling.jsonl", counseling)
    write("persuasion.jsonl", persuasion)


if __name__ == "__main__":
    main()
