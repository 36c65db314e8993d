"""Payload checks: each sender's shape is understood, every malformed one is refused with a reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imdesk.domain.alert_accept import accept
from imdesk.domain.alert_payload import (
    MAX_DEPTH,
    PayloadError,
    _depth,
    _nesting_bound,
    derive_fingerprint,
    load_json,
    parse,
)
from imdesk.domain.alert_rules import AlertMapping, ServiceRule, Window, parse_matchers
from imdesk.domain.errors import ValidationError
from imdesk.domain.priority import Level
from tests.conftest import START
from tests.helpers.alert_payloads import alertmanager, am_alert, encode, grafana, pagerduty


def test_alertmanager_group_is_one_notice_with_each_alert_status_from_its_own_field() -> None:
    body = alertmanager("g1", am_alert("DiskFull", instance="db1", fingerprint="f1"),
                        am_alert("DiskFull", "resolved", instance="db2", fingerprint="f2"))
    notice = parse(body)
    assert (notice.source, notice.group_key) == ("alertmanager", "g1")
    assert [(e.key, e.status) for e in notice.events] == [("f1", "firing"), ("f2", "resolved")]
    assert notice.events[0].severity == "critical"
    assert ("runbook", "https://wiki.example.com/runbooks/DiskFull") in notice.events[0].links
    assert notice.events[1].starts_at is not None


def test_a_missing_fingerprint_is_derived_from_the_sorted_labels() -> None:
    a = parse(alertmanager("g", am_alert("X", instance="i1"))).events[0]
    b_alert = am_alert("X", instance="i1")
    b_alert["labels"] = dict(reversed(list(b_alert["labels"].items())))
    b = parse(alertmanager("g", b_alert)).events[0]
    c = parse(alertmanager("g", am_alert("X", instance="i2"))).events[0]
    assert a.key == b.key == derive_fingerprint(a.labels)
    assert a.key != c.key


def test_grafana_is_recognised_and_its_links_kept() -> None:
    notice = parse(grafana("grafana-group", am_alert("CPU")))
    assert notice.source == "grafana"
    labels = dict(notice.events[0].links)
    assert labels["dashboard"] == "http://grafana/d/x" and labels["silence"].startswith("http://")


def test_the_legacy_grafana_webhook_is_refused_naming_the_format() -> None:
    legacy = {"ruleId": 1, "ruleName": "CPU", "state": "alerting", "title": "t", "message": "m",
              "evalMatches": [{"metric": "cpu", "value": 99}]}
    with pytest.raises(PayloadError, match="legacy Grafana webhook"):
        parse(legacy)


def test_pagerduty_event_is_one_alert_keyed_by_routing_and_dedup_key() -> None:
    notice = parse(pagerduty("trigger"))
    assert notice.pd_action == "trigger" and notice.group_key.endswith("/db-1-disk")
    assert notice.events[0].status == "firing" and notice.events[0].severity == "critical"
    assert parse(pagerduty("acknowledge")).events[0].status == "acknowledged"
    assert parse(pagerduty("resolve")).events[0].status == "resolved"


def test_a_keyless_pagerduty_trigger_gets_a_key_from_the_receiver() -> None:
    accepted = accept(encode(pagerduty("trigger", None)))
    assert accepted.assigned_key and len(accepted.assigned_key) == 32
    assert accept(encode(pagerduty("trigger", None))).assigned_key != accepted.assigned_key


@pytest.mark.parametrize(("body", "reason"), [
    (b"{not json", "malformed JSON"),
    (b"", "empty"),
    (b"\xff\xfe", "not UTF-8"),
    (b"[1, 2]", "must be a JSON object"),
    (b'{"a": NaN}', "not a JSON number"),
    (b"[" * 100_000 + b"]" * 100_000, "nested more than"),
    (encode({"x": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}), "nested"),
    (encode({"hello": "world"}), "unknown payload"),
    (encode({**alertmanager("g", am_alert("X")), "version": "3"}), "version '3' is not supported"),
    (encode({**alertmanager("g", am_alert("X")), "alerts": "oops"}), "alerts must be a list"),
    (encode({**alertmanager("g", am_alert("X")), "alerts": []}), "alerts is empty"),
    (encode({**alertmanager("g", am_alert("X")), "groupKey": 5}), "groupKey must be a string"),
    (encode(alertmanager("g", {**am_alert("X"), "status": "burning"})), "alerts[0].status must be"),
    (encode(alertmanager("g", {**am_alert("X"), "labels": {"a": 1}})), "alerts[0].labels.a must be"),
    (encode(alertmanager("g", {**am_alert("X"), "startsAt": "yesterday"})), "not an RFC 3339"),
    (encode({**alertmanager("g", am_alert("X")), "truncatedAlerts": -1}), "truncatedAlerts"),
    (encode({**pagerduty("trigger"), "routing_key": " "}), "routing_key is empty"),
    (encode({**pagerduty("trigger"), "routing_key": "k" * 257}), "routing_key is 257"),
    (encode({**pagerduty("trigger"), "event_action": "explode"}), "event_action must be one of"),
    (encode(pagerduty("resolve", None)), "dedup_key is required for resolve"),
    (encode({**pagerduty("trigger"), "payload": {"summary": "x", "source": "y",
                                                  "severity": "fatal"}}), "payload.severity"),
    (encode({**pagerduty("trigger"), "payload": "x"}), "payload must be an object"),
    (encode({**pagerduty("trigger"), "dedup_key": "k" * 256}), "dedup_key is 256"),
])
def test_malformed_payloads_are_refused_with_the_reason(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        accept(body)


def test_an_endpoint_refuses_another_senders_payload() -> None:
    with pytest.raises(PayloadError, match="expected a pagerduty payload but this is an alertmanager"):
        accept(encode(alertmanager("g", am_alert("X"))), "pagerduty")


def test_unknown_fields_are_ignored() -> None:
    body = alertmanager("g", {**am_alert("X"), "futureField": {"a": [1]}}, newTopLevel=True)
    assert parse(json.loads(json.dumps(body))).events[0].summary == "X on host1"
    assert load_json(encode(body))["newTopLevel"] is True


def test_matchers_and_mapping_rules() -> None:
    matchers = parse_matchers('job=~"vpn.*", env=prod, team!="db, storage"')
    assert [str(m) for m in matchers] == ['job=~vpn.*', "env=prod", 'team!="db, storage"']
    mapping = AlertMapping.from_json({"rules": [{"matchers": "job=~vpn.*", "service": "VPN"}]})
    assert mapping.service_for({"job": "vpn-gw"}) == "VPN"
    assert mapping.service_for({"job": "mail"}) is None
    assert mapping.levels_for("Critical") == (Level.HIGH, Level.HIGH)
    assert mapping.levels_for("unheard-of") == (Level.MEDIUM, Level.LOW)
    with pytest.raises(ValidationError, match="not a matcher"):
        parse_matchers("just words")
    with pytest.raises(ValidationError, match="not a regular expression"):
        parse_matchers("a=~(")


def test_a_window_covers_matching_alerts_only_while_it_runs() -> None:
    from datetime import timedelta

    w = Window(1, "db patching", START, START + timedelta(hours=1),
               matchers=parse_matchers("instance=~db.*"))
    assert w.covers(START, {"instance": "db1"}, None)
    assert not w.covers(START, {"instance": "web1"}, None)
    assert not w.covers(START + timedelta(hours=1), {"instance": "db1"}, None)
    assert w.state(START - timedelta(minutes=1)) == "upcoming"
    assert w.state(START + timedelta(hours=2)) == "expired"


@pytest.mark.parametrize("key", ["short", "R0UTING-KEY", "k" * 32, "k" * 256])
def test_a_pagerduty_routing_key_of_any_sane_length_is_accepted_and_routes_to_a_service(key: str) -> None:
    """PagerDuty's own documentation posts short placeholders; the key is a label for the rules."""
    notice = parse(json.loads(accept(encode(pagerduty("trigger", routing_key=key))).body))
    labels = notice.events[0].labels
    assert labels["routing_key"] == key
    mapping = AlertMapping(rules=(ServiceRule(parse_matchers(f'routing_key="{key}"'), "VPN"),))
    assert mapping.service_for(labels) == "VPN"
    assert mapping.service_for({**labels, "routing_key": "other"}) is None


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text("[]{}\"\\ab", max_size=6),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.text("[]{}\"ab", max_size=3), inner, max_size=4),
    max_leaves=60)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, wrap=st.integers(0, 40))
def test_the_nesting_is_refused_exactly_when_it_is_deeper_than_the_limit(value: object,
                                                                         wrap: int) -> None:
    """The quick bound on the text (strings with brackets in them included) never lets a too
    deeply nested payload through, and never refuses one within the limit."""
    data = {"x": value}
    for _ in range(wrap):
        data = {"x": [data]}
    body = json.dumps(data).encode()
    if _depth(data) > MAX_DEPTH:
        with pytest.raises(PayloadError, match="nested more than"):
            load_json(body)
    else:
        assert load_json(body) == data
    assert _nesting_bound(body.decode()) + 1 >= _depth(data)


def test_brackets_in_strings_do_not_make_a_payload_too_deep() -> None:
    """A payload with many brackets in its texts (a regex in a label) is measured on its
    structure, not refused."""
    labels = {f"re{n}": "[" * 40 + "{" * 40 for n in range(3)}
    body = alertmanager("g", am_alert("X", instance="i", fingerprint="f", **labels))
    notice = parse(load_json(encode(body)))
    assert notice.events[0].labels["re0"].startswith("[[[")
