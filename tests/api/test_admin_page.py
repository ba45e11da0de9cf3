"""The web admin page in a real headless browser (Debian's chromium + chromedriver)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from device.attendance import Attendance
from device.recognition.decision import Match, Verdict
from tests.api.conftest import ADMIN, VIEWER, Api, photo, rgb_of

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
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


def _log_in(driver: object, api: Api, username: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(api.url + "/admin")  # type: ignore[attr-defined]
    assert driver.current_url.endswith("/admin/login")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "username").send_keys(username)  # type: ignore[attr-defined]
    driver.find_element(By.ID, "password").send_keys(password)  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()  # type: ignore[attr-defined]


def _wait(condition: object, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_admin_page_shows_people_punches_alerts_and_live_view(
        api: Api, data_dir: Path, browser: object, tmp_path: Path) -> None:
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
    error = driver.find_element(By.CSS_SELECTOR, ".login .error")  # type: ignore[attr-defined]
    assert error.text == "wrong user name or password"
    driver.find_element(By.ID, "username").clear()  # type: ignore[attr-defined]
    _log_in(driver, api, *ADMIN)
    assert _wait(lambda: driver.current_url.endswith("/admin"))  # type: ignore[attr-defined]

    people = driver.find_element(By.ID, "people").text  # type: ignore[attr-defined]
    assert "艾超" in people and "alex_lacamoire" in people and "People 人员 (6)" in people
    punches = driver.find_element(By.ID, "punches").text  # type: ignore[attr-defined]
    assert "艾超" in punches and "Barack Obama" in punches
    snapshot = driver.find_element(By.CSS_SELECTOR, "#alerts img.snap")  # type: ignore[attr-defined]
    assert _wait(lambda: driver.execute_script(  # type: ignore[attr-defined]
        "return arguments[0].complete && arguments[0].naturalWidth", snapshot))

    driver.find_element(By.ID, "live-toggle").click()  # type: ignore[attr-defined]
    live = driver.find_element(By.ID, "live")  # type: ignore[attr-defined]
    assert _wait(lambda: driver.execute_script(  # type: ignore[attr-defined]
        "return arguments[0].naturalWidth", live) == 640)
    time.sleep(0.5)  # a few frames in
    screenshot = tmp_path / "admin.png"
    assert driver.save_screenshot(str(screenshot))  # type: ignore[attr-defined]
    assert screenshot.stat().st_size > 20_000
    driver.find_element(By.ID, "live-toggle").click()  # stop the stream  # type: ignore[attr-defined]

    driver.find_element(By.CSS_SELECTOR, "#alerts button").click()  # type: ignore[attr-defined]
    driver.switch_to.alert.accept()  # type: ignore[attr-defined]
    assert _wait(lambda: "handled" in driver.find_element(  # type: ignore[attr-defined]
        By.ID, "alerts").text)
    assert api.terminal.alerts()[0].alert_id == stranger.alert_id
    assert api.terminal.alerts()[0].handled


def test_viewers_see_no_change_buttons(api: Api, data_dir: Path, browser: object) -> None:
    from selenium.webdriver.common.by import By

    Attendance(api.terminal.store).on_match(Match(Verdict.UNKNOWN, None, 0.8, None, None),
                                            snapshot=rgb_of(data_dir, "kit_harington",
                                                            "kit_1.jpg"))
    driver = browser
    _log_in(driver, api, *VIEWER)
    assert _wait(lambda: driver.current_url.endswith("/admin"))  # type: ignore[attr-defined]
    alerts = driver.find_element(By.ID, "alerts")  # type: ignore[attr-defined]
    assert "open" in alerts.text
    driver.implicitly_wait(0)  # type: ignore[attr-defined]
    assert not alerts.find_elements(By.TAG_NAME, "button")
    driver.implicitly_wait(5)  # type: ignore[attr-defined]
    driver.find_element(By.CSS_SELECTOR, "header button").click()  # log out  # type: ignore[attr-defined]
    assert _wait(lambda: driver.current_url.endswith("/admin/login"))  # type: ignore[attr-defined]
    driver.get(api.url + "/admin")  # type: ignore[attr-defined]
    assert driver.current_url.endswith("/admin/login")  # type: ignore[attr-defined]


def test_hostile_names_show_as_text_in_the_browser(api: Api, data_dir: Path, browser: object,
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
    assert _wait(lambda: driver.current_url.endswith("/admin"))  # type: ignore[attr-defined]
    for section in ("people", "punches", "alerts"):
        text = driver.find_element(By.ID, section).text  # type: ignore[attr-defined]
        assert script in text and img in text, (section, text)
    assert driver.execute_script(  # type: ignore[attr-defined]
        "return [document.scripts.length, document.querySelectorAll('[onerror]').length,"
        " document.querySelectorAll('img[src=\"x\"]').length]") == [1, 0, 0]
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text  # type: ignore[attr-defined]
    screenshot = tmp_path / "hostile.png"
    assert driver.save_screenshot(str(screenshot))  # type: ignore[attr-defined]
