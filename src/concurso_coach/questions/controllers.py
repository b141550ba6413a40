"""HTTP endpoints of the question bank: everyone signed in reads, editors write."""

from __future__ import annotations

import io
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, RequestBody, Schema
from litestar.params import FromPath, JSONBody, Parameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT
from msgspec import UNSET
from sqlalchemy.ext.asyncio import AsyncSession

import concurso_coach.questions.jobs  # noqa: F401 - registers the import task
from concurso_coach.accounts.guards import BEARER_SECURITY, EDITOR_ROLES, requires_editor
from concurso_coach.jobs import JobQueue
from concurso_coach.platform.errors import DomainError, InvalidInputError
from concurso_coach.platform.middleware import ANY_BODY
from concurso_coach.platform.openapi import problem, problems, request_body_operation
from concurso_coach.platform.pagination import Page, PageParams
from concurso_coach.questions.importers import ImportFormat
from concurso_coach.questions.jobs import IMPORT_TASK
from concurso_coach.questions.read_cache import QuestionReadCache
from concurso_coach.questions.repositories import QuestionFilters
from concurso_coach.questions.schemas import (
    Format,
    ImportAccepted,
    ImportReport,
    Kind,
    QuestionCreate,
    QuestionRead,
    QuestionUpdate,
)
from concurso_coach.questions.services import QuestionService, UploadService
from concurso_coach.settings import Settings

# Uploads up to this size are imported during the request (201 with the report);
# larger ones are staged and imported by a background job (202 with its status URL).
INLINE_IMPORT_MAX_BYTES = 2 * 1_048_576
# The route's own limit is settings.import_max_body_bytes, checked while streaming.
_NO_FRAMEWORK_LIMIT = None


# The import handler reads its body itself; the Content-Type is not checked, `format` is.
_IMPORT_BODY = RequestBody(
    required=True,
    description=(
        "The question file itself, read by `format`: native and enem are JSON Lines "
        "(one JSON object per line), oab is one JSON array. The Content-Type is not "
        "checked; the types below are the usual ones."
    ),
    content={
        "application/x-ndjson": OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, description="JSON Lines: native or enem.")
        ),
        "application/json": OpenAPIMediaType(
            schema=Schema(
                type=OpenAPIType.ARRAY,
                items=Schema(type=OpenAPIType.OBJECT),
                description="One JSON array of items: oab.",
            )
        ),
        "application/octet-stream": OpenAPIMediaType(
            schema=Schema(type=OpenAPIType.STRING, description="Any of the above, untyped.")
        ),
    },
)


class PayloadTooLargeError(DomainError):
    status_code = 413
    slug = "payload-too-large"
    title = "Payload too large"


def provide_question_service(db_session: NamedDependency[AsyncSession]) -> QuestionService:
    return QuestionService(db_session)


def provide_upload_service(db_session: NamedDependency[AsyncSession]) -> UploadService:
    return UploadService(db_session)


def _is_editor(request: Request[Any, Any, Any]) -> bool:
    return bool(request.user.role in EDITOR_ROLES)


OptionalText = Annotated[str | None, Parameter(max_length=200)]


