"""A misspelt `BOOKAGENT_*` variable is named, with the setting it was likely meant for."""

from __future__ import annotations

import pytest

from bookagent.cli.processes import settings_for_process
from bookagent.settings import describe_unknown
from bookagent.settings import unknown_variables
from bookagent.settings import variable_names


def test_every_setting_and_legacy_name_is_known() -> None:
    environ = {name: "1" for name in variable_names()}
    environ |= {"DATABASE_URL": "x", "BOOKAGENT_WRITER": "template", "PATH": "/bin"}
    assert unknown_variables(environ) == []


def test_a_misspelt_name_is_named_with_the_closest_setting() -> None:
    environ = {
        "BOOKAGENT_RETENTON__TASK_ROWS_DAYS": "7",
        "bookagent_publishers__mastodon_acces_token": "t",  # case does not matter
        "BOOKAGENT_NOTHING_LIKE_ANY": "1",
        "BOOKAGENT_PLATFORMS__MASTODON__MAX_LENGTH": "1000",  # the platforms' own data
        "OTHER_TOOL_SETTING": "1",
    }
    assert unknown_variables(environ) == [
        ("BOOKAGENT_NOTHING_LIKE_ANY", None),
        ("BOOKAGENT_RETENTON__TASK_ROWS_DAYS", "BOOKAGENT_RETENTION__TASK_ROWS_DAYS"),
        (
            "bookagent_publishers__mastodon_acces_token",
            "BOOKAGENT_PUBLISHERS__MASTODON_ACCESS_TOKEN",
        ),
    ]
    assert describe_unknown(unknown_variables(environ)[:2]) == (
        "BOOKAGENT_NOTHING_LIKE_ANY; BOOKAGENT_RETENTON__TASK_ROWS_DAYS "
        "(did you mean BOOKAGENT_RETENTION__TASK_ROWS_DAYS?)"
    )


def test_the_processes_warn_on_stderr_and_still_start(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOOKAGENT_QUEUE__CONCURENCY", "8")
    settings = settings_for_process()
    assert settings.queue.concurrency != 8  # ignored, as pydantic-settings does
    err = capsys.readouterr().err
    assert "BOOKAGENT_QUEUE__CONCURENCY (did you mean BOOKAGENT_QUEUE__CONCURRENCY?)" in err
