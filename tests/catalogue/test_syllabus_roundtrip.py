"""Rendering a syllabus and copying it like a PDF does, then parsing, is lossless.

The strategies build edital-like syllabi. Titles are constrained where real
editais are genuinely ambiguous, and no parser could be asked to be exact:

* No bare number in a title ("regra de 3 simples"): a number followed by a
  space may be a valid next topic number, so which reading the edital meant is
  unknowable. Numbers appear the way editais glue them to their context:
  ``nº 8.112/1990``, ``1º e 2º graus``, ``04/1998; 14/1998``.
* Titles start with a capital, as Cebraspe writes them; the parser reads a
  lowercase word after a number as running text.
* No title holds a word in capitals outside parentheses, nor a colon after
  one: after a line break it would look like a subject header (``ONU:``).
* Subject names do not start with BLOCO or CONHECIMENTOS, which a line break
  could leave alone on a line, looking like a block header.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from concurso_coach.catalogue.syllabus_model import (
    ParsedBlock,
    ParsedSubject,
    ParsedSyllabus,
    ParsedTopic,
)
from concurso_coach.catalogue.syllabus_parser import IMPLICIT_BLOCK_NAME, parse_syllabus
from concurso_coach.catalogue.syllabus_render import render_syllabus

TITLE_OPENERS = (
    "Noções", "Conceito", "Emprego", "Ética", "Órgãos", "Administração", "Análise",
    "Controle", "Regime", "Direitos", "Crimes", "Aplicação", "Estrutura", "A", "O",
    "Lei nº 8.112/1990", "Decreto nº 1.171/1994", "Resoluções 04/1998; 14/1998",
)  # fmt: skip

TITLE_WORDS = (
    "administração", "pública", "princípios", "gestão", "função", "licitação",
    "contratos", "responsabilidade", "civil", "do", "da", "de", "e", "dos", "das",
    "no", "na", "à", "em", "com", "para", "inter-regional", "situações-problema",
    "crase", "regência", "concordância", "verbal", "nominal", "pontuação", "ônus",
    "informação", "segurança", "democracia:", "exercício", "órgãos", "índios",
    "Estado", "Brasil", "Constituição Federal", "equações do 1º e 2º graus",
    "Lei nº 9.503/1997", "(CONTRAN)", "(CTB)", "(Lei nº 9.784/1999)",
    "art. 5º", "Resoluções 24/1998; 26/1998; 32/1998", "e suas alterações",
)  # fmt: skip

SUBJECT_WORDS = (
    "LÍNGUA", "PORTUGUESA", "NOÇÕES", "DE", "DIREITO", "ADMINISTRATIVO", "E",
    "RACIOCÍNIO", "LÓGICO-MATEMÁTICO", "ÉTICA", "NO", "SERVIÇO", "PÚBLICO",
    "LEGISLAÇÃO", "ESPECIAL", "INFORMÁTICA", "GEOPOLÍTICA", "HISTÓRIA", "DA", "PRF",
)  # fmt: skip

SUBJECT_NOTES = (
    "",
    "nível intermediário",
    "disponível no endereço https://www.prf.gov.br/agencia/historia-em-detalhes/",
    "conforme Manual de Redação da Presidência da República",
)

BLOCK_NAME_SETS = (
    ("BLOCO I", "BLOCO II", "BLOCO III"),
    ("CONHECIMENTOS BÁSICOS", "CONHECIMENTOS ESPECÍFICOS"),
)

# How PDF copies join lines: plain breaks, trailing spaces, and the blank lines
# or form feeds left by page breaks.
LINE_BREAKS = ("\n", " \n", "\n\n", " \n \n", "\n\f\n", "\n\n\n")

# An item boundary is a period, a space, a valid topic number and a capital;
# titles hold no bare numbers, so this finds boundaries and nothing else.
ITEM_PERIOD = re.compile(r"\.(?= \d+(?:\.\d+)* [A-ZÀ-Þ(])|\.$", re.MULTILINE)

# Zero-width, so a match starts right after the slash.
AFTER_SLASH_BETWEEN_DIGITS = re.compile(r"(?<=\d/)(?=\d)")

titles = st.builds(
    lambda opener, words: " ".join((opener, *words)),
    st.sampled_from(TITLE_OPENERS),
    st.lists(st.sampled_from(TITLE_WORDS), min_size=1, max_size=5),
)


# (title, children) pairs without numbers; numbering them afterwards keeps the
# strategies built once instead of once per tree node, which is much faster.
UnnumberedTree = list[tuple[str, "UnnumberedTree"]]


def unnumbered_trees() -> st.SearchStrategy[UnnumberedTree]:
    # Up to 11 top-level topics so that two-digit numbers ("10", "10.1") show up,
    # and three levels below them, as deep as Cebraspe editais go (3.1.1).
    level: st.SearchStrategy[UnnumberedTree] = st.just([])
    for least, most in ((0, 1), (0, 2), (0, 2), (1, 11)):
        level = st.lists(st.tuples(titles, level), min_size=least, max_size=most)
    return level


def numbered(tree: UnnumberedTree, prefix: str = "") -> tuple[ParsedTopic, ...]:
    return tuple(
        ParsedTopic(f"{prefix}{index}", title, numbered(children, f"{prefix}{index}."))
        for index, (title, children) in enumerate(tree, start=1)
    )


def subject_names() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(SUBJECT_WORDS), min_size=1, max_size=5).map(" ".join)


subjects = st.builds(
    ParsedSubject,
    name=subject_names(),
    topics=unnumbered_trees().map(numbered),
    note=st.sampled_from(SUBJECT_NOTES),
)


@st.composite
def syllabi(draw: st.DrawFn) -> ParsedSyllabus:
    subject_lists = st.lists(subjects, min_size=1, max_size=2).map(tuple)
    if draw(st.booleans()):
        return ParsedSyllabus((ParsedBlock(IMPLICIT_BLOCK_NAME, draw(subject_lists)),))

    names = draw(st.sampled_from(BLOCK_NAME_SETS))
    count = draw(st.integers(1, len(names)))
    return ParsedSyllabus(tuple(ParsedBlock(name, draw(subject_lists)) for name in names[:count]))


@st.composite
def pdf_copies(draw: st.DrawFn, rendered: str, block_names: set[str]) -> str:
    """Break subject lines at random spaces and after slashes, drop some periods."""
    lines = []
    for line in rendered.splitlines():
        if line in block_names:
            lines.append(line)
            continue

        line = _drop_some(draw, ITEM_PERIOD, line)
        lines.append(_break_like_a_pdf(draw, line))
    return "\n".join(lines)


def _drop_some(draw: st.DrawFn, pattern: re.Pattern[str], line: str) -> str:
    spans = [match.span() for match in pattern.finditer(line)]
    dropped = draw(st.sets(st.sampled_from(spans), max_size=5)) if spans else set()
    for start, end in sorted(dropped, reverse=True):
        line = line[:start] + line[end:]
    return line


def _break_like_a_pdf(draw: st.DrawFn, line: str) -> str:
    spaces = [index for index, char in enumerate(line) if char == " "]
    after_slashes = [match.start() for match in AFTER_SLASH_BETWEEN_DIGITS.finditer(line)]
    spots = [(index, True) for index in spaces] + [(index, False) for index in after_slashes]
    if not spots:
        return line

    breaks = draw(
        st.dictionaries(st.sampled_from(spots), st.sampled_from(LINE_BREAKS), max_size=40)
    )
    for (index, replaces_space), line_break in sorted(breaks.items(), reverse=True):
        if replaces_space:
            line = line[:index] + line_break + line[index + 1 :]
        else:
            # The copy keeps the slash at the end of the line: "1.171/\n1994".
            line = line[:index] + line_break + line[index:]
    return line


@given(syllabi())
def test_parsing_a_rendered_syllabus_gives_it_back(syllabus: ParsedSyllabus) -> None:
    assert parse_syllabus(render_syllabus(syllabus)) == syllabus


@settings(deadline=None)
@given(st.data(), syllabi())
def test_parsing_a_pdf_like_copy_of_a_rendered_syllabus_gives_it_back(
    data: st.DataObject, syllabus: ParsedSyllabus
) -> None:
    block_names = {block.name for block in syllabus.blocks}
    copy = data.draw(pdf_copies(render_syllabus(syllabus), block_names))

    assert parse_syllabus(copy) == syllabus
