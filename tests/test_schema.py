"""The recipe JSON Schema: generated from the models, committed up to date, agreeing with the loader."""
from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from conftest import REPO
from factory import recipe
from pydantic import ValidationError

from builder.load.catalog import recipe_files
from builder.load.yamlload import load_yaml_file
from builder.models import Recipe
from builder.models.schema import (
    KEY_TABLE_MARKER,
    SCHEMA_FILE,
    expand_key_table,
    key_table,
    recipe_json_schema,
    recipe_keys,
    schema_text,
)

RECIPES = REPO / "recipes"
COMMITTED = RECIPES / SCHEMA_FILE
AUTHORING = REPO / "site_src" / "docs" / "docs" / "authoring.md"
validator = jsonschema.Draft202012Validator(recipe_json_schema())


def errors(data: object) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def test_schema_is_valid_draft_2020_12_with_an_identity():
    schema = recipe_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/schema/recipe.json") and schema["title"] == "vLLM recipe"
    assert schema["required"] == ["meta", "model", "variants"]


def test_every_object_is_closed_like_the_models():
    schema = recipe_json_schema()
    objects = [schema, *schema["$defs"].values()]
    assert objects and all(o.get("additionalProperties") is False for o in objects if "properties" in o)


def test_committed_schema_is_up_to_date():
    if not RECIPES.is_dir():
        pytest.skip("recipes/ does not exist yet")
    assert COMMITTED.is_file(), f"missing {COMMITTED}: run `recipes schema`"
    assert COMMITTED.read_text(encoding="utf-8") == schema_text(), "stale schema: run `recipes schema`"


def test_every_recipe_in_the_repository_validates_against_the_schema():
    files = recipe_files(RECIPES) if RECIPES.is_dir() else []
    if not files:
        pytest.skip("recipes/models has no recipes yet")
    problems = {f.relative_to(REPO).as_posix(): errors(load_yaml_file(f).data) for f in files}
    assert {path: found for path, found in problems.items() if found} == {}


def test_reference_recipes_validate_against_the_schema(shared_reference: Path):
    files = recipe_files(shared_reference / "recipes")
    problems = {f.name: errors(load_yaml_file(f).data) for f in files}
    assert len(files) == 142 and {name: found for name, found in problems.items() if found} == {}


@pytest.mark.parametrize("change, where", [
    ({"hf_id": "ex/m"}, ""),                                                   # unknown top-level key
    ({"variants": {}}, "variants"),                                            # needs one variant
    ({"variants": {"default": {"precision": "bf16"}}}, "variants.default"),   # vram_minimum_gb missing
    ({"model": {"model_id": "ex/m", "base_args": "--foo"}}, "model.base_args"),  # a string, not a list
    ({"model": {"model_id": "ex/m", "context_length": True}}, "model.context_length"),
])
def test_schema_rejects_what_the_loader_rejects(change, where):
    data = recipe(**change)
    with pytest.raises(ValidationError):
        Recipe.model_validate(data)
    found = errors(data)
    assert found and any(line.startswith(where) for line in found), found


def test_schema_accepts_a_minimal_recipe():
    assert errors(recipe()) == []


def test_key_table_lists_every_model_field_with_its_docstring():
    table = key_table()
    for key in recipe_keys():
        assert f"| `{key.path}` |" in table
        assert key.description.replace("|", "\\|") in table
    assert "| `variants.<variant>.precision` | text | **required** |" in table


def test_authoring_page_gets_the_generated_key_table():
    page = AUTHORING.read_text(encoding="utf-8")
    assert page.count(KEY_TABLE_MARKER) == 1
    expanded = expand_key_table(page)
    assert KEY_TABLE_MARKER not in expanded and key_table() in expanded


def test_architecture_page_names_only_modules_that_exist():
    page = REPO / "site_src" / "docs" / "docs" / "architecture.md"
    named = set(re.findall(r"`(builder/[\w/]*?(?:\.py|/))`", page.read_text(encoding="utf-8")))
    assert len(named) > 20
    assert sorted(p for p in named if not (REPO / p).exists()) == []
    # Every package of the builder is on the map.
    packages = {f"builder/{d.name}/" for d in (REPO / "builder").iterdir() if (d / "__init__.py").is_file()}
    assert sorted(packages - {p for p in named if p.endswith("/")} - {p.rsplit("/", 1)[0] + "/" for p in named}) == []
