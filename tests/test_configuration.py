""".env.example lists every setting the code reads, the README documents each,
and the example file itself is a working configuration."""

import os
import re
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = PROJECT_DIR / ".env.example"
# Read outside config/settings.py: the demo runner's own options.
READ_ELSEWHERE = {"CORDON_BIND", "CORDON_WEB", "WEB_CONCURRENCY"}


def variables_read_by_settings() -> set[str]:
    source = (PROJECT_DIR / "config" / "settings.py").read_text()
    return set(re.findall(r"""(?:env|Env\(\))\.\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""", source))


def example_lines() -> dict[str, str | None]:
    """NAME -> value for `NAME=value`, None for a commented-out `#NAME=example`."""
    found: dict[str, str | None] = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^(#?)([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            found[match[2]] = None if match[1] else match[3]
    return found


def test_every_setting_read_from_the_environment_is_in_env_example():
    missing = variables_read_by_settings() - set(example_lines())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_lists_nothing_the_code_does_not_read():
    stale = set(example_lines()) - variables_read_by_settings() - READ_ELSEWHERE
    assert not stale, f"not read anywhere: {sorted(stale)}"


def test_readme_configuration_table_documents_every_variable():
    readme = (PROJECT_DIR / "README.md").read_text()
    undocumented = {name for name in example_lines() if f"`{name}`" not in readme}
    assert not undocumented, f"add to README's Configuration: {sorted(undocumented)}"


def test_env_example_values_make_a_working_configuration(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in example_lines() and not key.startswith(("DJANGO_", "CELERY_"))
    }
    environment.update({k: v for k, v in example_lines().items() if v is not None})
    environment["CORDON_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