class QuestionController(Controller):
    path = "/api/questions"
    tags = ["questions"]  # noqa: RUF012 - Litestar reads these class attributes
    security = BEARER_SECURITY
    dependencies = {  # noqa: RUF012
        "questions": Provide(provide_question_service, sync_to_thread=False),
        "uploads": Provide(provide_upload_service, sync_to_thread=False),
    }

    @get(
        "/",
        summary="List and search questions",
        description=(
            "Filters combine with AND. Voided (anuladas) and outdated items are left out "
            "unless include_voided / include_outdated is true. `q` searches statements "
            "and options, ignoring case and accents (with Portuguese stemming on "
            "PostgreSQL). The answer key is shown to editors only."
        ),
    )
    async def list_questions(
        self,
        request: Request[Any, Any, Any],
        questions: NamedDependency[QuestionService],
        page: NamedDependency[PageParams],
        q: OptionalText = None,
        board: Annotated[str | None, Parameter(max_length=40, description="Acronym")] = None,
        board_id: UUID | None = None,
        year: Annotated[int | None, Parameter(ge=1900, le=2100)] = None,
        subject: Annotated[str | None, Parameter(max_length=300)] = None,
        subject_id: UUID | None = None,
        topic_id: UUID | None = None,
        kind: Kind | None = None,
        source: Annotated[str | None, Parameter(max_length=64)] = None,
        include_voided: bool = False,
        include_outdated: bool = False,
    ) -> Page[QuestionRead]:
        filters = QuestionFilters(
            board_ids=[board_id] if board_id is not None else None,
            year=year,
            subject_id=subject_id,
            topic_id=topic_id,
            kind=kind,
            source=source,
            query=q.strip() if q and q.strip() else None,
            include_voided=include_voided,
            include_outdated=include_outdated,
        )
        return await questions.list_questions(
            filters,
            page.limit,
            page.offset,
            board=board,
            subject=subject,
            with_keys=_is_editor(request),
        )

    @get("/{question_id:uuid}", summary="Get a question (the key for editors only)")
    async def get_question(
        self,
        request: Request[Any, Any, Any],
        question_id: FromPath[UUID],
        questions: NamedDependency[QuestionService],
    ) -> QuestionRead:
        cache: QuestionReadCache | None = request.app.state.question_reads
        if cache is None:
            return await questions.get_question(question_id, with_key=_is_editor(request))

        # One cached editor view serves everyone; candidates get it without the key.
        read, generation = await cache.get(question_id)
        if read is None:
            read = await questions.get_question(question_id, with_key=True)
            if generation is not None:
                await cache.put(read, generation)
        return read if _is_editor(request) else msgspec.structs.replace(read, answer_key=UNSET)

    @post(
        "/",
        status_code=HTTP_201_CREATED,
        guards=[requires_editor],
        summary="Add a question",
        responses=problems(409, 422),
    )
    async def create_question(
        self, data: JSONBody[QuestionCreate], questions: NamedDependency[QuestionService]
    ) -> QuestionRead:
        return await questions.create_question(data)

    @patch(
        "/{question_id:uuid}",
        guards=[requires_editor],
        summary="Change a question, or mark it voided or outdated",
        responses=problems(422),
    )
    async def update_question(
        self,
        question_id: FromPath[UUID],
        data: JSONBody[QuestionUpdate],
        questions: NamedDependency[QuestionService],
    ) -> QuestionRead:
        return await questions.update_question(question_id, data)

    @delete(
        "/{question_id:uuid}",
        status_code=HTTP_204_NO_CONTENT,
        guards=[requires_editor],
        summary="Delete a question and its attempts",
        responses=problems(409),
    )
    async def delete_question(
        self, question_id: FromPath[UUID], questions: NamedDependency[QuestionService]
    ) -> None:
        await questions.delete_question(question_id)

    @post(
        "/import",
        guards=[requires_editor],
        request_max_body_size=_NO_FRAMEWORK_LIMIT,
        opt={ANY_BODY: True},
        summary="Import a question file (the file is the request body)",
        description=(
            f"`format` is native (docs/questions-jsonl.schema.json), oab or enem. Files up "
            f"to {INLINE_IMPORT_MAX_BYTES // 1_048_576} MiB are imported at once (201 with "
            "the report); larger ones run as a background job (202; follow status_url). "
            "Items already in the bank are skipped; bad items are reported, not fatal."
        ),
        status_code=HTTP_201_CREATED,
        operation_class=request_body_operation(_IMPORT_BODY),
        responses={
            HTTP_201_CREATED: ResponseSpec(
                ImportReport, description="A small file, imported during the request."
            ),
            HTTP_202_ACCEPTED: ResponseSpec(
                ImportAccepted,
                description="A large file, staged and imported by a background job.",
            ),
            413: problem(413, "The file is larger than the import limit."),
        },
    )
    async def import_questions(
        self,
        request: Request[Any, Any, Any],
        questions: NamedDependency[QuestionService],
        uploads: NamedDependency[UploadService],
        job_queue: NamedDependency[JobQueue],
        format: Format,
        filename: Annotated[str, Parameter(max_length=300, pattern=r"^[^\x00/\\]+$")] = "upload",
    ) -> Response[ImportReport | ImportAccepted]:
        settings: Settings = request.app.state.settings
        content = await _read_body(request, settings.import_max_body_bytes)
        if not content.strip():
            raise InvalidInputError("The request body is empty; send the file as the body.")
        import_format = ImportFormat(format)

        if len(content) <= INLINE_IMPORT_MAX_BYTES:
            report = await questions.import_stream(
                io.BytesIO(content), import_format, total_bytes=len(content)
            )
            return Response(report, status_code=HTTP_201_CREATED)

        upload_id = await uploads.stage(request.user.id, import_format, filename, content)
        info = await job_queue.enqueue(
            IMPORT_TASK, owner_id=request.user.id, kwargs={"upload_id": str(upload_id)}
        )
        accepted = ImportAccepted(
            job_id=info.id,
            status_url=f"/api/jobs/{info.id}",
            upload_id=upload_id,
            size=len(content),
        )
        return Response(accepted, status_code=HTTP_202_ACCEPTED)


async def _read_body(request: Request[Any, Any, Any], limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(f"The file is larger than the {limit}-byte import limit.")

    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLargeError(f"The file is larger than the {limit}-byte import limit.")
    return bytes(body)


QUESTION_CONTROLLERS = [QuestionController]
