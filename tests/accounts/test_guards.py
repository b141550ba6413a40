from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from concurso_coach.accounts.guards import ensure_owner
from concurso_coach.accounts.schemas import CurrentAccount
from concurso_coach.platform.errors import NotFoundError
from tests.conftest import TEST_PASSWORD


async def _me(client: AsyncTestClient[Litestar], headers: dict[str, str]) -> str:
    return str((await client.get("/api/me", headers=headers)).json()["id"])


async def test_candidate_cannot_list_accounts(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    response = await client.get("/api/users", headers=candidate_headers)

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_editor_cannot_list_accounts(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str]
) -> None:
    response = await client.get("/api/users", headers=editor_headers)

    assert response.status_code == 403


async def test_admin_lists_accounts_in_pages_with_a_stable_total(
    client: AsyncTestClient[Litestar],
    admin_headers: dict[str, str],
    candidate_headers: dict[str, str],
    editor_headers: dict[str, str],
) -> None:
    first = (await client.get("/api/users?limit=2", headers=admin_headers)).json()
    second = (await client.get("/api/users?limit=2&offset=2", headers=admin_headers)).json()

    assert first["total"] == second["total"] == 3
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    emails = {item["email"] for item in first["items"] + second["items"]}
    assert emails == {"adm@example.com", "ana@example.com", "edna@example.com"}


async def test_admin_promotes_a_candidate_to_editor(
    client: AsyncTestClient[Litestar],
    admin_headers: dict[str, str],
    candidate_headers: dict[str, str],
) -> None:
    candidate_id = await _me(client, candidate_headers)

    response = await client.patch(
        f"/api/users/{candidate_id}", json={"role": "editor"}, headers=admin_headers
    )

    assert response.status_code == 200
    me = await client.get("/api/me", headers=candidate_headers)
    assert me.json()["role"] == "editor"


async def test_candidate_cannot_change_roles(
    client: AsyncTestClient[Litestar], candidate_headers: dict[str, str]
) -> None:
    candidate_id = await _me(client, candidate_headers)

    response = await client.patch(
        f"/api/users/{candidate_id}", json={"role": "admin"}, headers=candidate_headers
    )

    assert response.status_code == 403


async def test_editor_cannot_change_roles(
    client: AsyncTestClient[Litestar], editor_headers: dict[str, str]
) -> None:
    editor_id = await _me(client, editor_headers)

    response = await client.patch(
        f"/api/users/{editor_id}", json={"role": "admin"}, headers=editor_headers
    )

    assert response.status_code == 403


async def test_unknown_role_is_400(
    client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    admin_id = await _me(client, admin_headers)

    response = await client.patch(
        f"/api/users/{admin_id}", json={"role": "root"}, headers=admin_headers
    )

    assert response.status_code == 400


async def test_unknown_account_is_404(
    client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    response = await client.get(f"/api/users/{uuid.uuid4()}", headers=admin_headers)

    assert response.status_code == 404


async def test_malformed_account_id_is_4xx(
    client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    response = await client.get("/api/users/not-a-uuid", headers=admin_headers)

    assert response.status_code in {400, 404}


async def test_openapi_marks_protected_routes_with_bearer_security(
    client: AsyncTestClient[Litestar],
) -> None:
    document = (await client.get("/schema/openapi.json")).json()

    assert document["paths"]["/api/me"]["get"]["security"] == [{"BearerToken": []}]
    assert document["paths"]["/api/users"]["get"]["security"] == [{"BearerToken": []}]
    assert "security" not in document["paths"]["/api/auth/login"]["post"]


def _account(role: str = "candidate") -> CurrentAccount:
    return CurrentAccount(id=uuid.uuid4(), email="a@example.com", display_name="A", role=role)  # type: ignore[arg-type]


def test_owner_passes_the_ownership_rule() -> None:
    account = _account()

    ensure_owner(account.id, account)


def test_another_candidate_gets_not_found_from_the_ownership_rule() -> None:
    owner, other = _account(), _account()

    with pytest.raises(NotFoundError):
        ensure_owner(owner.id, other)


def test_admins_do_not_bypass_the_ownership_rule() -> None:
    owner, admin = _account(), _account("admin")

    with pytest.raises(NotFoundError):
        ensure_owner(owner.id, admin)


async def test_the_last_admin_cannot_be_demoted(
    client: AsyncTestClient[Litestar], admin_headers: dict[str, str]
) -> None:
    admin_id = await _me(client, admin_headers)

    response = await client.patch(
        f"/api/users/{admin_id}", json={"role": "candidate"}, headers=admin_headers
    )

    assert response.status_code == 409


async def test_a_promoted_candidate_gains_the_role_on_the_next_request(
    client: AsyncTestClient[Litestar],
    admin_headers: dict[str, str],
    candidate_headers: dict[str, str],
) -> None:
    candidate_id = await _me(client, candidate_headers)  # the account is now cached for auth

    await client.patch(f"/api/users/{candidate_id}", json={"role": "admin"}, headers=admin_headers)
    response = await client.get("/api/users", headers=candidate_headers)

    assert response.status_code == 200


async def test_a_role_granted_in_the_database_holds_from_the_next_sign_in(
    client: AsyncTestClient[Litestar], app: Litestar, candidate_headers: dict[str, str]
) -> None:
    # How an operator makes an editor without the API (the containers CI stage does this).
    await _me(client, candidate_headers)  # the account is now cached for auth
    async with app.state.engine.begin() as connection:
        await connection.execute(
            text("UPDATE account SET role = 'editor' WHERE email = 'ana@example.com'")
        )

    login = await client.post(
        "/api/auth/login", json={"email": "ana@example.com", "password": TEST_PASSWORD}
    )
    fresh = {"Authorization": f"Bearer {login.json()['access_token']}"}
    board = {
        "name": "Fundação Carlos Chagas",
        "acronym": "FCC",
        "default_scoring_rule": "multiple_choice",
    }
    response = await client.post("/api/boards", json=board, headers=fresh)

    assert response.status_code == 201, response.text
