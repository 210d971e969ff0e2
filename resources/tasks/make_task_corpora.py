# Writes teaching.jsonl and travel-agent.jsonl: small demo corpora for the example tasks
# teaching.json and travel-agent.json, written for this project (no dataset text). The user
# opens in both tasks; a few dialogues carry "reward": null (work for the reward labeller).
#   python3 resources/tasks/make_task_corpora.py
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
def D(task, n, quality, persona, reward, turns):
    msgs=[]
    for i,t in enumerate(turns):
        role = "user" if i%2==0 else "assistant"   # the user opens in both tasks
        msgs.append({"role":role,"content":t})
    return {"id":f"demo-{task}-{n:03d}","task":task,"messages":msgs,"reward":reward,
            "metadata":{"persona":persona,"agent_quality":quality},"source":"demo"}

teaching = [
 ("good","math-anxious",5,[
  "Hi, I have a test tomorrow and I still don't get what a median is.",
  "No problem. Before I explain, what do you already know about averages?",
  "I know you add everything up and divide. That's about it, honestly.",
  "That's the mean, and it's a great start. The median is simpler: sort the numbers and take the one in the middle. For 1, 2 and 9 the middle one is 2.",
  "Oh, so no dividing at all?",
  "Exactly, just sorting. Try this one: 4, 10, 6. What's the median?",
  "Sort it: 4, 6, 10. So 6!",
  "Perfect. And the mean of those would be about 6.7. Now you know both."]),
 ("poor","math-anxious",1,[
  "Hi, I have a test tomorrow and I still don't get what a median is.",
  "The median is the 50th percentile of the empirical distribution.",
  "Sorry, I don't know what a percentile is.",
  "It's the value below which a given percentage of observations fall.",
  "Okay. I think I'll just try to memorise something."]),
 ("good","confident-misconception",5,[
  "Can you explain the difference between mean and median? My teacher says they're different but they're basically the same.",
  "Good question. Why do you think they're the same?",
  "Because both are the middle of the data, right? So they always give the same number.",
  "That's a very common idea, and it works for nicely balanced data. Let's test it: house prices 100, 110, 120 and one mansion at 1000. What's the middle value?",
  "Sorted it's 100, 110, 120, 1000... so between 110 and 120, 115.",
  "Right, the median is 115. The mean is 1330 divided by 4, about 332. Are they the same here?",
  "Wow, no. The mansion pulls the mean way up. So they're only equal when the data is balanced.",
  "Exactly. That's why news about incomes usually reports the median."]),
 ("mixed","confident-misconception",3,[
  "Can you explain the difference between mean and median? They're basically the same, right?",
  "The mean adds up all values and divides by how many there are. The median is the middle value after sorting.",
  "Yeah, so they're the same thing, the middle.",
  "They're calculated differently, so they can be different numbers.",
  "Hm, okay. When would they be different though?",
  "When the data is skewed, for example with one very large value.",
  "I guess that makes sense."]),
 ("good","advanced",5,[
  "I know the formula for standard deviation, but what does it actually mean?",
  "Since you know the formula, let me skip it. Do you have a feel for what variance measures?",
  "Kind of, the spread, but squared, which I never understood.",
  "Squaring makes big deviations count more and avoids signs cancelling. The square root then brings you back to the original units. So the SD is roughly a typical distance from the mean.",
  "So if heights have mean 170 cm and SD 10 cm, most people are within about 10 cm of 170?",
  "Yes, about two thirds of them if the data is roughly normal. That's the intuition.",
  "That's exactly what I was missing, thanks."]),
 ("poor","advanced",2,[
  "I know the formula for standard deviation, but what does it actually mean?",
  "Great question! First, the mean is what you get when you add up all numbers and divide by how many there are.",
  "Yes, I know that. I asked about the standard deviation.",
  "Right! So, a deviation is how far a number is from the mean. Let's start with an example of adding numbers.",
  "I really know all this. Never mind."]),
 ("good","visual",4,[
  "Can you explain what correlation means? Formulas don't work for me.",
  "Sure, no formulas. Picture a scatter plot: each dot is a person, height across, weight up. What shape do you imagine?",
  "A cloud going up to the right, I guess.",
  "Exactly. Correlation says how tightly the cloud hugs a straight line. A thin rising streak is close to +1, a round blob is close to 0, a falling streak is close to -1.",
  "So it's about the shape of the cloud, not the steepness?",
  "Right, a flat thin line and a steep thin line can both be near 1.",
  "That picture helps a lot."]),
 ("mixed","visual",2,[
  "Can you explain what correlation means? Formulas don't work for me.",
  "Correlation is the covariance divided by the product of the standard deviations.",
  "That's a formula though.",
  "Sorry. It measures how two variables move together.",
  "Move together how? I still can't picture it."]),
 ("good","terse",4,[
  "what's a p-value",
  "Happy to help. Have you met hypothesis tests before, like testing whether a coin is fair?",
  "a bit",
  "Great. Say you flip a coin 10 times and get 9 heads. The p-value asks: if the coin were fair, how surprising would a result this extreme be? Here about 2 percent.",
  "so small means suspicious coin",
  "Exactly. Small p-value means the fair-coin story fits the data badly. Can you say what a p-value of 0.5 would mean?",
  "result is normal for a fair coin",
  "Spot on."]),
 ("poor","terse",0,[
  "what's a p-value",
  "It's the probability that the null hypothesis is true.",
  "ok",
  "Glad I could help!"]),
 ("mixed","math-anxious",3,[
  "What's a percentage, really? I always get confused.",
  "A percentage is a fraction out of 100. 25 percent means 25 out of 100.",
  "Okay, but how do I get 20 percent of 60?",
  "Multiply 60 by 0.2 and you get 12.",
  "Why 0.2?",
  "Because 20 out of 100 is 0.2.",
  "I think I get it a bit better."]),
 (None,"advanced",None,[
  "Why do we divide by n minus 1 in the sample variance?",
  "Do you already know what bias means for an estimator?",
  "Yes, expected value differs from the true value.",
  "Then here's the idea: the sample mean sits closer to the data than the true mean does, so squared deviations from it come out too small. Dividing by n-1 instead of n corrects exactly for that.",
  "Because one degree of freedom is used up by estimating the mean?"]),
]

