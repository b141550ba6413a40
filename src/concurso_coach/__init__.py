"""Concurso Coach: a coaching service for Brazilian public-service exams."""
