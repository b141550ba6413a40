"""The question bank: real past questions, their import and their search."""
