"""The syllabus parser on the real PRF 2019 edital and on edital-like samples."""

from __future__ import annotations

import pytest

from concurso_coach.catalogue.syllabus_model import (
    FlatTopic,
    ParsedBlock,
    ParsedSubject,
    ParsedSyllabus,
    ParsedTopic,
    flatten_topics,
)
from concurso_coach.catalogue.syllabus_parser import (
    IMPLICIT_BLOCK_NAME,
    SyllabusParseError,
    parse_syllabus,
)
from concurso_coach.catalogue.syllabus_render import render_syllabus
from tests.support import require_shared_data

PRF_2019 = "editais/policia-rodoviaria-federal-2019.txt"


@pytest.fixture(scope="module")
def prf() -> ParsedSyllabus:
    return parse_syllabus(require_shared_data(PRF_2019).read_text(encoding="utf-8"))


def subject_named(syllabus: ParsedSyllabus, name: str) -> ParsedSubject:
    return next(subject for subject in syllabus.subjects() if subject.name == name)


def numbers_of(subject: ParsedSubject) -> list[str]:
    return [topic.number for topic in flatten_topics(subject.topics)]


def titles_of(syllabus: ParsedSyllabus) -> list[str]:
    return [
        topic.title for subject in syllabus.subjects() for topic in flatten_topics(subject.topics)
    ]


def topic_numbered(subject: ParsedSubject, number: str) -> FlatTopic:
    return next(t for t in flatten_topics(subject.topics) if t.number == number)


# --- the real PRF 2019 edital (Cebraspe) -------------------------------------


@pytest.mark.data
def test_prf_has_three_blocks_thirteen_subjects_and_175_topics(prf: ParsedSyllabus) -> None:
    counts = (prf.block_count, prf.subject_count, prf.topic_count)

    assert counts == (3, 13, 175)


@pytest.mark.data
def test_prf_blocks_are_named_by_their_headers(prf: ParsedSyllabus) -> None:
    assert [block.name for block in prf.blocks] == ["BLOCO I", "BLOCO II", "BLOCO III"]


@pytest.mark.data
@pytest.mark.parametrize(
    ("subject", "topic_count"),
    [
        ("LÍNGUA PORTUGUESA", 21),
        ("NOÇÕES DE DIREITO ADMINISTRATIVO", 36),
        ("LEGISLAÇÃO DE TRÂNSITO", 3),
    ],
)
def test_prf_subject_has_its_topic_count(
    prf: ParsedSyllabus, subject: str, topic_count: int
) -> None:
    assert subject_named(prf, subject).topic_count == topic_count


@pytest.mark.data
def test_prf_lingua_portuguesa_is_numbered_as_in_the_edital(prf: ParsedSyllabus) -> None:
    expected = [
        "1", "2", "3", "4", "4.1", "4.2",
        "5", "5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8",
        "6", "6.1", "6.2", "6.3", "6.4", "7",
    ]  # fmt: skip

    assert numbers_of(subject_named(prf, "LÍNGUA PORTUGUESA")) == expected


@pytest.mark.data
@pytest.mark.parametrize("number", ["3.1.1", "7.1.2"])
def test_prf_direito_administrativo_reaches_the_third_level(
    prf: ParsedSyllabus, number: str
) -> None:
    subject = subject_named(prf, "NOÇÕES DE DIREITO ADMINISTRATIVO")

    assert topic_numbered(subject, number).depth == 2


@pytest.mark.data
def test_prf_resolution_numbers_stay_inside_transito_topic_3(prf: ParsedSyllabus) -> None:
    topic_3 = topic_numbered(subject_named(prf, "LEGISLAÇÃO DE TRÂNSITO"), "3")

    assert "04/1998; 14/1998; 24/1998;" in topic_3.title
    assert topic_3.title.endswith("720/2017; 723/2018; 735/2018")


@pytest.mark.data
def test_prf_law_number_broken_across_lines_stays_in_its_title(prf: ParsedSyllabus) -> None:
    subject = subject_named(prf, "NOÇÕES DE DIREITO ADMINISTRATIVO")

    assert topic_numbered(subject, "3.1.1").title == "Lei nº 8.112/1990 e suas alterações"


