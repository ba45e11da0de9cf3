"""The admin page's HTML templates (device/api/templates/*.html) rendered with Jinja2.

Every template is autoescaped (a value is text, never markup, unless a template marks it
otherwise), and a variable a template names but is not given is an error
(StrictUndefined), not an empty string. Jinja2 is imported on the first render, so
`python -m device` and a door without the API never pay for it.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.cache
def environment() -> jinja2.Environment:
    """The one environment of the admin pages (templates compiled once, kept in memory)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name ends with
        undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
        auto_reload=False,  # the files do not change under a running server
    )
    env.filters["local_time"] = local_time
    return env


def render(name: str, **context: Any) -> str:
    """The template `name` (a file in device/api/templates/) rendered with `context`."""
    return environment().get_template(name).render(**context)


def local_time(seconds: float) -> str:
    """Epoch seconds as the device's local time, `2026-11-02 08:59:41`."""
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


def day(seconds: float | None) -> str:
    """Epoch seconds as the local ISO date, `2026-11-02` ("" for None)."""
    return "" if seconds is None else dt.date.fromtimestamp(seconds).isoformat()