travel = [
 ("good","budget-backpacker",5,[
  "Hi! I've got two weeks off in September and want to go somewhere.",
  "Lovely! What's your rough budget, including flights?",
  "Around 600 euros. I'm a student.",
  "Got it. What do you enjoy most on a trip, and is there anything you'd rather avoid?",
  "Street food, cheap hostels, meeting people. I hate long bus rides.",
  "Then I'd suggest Porto and Lisbon: cheap flights, great food markets, lively hostels, and the two are linked by a fast 3-hour train instead of buses.",
  "That's perfect, I hadn't thought of trains. Thanks!"]),
 ("poor","budget-backpacker",0,[
  "Hi! I've got two weeks off in September and want to go somewhere.",
  "I recommend a Caribbean cruise. Seven nights, all inclusive, starting at 2400 euros.",
  "That's way more than I can spend.",
  "It's a very popular package this year!"]),
 ("good","family-of-four",5,[
  "We want a beach holiday in July. Any ideas?",
  "Sure. Who's travelling with you?",
  "My husband and our two kids, they're 3 and 6.",
  "Thanks, that matters a lot. How long a flight is okay, and do you need anything like a kitchen?",
  "Under three hours if possible, and yes, a kitchen would make life easier.",
  "Then I'd look at the Costa Brava near Tossa: about two hours from you, shallow sandy beaches with lifeguards, and plenty of apartments with kitchens.",
  "Shallow water for the little one is exactly what we need. Great."]),
 ("mixed","family-of-four",2,[
  "We want a beach holiday in July. Any ideas?",
  "What's your budget?",
  "Around 3000 for everyone.",
  "Then Bali is great: amazing beaches and surfing.",
  "That's a very long flight with two small kids...",
  "It's worth it, the surf is fantastic."]),
 ("good","luxury-foodie",5,[
  "My wife and I are retired and want a special trip in the autumn.",
  "Congratulations! What makes a trip special for you?",
  "Food, above all. And wine.",
  "Wonderful. Any climates you prefer or avoid?",
  "Nothing too hot, we wilt in the heat.",
  "Then Piedmont in October: white truffle season, Barolo vineyards, cool crisp days, and some of Italy's best restaurants in Alba.",
  "That sounds like a dream. Let's book it."]),
 ("poor","luxury-foodie",1,[
  "My wife and I are retired and want a special trip in the autumn.",
  "Dubai is amazing, with luxury hotels and desert safaris.",
  "Isn't it very hot there?",
  "Yes, around 35 degrees in October, perfect for the pool."]),
 ("good","adventure-seeker",4,[
  "I want somewhere with real adventure this summer.",
  "Sounds fun. What kind of adventure: water, mountains, wildlife?",
  "Mountains. I climb.",
  "Do you want remote and wild, or good infrastructure with huts?",
  "Remote. Resorts bore me to death.",
  "Then the Julian Alps in Slovenia, off the Triglav trails: via ferratas, quiet valleys and few tourists outside August weekends.",
  "Nice, I'll look into the Julian Alps."]),
 ("mixed","adventure-seeker",2,[
  "I want somewhere with real adventure this summer.",
  "How about Interlaken? Paragliding, rafting and bungee jumping all in one place.",
  "Isn't that very touristy?",
  "It's popular, but there's a lot to do.",
  "Hm, maybe."]),
 ("good","culture-lover",5,[
  "I'd like a city trip during the Easter holidays.",
  "Great! Are you travelling alone or with others?",
  "Alone. I teach history, so museums and old towns are my thing.",
  "Lovely. Any limits on travel time?",
  "I really don't like flights longer than three hours.",
  "Then Kraków fits: about two hours away, a medieval old town, Wawel castle, and excellent history museums, all walkable and safe for a solo traveller.",
  "That's ideal. I've always wanted to see Wawel."]),
 ("poor","culture-lover",0,[
  "I'd like a city trip during the Easter holidays.",
  "Tokyo is amazing in spring with the cherry blossoms!",
  "That's a 14-hour flight, I can't do that.",
  "You can take a sleeping pill, it goes by fast."]),
 ("mixed","budget-backpacker",3,[
  "Any tips for a cheap trip in the spring?",
  "How much do you want to spend?",
  "As little as possible, maybe 500.",
  "Budapest is cheap and fun.",
  "Cool, what's there to do?",
  "Thermal baths, ruin bars and great food."]),
 (None,"family-of-four",None,[
  "Can you suggest somewhere for the autumn holidays with the kids?",
  "Of course! How old are the children, and how far are you happy to travel?",
  "Six and nine, and we'd rather drive than fly.",
  "Then Center Parcs in the Ardennes or the Black Forest could work: short drive, forest walks, indoor pools for rainy days.",
  "The Black Forest sounds nice, we've never been."]),
]

with open(os.path.join(HERE, "teaching.jsonl"),"w") as f:
    for i,(q,p,r,t) in enumerate(teaching,1):
        d=D("teaching",i,q or "unlabelled",p,r,t); f.write(json.dumps(d)+"\n")
with open(os.path.join(HERE, "travel-agent.jsonl"),"w") as f:
    for i,(q,p,r,t) in enumerate(travel,1):
        d=D("travel-agent",i,q or "unlabelled",p,r,t); f.write(json.dumps(d)+"\n")
print(len(teaching), len(travel))