@pytest.mark.data
def test_prf_gap_after_a_slash_in_a_decree_number_is_closed(prf: ParsedSyllabus) -> None:
    topic = topic_numbered(subject_named(prf, "ÉTICA NO SERVIÇO PÚBLICO"), "5.1")

    assert topic.title.startswith("Decreto nº 1.171/1994 (Código de Ética")


@pytest.mark.data
def test_prf_ordinal_numbers_stay_in_the_title(prf: ParsedSyllabus) -> None:
    topic = topic_numbered(subject_named(prf, "RACIOCÍNIO LÓGICO-MATEMÁTICO"), "1")

    assert "equações do 1º e 2º graus e sistemas lineares" in topic.title


@pytest.mark.data
def test_prf_titles_have_single_spaces_and_no_final_period(prf: ParsedSyllabus) -> None:
    titles = titles_of(prf)

    assert all(" ".join(title.split()) == title for title in titles)
    assert not [title for title in titles if title.endswith(".") and "etc" not in title]


@pytest.mark.data
def test_prf_section_numbers_before_the_syllabus_are_ignored(prf: ParsedSyllabus) -> None:
    first_subject = prf.blocks[0].subjects[0]

    assert first_subject.name == "LÍNGUA PORTUGUESA"
    assert not any("23.2" in title or "Nas provas" in title for title in titles_of(prf))


@pytest.mark.data
def test_prf_parenthetical_url_becomes_the_subject_note(prf: ParsedSyllabus) -> None:
    subject = subject_named(prf, "HISTÓRIA DA PRF")

    assert subject.note.startswith("disponível no endereço https://www.prf.gov.br/")
    assert subject.topic_count == 8


@pytest.mark.data
def test_prf_missing_period_between_items_still_splits_them(prf: ParsedSyllabus) -> None:
    subject = subject_named(prf, "LEGISLAÇÃO ESPECIAL")

    assert topic_numbered(subject, "4").title == (
        "Lei nº 9.455/1997 (definição dos crimes de tortura)"
    )
    assert topic_numbered(subject, "5").title.startswith("Lei nº 8.069/1990")


# --- edital-like samples ----------------------------------------------------

WITHOUT_BLOCK_HEADERS = """\
ANEXO II
14.2.1 Os objetos de avaliação são os seguintes.
NOÇÕES DE ARQUIVOLOGIA: 1 Conceitos fundamentais de arquivologia. 2 Gestão de
documentos. 2.1 Protocolos: recebimento, registro e distribuição. 2.2 Classificação
de documentos de arquivo 3 Arquivamento e ordenação de documentos de arquivo.
NOÇÕES DE DIREITO
ADMINISTRATIVO: 1 Agentes públicos. 1.1 Lei nº
8.112/1990. 1.2 Regime disciplinar. 2 Processo administrativo (Lei nº 9.784/ 1999).
"""

WITH_KNOWLEDGE_HEADERS = """\
CONHECIMENTOS BÁSICOS
LÍNGUA PORTUGUESA: 1 Ortografia oficial. 2 Emprego dos sinais de pontuação.
MATEMÁTICA: 1 Equações do 1º e 2º graus. 2 Regra de 3 simples e composta.
\f
CONHECIMENTOS ESPECÍFICOS
LEGISLAÇÃO (atualizada, ver https://www.planalto.gov.br/leis: consolidadas): 1 Resoluções
CONTRAN 04/1998; 14/1998; 24/1998. 2 Decreto nº 1.171/1994 e art. 37 da Constituição.
"""

PAGE_BREAK_GAPS = """\
INFORMÁTICA: 1 Conceito de internet e intranet. 2 Redes de computadores. 2.1 \n\

\n\
Protocolos. 2.2 Segurança da informação. 3 Computação na

\f
nuvem (cloud computing).
"""


def test_text_without_block_headers_gives_one_implicit_block() -> None:
    syllabus = parse_syllabus(WITHOUT_BLOCK_HEADERS)

    assert [block.name for block in syllabus.blocks] == [IMPLICIT_BLOCK_NAME]
    assert [s.name for s in syllabus.subjects()] == [
        "NOÇÕES DE ARQUIVOLOGIA",
        "NOÇÕES DE DIREITO ADMINISTRATIVO",
    ]


def test_preamble_before_the_first_subject_is_ignored() -> None:
    syllabus = parse_syllabus(WITHOUT_BLOCK_HEADERS)

    assert not any("14.2.1" in title or "ANEXO" in title for title in titles_of(syllabus))


