"""The law core's explanations in the reader's language (issue #4 §4): every template of the law
core has a Kazakh and a Russian text with the same placeholders, no explanation is built from a
template outside the module's table, and a list contest's allocation trace and a district's reason
read in Kazakh on a Kazakh page and in Russian on a Russian page (SQLite and PostgreSQL)."""

from __future__ import annotations

import ast
import html
import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

import saylau.law
import saylau.web
from saylau.law.allocation import TraceStep, allocate
from saylau.law.district import ContestRound, decide_district
from saylau.law.explain import Explanation, placeholders
from saylau.law.methods import Method, PartyList
from saylau.law.rules import DEFAULT_RULES, Body, SmdMajority
from saylau.services.context import Actor
from saylau.services.protocols import enter_protocol
from saylau.services.tabulation import tabulate_election
from saylau.web.app import create_app
from saylau.web.pages.explain import explainer
from tests.services.count_world import CountWorld, double_entry, figures, run, setup, typist
from tests.web.test_commission_pages import assert_clean, passwords, sign_in

WEB = Path(saylau.web.__file__).parent
LAW = Path(saylau.law.__file__).parent


def law_templates() -> dict[str, str]:
    """Every template of the law core (each module's ``EXPLANATIONS``) → the module it is in."""
    found: dict[str, str] = {}
    for module in pkgutil.iter_modules([str(LAW)]):
        loaded = importlib.import_module(f"saylau.law.{module.name}")
        for template in getattr(loaded, "EXPLANATIONS", ()):
            found[template] = module.name
    return found


def catalogue(language: str) -> dict[str, str]:
    path = WEB / "locale" / language / "LC_MESSAGES" / "law.po"
    with path.open("rb") as handle:
        return {str(m.id): str(m.string) for m in read_po(handle, locale=language) if m.id}


def test_every_template_of_the_law_core_is_translated_with_the_same_placeholders() -> None:
    templates = law_templates()
    assert {"allocation", "district"} <= set(templates.values())
    assert len(templates) > 40
    english = catalogue("en")
    assert set(english) == set(templates), "law.po (en) must hold exactly the law's templates"
    assert all(english[t] == t for t in templates)
    for language in ("kk", "ru"):
        messages = catalogue(language)
        assert set(messages) == set(templates), language
        for template in templates:
            translated = messages[template]
            assert translated and translated != template, (language, template)
            assert placeholders(translated) == placeholders(template), (language, template)


def _template_argument(call: ast.Call) -> ast.expr | None:
    name = call.func.id if isinstance(call.func, ast.Name) else None
    position = {"Explanation": 0, "TraceStep": 1}.get(name or "")
    if position is None:
        return None
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == "template"), None)


