from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from jsonschema import Draft202012Validator
from litestar import Litestar, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi import OpenAPIConfig
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate

from concurso_coach.platform.errors import PROBLEM_MEDIA_TYPE, Problem
from concurso_coach.platform.openapi import ProblemDocsPlugin, problems
from concurso_coach.settings import Settings
from tests.conftest import sign_in_as

Document = dict[str, Any]
Headers = dict[str, str]

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
HTTP_METHODS = ("get", "put", "post", "patch", "delete")
# The only error documented with another body: readiness reports its checks.
NOT_PROBLEMS = {("/health/ready", "get", "503")}


async def _document(client: AsyncTestClient[Litestar]) -> Document:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document: Document = response.json()
    return document


def _operations(document: Document) -> Iterator[tuple[str, str, Document]]:
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                yield path, method, item[method]


def _statuses(operation: Document) -> set[int]:
    return {int(status) for status in operation["responses"]}


def _problem_schema(document: Document, path: str, method: str, status: int) -> Document:
    response = document["paths"][path][method]["responses"][str(status)]
    schema: Document = response["content"][PROBLEM_MEDIA_TYPE]["schema"]
    return schema


def _assert_matches_documented_problem(
    document: Document, path: str, method: str, response: Any
) -> Document:
    """The real error body validates against the schema documented for its status."""
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body: Document = response.json()
    schema = _problem_schema(document, path, method, response.status_code)
    # The operation's schema is a $ref into components; resolve it against the document.
    validator = Draft202012Validator({**schema, "components": document["components"]})
    errors = sorted(validator.iter_errors(body), key=str)
    assert not errors, [error.message for error in errors]
    properties = document["components"]["schemas"]["Problem"]["properties"]
    assert set(body) <= set(properties), "the body has fields the document does not name"
    assert body["status"] == response.status_code
    return body


async def test_openapi_document_is_valid(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/openapi.json")

    assert response.status_code == 200
    validate(response.json())


async def test_openapi_documents_bearer_security(client: AsyncTestClient[Litestar]) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    scheme = document["components"]["securitySchemes"]["BearerToken"]
    assert scheme == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": scheme["description"],
    }


async def test_browsable_ui_is_served(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/schema/swagger")

    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]


# --- The Problem schema and where it is used ---------------------------------------------


async def test_problem_schema_mirrors_the_problem_body(client: AsyncTestClient[Litestar]) -> None:
    document = await _document(client)

    schema = document["components"]["schemas"]["Problem"]
    fields = msgspec.structs.fields(Problem)
    assert set(schema["properties"]) == {field.encode_name for field in fields}
    assert (
        set(schema["required"])
        == {field.encode_name for field in fields if field.required}
        == {"type", "title", "status", "detail"}
    )
    invalid_field = document["components"]["schemas"]["InvalidField"]
    assert set(invalid_field["properties"]) == {"field", "message", "source"}


