"""The terminal and the browser walk the questionnaire the same way.

Both fronts are driven with the same answers, wrong ones first, starting from the example:
the terminal through its own prompt logic (only questionary's drawing is replaced by a typist
that runs each prompt's own validation, as questionary does on Enter), the browser through the
form it evaluates.  They must ask the same questions in the same order, refuse the same entries
with the same messages and store the same answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from slabuilder import interview as interview_module
from slabuilder.interview import Terminal, collect_answers
from slabuilder.keypath import delete_path, get_path
from slabuilder.questionnaire import Questionnaire
from slabuilder.web.forms import evaluate

Script = dict[str, list[Any]]
"""Question id to what is typed there, in turn: every entry but the last is refused."""

LEFT_OUT = {"branches closed again, signatories new": "agreement.signatories"}
"""A key taken out of the example before the walk: its questions start from their defaults."""

SCRIPTS: dict[str, Script] = {
    "branches and wrong entries": {
        "company_name": ["Northwind Analytics"],
        "crm": ["salesforce"],
        "timezone": ["Mars/Olympus", "Europe/Berlin"],
        "business_days": [["Mon", "Tue", "Wed", "Thu"]],
        "revenue_target": ["about a million", "$1.2M"],
        "sales_cycle_days": ["2,5", "-4", "75"],
        "pipeline_coverage": ["3,5", "3.5"],
        "has_sal": ["yes"],
        "mql_to_sal": ["55", "0,5", "70%"],
        "sal_to_sql": ["120%", "80%"],
        "sdrs": ["-3", "four", "4"],
        "change_points": ["yes"],
        "points_demo_request": ["abc", "1000", "30"],
        "change_terms": ["yes"],
        "speed_to_lead_hours": ["0,5", "0.5"],
        "contact_attempts": ["0", "8"],
    },
    "branches closed again, signatories new": {
        "marketing_signatory_name": ["Dana Whit"],
        "marketing_signatory_title": ["VP Demand"],
        "sales_signatory_name": ["Lee Park"],
        "sales_signatory_title": ["CRO"],
        "has_sal": ["no"],
        "mql_to_sql": ["2", "45%"],
        "change_points": ["no"],
        "change_terms": ["no"],
        "size_min": ["ten", "10"],
    },
}


class Typist:
    """Stands in for questionary: answers each prompt from the script, through the prompt's
    own ``validate``, and records the messages it shows."""

    def __init__(self, script: Script) -> None:
        self.script = {key: list(entries) for key, entries in script.items()}
        self.asked: list[str] = []
        self.messages: dict[str, list[str]] = {}
        self.current: str | None = None

    def spy(self, ask: Callable[..., Any]) -> Callable[..., Any]:
        def asking(interview: Any, question: Any, default: Any) -> Any:
            self.current = question.id
            self.asked.append(question.id)
            try:
                return ask(interview, question, default)
            finally:
                self.current = None
        return asking

    def _entries(self) -> list[Any]:
        assert self.current is not None
        return self.script.get(self.current, [])

    def _validated(self, entries: list[Any], keep: Any,
                   validate: Callable[[Any], bool | str] | None) -> Any:
        for entry in entries or [keep]:
            verdict = True if validate is None else validate(entry)
            if verdict is True:
                return entry
            self.messages.setdefault(self.current or "", []).append(str(verdict))
        raise AssertionError(f"every entry for {self.current} was refused")

    # the parts of questionary the interview uses

    def text(self, message: str, *, validate: Callable[[str], bool | str],
             default: str = "", **_: Any) -> Any:
        # Enter on an empty line keeps the default: the line holds it when it is editable.
        return _Answer(lambda: self._validated(self._entries(), default, validate))

    autocomplete = text

    def confirm(self, message: str, *, default: bool = False, **_: Any) -> Any:
        if self.current is None:  # "save your answers so far?" is not part of a script
            return _Answer(lambda: default)
        entries = [entry == "yes" for entry in self._entries()]
        return _Answer(lambda: self._validated(entries, default, None))

    def select(self, message: str, *, choices: list[Any], default: Any = None,
               **_: Any) -> Any:
        if self.current is None:  # the review screen: save
            return _Answer(lambda: choices[0].value)
        first = default if default is not None else choices[0].value
        return _Answer(lambda: self._validated(self._entries(), first, None))

    def checkbox(self, message: str, *, choices: list[Any],
                 validate: Callable[[list[str]], bool | str], **_: Any) -> Any:
        ticked = [choice.value for choice in choices if choice.checked]
        return _Answer(lambda: self._validated(self._entries(), ticked, validate))

    def Choice(self, title: str, value: Any = None, checked: bool = False) -> Any:
        return _Choice(title, value, checked)

    def Separator(self, title: str) -> Any:
        return _Choice(title, None, False)


class _Answer:
    def __init__(self, answer: Callable[[], Any]) -> None:
        self.answer = answer

    def unsafe_ask(self) -> Any:
        return self.answer()


class _Choice:
    def __init__(self, title: str, value: Any, checked: bool) -> None:
        self.title, self.value, self.checked = title, value, checked


def _terminal(questionnaire: Questionnaire, start: dict[str, Any], script: Script,
              monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], Typist]:
    typist = Typist(script)
    monkeypatch.setattr(interview_module, "_questionary", lambda: typist)
    monkeypatch.setattr(interview_module._Interview, "ask",
                        typist.spy(interview_module._Interview.ask))
    data = collect_answers(questionnaire, defaults=start, interactive=True,
                           terminal=Terminal(echo=lambda _: None))
    return data, typist


def _typed(entry: Any) -> Any:
    return entry if isinstance(entry, list) else str(entry)


def _browser(questionnaire: Questionnaire, start: dict[str, Any], script: Script) -> tuple[
        dict[str, Any], list[str], dict[str, list[str]]]:
    final = {qid: _typed(entries[-1]) for qid, entries in script.items()}
    state = evaluate(questionnaire, start, final)
    assert state.errors == {}
    asked = [qid for qid, shown in state.fields.items() if shown.visible]
    messages: dict[str, list[str]] = {}
    for qid, entries in script.items():
        for wrong in entries[:-1]:
            field = evaluate(questionnaire, start, {**final, qid: _typed(wrong)}).fields[qid]
            assert field.visible, (qid, wrong)
            assert field.error is not None, (qid, wrong)
            messages.setdefault(qid, []).append(field.error)
    return state.data, asked, messages


@pytest.mark.parametrize("name", list(SCRIPTS))
def test_the_terminal_and_the_browser_ask_refuse_and_store_alike(
        name: str, questionnaire: Questionnaire, example_data: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    script = SCRIPTS[name]
    if name in LEFT_OUT:
        delete_path(example_data, LEFT_OUT[name])
    in_terminal, typist = _terminal(questionnaire, example_data, script, monkeypatch)
    in_browser, asked, messages = _browser(questionnaire, example_data, script)

    assert typist.asked == asked
    # The same message, except that the page names a question by its title where the
    # terminal (and an answers file) names its key: company.number_format is "Numbers".
    titles = {q.key: f"“{q.title}”" for _, q in questionnaire.questions() if q.key}
    assert {qid: [re.sub(r"\b[a-z_]+\.[a-z_.]+\b",
                         lambda key: titles.get(key.group(0), key.group(0)), message)
                  for message in said] for qid, said in typist.messages.items()} == messages
    assert in_terminal == {"format": 1, **{k: v for k, v in in_browser.items()
                                           if k != "format"}}
    # Every scripted question was reached, and a wrong entry refused in both.
    assert set(script) <= set(asked)
    assert {qid for qid, entries in script.items() if len(entries) > 1} == set(messages)
    if name in LEFT_OUT:  # the sides nobody is asked come from the questionnaire
        assert [s["side"] for s in in_browser["agreement"]["signatories"]] == [
            "marketing", "sales"]


def test_the_script_reaches_the_branches_it_means_to(
        questionnaire: Questionnaire, example_data: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The figures the first script types end up in the answers, as the user meant them."""
    data, typist = _terminal(questionnaire, example_data, SCRIPTS["branches and wrong entries"],
                             monkeypatch)
    assert get_path(data, "funnel.mql_to_sal") == "70%"
    assert get_path(data, "funnel.sal_to_sql") == "80%"
    assert get_path(data, "economics.revenue_target") == 1200000
    assert get_path(data, "team.sdrs") == 4
    assert get_path(data, "sla.sales.speed_to_lead_hours") == "0.5"
    assert typist.messages["mql_to_sal"][0] == "55 is not a rate; write 55% or 0.55"
    assert "0,5" in typist.messages["speed_to_lead_hours"][0]