def test_missing_period_between_items_still_splits_them() -> None:
    subject = parse_syllabus(WITHOUT_BLOCK_HEADERS).blocks[0].subjects[0]

    assert numbers_of(subject) == ["1", "2", "2.1", "2.2", "3"]
    assert topic_numbered(subject, "2.2").title == "Classificação de documentos de arquivo"


def test_subject_name_broken_across_lines_is_joined() -> None:
    subject = parse_syllabus(WITHOUT_BLOCK_HEADERS).blocks[0].subjects[1]

    assert subject.name == "NOÇÕES DE DIREITO ADMINISTRATIVO"


def test_number_that_is_not_a_valid_next_topic_stays_in_the_title() -> None:
    subject = parse_syllabus(WITHOUT_BLOCK_HEADERS).blocks[0].subjects[1]

    assert numbers_of(subject) == ["1", "1.1", "1.2", "2"]
    assert topic_numbered(subject, "1.1").title == "Lei nº 8.112/1990"


def test_space_after_a_slash_between_digits_is_removed() -> None:
    subject = parse_syllabus(WITHOUT_BLOCK_HEADERS).blocks[0].subjects[1]

    assert topic_numbered(subject, "2").title == "Processo administrativo (Lei nº 9.784/1999)"


def test_knowledge_headers_start_blocks() -> None:
    syllabus = parse_syllabus(WITH_KNOWLEDGE_HEADERS)

    assert [block.name for block in syllabus.blocks] == [
        "CONHECIMENTOS BÁSICOS",
        "CONHECIMENTOS ESPECÍFICOS",
    ]
    assert syllabus.subject_count == 3


def test_valid_next_number_before_lowercase_text_stays_in_the_title() -> None:
    subject = subject_named(parse_syllabus(WITH_KNOWLEDGE_HEADERS), "MATEMÁTICA")

    assert numbers_of(subject) == ["1", "2"]
    assert topic_numbered(subject, "2").title == "Regra de 3 simples e composta"


def test_note_with_a_url_and_colon_is_kept_apart_from_the_subject_name() -> None:
    subject = parse_syllabus(WITH_KNOWLEDGE_HEADERS).blocks[1].subjects[0]

    assert subject.name == "LEGISLAÇÃO"
    assert subject.note == "atualizada, ver https://www.planalto.gov.br/leis: consolidadas"


def test_numbers_inside_titles_do_not_start_topics() -> None:
    subject = parse_syllabus(WITH_KNOWLEDGE_HEADERS).blocks[1].subjects[0]

    assert [topic.title for topic in flatten_topics(subject.topics)] == [
        "Resoluções CONTRAN 04/1998; 14/1998; 24/1998",
        "Decreto nº 1.171/1994 e art. 37 da Constituição",
    ]


def test_page_break_gaps_are_read_as_single_spaces() -> None:
    subject = parse_syllabus(PAGE_BREAK_GAPS).blocks[0].subjects[0]

    assert topic_numbered(subject, "2.1").title == "Protocolos"
    assert topic_numbered(subject, "3").title == "Computação na nuvem (cloud computing)"


def test_crlf_line_endings_are_accepted() -> None:
    text = WITHOUT_BLOCK_HEADERS.replace("\n", "\r\n")

    assert parse_syllabus(text) == parse_syllabus(WITHOUT_BLOCK_HEADERS)


def test_unnumbered_subject_becomes_one_topic() -> None:
    text = "LÍNGUA INGLESA: Compreensão de textos escritos em língua inglesa.\n"

    subject = parse_syllabus(text).blocks[0].subjects[0]

    assert subject.topics == (
        ParsedTopic(number="1", title="Compreensão de textos escritos em língua inglesa"),
    )


def test_text_between_colon_and_topic_1_joins_the_note() -> None:
    text = "ATUALIDADES (últimos 12 meses): Temas relevantes: 1 Economia. 2 Saúde.\n"

    subject = parse_syllabus(text).blocks[0].subjects[0]

    assert subject.note == "últimos 12 meses Temas relevantes:"
    assert numbers_of(subject) == ["1", "2"]


def test_abbreviation_period_at_the_end_of_a_title_is_kept() -> None:
    text = "INFORMÁTICA: 1 Vírus, worms etc. 2 Firewall.\n"

    titles = titles_of(parse_syllabus(text))

    assert titles == ["Vírus, worms etc.", "Firewall"]


