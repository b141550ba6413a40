"""Imports apply the API's field rules: a value POST /api/questions refuses is a problem item.

Each case is tried both ways, on both backends: as a field of an editor's new question
and as a field of one line of a native import whose other line is good.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

LINE = {
    "source": "rules",
    "kind": "true_false",
    "statement": "A crase é facultativa aqui.",
    "answer": "E",
}
QUESTION = {"kind": "true_false", "statement": "A crase é facultativa aqui.", "answer_key": "E"}

# (native field, API field, value, stored)
CASES = {
    "javascript source_url": ("source_url", "source_url", "javascript:alert(1)", False),
    "data source_url": ("source_url", "source_url", "data:text/html,<script>x</script>", False),
    "source_url with a space": ("source_url", "source_url", "https://a.gov.br/x y", False),
    "source_url over 2000 chars": ("source_url", "source_url", "https://a.br/" + "a" * 2000, False),
    "long https source_url": ("source_url", "source_url", "https://a.br/" + "a" * 1000, True),
    "subject over 300 chars": ("subject", "subject_name", "D" * 301, False),
    "NUL in post": ("post", "post", "Agente\x00", False),
    "NUL in licence": ("licence", "licence", "MIT\x00", False),
    "external_id over 200 chars": ("external_id", "external_id", "x" * 201, False),
    "source in capitals": ("source", "source", "Rules", False),
}


async def _import(client: Client, headers: Headers, *lines: dict[str, Any]) -> Any:
    body = "\n".join(json.dumps(line) for line in lines).encode()
    response = await client.post(
        "/api/questions/import?format=native", content=body, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("case", sorted(CASES))
async def test_an_import_stores_a_field_exactly_when_the_api_would(
    client: Client, editor_headers: Headers, case: str
) -> None:
    native_field, api_field, value, stored = CASES[case]

    created = await client.post(
        "/api/questions", json={**QUESTION, api_field: value}, headers=editor_headers
    )
    report = await _import(
        client,
        editor_headers,
        {**LINE, "external_id": "1", native_field: value},
        {**LINE, "external_id": "2"},
    )

    assert (created.status_code == 201) is stored, created.text
    assert report["inserted"] == (2 if stored else 1)
    assert [p["location"] for p in report["problems"]] == ([] if stored else ["line 1"])


async def test_native_import_refuses_a_javascript_source_url_and_serves_none(
    client: Client, editor_headers: Headers
) -> None:
    report = await _import(
        client,
        editor_headers,
        {**LINE, "external_id": "1", "source_url": "javascript:alert(1)"},
        {**LINE, "external_id": "2", "source_url": "https://www.cebraspe.org.br/"},
    )
    listed = await client.get("/api/questions", params={"source": "rules"}, headers=editor_headers)

    assert (report["inserted"], report["problem_count"]) == (1, 1)
    assert "source_url" in report["problems"][0]["reason"]
    assert [item["source_url"] for item in listed.json()["items"]] == [
        "https://www.cebraspe.org.br/"
    ]
