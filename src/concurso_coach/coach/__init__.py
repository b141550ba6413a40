"""Coach: mastery estimates, spaced reviews and the study planner."""
