"""The web admin page in a real headless browser (Debian's chromium + chromedriver)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from device.attendance import Attendance
from device.recognition.decision import Match, Verdict
from tests.support.http import ADMIN, VIEWER, Api
from tests.support.images import photo, rgb_of

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium "
                    "chromium-driver fonts-noto-cjk)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless", "--no-sandbox", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                     f"--user-data-dir={tmp_path / 'chromium-profile'}",
                     "--window-size=1280,1100", "--lang=zh-CN"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _log_in(driver: WebDriver, api: Api, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(api.url + "/admin")
    assert driver.current_url.endswith("/admin/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()


def _wait(condition: Callable[[], object], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_admin_page_shows_people_punches_alerts_and_live_view(
        api: Api, data_dir: Path, browser: WebDriver, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver = browser
    renamed = api.admin.post("/face/registration", data={"id": "alex_lacamoire",
                                                         "username": "艾超"},
                             files={"file": photo(data_dir, "alex_lacamoire", "alex_2.jpg")})
    assert renamed.status_code == 200, renamed.text
    attendance = Attendance(api.terminal.store)
    attendance.on_match(Match(Verdict.KNOWN, "alex_lacamoire", 0.3, None, None))
    attendance.on_match(Match(Verdict.KNOWN, "barack_obama", 0.28, None, None))
    stranger = attendance.on_match(Match(Verdict.UNKNOWN, None, 0.74, None, None),
                                   snapshot=rgb_of(data_dir, "kit_harington", "kit_1.jpg"))

    _log_in(driver, api, "admin", "wrong-password")
    error = driver.find_element(By.CSS_SELECTOR, ".login .error")
    assert error.text == "wrong user name or password"
    driver.find_element(By.ID, "username").clear()
    _log_in(driver, api, *ADMIN)
    assert _wait(lambda: driver.current_url.endswith("/admin"))

    people = driver.find_element(By.ID, "people").text
    assert "艾超" in people and "alex_lacamoire" in people and "People 人员 (6)" in people
    punches = driver.find_element(By.ID, "punches").text
    assert "艾超" in punches and "Barack Obama" in punches
    snapshot = driver.find_element(By.CSS_SELECTOR, "#alerts img.snap")
    assert _wait(lambda: driver.execute_script(
        "return arguments[0].complete && arguments[0].naturalWidth", snapshot))

    driver.find_element(By.ID, "live-toggle").click()
    live = driver.find_element(By.ID, "live")
    assert _wait(lambda: driver.execute_script(
        "return arguments[0].naturalWidth", live) == 640)
    time.sleep(0.5)  # a few frames in
    screenshot = tmp_path / "admin.png"
    assert driver.save_screenshot(str(screenshot))
    assert screenshot.stat().st_size > 20_000
    driver.find_element(By.ID, "live-toggle").click()  # stop the stream

    driver.find_element(By.CSS_SELECTOR, "#alerts button").click()
    driver.switch_to.alert.accept()
    assert _wait(lambda: "handled" in driver.find_element(
        By.ID, "alerts").text)
    assert api.terminal.alerts()[0].alert_id == stranger.alert_id
    assert api.terminal.alerts()[0].handled


def test_viewers_see_no_change_buttons(api: Api, data_dir: Path, browser: WebDriver) -> None:
    from selenium.webdriver.common.by import By

    Attendance(api.terminal.store).on_match(Match(Verdict.UNKNOWN, None, 0.8, None, None),
                                            snapshot=rgb_of(data_dir, "kit_harington",
                                                            "kit_1.jpg"))
    driver = browser
    _log_in(driver, api, *VIEWER)
    assert _wait(lambda: driver.current_url.endswith("/admin"))
    alerts = driver.find_element(By.ID, "alerts")
    assert "open" in alerts.text
    driver.implicitly_wait(0)
    assert not alerts.find_elements(By.TAG_NAME, "button")
    driver.implicitly_wait(5)
    driver.find_element(By.CSS_SELECTOR, "header button").click()  # log out
    assert _wait(lambda: driver.current_url.endswith("/admin/login"))
    driver.get(api.url + "/admin")
    assert driver.current_url.endswith("/admin/login")


def test_hostile_names_show_as_text_in_the_browser(api: Api, data_dir: Path, browser: WebDriver,
                                                   tmp_path: Path) -> None:
    """Staff names and alert details holding markup are shown as typed, and run nothing."""
    import uuid

    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    from device.attendance import alert_event
    from device.events import AlertKind

    script, img = "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'
    for staff_id, name, file in (("alex_lacamoire", script, "alex_2.jpg"),
                                 ("barack_obama", img, "obama_2.jpg")):
        r = api.admin.post("/face/registration", data={"id": staff_id, "username": name},
                           files={"file": photo(data_dir, staff_id, file)})
        assert r.status_code == 200, r.text
    attendance = Attendance(api.terminal.store)
    attendance.on_match(Match(Verdict.KNOWN, "alex_lacamoire", 0.3, None, None))
    attendance.on_match(Match(Verdict.KNOWN, "barack_obama", 0.28, None, None))
    with api.terminal.store.transaction() as txn:
        txn.append([alert_event(txn.connection, uuid.uuid4().hex, AlertKind.DEVICE_FAULT,
                                detail, None) for detail in (script, img)])

    driver = browser
    _log_in(driver, api, *ADMIN)
    assert _wait(lambda: driver.current_url.endswith("/admin"))
    for section in ("people", "punches", "alerts"):
        text = driver.find_element(By.ID, section).text
        assert script in text and img in text, (section, text)
    assert driver.execute_script(
        "return [document.scripts.length, document.querySelectorAll('[onerror]').length,"
        " document.querySelectorAll('img[src=\"x\"]').length]") == [1, 0, 0]
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text
    screenshot = tmp_path / "hostile.png"
    assert driver.save_screenshot(str(screenshot))
