"""Captured statements survive pickling and replay without key collisions."""

from __future__ import annotations

import pickle
import uuid

from bench.sqltrace import Statement, fresh_keys, portable, restored
from psycopg.types.json import Json, Jsonb


def test_json_parameters_round_trip_through_pickle() -> None:
    params = {"options": Json([{"letter": "A"}]), "state": Jsonb({"s": 1}), "n": 3}

    back = restored(pickle.loads(pickle.dumps(portable(params))))  # noqa: S301

    assert isinstance(back["options"], Json)
    assert not isinstance(back["options"], Jsonb)
    assert back["options"].obj == [{"letter": "A"}]
    assert isinstance(back["state"], Jsonb)
    assert back["n"] == 3


def test_fresh_keys_renews_primary_key_uuids_only() -> None:
    row_id, account_id = uuid.uuid4(), uuid.uuid4()

    fresh = fresh_keys({"id": row_id, "account_id": account_id, "id__1": row_id})

    assert fresh["id"] != row_id
    assert fresh["id__1"] != row_id
    assert fresh["account_id"] == account_id


def test_statement_knows_an_insert() -> None:
    assert Statement("  insert into attempts ...", {}, many=False).inserts
    assert not Statement("SELECT 1", {}, many=False).inserts


def test_fresh_keys_keeps_a_text_key_as_text() -> None:
    row_id = str(uuid.uuid4())

    fresh = fresh_keys({"id": row_id})

    assert isinstance(fresh["id"], str)
    assert fresh["id"] != row_id


def test_fresh_keys_leaves_a_non_uuid_id_alone() -> None:
    assert fresh_keys({"id": 7}) == {"id": 7}
