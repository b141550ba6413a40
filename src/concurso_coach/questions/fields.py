"""The rules of a question's fields, defined once for the API and for every importer.

`questions.schemas` builds the request bodies from these types, the native
importer decodes its lines with them, and `importers.base.check_question` applies
them to every parsed item (OAB and ENEM included), so a value the API refuses is
refused by an import too.
"""

from __future__ import annotations

from typing import Annotated, get_args

import msgspec

from concurso_coach.platform.types import CLEAN_TEXT_PATTERN, Name, ShortText, Url

MAX_STATEMENT_CHARS = 100_000
MAX_OPTION_CHARS = 20_000

Statement = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_STATEMENT_CHARS, pattern=CLEAN_TEXT_PATTERN)
]
OptionText = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_OPTION_CHARS, pattern=CLEAN_TEXT_PATTERN)
]
Year = Annotated[int, msgspec.Meta(ge=1900, le=2100)]
SourceName = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")]
ExternalId = ShortText
# Board, exam label, organisation, post, subject, topic, licence.
Label = Name
SourceUrl = Url

# A catalogue topic's title has no limit of its own; copied as a label, it is cut to this.
MAX_LABEL_CHARS: int = get_args(Label)[1].max_length
