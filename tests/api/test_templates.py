"""The admin page's Jinja2 templates: every value is text (autoescaped), a missing variable
is an error, and Jinja2 is imported only when a page is rendered."""

from __future__ import annotations

import subprocess
import sys
import uuid
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import jinja2
import pytest
import requests

from device.api import templating
from device.api.auth import CSRF_FIELD
from device.attendance import Attendance, alert_event
from device.events import AlertKind
from device.recognition.decision import Match, Verdict
from device.terminal import PersonSummary
from tests.support.http import ADMIN, Api
from tests.support.images import photo
from tests.support.paths import REPO

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'


class Page(HTMLParser):
    """The elements of a page and the text of each section (entities decoded)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: dict[str, list[str]] = {}
        self._section: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "section":
            self._section = dict(attrs).get("id") or "page"

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._section = None

    def handle_data(self, data: str) -> None:
        if self._section is not None:
            self.text.setdefault(self._section, []).append(data)

    def section(self, name: str) -> str:
        return "".join(self.text.get(name, []))

    def assert_no_injected_markup(self) -> None:
        scripts = [attrs for tag, attrs in self.elements if tag == "script"]
        assert scripts == [{"src": "/admin/static/admin.js", "defer": None}]
        assert not [(tag, attrs) for tag, attrs in self.elements
                    if any(name.startswith("on") for name in attrs)]
        assert not [attrs for tag, attrs in self.elements
                    if tag == "img" and attrs.get("src") == "x"]


def _dashboard_context(**changes: Any) -> dict[str, Any]:
    t0 = 1764000000.0
    context: dict[str, Any] = {
        "device_name": SCRIPT, "device_id": "door-t", "username": IMG, "role": "admin",
        "admin": True, "csrf_field": CSRF_FIELD, "csrf": 'c"srf<',
        "people": [PersonSummary("E001", SCRIPT, None, None, 2, t0),
                   PersonSummary("E002", IMG, None, None, 1, t0)],
        "punch_count": 2,
        "punches": [SimpleNamespace(time=t0, person_id="E001", name=SCRIPT, status="in"),
                    SimpleNamespace(time=t0, person_id="E002", name=IMG, status="out")],
        "from_day": "2025-11-01", "to_day": "2025-11-30", "csv_to_day": "2025-12-01",
        "problem": IMG,
        "alerts": [SimpleNamespace(alert_id='a"1<', snapshot_key="k", handled=False, time=t0,
                                   kind=SCRIPT, detail=IMG),
                   SimpleNamespace(alert_id="a2", snapshot_key=None, handled=True, time=t0,
                                   kind="unknown_face", detail=SCRIPT)],
    }
    context.update(changes)
    return context


def test_hostile_values_render_as_text_in_every_template() -> None:
    html = templating.render("dashboard.html", **_dashboard_context())
    page = Page(html)
    page.assert_no_injected_markup()
    for section in ("people", "punches", "alerts"):
        assert SCRIPT in page.section(section) and IMG in page.section(section), section
    assert IMG in page.section("punches")  # the range problem line too
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert SCRIPT not in html and IMG not in html
    # attributes: the alert id and the CSRF token stay inside their quotes
    forms = [attrs for tag, attrs in page.elements if tag == "form"]
    assert {"method": "post", "action": '/admin/alerts/a"1</handled',
            "data-confirm": "Mark this alert handled?"} in forms
    hidden = [attrs for tag, attrs in page.elements
              if tag == "input" and attrs.get("type") == "hidden"]
    assert hidden and all(attrs == {"type": "hidden", "name": CSRF_FIELD, "value": 'c"srf<'}
                          for attrs in hidden)

    login = Page(templating.render("login.html", message=SCRIPT, username=IMG))
    login.assert_no_injected_markup()
    assert SCRIPT in login.section("page")
    assert {"type": "text", "id": "username", "name": "username", "value": IMG,
            "autofocus": None, "required": None} in [a for t, a in login.elements if t == "input"]

    error = Page(templating.render("error.html", code=404, message=IMG + SCRIPT))
    error.assert_no_injected_markup()
    assert IMG + SCRIPT in error.section("page")


def test_every_template_autoescapes_and_refuses_undefined_variables() -> None:
    env = templating.environment()
    names = env.list_templates()
    assert {"base.html", "dashboard.html", "error.html", "login.html"} <= set(names)
    assert all(name.endswith(".html") for name in names)
    for name in names:
        escaping = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        assert escaping is True, name
    assert env.undefined is jinja2.StrictUndefined

    with pytest.raises(jinja2.UndefinedError):
        env.from_string("<p>{{ nobody }}</p>").render()
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("<p>{{ person.no_such_field }}</p>").render(person=object())
    for name in ("dashboard.html", "error.html", "login.html"):
        with pytest.raises(jinja2.UndefinedError):
            templating.render(name)
    with pytest.raises(jinja2.UndefinedError):
        templating.render("error.html", code=404)
    with pytest.raises(jinja2.UndefinedError):
        templating.render("login.html", message="")
    full = _dashboard_context()
    for missing in full:
        with pytest.raises(jinja2.UndefinedError):
            templating.render("dashboard.html",
                              **{k: v for k, v in full.items() if k != missing})


def test_the_admin_page_shows_hostile_names_in_people_punches_and_alerts_as_text(
        api: Api, data_dir: Path) -> None:
    for staff_id, name, file in (("alex_lacamoire", SCRIPT, ("alex_lacamoire", "alex_2.jpg")),
                                 ("barack_obama", IMG, ("barack_obama", "obama_2.jpg"))):
        r = api.admin.post("/face/registration", data={"id": staff_id, "username": name},
                           files={"file": photo(data_dir, *file)})
        assert r.status_code == 200, r.text
    attendance = Attendance(api.terminal.store)
    attendance.on_match(Match(Verdict.KNOWN, "alex_lacamoire", 0.3, None, None))
    attendance.on_match(Match(Verdict.KNOWN, "barack_obama", 0.28, None, None))
    with api.terminal.store.transaction() as txn:
        txn.append([alert_event(txn.connection, uuid.uuid4().hex, AlertKind.DEVICE_FAULT,
                                detail, None) for detail in (SCRIPT, IMG)])

    browser = requests.Session()
    r = browser.post(api.url + "/admin/login", data={"username": ADMIN[0],
                                                     "password": ADMIN[1]}, timeout=60)
    assert r.status_code == 200 and r.url.endswith("/admin"), r.text
    html = r.text
    page = Page(html)
    page.assert_no_injected_markup()
    for section in ("people", "punches", "alerts"):
        text = page.section(section)
        assert SCRIPT in text and IMG in text, (section, text)
    assert SCRIPT not in html and IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    refused = requests.post(api.url + "/admin/login", data={"username": IMG, "password": "x"},
                            timeout=60)
    assert refused.status_code == 401 and IMG not in refused.text
    Page(refused.text).assert_no_injected_markup()
    missing = browser.get(api.url + "/admin/" + SCRIPT, timeout=60)
    assert missing.status_code == 404 and SCRIPT not in missing.text
    assert SCRIPT in Page(missing.text).section("page")


def test_jinja2_is_imported_only_when_a_page_is_rendered() -> None:
    probe = ("import sys\n"
             "import device.api.app, device.api.server, device.api.handlers.web as web\n"
             "print('jinja2' in sys.modules)\n"
             "web.error_page(404, 'x')\n"
             "print('jinja2' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.split() == ["False", "True"], done.stderr
