"""The interview driven in-process: prompt_toolkit pipe input, keystroke by keystroke.

With the example as the previous answers file the interview asks 48 questions (in the order
below), then shows the review screen, whose first row is "Save these answers".
"""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from slabuilder.answerfile import answers_from_data
from slabuilder.answers import Answers
from slabuilder.errors import InterviewAborted, SlabuilderError
from slabuilder.interview import Terminal, collect_answers
from slabuilder.questionnaire import Questionnaire
from slabuilder.yamlio import read_yaml_file

ENTER, DOWN, UP, CTRL_C, CTRL_U = "\r", "\x1b[B", "\x1b[A", "\x03", "\x15"
ASKED_FROM_EXAMPLE = 49
"""Questions asked when every answer comes from the example (gates closed)."""
ORDER = {"company_name": 0, "mql_to_sql": 30, "has_sal": 29, "change_terms": 48}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Run:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.screen = io.StringIO()

    @property
    def said(self) -> str:
        return "\n".join(self.lines)

    @property
    def shown(self) -> str:
        """Everything the prompts drew, without the terminal's control codes."""
        return ANSI.sub("", self.screen.getvalue())


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def interview(questionnaire: Questionnaire, run: Run) -> Any:
    """Type ``keys`` into a real interview; the input is closed after them, so a missing
    keystroke ends the interview (as Ctrl-D would) instead of hanging the test."""

    def go(keys: str | list[str], *, screen: bool = False, **options: Any) -> dict[str, Any]:
        """``keys`` as one string, or as chunks typed once the screen has settled (0.3 s
        without a change), so that the screen between them (a validation message) is drawn
        however long the keys before took on a busy machine."""
        chunks = [keys] if isinstance(keys, str) else keys
        with create_pipe_input() as pipe:
            typist = threading.Thread(target=_type, args=(pipe, chunks, run.screen),
                                      daemon=True)
            typist.start()
            output = (Vt100_Output(run.screen, lambda: Size(rows=120, columns=200),
                                   term="xterm") if screen else DummyOutput())
            try:
                return collect_answers(questionnaire, interactive=True,
                                       terminal=Terminal(pipe, output, run.lines.append),
                                       **options)
            finally:
                typist.join()

    return go


def _type(pipe: Any, chunks: list[str], screen: io.StringIO) -> None:
    for number, chunk in enumerate(chunks):
        if number:
            _settle(screen)
        pipe.send_text(chunk)
    pipe.close()


def _settle(screen: io.StringIO, quiet: float = 0.3, longest: float = 10.0) -> None:
    """Wait until nothing has been drawn for ``quiet`` seconds (at most ``longest``)."""
    deadline = time.monotonic() + longest
    size = -1
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = len(screen.getvalue())
        if now == size:
            return
        size = now


def _enter(count: int) -> str:
    return ENTER * count


# --------------------------------------------------------------------------- Enter keeps


@pytest.mark.slow
def test_enter_keeps_every_answer_of_the_previous_file(
        interview: Any, run: Run, example_data: dict[str, Any],
        example_answers: Answers) -> None:
    data = interview(_enter(ASKED_FROM_EXAMPLE) + ENTER, defaults=example_data)
    assert answers_from_data(data) == example_answers
    assert data["funnel"] == {"mql_to_sql": "60%", "sql_to_opportunity": "50%",
                              "opportunity_to_won": "25%"}


