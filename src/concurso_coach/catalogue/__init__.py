"""Catalogue of exams: editais, their blocks, subjects and topic trees."""
