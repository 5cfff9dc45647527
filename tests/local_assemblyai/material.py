"""What the offline engine's tests have spoken: one meeting's eight turns, for two voices to take in turn."""

TURNS = [
    "Good morning. Did you get a chance to read the proposal I sent yesterday?",
    "Yes, I read it last night. I think the timeline is too tight for the second phase.",
    "That is fair. How much more time would the team need?",
    "Probably two more weeks, mostly for testing and the migration.",
    "Okay. Can we keep the launch date if we move the migration to next quarter?",
    "I think so, as long as the support team agrees to the plan.",
    "Great, I will talk to them this afternoon and send an update.",
    "Thank you. Let us meet again on Thursday to confirm everything.",
]