# --- text that is not a syllabus --------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason_fragment"),
    [
        ("", "empty"),
        (" \n\t\f\n", "empty"),
        ("Nas provas serão avaliados conhecimentos gerais.\n", "No subject"),
        ("23.2.1 CONHECIMENTOS\nBLOCO I\n1 Ortografia. 2 Crase.", "No subject"),
        ("LÍNGUA PORTUGUESA: 1 Crase.\x00\x01\x02", "U+0000"),
        ("PK\x03\x04\x14\x00\x06\x00", "binary"),
        ("LÍNGUA PORTUGUESA: 1 Crase \ufffd\ufffd", "U+FFFD"),
    ],
)
def test_text_that_is_not_a_syllabus_is_rejected_with_a_reason(
    text: str, reason_fragment: str
) -> None:
    with pytest.raises(SyllabusParseError) as caught:
        parse_syllabus(text)

    assert reason_fragment in caught.value.reason


def test_parse_error_is_a_value_error_whose_message_is_the_reason() -> None:
    with pytest.raises(SyllabusParseError, match="empty") as caught:
        parse_syllabus("")

    assert isinstance(caught.value, ValueError)
    assert str(caught.value) == caught.value.reason


def test_numbers_deeper_than_six_levels_stay_in_the_title() -> None:
    text = "FÍSICA: 1 A. 1.1 B. 1.1.1 C. 1.1.1.1 D. 1.1.1.1.1 E. 1.1.1.1.1.1 F. 1.1.1.1.1.1.1 G."

    flat = flatten_topics(parse_syllabus(text).blocks[0].subjects[0].topics)

    assert flat[-1].number == "1.1.1.1.1.1"
    assert flat[-1].title == "F. 1.1.1.1.1.1.1 G"


# --- counts, flattening and rendering ----------------------------------------

SMALL = ParsedSyllabus(
    blocks=(
        ParsedBlock(
            name="BLOCO I",
            subjects=(
                ParsedSubject(
                    name="ÉTICA",
                    note="ver anexo",
                    topics=(
                        ParsedTopic(
                            number="1",
                            title="Ética e moral",
                            children=(
                                ParsedTopic(
                                    number="1.1",
                                    title="Decreto nº 1.171/1994",
                                    children=(ParsedTopic("1.1.1", "Vedações"),),
                                ),
                            ),
                        ),
                        ParsedTopic(number="2", title="Ética e democracia: cidadania"),
                    ),
                ),
            ),
        ),
        ParsedBlock(
            name="BLOCO II",
            subjects=(ParsedSubject(name="FÍSICA", topics=(ParsedTopic("1", "Trabalho"),)),),
        ),
    )
)


def test_counts_include_every_level_of_the_tree() -> None:
    counts = (SMALL.block_count, SMALL.subject_count, SMALL.topic_count)

    assert counts == (2, 2, 5)


def test_flatten_lists_topics_in_pre_order_with_parent_position_and_depth() -> None:
    flat = flatten_topics(SMALL.blocks[0].subjects[0].topics)

    assert flat == (
        FlatTopic("1", "Ética e moral", None, 0, 0),
        FlatTopic("1.1", "Decreto nº 1.171/1994", "1", 1, 1),
        FlatTopic("1.1.1", "Vedações", "1.1", 2, 2),
        FlatTopic("2", "Ética e democracia: cidadania", None, 3, 0),
    )


def test_render_writes_edital_style_lines() -> None:
    rendered = render_syllabus(SMALL)

    assert rendered == (
        "BLOCO I\n"
        "ÉTICA (ver anexo): 1 Ética e moral. 1.1 Decreto nº 1.171/1994. 1.1.1 Vedações. "
        "2 Ética e democracia: cidadania.\n"
        "BLOCO II\n"
        "FÍSICA: 1 Trabalho.\n"
    )


def test_render_omits_the_implicit_block_header() -> None:
    syllabus = parse_syllabus("FÍSICA: 1 Trabalho. 2 Potência.")

    assert render_syllabus(syllabus) == "FÍSICA: 1 Trabalho. 2 Potência.\n"


@pytest.mark.data
def test_prf_survives_render_and_parse(prf: ParsedSyllabus) -> None:
    assert parse_syllabus(render_syllabus(prf)) == prf