@pytest.mark.slow
def test_derived_figures_follow_the_funnel_section(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    interview(_enter(ASKED_FROM_EXAMPLE) + ENTER, defaults=example_data)
    assert "That means, per quarter: 40 won deals, 160 opportunities, 320 SQLs, 534 MQLs." \
        in run.lines
    assert "Marketing must deliver 178 MQLs a month." in run.lines
    figures = run.lines.index("Marketing must deliver 178 MQLs a month.")
    assert run.lines[figures + 2] == "Part 5 of 8: Who works the leads"
    capacity = ("That means each SDR gets about 2.1 new MQLs a day and, at 6 attempts each, "
                "about 13 touches a day (a rep can make about 60).")
    assert run.lines[run.lines.index(capacity) + 2] == "Part 6 of 8: Where things stand today"


@pytest.mark.slow
def test_a_team_of_nobody_is_flagged_after_the_team_section(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    sdrs = 33
    keys = _enter(sdrs) + "0" + ENTER + "0" + ENTER + _enter(ASKED_FROM_EXAMPLE - sdrs - 2)
    interview(keys + ENTER, defaults=example_data)
    assert ("Note: Nobody is named to work the 178 MQLs a month: give the number of SDRs or "
            "AEs.") in run.lines


@pytest.mark.slow
def test_a_rate_outside_the_typical_range_is_flagged_after_the_funnel(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    keys = _enter(ORDER["mql_to_sql"]) + "8%" + ENTER + _enter(18) + ENTER
    interview(keys, defaults=example_data)
    assert "That means, per quarter: 40 won deals, 160 opportunities, 320 SQLs, 4,000 MQLs." \
        in run.lines
    assert ("Note: mql_to_sql of 8% is below the typical 13% to 60%; use your own CRM history "
            "if you have it, and check this figure if you do not.") in run.lines


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("wrong", "message"), [
    ("abc", "'abc' is not a rate; write it as 60% or 0.6"),
    ("160%", "160% is outside 0% to 100%"),
    ("55", "55 is not a rate; write 55% or 0.55"),
])
@pytest.mark.slow
def test_a_wrong_rate_is_refused_with_what_to_type_and_nothing_is_lost(
        interview: Any, run: Run, example_data: dict[str, Any], wrong: str,
        message: str) -> None:
    # The screen is drawn as differences from the one before, so each test checks the
    # first message of its prompt, which is written out whole.
    keys = [_enter(ORDER["mql_to_sql"]) + wrong + ENTER,
            CTRL_U + "0.55" + ENTER + _enter(18) + ENTER]
    data = interview(keys, defaults=example_data, screen=True)
    assert message in run.shown
    assert data["funnel"]["mql_to_sql"] == "55%"
    assert data["company"] == example_data["company"]
    assert data["agreement"] == example_data["agreement"]


@pytest.mark.slow
def test_money_accepts_the_ways_people_write_it(
        interview: Any, example_data: dict[str, Any]) -> None:
    revenue, deal = 23, 24
    keys = (_enter(revenue) + "$1.2M" + ENTER + "30k" + ENTER
            + _enter(ASKED_FROM_EXAMPLE - deal - 1) + ENTER)
    data = interview(keys, defaults=example_data)
    assert data["economics"]["revenue_target"] == 1200000
    assert data["economics"]["average_deal_size"] == 30000


def test_a_required_answer_cannot_be_left_empty(interview: Any, run: Run) -> None:
    with pytest.raises(InterviewAborted):
        interview([ENTER, ENTER], screen=True)
    assert "an answer is needed here" in run.shown


# --------------------------------------------------------------------------- conditions


@pytest.mark.slow
def test_a_sales_accepted_stage_asks_its_own_rates_instead(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    keys = (_enter(ORDER["has_sal"]) + "y" + "70%" + ENTER + "50%" + ENTER + _enter(2)
            + _enter(16) + ENTER)
    data = interview(keys, defaults=example_data)
    assert data["funnel"] == {"mql_to_sal": "70%", "sal_to_sql": "50%",
                              "sql_to_opportunity": "50%", "opportunity_to_won": "25%"}
    assert "That means, per quarter: 40 won deals, 160 opportunities, 320 SQLs, 640 SALs, " \
        "915 MQLs." in run.lines


@pytest.mark.slow
def test_the_standard_terms_are_only_asked_when_wanted(
        interview: Any, example_data: dict[str, Any]) -> None:
    terms = 13
    keys = (_enter(ORDER["change_terms"]) + "y" + "1" + ENTER + _enter(terms - 1) + ENTER)
    data = interview(keys, defaults=example_data)
    # only the changed term is written; the others keep the standard value unwritten
    assert data["sla"] == {"sales": {"speed_to_lead_hours": 1}}
    assert "escalation" not in data


@pytest.mark.slow
def test_a_changed_term_stays_listed_and_saved_after_closing_the_terms(
        interview: Any, example_data: dict[str, Any]) -> None:
    terms = 13
    keys = (_enter(ORDER["change_terms"]) + "y" + "2" + ENTER + _enter(terms - 1)
            + UP * (terms + 1) + ENTER + "n"  # back on the review: close the terms again
            + DOWN + ENTER + "3" + ENTER  # the changed term is still listed, last: change it
            + DOWN + ENTER)  # down from the last row wraps round to Save
    data = interview(keys, defaults=example_data)
    assert data["sla"] == {"sales": {"speed_to_lead_hours": 3}}


# --------------------------------------------------------------------------- review


@pytest.mark.slow
def test_review_goes_back_to_one_answer_and_returns(
        interview: Any, example_data: dict[str, Any], example_answers: Answers) -> None:
    keys = (_enter(ASKED_FROM_EXAMPLE) + DOWN + ENTER + "Acme Data" + ENTER  # change, return
            + UP + ENTER)  # the pointer stays on the changed row; one up is Save
    data = interview(keys, defaults=example_data)
    assert data["company"]["name"] == "Acme Data"
    changed = answers_from_data(data)
    assert changed.company.name == "Acme Data"
    assert changed.model_dump(exclude={"company"}) == example_answers.model_dump(
        exclude={"company"})


@pytest.mark.slow
def test_review_can_open_a_branch_and_asks_its_new_questions(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    row = ORDER["has_sal"] + 1
    keys = (_enter(ASKED_FROM_EXAMPLE) + DOWN * row + ENTER + "y" + "70%" + ENTER + "50%"
            + ENTER + UP * row + ENTER)
    data = interview(keys, defaults=example_data)
    assert data["funnel"] == {"mql_to_sal": "70%", "sal_to_sql": "50%",
                              "sql_to_opportunity": "50%", "opportunity_to_won": "25%"}


@pytest.mark.slow
def test_review_lists_every_answer(interview: Any, run: Run,
                                   example_data: dict[str, Any]) -> None:
    interview([_enter(ASKED_FROM_EXAMPLE), ENTER], defaults=example_data, screen=True)
    review = run.shown[run.shown.index("Check your answers"):]
    for row in ("Save these answers", "── The company and the people who sign",
                "Company name: Acme Analytics", "Time zone: America/New_York",
                "Signs for sales: Sam Okafor", "Takes effect on: 2027-01-01",
                "Industries: SaaS, Fintech, Healthcare IT", "Revenue target: 1,000,000",
                "Sales-accepted (SAL) stage: no", "MQL to SQL: 60%", "Win rate: 25%",
                "Cover outside business hours: no", "Starting point: A rebuild of an existing",
                "MQL threshold (points): 25", "Change the standard terms: no"):
        assert row in review


@pytest.mark.slow
def test_saving_is_refused_while_the_whole_file_does_not_hold_together(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    example_data["funnel"]["lead_to_sal"] = "10%"  # kept from the file, never asked
    with pytest.raises(InterviewAborted):
        interview(_enter(ASKED_FROM_EXAMPLE) + ENTER + CTRL_C + "n", defaults=example_data)
    assert any(line.startswith("Cannot save yet: funnel: the funnel stops at sal; add a rate "
                               "from sal onward") for line in run.lines), run.lines[-5:]


# --------------------------------------------------------------------------- Ctrl-C


@pytest.mark.slow
def test_ctrl_c_offers_to_save_and_resume_carries_on(
        interview: Any, tmp_path: Path, example_data: dict[str, Any]) -> None:
    partial = tmp_path / "slabuilder-partial.yaml"
    with pytest.raises(InterviewAborted) as caught:
        interview("Zeta Corp" + ENTER + ENTER + CTRL_C + "y", partial_path=partial)
    assert caught.value.exit_code == 130
    assert str(caught.value) == (f"stopped; your answers so far are in {partial}: carry on "
                                 f"with `slabuilder new -o {tmp_path} --resume {partial}`")
    assert read_yaml_file(partial).data == {"company": {"name": "Zeta Corp", "crm": "other"}}
    assert partial.read_text(encoding="utf-8").startswith("# slabuilder partial answers")

    resumed = interview(_enter(ASKED_FROM_EXAMPLE - 2) + ENTER, resume=partial,
                        defaults=example_data)
    assert resumed["company"] == {**example_data["company"], "name": "Zeta Corp",
                                  "crm": "other"}


def test_ctrl_c_without_saving_writes_nothing(interview: Any, tmp_path: Path) -> None:
    partial = tmp_path / "slabuilder-partial.yaml"
    with pytest.raises(InterviewAborted, match=r"^stopped; nothing was written$"):
        interview("Zeta Corp" + ENTER + CTRL_C + "n", partial_path=partial)
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_twice_writes_nothing(interview: Any, tmp_path: Path) -> None:
    with pytest.raises(InterviewAborted, match=r"^stopped; nothing was written$"):
        interview("Zeta Corp" + ENTER + CTRL_C + CTRL_C, partial_path=tmp_path / "p.yaml")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_on_the_review_screen_can_save_too(
        interview: Any, tmp_path: Path, example_data: dict[str, Any]) -> None:
    partial = tmp_path / "p.yaml"
    with pytest.raises(InterviewAborted, match="--resume"):
        interview(_enter(ASKED_FROM_EXAMPLE) + CTRL_C + ENTER, defaults=example_data,
                  partial_path=partial)
    assert read_yaml_file(partial).data["funnel"] == example_data["funnel"]


# --------------------------------------------------------------------------- other inputs


@pytest.mark.slow
def test_set_answers_are_not_asked_but_listed(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    data = interview([_enter(ASKED_FROM_EXAMPLE - 1), ENTER], defaults=example_data,
                     settings=["company.name=Set Co"], screen=True)
    assert data["company"]["name"] == "Set Co"
    assert "What is the company called?" not in run.shown
    assert "Company name: Set Co" in run.shown


@pytest.mark.slow
def test_observed_figures_are_shown_beside_the_question(
        interview: Any, run: Run, example_data: dict[str, Any]) -> None:
    observed = "Last quarter you saw 48%; the agreement said 60%."
    interview(_enter(ASKED_FROM_EXAMPLE) + ENTER, defaults=example_data,
              show_observed={"funnel.mql_to_sql": observed})
    at = run.lines.index(observed)
    assert run.lines[at - 1].startswith("An SQL has had a first conversation")


def test_without_a_terminal_missing_answers_stop_at_once(
        questionnaire: Questionnaire) -> None:
    with pytest.raises(SlabuilderError) as caught:
        collect_answers(questionnaire, interactive=False)
    assert str(caught.value) == (
        "no terminal to ask in, and 9 answers are missing: company.name, agreement.owner.name, "
        "agreement.signatories[0].name, agreement.signatories[1].name, "
        "agreement.effective_date, economics.revenue_target, economics.average_deal_size, "
        "team.sdrs, team.aes; give them with --set company.name=..., or with --from FILE "
        "(a previous answers file), or run `slabuilder new` in a terminal to be asked")


def test_defaults_name_the_questions_without_one(questionnaire: Questionnaire,
                                                 example_data: dict[str, Any]) -> None:
    del example_data["team"]
    with pytest.raises(SlabuilderError) as caught:
        collect_answers(questionnaire, defaults=example_data, use_defaults=True)
    assert str(caught.value) == ("--defaults: 2 questions have no default: team.sdrs, team.aes; "
                                 "give them with --set team.sdrs=..., or with --from FILE "
                                 "(a previous answers file)")


def test_defaults_and_set_need_no_terminal(questionnaire: Questionnaire,
                                           example_data: dict[str, Any]) -> None:
    data = collect_answers(questionnaire, defaults=example_data, use_defaults=True,
                           settings=["funnel.mql_to_sal=70%", "funnel.sal_to_sql=0.5",
                                     "economics.revenue_target=1.2M"])
    assert data["funnel"] == {"mql_to_sal": "70%", "sal_to_sql": "50%",
                              "sql_to_opportunity": "50%", "opportunity_to_won": "25%"}
    assert data["economics"]["revenue_target"] == 1200000


def test_a_bad_value_in_the_previous_file_names_its_key(questionnaire: Questionnaire,
                                                        example_data: dict[str, Any]) -> None:
    example_data["funnel"]["mql_to_sql"] = "160%"
    with pytest.raises(SlabuilderError) as caught:
        collect_answers(questionnaire, defaults=example_data, use_defaults=True)
    assert str(caught.value) == ("funnel.mql_to_sql: 160% is outside 0% to 100% "
                                 "(from the previous answers file)")


def test_a_bad_set_value_names_the_option(questionnaire: Questionnaire,
                                          example_data: dict[str, Any]) -> None:
    with pytest.raises(SlabuilderError) as caught:
        collect_answers(questionnaire, defaults=example_data, use_defaults=True,
                        settings=["team.sdrs=many"])
    assert str(caught.value) == ("team.sdrs: 'many' is not a whole number; type one such as 40 "
                                 "(from --set)")
