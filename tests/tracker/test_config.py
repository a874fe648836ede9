"""Settings are parsed strictly: a malformed on/off or number setting stops the app, naming the variable."""

from __future__ import annotations

import pytest

from tracker import config, create_app
from tracker.config import ConfigError

# Each on/off setting and the config key it sets.
FLAGS = {"TRACKER_SYNC_ON_START": "TRACKER_SYNC_ON_START", "TRACKER_SECURE_COOKIES": "SESSION_COOKIE_SECURE",
         "TRACKER_SMTP_STARTTLS": "TRACKER_SMTP_STARTTLS", "FLASK_DEBUG": "TRACKER_DEVELOPMENT"}
NUMBERS = {"TRACKER_PROXY_FIX": "TRACKER_PROXY_FIX", "TRACKER_SMTP_PORT": "TRACKER_SMTP_PORT"}


def settings(**environ: str) -> dict:
    return config.from_environment(environ, "/srv/instance")


@pytest.mark.parametrize("name", FLAGS)
@pytest.mark.parametrize("value", ["abc", "2", "enabled", "tru", "y"])
def test_a_malformed_on_off_setting_is_refused_with_its_name_and_the_accepted_words(name, value):
    with pytest.raises(ConfigError) as refused:
        settings(**{name: value})
    message = str(refused.value)
    assert message.startswith(f"{name}={value!r}")
    assert "1, true, yes, on" in message and "0, false, no, off" in message


@pytest.mark.parametrize("name", FLAGS)
@pytest.mark.parametrize(("value", "expected"), [("1", True), ("TRUE", True), (" yes ", True), ("On", True),
                                                 ("0", False), ("false", False), ("No", False), ("OFF", False)])
def test_on_off_settings_take_every_documented_spelling(name, value, expected):
    assert settings(**{name: value})[FLAGS[name]] is expected


@pytest.mark.parametrize("name", FLAGS)
def test_an_unset_or_empty_on_off_setting_takes_its_default(name):
    assert settings(**{name: "  "})[FLAGS[name]] == settings()[FLAGS[name]]


@pytest.mark.parametrize(("name", "value"), [
    ("TRACKER_PROXY_FIX", "abc"), ("TRACKER_PROXY_FIX", "-1"), ("TRACKER_PROXY_FIX", "1.5"),
    ("TRACKER_PROXY_FIX", "²"), ("TRACKER_SMTP_PORT", "abc"), ("TRACKER_SMTP_PORT", "0"),
    ("TRACKER_SMTP_PORT", "65536"), ("TRACKER_SMTP_PORT", "587x"), ("TRACKER_SMTP_PORT", "-587")])
def test_a_malformed_number_setting_is_refused_with_its_name_and_the_accepted_range(name, value):
    with pytest.raises(ConfigError) as refused:
        settings(**{name: value})
    message = str(refused.value)
    assert message.startswith(f"{name}={value!r}") and "whole number" in message


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("TRACKER_PROXY_FIX", "0", 0), ("TRACKER_PROXY_FIX", " 2 ", 2), ("TRACKER_PROXY_FIX", "on", 1),
    ("TRACKER_PROXY_FIX", "off", 0), ("TRACKER_PROXY_FIX", "", 0), ("TRACKER_SMTP_PORT", "465", 465),
    ("TRACKER_SMTP_PORT", "65535", 65535), ("TRACKER_SMTP_PORT", "", config.DEFAULT_SMTP_PORT)])
def test_number_settings_parse(name, value, expected):
    assert settings(**{name: value})[NUMBERS[name]] == expected


def test_the_app_does_not_start_with_a_malformed_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("TRACKER_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("TRACKER_SYNC_ON_START", "0")
    monkeypatch.setenv("TRACKER_PROXY_FIX", "abc")
    with pytest.raises(ConfigError, match="TRACKER_PROXY_FIX='abc' is not a number of proxies"):
        create_app({"TESTING": True})
