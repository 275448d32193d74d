"""Replays tests/vectors/models.json through the Python surface: the typed models the core reads
(through UniFFI), compared field by field with the shared cases."""

import json
import pathlib

import pytest

import persona
from persona import _client

VECTORS = json.loads((pathlib.Path(__file__).resolve().parents[2] / "tests" / "vectors" / "models.json").read_text())


def _status(value):
    """A status as the vectors write it: {"variant": "NeedsReview"} or {"other": "paused"}."""
    if value is None:
        return None
    if value.is_other():
        return {"other": value.value}
    return {"variant": type(value).__name__.rsplit(".", 1)[-1].title().replace("_", "")}


def _field(model, field):
    value = getattr(model, field)
    if field == "status" and value is not None and not isinstance(value, str):
        return _status(value)
    return value


def _models(document):
    return [resource.value for resource in _client._translate(_client._ffi.document_models)(json.dumps(document))]


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[case["name"] for case in VECTORS["cases"]])
def test_model_vector(case):
    expect = case["expect"]
    if "error" in expect:
        with pytest.raises(persona.PersonaError) as error:
            _models(case["document"])
        assert error.value.code == expect["error"]
        for word in expect["mentions"]:
            assert word in str(error.value)
        return
    got = _models(case["document"])
    assert len(got) == len(expect["models"])
    for model, want in zip(got, expect["models"]):
        name = "UntypedResource" if want["model"] == "Other" else want["model"]
        assert type(model) is getattr(persona.models, name)
        assert (model.resource_type, model.id) == (want["type"], want["id"])
        for field, value in want.get("fields", {}).items():
            assert _field(model, field) == value, field
        for member in ("attributes", "relationships"):
            kept = json.loads(getattr(model, f"{member}_json"))
            if f"{member}_json" in want:
                assert getattr(model, f"{member}_json") == want[f"{member}_json"]
            for key in want.get(f"{member}_contain", []):
                assert key in kept


def test_every_model_vector_is_replayed():
    assert len(VECTORS["cases"]) >= 30


def test_models_print_type_and_id_only():
    (inquiry,) = _models({"data": {"type": "inquiry", "id": "inq_1", "attributes": {"name-first": "Jane", "birthdate": "1990-01-01"}}})
    for text in (repr(inquiry), str(inquiry)):
        assert text == "Inquiry(type=inquiry, id=inq_1)", text
    wrapped = persona.models.Resource.INQUIRY(inquiry)
    assert "Jane" not in repr(wrapped) + str(wrapped)