async def test_every_error_response_is_a_problem_document(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    wrong = [
        (path, method, status, sorted((response.get("content") or {}).items()))
        for path, method, operation in _operations(document)
        for status, response in operation["responses"].items()
        if int(status) >= 400
        and (path, method, status) not in NOT_PROBLEMS
        and response.get("content") != {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
    ]
    assert wrong == []


async def test_no_operation_documents_litestars_default_error_body(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    defaults = [
        (path, method, status)
        for path, method, operation in _operations(document)
        for status, response in operation["responses"].items()
        for media in (response.get("content") or {}).values()
        if {"status_code", "extra"} & set(media.get("schema", {}).get("properties", {}))
        or media.get("schema", {}).get("description") == "Validation Exception"
    ]
    assert defaults == []


async def test_every_operation_documents_its_validation_problem(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    # Every request passes the query-string check, so every operation can answer 400.
    missing = [(p, m) for p, m, op in _operations(document) if 400 not in _statuses(op)]
    assert missing == []


async def test_authenticated_operations_document_401_and_503_and_public_ones_no_401(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    for path, method, operation in _operations(document):
        statuses = _statuses(operation)
        if operation.get("security"):
            assert {401, 503} <= statuses, (path, method)
        elif path not in ("/api/auth/login", "/api/auth/refresh"):  # bad credentials: 401
            assert 401 not in statuses, (path, method)
    # The liveness probe does no I/O; it cannot find a backing service down.
    assert 503 not in _statuses(document["paths"]["/health/live"]["get"])


async def test_operations_with_path_ids_document_404(client: AsyncTestClient[Litestar]) -> None:
    document = await _document(client)

    missing = [
        (path, method)
        for path, method, operation in _operations(document)
        if "{" in path and 404 not in _statuses(operation)
    ]
    assert missing == []


async def test_body_operations_document_413_and_json_ones_415(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    for path, method, operation in _operations(document):
        statuses = _statuses(operation)
        if "requestBody" in operation:
            assert 413 in statuses, (path, method)
        if method in ("post", "put", "patch") and path != "/api/questions/import":
            assert 415 in statuses, (path, method)
    # The import reads any media type: `format` decides, so it never answers 415.
    assert 415 not in _statuses(document["paths"]["/api/questions/import"]["post"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/users"),
        ("patch", "/api/users/{account_id}"),
        ("post", "/api/boards"),
        ("delete", "/api/exams/{exam_id}"),
        ("put", "/api/exams/{exam_id}/syllabus"),
        ("post", "/api/exams/{exam_id}/subjects"),
        ("patch", "/api/questions/{question_id}"),
        ("post", "/api/questions/import"),
    ],
)
async def test_role_guarded_operations_document_403(
    client: AsyncTestClient[Litestar], method: str, path: str
) -> None:
    document = await _document(client)

    assert 403 in _statuses(document["paths"][path][method])


async def test_operations_open_to_every_role_do_not_document_403(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    for path in ("/api/boards", "/api/questions", "/api/attempts", "/api/mock-exams"):
        assert 403 not in _statuses(document["paths"][path]["get"]), path
    assert 403 not in _statuses(document["paths"]["/api/me/study-plan"]["post"])


@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/auth/login", {401, 429}),
        ("post", "/api/auth/register", {409, 429}),
        ("post", "/api/auth/refresh", {401}),
        ("post", "/api/boards", {409}),
        ("put", "/api/exams/{exam_id}/syllabus", {409, 415, 422}),
        ("post", "/api/mock-exams/{mock_exam_id}/submit", {409}),
        ("post", "/api/me/reviews/{card_id}", {409}),
        ("put", "/api/me/goal", {422}),
        ("get", "/api/me/goal", {404}),
        ("post", "/api/me/study-plan", {404}),
        ("post", "/api/attempts", {404, 422}),
    ],
)
async def test_operations_document_the_problems_their_handlers_raise(
    client: AsyncTestClient[Litestar], method: str, path: str, statuses: set[int]
) -> None:
    document = await _document(client)

    assert statuses <= _statuses(document["paths"][path][method])


# --- Real error responses against the document -------------------------------------------


async def test_a_real_401_matches_the_documented_problem(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    response = await client.get("/api/me")

    assert response.status_code == 401
    body = _assert_matches_documented_problem(document, "/api/me", "get", response)
    assert body["type"].endswith(":unauthenticated")


async def test_a_real_404_matches_the_documented_problem(
    client: AsyncTestClient[Litestar], candidate_headers: Headers
) -> None:
    document = await _document(client)

    response = await client.get(f"/api/boards/{uuid.uuid4()}", headers=candidate_headers)

    assert response.status_code == 404
    _assert_matches_documented_problem(document, "/api/boards/{board_id}", "get", response)


async def test_a_real_validation_problem_matches_the_documented_problem(
    client: AsyncTestClient[Litestar], candidate_headers: Headers
) -> None:
    document = await _document(client)

    response = await client.get("/api/questions?year=not-a-year", headers=candidate_headers)

    assert response.status_code == 400
    body = _assert_matches_documented_problem(document, "/api/questions", "get", response)
    assert [error["field"] for error in body["errors"]] == ["year"]


async def test_a_real_422_matches_the_documented_problem(
    client: AsyncTestClient[Litestar], candidate_headers: Headers
) -> None:
    document = await _document(client)

    response = await client.put(
        "/api/me/goal",
        json={"exam_id": str(uuid.uuid4()), "weekly_minutes": [60] * 7},
        headers=candidate_headers,
    )

    assert response.status_code == 422
    _assert_matches_documented_problem(document, "/api/me/goal", "put", response)


async def test_a_real_415_matches_the_documented_problem(
    client: AsyncTestClient[Litestar], candidate_headers: Headers
) -> None:
    document = await _document(client)

    response = await client.post(
        "/api/attempts",
        content=b'{"question_id": "x"}',
        headers={**candidate_headers, "Content-Type": "text/plain"},
    )

    assert response.status_code == 415
    _assert_matches_documented_problem(document, "/api/attempts", "post", response)


async def test_a_real_syllabus_415_matches_the_documented_problem(
    client: AsyncTestClient[Litestar], settings: Settings
) -> None:
    editor = await sign_in_as(client, settings, "edna@example.com", "editor")
    document = await _document(client)
    path = "/api/exams/{exam_id}/syllabus"

    response = await client.put(
        f"/api/exams/{uuid.uuid4()}/syllabus",
        content=b"\x89PNG",
        headers={**editor, "Content-Type": "image/png"},
    )

    assert response.status_code == 415
    _assert_matches_documented_problem(document, path, "put", response)


# --- Success statuses and request bodies ------------------------------------------------


async def test_replanning_documents_202_with_the_job(client: AsyncTestClient[Litestar]) -> None:
    document = await _document(client)

    responses = document["paths"]["/api/me/study-plan"]["post"]["responses"]
    assert "201" not in responses
    assert responses["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JobAccepted"
    }


async def test_question_import_documents_the_report_and_the_background_job(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    responses = document["paths"]["/api/questions/import"]["post"]["responses"]
    schema_of = {
        status: responses[status]["content"]["application/json"]["schema"]
        for status in ("201", "202")
    }
    assert schema_of == {
        "201": {"$ref": "#/components/schemas/ImportReport"},
        "202": {"$ref": "#/components/schemas/ImportAccepted"},
    }
    assert not {"200", "204"} & set(responses)


async def test_syllabus_import_documents_text_and_json_bodies(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    body = document["paths"]["/api/exams/{exam_id}/syllabus"]["put"]["requestBody"]
    assert body["required"] is True
    assert set(body["content"]) == {"text/plain", "application/json"}
    assert body["content"]["text/plain"]["schema"] == {"type": "string"}
    assert body["content"]["application/json"]["schema"]["required"] == ["text"]


async def test_question_import_documents_ndjson_and_json_file_bodies(
    client: AsyncTestClient[Litestar],
) -> None:
    document = await _document(client)

    body = document["paths"]["/api/questions/import"]["post"]["requestBody"]
    assert body["required"] is True
    assert {"application/x-ndjson", "application/json"} <= set(body["content"])
    assert body["content"]["application/json"]["schema"]["type"] == "array"


# --- The mechanism, on routes the app does not have yet -----------------------------------


def _editors_only(*_: Any) -> None:
    """A stand-in role guard."""


def _database() -> str:
    return "db"


def test_new_routes_get_their_problem_responses_from_how_they_are_built() -> None:
    @post(
        "/things/{thing_id:int}",
        guards=[_editors_only],
        sync_to_thread=False,
        responses=problems(409),
    )
    def change_thing(
        thing_id: int, data: JSONBody[dict[str, str]], store: NamedDependency[str]
    ) -> None:
        return None

    @get("/open", opt={"exclude_from_auth": True}, sync_to_thread=False)
    def open_route() -> Response[str]:
        return Response("ok")

    app = Litestar(
        route_handlers=[change_thing, open_route],
        dependencies={"store": Provide(_database, sync_to_thread=False)},
        plugins=[
            ProblemDocsPlugin(
                role_guards=(_editors_only,), backing_service_keys=("store",), raw_body_key="raw"
            )
        ],
        openapi_config=OpenAPIConfig(title="t", version="1"),
    )
    document = app.openapi_schema.to_schema()

    changed = document["paths"]["/things/{thing_id}"]["post"]["responses"]
    assert set(changed) == {"201", "400", "401", "403", "404", "409", "413", "415", "503"}
    assert changed["400"]["content"] == {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
    assert set(document["paths"]["/open"]["get"]["responses"]) == {"200", "400"}