def test_explanations_are_built_from_the_tables_only() -> None:
    """A template written inline (a string literal at the call) would escape the catalogue."""
    for path in sorted(LAW.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (argument := _template_argument(node)) is not None:
                assert not isinstance(argument, (ast.Constant, ast.JoinedStr, ast.BinOp)), (
                    f"{path.name}:{node.lineno} builds an explanation from an inline string"
                )


def _templates_of(result: object) -> set[str]:
    """Every template an allocation or a district result explains itself with."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, (Explanation, TraceStep)):
            found.add(value.template)
        if isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif hasattr(value, "__dataclass_fields__"):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name))

    walk(result)
    return found


def test_every_explanation_given_is_in_the_catalogue_and_reads_as_before() -> None:
    known = set(law_templates())
    rules = DEFAULT_RULES.list_rules(Body.MASLIKHAT)
    lists = [PartyList("A", 520, 1), PartyList("B", 310, 2), PartyList("C", 130, 3)]
    two = [PartyList("A", 100, 1), PartyList("B", 100, 2), PartyList("C", 0, 3)]
    one = [PartyList("A", 900, 1), PartyList("B", 30, 2), PartyList("C", 30, 3)]
    results: list[object] = [
        allocate(lists, 5, rules, against_all=40),
        allocate(lists, 5, rules, against_all=40, method=Method.DHONDT),
        allocate(lists, 5, rules, against_all=40, method=Method.DROOP_LR),
        allocate(two, 3, rules),
        allocate(one, 5, rules),
        allocate([PartyList("A", 1, 1)], 2, rules, against_all=1000),
        decide_district({"Асанов": 500, "Бекова": 300}, 900),
        decide_district({"Асанов": 300, "Бекова": 300, "Ким": 300}, 0, lot_seed="s"),
        decide_district({"Асанов": 300, "Бекова": 300, "Ким": 300}, 0),
        decide_district({"Асанов": 3, "Бекова": 3}, 0, contest_round=ContestRound.RUNOFF),
        decide_district({"Асанов": 5}, 9),
    ]
    absolute = replace(DEFAULT_RULES, smd_majority=SmdMajority.ABSOLUTE)
    results.append(decide_district({"Асанов": 60, "Бекова": 30, "Ким": 20}, 0, rules=absolute))
    results.append(decide_district({"Асанов": 40, "Бекова": 30, "Ким": 20}, 0, rules=absolute))
    for result in results:
        assert _templates_of(result) <= known
    # The English sentence is the one the law core always gave (the CLI and the API show it).
    trace = allocate(lists, 5, rules, against_all=40)
    assert trace.steps[0].text == (
        "Threshold base (valid): valid ballots: party votes + against all (invalid excluded) "
        "= 960 + 40 = 1000."
    )
    assert "Hare quota = 960 votes of the passing lists / 5 = 192/1 ≈ 192.000000." in [
        s.text for s in trace.steps
    ]
    assert trace.tests[0].reason == "share ≥ 1/20" == trace.tests[0].explanation.text
    tied = decide_district({"Асанов": 300, "Бекова": 300, "Ким": 300}, 0)
    assert (
        tied.reason
        == tied.explanation.text
        == (
            "3 candidates tie for first place with 300 votes; 3 candidates tie for 2 runoff "
            "place(s); a lot with a published seed must decide (decisions #6, #9)"
        )
    )


def test_an_explanation_is_said_in_the_language_with_its_numbers_formatted() -> None:
    step = {
        "article": "CL art. 111-1 para 1",
        "template": "Hare quota = {votes} votes of the passing lists / {seats} = {quota} ≈ "
        "{quota:.6}.",
        "values": {"votes": 2200, "seats": 3, "quota": "2200/3"},
        "text": "Hare quota = 2200 votes of the passing lists / 3 = 2200/3 ≈ 733.333333.",
    }
    kk = explainer("kk")(step)
    ru = explainer("ru")(step)
    en = explainer("en")(step)
    assert (kk.lang, ru.lang, en.lang) == ("kk", "ru", "en")
    assert re.fullmatch(
        r"Хэйр квотасы = өту шегінен өткен тізімдердің 2\s200 дауысы / 3 = 2200/3 ≈ 733,333333\.",
        kk.text,
    ), kk.text
    assert re.fullmatch(
        r"Квота Хэйра = голоса прошедших списков \(2\s200\) / 3 = 2200/3 ≈ 733,333333\.", ru.text
    ), ru.text
    assert en.text == "Hare quota = 2,200 votes of the passing lists / 3 = 2200/3 ≈ 733.333333."
    # Law-core objects are said alike; exact fractions are never rounded in the data.
    test = allocate([PartyList("A", 1, 1)], 1, DEFAULT_RULES.list_rules(Body.MASLIKHAT)).tests[0]
    assert test.explanation.values["threshold"] == Fraction(1, 20)
    assert str(explainer("ru")(test.explanation)) == "доля ≥ 1/20"
    # A result stored before explanations were structured keeps its English sentence, marked so.
    old = explainer("kk")({"article": "decision #2", "text": "No list reached the threshold."})
    assert (old.text, old.lang) == ("No list reached the threshold.", "en")
    assert explainer("ru")("no votes").text == "голосов нет"


@pytest.fixture
def counted(factory: sessionmaker[Session]) -> Iterator[tuple[TestClient, CountWorld]]:
    cw = setup(factory)
    passwords(factory, cw.world.users, "oblast_admin")
    app = create_app(factory, secret="test-secret")
    with TestClient(app) as client:
        yield client, cw


def _steps(page: str) -> list[str]:
    """The items of the allocation trace, as read (tags dropped, entities decoded)."""
    block = page.split('id="trace-title"')[1].split("</details>")[0]
    items = re.findall(r"<li([^>]*)>(.*?)</li>", block, re.DOTALL)
    return [
        attributes + " " + html.unescape(re.sub(r"<[^>]+>", "", text)) for attributes, text in items
    ]


def test_the_allocation_trace_reads_in_kazakh_and_in_russian(
    counted: tuple[TestClient, CountWorld], factory: sessionmaker[Session]
) -> None:
    client, cw = counted
    lists = cw.choices["oblast_list"]
    for name in ("p1", "p2", "p3", "p4"):
        votes = {lists["alpha"]: 300, lists["beta"]: 200, lists["gamma"]: 50}
        double_entry(factory, cw, "oblast_list", name, figures(votes, against_all=20, invalid=5))
    district = cw.choices["oblast_o1"]
    data = figures({district["Абаев"]: 300, district["Бекова"]: 200, district["Жұмабаев"]: 80})
    for which in ("a", "b"):
        run(
            factory,
            typist(factory, cw, "p1", which),
            enter_protocol,
            cw.contest("oblast_o1"),
            cw.precinct("p1"),
            data,
        )
    run(factory, Actor.operator(), tabulate_election, cw.world.election)
    expected = {
        "kk": (
            r"Хэйр квотасы = өту шегінен өткен тізімдердің 2\s200 дауысы / 3 = 2200/3 ≈ "
            r"733,333333\.",
            r"1-мандат → alpha: ең үлкен қалдық 7/11 ≈ 0,636364\.",
            "басқа әр кандидаттан көп дауыс алды",
            "үлесі ≥ 1/20",
        ),
        "ru": (
            r"Квота Хэйра = голоса прошедших списков \(2\s200\) / 3 = 2200/3 ≈ 733,333333\.",
            r"Мандат 1 → alpha: наибольший остаток 7/11 ≈ 0,636364\.",
            "больше голосов, чем у каждого другого кандидата",
            "доля ≥ 1/20",
        ),
    }
    for language, (quota, seat, elected, passed) in expected.items():
        admin = sign_in(client.app, "oblast_admin", language)
        response = admin.get(f"/results/contest/{cw.contest('oblast_list')}")
        assert response.status_code == 200
        assert_clean(response.text)
        steps = _steps(response.text)
        assert len(steps) >= 8, steps
        assert not [s for s in steps if 'lang="en"' in s], "an untranslated step"
        assert any(re.search(quota, s) for s in steps), (language, steps)
        assert any(re.search(seat, s) for s in steps), (language, steps)
        assert "Threshold" not in " ".join(steps) and "passes" not in " ".join(steps)
        assert passed in html.unescape(response.text)
        smd = admin.get(f"/results/contest/{cw.contest('oblast_o1')}")
        assert smd.status_code == 200
        shown = html.unescape(smd.text)
        assert elected in shown and "more votes than every other candidate" not in shown
        assert 'lang="en"' not in smd.text.split('id="district-title"')[1]
    english = sign_in(client.app, "oblast_admin", "en")
    steps = _steps(english.get(f"/results/contest/{cw.contest('oblast_list')}").text)
    assert any("Hare quota = 2,200 votes of the passing lists / 3 = 2200/3" in s for s in steps)
