"""A login's device, named from its User-Agent for a person to recognise ("Chrome · Android")."""

from __future__ import annotations

# first match wins: WeChat's and the phone makers' browsers also say "Chrome" or "Safari"
BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("QQBrowser", "QQ Browser"),
    ("UCBrowser", "UC Browser"),
    ("HuaweiBrowser", "Huawei Browser"),
    ("MiuiBrowser", "Mi Browser"),
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
    ("python-", "Python"),
    ("curl/", "curl"),
)
SYSTEMS = (
    ("HarmonyOS", "HarmonyOS"),  # says "Android" too
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_of(user_agent: str) -> str:
    """ "Browser · System" as far as the User-Agent tells; "" when it tells nothing."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    return " · ".join(part for part in (browser, system) if part)
