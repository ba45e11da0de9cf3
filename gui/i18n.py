"""Screen text in Chinese and English (device setting `language`: "zh" or "en").

A dictionary per language of the screen's own words; `tr(key, **values)` formats the
current language's text and falls back to English, then to the key itself, so a missing
translation shows up as text rather than a crash. tests/gui checks both tables have the
same keys.

What the core says (quality problems, access reasons, alert kinds and details) is not
here: device/messages.py has it in both languages, and `core(code, **values)` asks it in
the current language. The `kind_*` keys are the catalogue's alert kind names.
"""

from __future__ import annotations

import datetime as dt
import logging

from device import messages
from device.events import AlertKind

log = logging.getLogger("facegate.gui")

LANGUAGES = ("zh", "en")

EN: dict[str, str] = {
    # common
    "back": "Back", "cancel": "Cancel", "ok": "OK", "yes": "Yes", "no": "No",
    "save": "Save", "saved": "Saved", "remove": "Remove", "next": "Next", "done": "Done",
    "retry": "Try again", "logout": "Log out", "admin": "Admin",
    # standby and live
    "please_approach": "Please step up to the camera",
    "sync_no_agent": "Offline (no sync)", "sync_online": "Online",
    "sync_offline": "Offline since {time}", "sync_synced": "Synced",
    "sync_pending": "{n} records to upload",
    "recognising": "Recognising…", "look_at_camera_live": "Look at the camera",
    "unknown": "Unknown", "distance": "{m:.2f} m",
    # result
    "checked_in": "Checked in {time}", "checked_out": "Checked out {time}",
    "already_punched": "Already punched · door open",
    "spoof_refused": "Photo or screen suspected: no entry",
    "not_recognised": "Not recognised", "not_recognised_hint": "Please contact the office",
    "door_opened": "Door opened", "door_opened_remote": "Door opened remotely",
    "staff_id": "Staff ID {id}", "door_error": "Door lock fault",
    "reason_fleet command": "Command from the fleet hub",
    # PIN
    "pin_title": "Admin PIN", "pin_wrong": "Wrong PIN: {n} tries left",
    "pin_locked": "Too many wrong PINs: wait {s} s", "pin_new": "New PIN (4-8 digits)",
    "pin_confirm": "New PIN again", "pin_mismatch": "The two PINs differ",
    "pin_changed": "PIN changed", "pin_rule": "Use 4-8 digits",
    # admin menu
    "menu_enrol": "Enrol", "menu_people": "People", "menu_punches": "Punches",
    "menu_alerts": "Alerts", "menu_settings": "Settings", "menu_info": "Device",
    "alerts_open": "Alerts ({n})",
    # enrol
    "field_staff_id": "Staff ID", "field_name": "Name", "enrol_start": "Camera",
    "enrol_missing": "Enter a staff ID and a name",
    "hint_no_face": "No face in view", "hint_one_person": "One person only, please",
    "hint_come_closer": "Come closer", "hint_too_dark": "Too dark",
    "hint_hold_still": "Hold still (blurred)", "hint_look_at_camera": "Look straight ahead",
    "hint_same_photo": "This photo is enrolled already",
    "hint_good": "Good, hold it", "hint_captured": "Captured", "hint_done": "Captured",
    "enrol_progress": "{n} of {total} photos", "enrol_saving": "Saving…",
    "enrolled": "Enrolled {name} ({id}): {n} samples",
    "enrol_failed": "Not enrolled: {reason}", "enrol_another": "Enrol another",
    "already_enrolled": "This face is already enrolled as {name} ({id})",
    # people
    "search": "Search ID or name", "samples": "{n} samples",
    "sample_quality": "sharpness {q}", "people_count": "{n} enrolled",
    "more_people": "{n} more: refine the search", "nobody": "Nobody enrolled",
    "remove_confirm": "Remove {name} and erase the face data?", "removed": "Removed {name}",
    # punches
    "today": "Today", "week": "7 days", "month": "30 days", "all": "All",
    "col_time": "Time", "col_status": "",
    "punch_in": "In", "punch_out": "Out", "punch_count": "{n}",
    "no_punches": "No punches",
    # alerts
    "open_only": "Open", "all_alerts": "All", "mark_handled": "Handled ✓",
    "handled": "handled", "no_alerts": "No alerts", "no_snapshot": "No snapshot",
    # settings
    "set_threshold": "Match threshold", "set_debounce": "Repeat punch window",
    "set_wake": "Wake distance", "set_pulse": "Door open time", "set_language": "Language",
    "change_pin": "Change PIN", "unit_s": "s", "unit_mm": "mm", "unit_min": "min",
    "settings_failed": "Not saved: {reason}",
    # device info
    "info_version": "Version", "info_device": "Device", "info_database": "Database",
    "info_people": "People / samples", "info_punches": "Punches", "info_events": "Events",
    "info_alerts": "Open alerts", "info_sync": "Sync", "info_queue": "Waiting to upload",
    "info_acked": "Hub acknowledged", "info_session": "Sync session",
    "info_contact": "Last hub contact", "info_camera": "Camera", "info_tof": "TOF sensor",
    "info_recognised": "Frames recognised", "never": "never", "none": "none",
    "info_tof_none": "none (camera always on)",
}

