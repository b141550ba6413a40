"""Practice: answering items, mock exams and the boards' scoring rules."""
