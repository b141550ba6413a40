"""HTTP endpoints of the catalogue: editors write, every signed-in account reads."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post, put
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, RequestBody, Schema
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT
from sqlalchemy.ext.asyncio import AsyncSession

from concurso_coach.accounts.guards import BEARER_SECURITY, requires_editor
from concurso_coach.catalogue.models import ExamStatus
from concurso_coach.catalogue.repositories import ExamFilters, ExamSort
from concurso_coach.catalogue.schemas import (
    BlockCreate,
    BlockRead,
    BlockUpdate,
    BoardCreate,
    BoardRead,
    BoardUpdate,
    ExamCreate,
    ExamDetail,
    ExamRead,
    ExamUpdate,
    SubjectCreate,
    SubjectRead,
    SubjectUpdate,
    SyllabusResult,
    SyllabusText,
    TopicNode,
    TopicRead,
)
from concurso_coach.catalogue.services import CatalogueService
from concurso_coach.catalogue.syllabus_service import SyllabusService
from concurso_coach.platform.errors import (
    InvalidInputError,
    UnprocessableError,
    UnsupportedMediaTypeError,
)
from concurso_coach.platform.middleware import ANY_BODY
from concurso_coach.platform.openapi import problem, problems, request_body_operation
from concurso_coach.platform.pagination import Page, PageParams

SearchTerm = Annotated[
    str | None,
    Parameter(
        max_length=200,
        description="Words in the organisation or post; case and accents are ignored.",
    ),
]


def provide_catalogue_service(db_session: NamedDependency[AsyncSession]) -> CatalogueService:
    return CatalogueService(session=db_session)


def provide_syllabus_service(db_session: NamedDependency[AsyncSession]) -> SyllabusService:
    return SyllabusService(session=db_session)


# The syllabus handler reads its body itself; this is what it accepts.
_SYLLABUS_BODY = RequestBody(
    required=True,
    description=(
        "The edital's conteúdo programático as text (any charset named in Content-Type, "
        'UTF-8 by default), or the same text as JSON `{"text": "..."}`.'
    ),
    content={
        "text/plain": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
        "application/json": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.OBJECT,
                required=["text"],
                properties={"text": Schema(type=OpenAPIType.STRING)},
                additional_properties=False,
            )
        ),
    },
)

_CATALOGUE_DEPENDENCIES = {
    "catalogue": Provide(provide_catalogue_service, sync_to_thread=False),
    "syllabus": Provide(provide_syllabus_service, sync_to_thread=False),
}


class BoardController(Controller):
    path = "/api/boards"
    tags = ["catalogue"]  # noqa: RUF012 - Litestar reads these class attributes
    security = BEARER_SECURITY
    dependencies = _CATALOGUE_DEPENDENCIES

    @get("/", summary="List boards by acronym")
    async def list_boards(
        self, catalogue: NamedDependency[CatalogueService], page: NamedDependency[PageParams]
    ) -> Page[BoardRead]:
        return await catalogue.list_boards(page.limit, page.offset)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires_editor],
        summary="Add a board",
        responses=problems(409),
    )
    async def create_board(
        self, data: JSONBody[BoardCreate], catalogue: NamedDependency[CatalogueService]
    ) -> BoardRead:
        return await catalogue.create_board(data)

    @get("/{board_id:uuid}", summary="Get a board")
    async def get_board(
        self, board_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService]
    ) -> BoardRead:
        return await catalogue.get_board(board_id)

    @patch(
        "/{board_id:uuid}",
        guards=[requires_editor],
        summary="Change a board",
        responses=problems(409),
    )
    async def update_board(
        self,
        board_id: FromPath[UUID],
        data: JSONBody[BoardUpdate],
        catalogue: NamedDependency[CatalogueService],
    ) -> BoardRead:
        return await catalogue.update_board(board_id, data)

    @delete(
        "/{board_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_editor],
        summary="Delete a board that runs no exam",
        responses=problems(409),
    )
    async def delete_board(
        self, board_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService]
    ) -> None:
        await catalogue.delete_board(board_id)


class ExamController(Controller):
    path = "/api/exams"
    tags = ["catalogue"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = _CATALOGUE_DEPENDENCIES

    @get("/", summary="List exams with filters")
    async def list_exams(
        self,
        catalogue: NamedDependency[CatalogueService],
        page: NamedDependency[PageParams],
        board_id: UUID | None = None,
        status: ExamStatus | None = None,
        q: SearchTerm = None,
        exam_date_from: dt.date | None = None,
        exam_date_to: dt.date | None = None,
        sort: ExamSort = "exam_date",
    ) -> Page[ExamRead]:
        if exam_date_from and exam_date_to and exam_date_from > exam_date_to:
            raise InvalidInputError("exam_date_from must not be after exam_date_to.")
        filters = ExamFilters(
            board_id=board_id,
            status=status.value if status else None,
            search=q.strip() if q and q.strip() else None,
            date_from=exam_date_from,
            date_to=exam_date_to,
        )
        return await catalogue.list_exams(filters, sort, page.limit, page.offset)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires_editor],
        summary="Add an exam",
        responses=problems(409, 422),
    )
    async def create_exam(
        self, data: JSONBody[ExamCreate], catalogue: NamedDependency[CatalogueService]
    ) -> ExamDetail:
        return await catalogue.create_exam(data)

    @get("/{exam_id:uuid}", summary="Get an exam with its blocks and subjects")
    async def get_exam(
        self, exam_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService]
    ) -> ExamDetail:
        return await catalogue.get_exam_structure(exam_id)

    @patch(
        "/{exam_id:uuid}",
        guards=[requires_editor],
        summary="Change an exam",
        responses=problems(409, 422),
    )
    async def update_exam(
        self,
        exam_id: FromPath[UUID],
        data: JSONBody[ExamUpdate],
        catalogue: NamedDependency[CatalogueService],
    ) -> ExamDetail:
        return await catalogue.update_exam(exam_id, data)

    @delete(
        "/{exam_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_editor],
        summary="Delete an exam with its structure and syllabus",
        responses=problems(409),
    )
    async def delete_exam(
        self, exam_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService]
    ) -> None:
        await catalogue.delete_exam(exam_id)

    @get("/{exam_id:uuid}/syllabus", summary="Get the stored syllabus tree with ids")
    async def get_syllabus(
        self, exam_id: FromPath[UUID], syllabus: NamedDependency[SyllabusService]
    ) -> SyllabusResult:
        return await syllabus.get_syllabus(exam_id)

    @put(
        "/{exam_id:uuid}/syllabus",
        status_code=HTTP_200_OK,
        guards=[requires_editor],
        opt={ANY_BODY: True},
        summary="Import the syllabus from edital text",
        description=(
            "Send the conteúdo programático as `text/plain`, or as JSON "
            '`{"text": "..."}`. Blocks, subjects and topics are replaced in one '
            "transaction; topics recognised by subject and number, then title, "
            "keep their ids, and a re-import answers the diff. With "
            "`dry_run=true` nothing is stored. Text that is not a syllabus gets 422."
        ),
        operation_class=request_body_operation(_SYLLABUS_BODY),
        responses={
            **problems(409),
            415: problem(415, "The body is neither text/plain nor application/json."),
            422: problem(422, "The text is not a syllabus, or not text in its charset."),
        },
    )
    async def import_syllabus(
        self,
        exam_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        syllabus: NamedDependency[SyllabusService],
        dry_run: bool = False,
    ) -> SyllabusResult:
        text = await _syllabus_text(request)
        return await syllabus.import_syllabus(exam_id, text, dry_run=dry_run)

    @get("/{exam_id:uuid}/topics", summary="List an exam's topics in reading order")
    async def list_topics(
        self,
        exam_id: FromPath[UUID],
        catalogue: NamedDependency[CatalogueService],
        page: NamedDependency[PageParams],
        subject_id: UUID | None = None,
        under: Annotated[
            UUID | None,
            Parameter(description="Only this topic and the topics below it."),
        ] = None,
    ) -> Page[TopicRead]:
        return await catalogue.list_topics(
            exam_id, subject_id=subject_id, under=under, limit=page.limit, offset=page.offset
        )


class BlockController(Controller):
    path = "/api/exams/{exam_id:uuid}/blocks"
    tags = ["catalogue"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = _CATALOGUE_DEPENDENCIES

    @get("/", summary="List an exam's blocks")
    async def list_blocks(
        self,
        exam_id: FromPath[UUID],
        catalogue: NamedDependency[CatalogueService],
        page: NamedDependency[PageParams],
    ) -> Page[BlockRead]:
        return await catalogue.list_blocks(exam_id, page.limit, page.offset)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires_editor],
        summary="Add a block",
        responses=problems(409),
    )
    async def create_block(
        self,
        exam_id: FromPath[UUID],
        data: JSONBody[BlockCreate],
        catalogue: NamedDependency[CatalogueService],
    ) -> BlockRead:
        return await catalogue.create_block(exam_id, data)

    @get("/{block_id:uuid}", summary="Get a block")
    async def get_block(
        self,
        exam_id: FromPath[UUID],
        block_id: FromPath[UUID],
        catalogue: NamedDependency[CatalogueService],
    ) -> BlockRead:
        return await catalogue.get_block(exam_id, block_id)

    @patch(
        "/{block_id:uuid}",
        guards=[requires_editor],
        summary="Change a block",
        responses=problems(409),
    )
    async def update_block(
        self,
        exam_id: FromPath[UUID],
        block_id: FromPath[UUID],
        data: JSONBody[BlockUpdate],
        catalogue: NamedDependency[CatalogueService],
    ) -> BlockRead:
        return await catalogue.update_block(exam_id, block_id, data)

    @delete(
        "/{block_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_editor],
        summary="Delete a block without subjects",
        responses=problems(409),
    )
    async def delete_block(
        self,
        exam_id: FromPath[UUID],
        block_id: FromPath[UUID],
        catalogue: NamedDependency[CatalogueService],
    ) -> None:
        await catalogue.delete_block(exam_id, block_id)


class SubjectController(Controller):
    path = "/api/exams/{exam_id:uuid}/subjects"
    tags = ["catalogue"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = _CATALOGUE_DEPENDENCIES

    @get("/", summary="List an exam's subjects in edital order")
    async def list_subjects(
        self,
        exam_id: FromPath[UUID],
        catalogue: NamedDependency[CatalogueService],
        page: NamedDependency[PageParams],
        block_id: UUID | None = None,
    ) -> Page[SubjectRead]:
        return await catalogue.list_subjects(exam_id, block_id, page.limit, page.offset)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires_editor],
        summary="Add a subject",
        responses=problems(409, 422),
    )
    async def create_subject(
        self,
        exam_id: FromPath[UUID],
        data: JSONBody[SubjectCreate],
        catalogue: NamedDependency[CatalogueService],
    ) -> SubjectRead:
        return await catalogue.create_subject(exam_id, data)

    @get("/{subject_id:uuid}", summary="Get a subject")
    async def get_subject(
        self,
        exam_id: FromPath[UUID],
        subject_id: FromPath[UUID],
        catalogue: NamedDependency[CatalogueService],
    ) -> SubjectRead:
        return await catalogue.get_subject(exam_id, subject_id)

    @patch(
        "/{subject_id:uuid}",
        guards=[requires_editor],
        summary="Change a subject's weight, question count, minimum or block",
        responses=problems(409, 422),
    )
    async def update_subject(
        self,
        exam_id: FromPath[UUID],
        subject_id: FromPath[UUID],
        data: JSONBody[SubjectUpdate],
        catalogue: NamedDependency[CatalogueService],
    ) -> SubjectRead:
        return await catalogue.update_subject(exam_id, subject_id, data)

    @delete(
        "/{subject_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_editor],
        summary="Delete a subject and its topics",
        responses=problems(409),
    )
    async def delete_subject(
        self,
        exam_id: FromPath[UUID],
        subject_id: FromPath[UUID],
        catalogue: NamedDependency[CatalogueService],
    ) -> None:
        await catalogue.delete_subject(exam_id, subject_id)


class TopicController(Controller):
    path = "/api/topics"
    tags = ["catalogue"]  # noqa: RUF012
    security = BEARER_SECURITY
    dependencies = _CATALOGUE_DEPENDENCIES

    @get("/{topic_id:uuid}", summary="Get a topic")
    async def get_topic(
        self, topic_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService]
    ) -> TopicRead:
        return await catalogue.get_topic(topic_id)

    @get("/{topic_id:uuid}/subtree", summary="Get a topic with every topic below it")
    async def get_subtree(
        self, topic_id: FromPath[UUID], catalogue: NamedDependency[CatalogueService]
    ) -> TopicNode:
        return await catalogue.get_subtree(topic_id)


CATALOGUE_CONTROLLERS = (
    BoardController,
    ExamController,
    BlockController,
    SubjectController,
    TopicController,
)


async def _syllabus_text(request: Request[Any, Any, Any]) -> str:
    """The syllabus from a text/plain body or a JSON {"text": ...} body."""
    body = await request.body()
    media_type = request.content_type[0].lower()

    if media_type == "application/json":
        try:
            return msgspec.json.decode(body, type=SyllabusText).text
        except msgspec.ValidationError as exc:
            raise InvalidInputError(f"Invalid JSON body: {exc}") from None
        except msgspec.DecodeError:
            raise InvalidInputError("The body is not valid JSON.") from None

    if media_type not in ("text/plain", ""):
        raise UnsupportedMediaTypeError(
            f"Send the syllabus as text/plain or application/json, not {media_type}."
        )
    charset = request.content_type[1].get("charset", "utf-8")
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        raise UnprocessableError(
            f"The body is not {charset} text; it looks like binary data, not a syllabus."
        ) from None