ZH: dict[str, str] = {
    "back": "返回", "cancel": "取消", "ok": "确定", "yes": "是", "no": "否",
    "save": "保存", "saved": "已保存", "remove": "删除", "next": "下一步", "done": "完成",
    "retry": "重试", "logout": "退出", "admin": "管理",
    "please_approach": "请靠近摄像头识别",
    "sync_no_agent": "离线（未同步）", "sync_online": "在线",
    "sync_offline": "离线，最后联系 {time}", "sync_synced": "已同步",
    "sync_pending": "{n} 条记录待上传",
    "recognising": "正在识别…", "look_at_camera_live": "请正对摄像头",
    "unknown": "未识别", "distance": "{m:.2f} 米",
    "checked_in": "签到成功 {time}", "checked_out": "签退成功 {time}",
    "already_punched": "已打过卡 · 门已开",
    "spoof_refused": "疑似照片或屏幕，禁止通行",
    "not_recognised": "未识别", "not_recognised_hint": "请联系管理员",
    "door_opened": "门已打开", "door_opened_remote": "门已远程打开",
    "staff_id": "工号 {id}", "door_error": "门锁故障",
    "reason_fleet command": "中心远程指令",
    "pin_title": "管理员密码", "pin_wrong": "密码错误，还可尝试 {n} 次",
    "pin_locked": "错误次数过多，请 {s} 秒后再试", "pin_new": "新密码（4-8 位数字）",
    "pin_confirm": "再次输入新密码", "pin_mismatch": "两次输入的密码不一致",
    "pin_changed": "密码已修改", "pin_rule": "请输入 4-8 位数字",
    "menu_enrol": "登记人员", "menu_people": "人员管理", "menu_punches": "打卡记录",
    "menu_alerts": "报警", "menu_settings": "设置", "menu_info": "设备信息",
    "alerts_open": "报警（{n}）",
    "field_staff_id": "工号", "field_name": "姓名", "enrol_start": "采集",
    "enrol_missing": "请输入工号和姓名",
    "hint_no_face": "未检测到人脸", "hint_one_person": "请只保留一人",
    "hint_come_closer": "请靠近一点", "hint_too_dark": "光线太暗",
    "hint_hold_still": "请保持不动（画面模糊）", "hint_look_at_camera": "请正对摄像头",
    "hint_same_photo": "这张照片已经登记过",
    "hint_good": "很好，请保持", "hint_captured": "已采集", "hint_done": "已采集",
    "enrol_progress": "第 {n}/{total} 张", "enrol_saving": "正在保存…",
    "enrolled": "已登记 {name}（{id}），{n} 个样本",
    "enrol_failed": "登记失败：{reason}", "enrol_another": "继续登记",
    "already_enrolled": "此人脸已登记为 {name}（{id}）",
    "search": "搜索工号或姓名", "samples": "{n} 个样本",
    "sample_quality": "清晰度 {q}", "people_count": "共 {n} 人",
    "more_people": "还有 {n} 人，请缩小搜索范围", "nobody": "尚未登记人员",
    "remove_confirm": "删除 {name} 并销毁其人脸数据？", "removed": "已删除 {name}",
    "today": "今天", "week": "7 天", "month": "30 天", "all": "全部",
    "col_time": "时间", "col_status": "",
    "punch_in": "签到", "punch_out": "签退", "punch_count": "{n} 条记录",
    "no_punches": "没有打卡记录",
    "open_only": "未处理", "all_alerts": "全部", "mark_handled": "已处理 ✓",
    "handled": "已处理", "no_alerts": "没有报警", "no_snapshot": "无抓拍",
    "set_threshold": "识别阈值", "set_debounce": "重复打卡间隔",
    "set_wake": "唤醒距离", "set_pulse": "开门时长", "set_language": "语言",
    "change_pin": "修改密码", "unit_s": "秒", "unit_mm": "毫米", "unit_min": "分钟",
    "settings_failed": "未保存：{reason}",
    "info_version": "版本", "info_device": "设备", "info_database": "数据库",
    "info_people": "人员 / 样本", "info_punches": "打卡记录", "info_events": "事件",
    "info_alerts": "未处理报警", "info_sync": "同步", "info_queue": "待上传",
    "info_acked": "中心已确认", "info_session": "同步会话",
    "info_contact": "最后联系中心", "info_camera": "摄像头", "info_tof": "测距传感器",
    "info_recognised": "已识别帧数", "never": "从未", "none": "无",
    "info_tof_none": "无（摄像头常开）",
}

TABLES = {"en": EN, "zh": ZH}
for _language_name, _table in TABLES.items():
    _table.update({f"kind_{k.value}": messages.text(k, _language_name) for k in AlertKind})
WEEKDAYS_ZH = "一二三四五六日"

_language = "zh"


def set_language(language: str) -> None:
    global _language
    _language = language if language in TABLES else "en"


def language() -> str:
    return _language


def tr(key: str, **values: object) -> str:
    text = TABLES[_language].get(key) or EN.get(key)
    if text is None:
        log.warning("no text for %r", key)
        return key
    return text.format(**values) if values else text


def core(code: messages.Code, **values: object) -> str:
    """What the core says with this code, in the current language (device/messages.py)."""
    return messages.text(code, _language, **values)


def long_date(day: dt.date) -> str:
    if _language == "zh":
        return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS_ZH[day.weekday()]}"
    return f"{day:%A}, {day.day} {day:%B %Y}"


def clock(t: float) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%H:%M:%S")


def stamp(t: float) -> str:
    return dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S")
