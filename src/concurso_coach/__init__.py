"""Concurso Coach: a coaching service for Brazilian public-service exams."""

__version__ = "0.1.0"
