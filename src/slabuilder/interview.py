"""The interview in the terminal: the only module that imports questionary and prompt_toolkit.

Answers are layered the way copier layers them: what is typed now wins over ``--set`` (and a
resumed partial file), which wins over a previous answers file (``--from``), which wins over
the questionnaire's defaults.  Keys the questionnaire never asks about pass through from the
previous file untouched, so a renegotiation keeps every custom term.

The questions are walked by :mod:`slabuilder.walk`, the walker the browser uses too, and every
typed answer is checked at the prompt by the walk's check (the answers model's own rules), so
a wrong entry is refused with a message and nothing typed before is lost.  questionary has
no "back" key, so the interview ends on a review screen that lists every answer and lets the
user change any one of them before saving.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slabuilder.errors import InterviewAborted, SlabuilderError
from slabuilder.keypath import MISSING, get_path, set_path
from slabuilder.partial import read_partial, resume_command, save_partial
from slabuilder.questionnaire import Question, Questionnaire, Section
from slabuilder.typedanswer import (
    AnswerError,
    fill_placeholders,
    help_text,
    standard_default,
    understood,
    value_text,
)
from slabuilder.walk import Step, Walk, layered
from slabuilder.words import count, number, stage_plural

if TYPE_CHECKING:
    from slabuilder.plan import Plan

__all__ = ["Terminal", "collect_answers", "confirm", "derived_figures"]

_SAVE = "__save__"
_NONE = "__none__"


# --------------------------------------------------------------------------- the terminal


@dataclass
class Terminal:
    """Where prompts read and write; tests pass prompt_toolkit pipe input and DummyOutput."""

    input: Any = None
    output: Any = None
    echo: Callable[[str], None] | None = None
    color: bool | None = None

    def say(self, text: str = "", *, dim: bool = False, bold: bool = False) -> None:
        if self.echo is not None:
            self.echo(text)
            return
        text = _wrapped(text)
        color = sys.stdout.isatty() if self.color is None else self.color
        if color and text and (dim or bold):
            text = ("\x1b[2m" if dim else "\x1b[1m") + text + "\x1b[0m"
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    @property
    def prompt_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.input is not None:
            kwargs["input"] = self.input
        if self.output is not None:
            kwargs["output"] = self.output
        return kwargs


def _wrapped(text: str) -> str:
    """Break long help at word boundaries to the terminal's width (at most 88 columns)."""
    import shutil
    import textwrap

    width = min(shutil.get_terminal_size((88, 24)).columns - 1, 88)
    return "\n".join(textwrap.fill(line, width=width) if line else line
                     for line in text.splitlines()) if text else text


# --------------------------------------------------------------------------- the interview


@dataclass
class _Interview:
    walk: Walk
    """The answers being walked: previous file, then resumed and --set answers, then typed."""
    fixed: dict[str, str]
    """Key paths answered on the command line or in a resumed file, and where from."""
    interactive: bool
    terminal: Terminal
    show_observed: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    introduced: set[str] = field(default_factory=set)
    from_label: str | None = None
    """The ``--from`` file's name, so that a bad value in it is traced back to it."""

    @property
    def questionnaire(self) -> Questionnaire:
        return self.walk.questionnaire

    @property
    def data(self) -> dict[str, Any]:
        return self.walk.data

    # ----------------------------------------------------------------- walking the questions

    def walk_questions(self) -> None:
        """Answer every open question not yet answered, section by section, in order."""
        asked_in: set[str] = set()
        last: Section | None = None
        for step in self.walk.steps():
            if last is not None and step.section is not last:
                self._section_done(last, asked_in)
            last = step.section
            if step.open and self._visit(step):
                asked_in.add(step.section.id)
        if last is not None:
            self._section_done(last, asked_in)

    def _section_done(self, section: Section, asked_in: set[str]) -> None:
        if section.id in asked_in and section.summary and self.interactive:
            self.show_figures(section.summary)

    def _visit(self, step: Step) -> bool:
        """Settle one open question; True when the user was asked."""
        question = step.question
        if question.id in self.walk.done:
            return False
        if question.is_gate and self._gate_settled_by_given_answers(question):
            self.walk.store(question, step.default)
            return False
        if question.key is not None and question.key in self.fixed:
            self.walk.store(question, self._checked(question, get_path(self.data, question.key),
                                                    self.fixed[question.key]))
            return False
        if not question.ask or not self.interactive:
            self._accept_default(question, step.default)
            return False
        self._introduce(step.section)
        self.walk.store(question, self.ask(question, step.default))
        return True

    def _gate_settled_by_given_answers(self, gate: Question) -> bool:
        """A gate is not asked when --set or a resumed file already answers its branch."""
        return any(q.key in self.fixed for q in self.questionnaire.controlled_by(gate.id))

    def _accept_default(self, question: Question, default: Any) -> None:
        if question.is_gate:
            self.walk.store(question, default)
            return
        if (default is None or default is MISSING) and question.required:
            self.missing.append(question.key or question.id)
            return
        origin = ((self.from_label or "the previous answers file")
                  if self.walk.from_before(question) else "the questionnaire's default")
        self.walk.store(question, self._checked(question, default, origin))

    def _checked(self, question: Question, value: Any, origin: str) -> Any:
        try:
            return self.walk.check(question, value)
        except AnswerError as error:
            raise SlabuilderError(f"{error} (from {origin})", key=question.key) from None

    # ----------------------------------------------------------------- asking

    def _introduce(self, section: Section) -> None:
        if section.id in self.introduced:
            return
        self.introduced.add(section.id)
        sections = self.questionnaire.sections
        part = next(i for i, s in enumerate(sections, 1) if s.id == section.id)
        self.terminal.say()
        self.terminal.say(f"Part {part} of {len(sections)}: {section.title}", bold=True)
        if section.intro:
            self.terminal.say(section.intro, dim=True)

    def ask(self, question: Question, default: Any) -> Any:
        """Ask one question until the answer fits; Ctrl-C propagates as KeyboardInterrupt."""
        if question.help:
            self.terminal.say()
            self.terminal.say(help_text(question, self.data), dim=True)
        if question.key in self.show_observed:
            self.terminal.say(self.show_observed[question.key or ""])
        message = fill_placeholders(question.prompt, self.data)
        if question.type == "yes/no":
            return bool(_questionary().confirm(
                message, default=bool(default), **self.terminal.prompt_kwargs).unsafe_ask())
        if question.type == "choice":
            return self._ask_choice(question, message, default)
        if question.type == "multi-choice":
            return self._ask_checkbox(question, message, default)
        return self._ask_text(question, message, default)

    def _ask_choice(self, question: Question, message: str, default: Any) -> Any:
        questionary = _questionary()
        choices = [questionary.Choice(c.title, value=_NONE if c.value is None else c.value)
                   for c in question.choices or []]
        current = _NONE if default is None or default is MISSING else default
        if current not in [c.value for c in choices]:
            current = None
        picked = questionary.select(message, choices=choices, default=current,
                                    **self.terminal.prompt_kwargs).unsafe_ask()
        return None if picked == _NONE else picked

    def _ask_checkbox(self, question: Question, message: str, default: Any) -> Any:
        questionary = _questionary()
        ticked = set(default) if isinstance(default, list) else set()
        choices = [questionary.Choice(c.title, value=c.value, checked=c.value in ticked)
                   for c in question.choices or []]

        def validate(picked: list[str]) -> bool | str:
            try:
                self.walk.check(question, picked)
            except AnswerError as error:
                return str(error)
            return True

        picked = questionary.checkbox(message, choices=choices, validate=validate,
                                      **self.terminal.prompt_kwargs).unsafe_ask()
        return self.walk.check(question, picked)

    def _ask_text(self, question: Question, message: str, default: Any) -> Any:
        """A typed answer. The default is shown greyed and kept by Enter; typing replaces it.

        Lists and long text are put on the line instead, ready to edit, because adding one
        industry to a list is likelier than retyping it.
        """
        questionary = _questionary()
        shown = value_text(question, default)
        editable = question.type == "list" or (question.type == "text" and len(shown) > 30)

        def meant(text: str) -> str:
            if not question.required and text.strip() == "-":
                return ""
            return text if text.strip() or editable else shown

        def validate(text: str) -> bool | str:
            try:
                self.walk.check(question, meant(text))
            except AnswerError as error:
                return str(error)
            return True

        options: dict[str, Any] = {"validate": validate, "validate_while_typing": False,
                                   **self.terminal.prompt_kwargs}
        if editable:
            options["default"] = shown
        elif shown:
            options["placeholder"] = _placeholder(shown)
        if not question.required:
            options["instruction"] = "(- leaves it empty)" if shown else "(Enter to skip)"
        if question.type == "timezone":
            typed = questionary.autocomplete(message, choices=_zone_names(), match_middle=True,
                                             **options).unsafe_ask()
        else:
            typed = questionary.text(message, **options).unsafe_ask()
        value = self.walk.check(question, meant(typed))
        if typed.strip() and (read := understood(question, typed, value, self.walk.data)):
            self.terminal.say(f"  {read}", dim=True)  # how a typed number was read
        return value

    # ----------------------------------------------------------------- derived figures

    def show_figures(self, summary: str) -> None:
        """After the funnel, how many MQLs the revenue target needs, and any odd rate; after
        the team, what that means for each rep."""
        for line in derived_figures(summary, self.data):
            self.terminal.say(line)

    # ----------------------------------------------------------------- review

    def review(self) -> None:
        """List every answer; the user picks one to change, returns here, and saves."""
        questionary = _questionary()
        pointer: str | None = None
        while True:
            choices: list[Any] = [questionary.Choice("Save these answers", value=_SAVE)]
            for section in self.questionnaire.sections:
                rows = [q for q in section.questions if self._listed(q)]
                if rows:
                    choices.append(questionary.Separator(f"── {section.title}"))
                    choices.extend(questionary.Choice(self._row(q), value=q.id) for q in rows)
            self.terminal.say()
            picked = questionary.select(
                "Check your answers. Pick one to change it, or save:", choices=choices,
                default=pointer, **self.terminal.prompt_kwargs).unsafe_ask()
            if picked == _SAVE:
                problem = self._whole_problem()
                if problem is None:
                    return
                pointer = problem
                continue
            pointer = picked
            self._change(self.questionnaire.question(picked))

    def _listed(self, question: Question) -> bool:
        """On the review screen: every answer asked, and every kept answer that will be
        saved although its branch is closed (a changed term after "no more terms")."""
        if not question.ask:
            return False
        if question.active(self.data, self.walk.gates):
            return question.id in self.walk.done
        return question.when_skipped == "keep" and question.key is not None and get_path(
            self.data, question.key) is not MISSING

    def _row(self, question: Question) -> str:
        value = self.walk.current(question)
        if value is MISSING:  # left out of the file: the default is what will be used
            value = standard_default(question, self.data)
        text = value_text(question, value) or "(none)"
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{question.title}: {text}"

    def _change(self, question: Question) -> None:
        current = self.walk.current(question)
        default = current if current is not MISSING else self.walk.default(question)
        self.walk.store(question, self.ask(question, default))
        if question.key is not None:
            self.fixed.pop(question.key, None)
        self.walk_questions()
        section = next(s for s in self.questionnaire.sections if question in s.questions)
        if section.summary:
            self.show_figures(section.summary)

    def _whole_problem(self) -> str | None:
        """The first problem the answers model finds in the whole file, shown to the user.

        Returns the id of the question to point at (or the save row), None when valid.
        """
        from slabuilder.answerfile import answers_from_data

        try:
            answers_from_data(self.data, "your answers")
        except SlabuilderError as error:
            question = self.questionnaire.question_for(
                error.key, (q for _, q in self.questionnaire.questions() if self._listed(q)))
            self.terminal.say()
            where = (f"change \"{question.title}\"" if question is not None else
                     f"fix {error.key} in the file you started from, or use --set")
            self.terminal.say(f"Cannot save yet: {error.key}: {error.message}; {where}.")
            return question.id if question is not None else _SAVE
        return None

    # ----------------------------------------------------------------- partial answers

    def answered_data(self) -> dict[str, Any]:
        """Only what was answered (typed, --set or resumed), to resume from later."""
        partial: dict[str, Any] = {}
        for _, question in self.questionnaire.questions():
            if question.key and question.id in self.walk.done:
                value = get_path(self.data, question.key)
                if value is not MISSING:
                    set_path(partial, question.key, copy.deepcopy(value))
        return partial


def confirm(terminal: Terminal, message: str, *, default: bool = False) -> bool:
    """A yes/no question at the terminal (Ctrl-C propagates as KeyboardInterrupt)."""
    return bool(_questionary().confirm(message, default=default,
                                       **terminal.prompt_kwargs).unsafe_ask())


def _questionary() -> Any:
    """questionary, imported on first use: runs without a prompt never pay for it."""
    import questionary

    return questionary


def _placeholder(text: str) -> Any:
    from prompt_toolkit.formatted_text import FormattedText

    return FormattedText([("fg:ansibrightblack", text)])


def _zone_names() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


def derived_figures(summary: str, data: dict[str, Any]) -> list[str]:
    """The lines shown once a section's answers allow a plan: ``funnel`` or ``capacity``."""
    from slabuilder.answerfile import answers_from_data
    from slabuilder.plan import build_plan

    try:
        plan = build_plan(answers_from_data(data, "your answers"))
    except SlabuilderError as error:
        return ["", f"The figures cannot be worked out yet: {error.key or ''}: {error.message}. "
                "You can change the answer on the review screen at the end."]
    if summary == "capacity":
        return _capacity_lines(plan)
    return _funnel_lines(plan)


def _funnel_lines(plan: Plan) -> list[str]:
    counts = ", ".join(f"{count(plan.targets[s].per_period)} {stage_plural(s)}"
                       for s in reversed(plan.stages))
    lines = ["", f"That means, per {plan.period}: {counts}."]
    if "mql" in plan.targets and plan.period != "month":
        lines.append(f"Marketing must deliver {count(plan.mql_per_month)} MQLs a month.")
    lines.extend(f"Note: {w.message}" for w in plan.warnings
                 if w.key and w.key.startswith(("funnel.", "economics.")))
    return lines


def _capacity_lines(plan: Plan) -> list[str]:
    cap = plan.capacity
    lines = [""]
    if cap is not None:
        lines.append(f"That means each {cap.rep_role} gets about "
                     f"{number(cap.leads_per_rep_per_day, 1)} new MQLs a day and, at "
                     f"{plan.answers.sla.sales.contact_attempts} attempts each, about "
                     f"{count(cap.touches_per_rep_per_day)} touches a day (a rep can make "
                     f"about {cap.max_touches_per_rep_per_day}).")
    lines.extend(f"Note: {w.message}" for w in plan.warnings
                 if w.key and w.key.startswith("team."))
    return lines


# --------------------------------------------------------------------------- the public API


def collect_answers(
    questionnaire: Questionnaire,
    *,
    defaults: dict[str, Any] | None = None,
    settings: Sequence[str] = (),
    use_defaults: bool = False,
    interactive: bool | None = None,
    resume: Path | None = None,
    show_observed: dict[str, str] | None = None,
    terminal: Terminal | None = None,
    partial_path: Path | None = None,
    from_label: str | None = None,
) -> dict[str, Any]:
    """Run the interview and return plain answers data (for ``answers_from_data``).

    ``defaults`` is a previous answers file's data (Enter keeps each value); ``settings`` are
    ``key.path=value`` answers that are not asked; ``use_defaults`` accepts every default
    without asking; ``resume`` is a partial file saved on Ctrl-C.  With no terminal and
    answers missing, raises :class:`SlabuilderError` at once, naming them.  On Ctrl-C the user
    may save the answers so far to ``partial_path``; either way :class:`InterviewAborted`.
    """
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    interactive = interactive and not use_defaults
    before = copy.deepcopy(defaults) if isinstance(defaults, dict) else {}
    given: dict[str, Any] = read_partial(resume) if resume is not None else {}
    fixed = dict.fromkeys(_question_keys(questionnaire, given), f"--resume {resume}")
    if settings:
        from slabuilder.answerfile import apply_settings  # not before it is needed: start-up

        given = apply_settings(given, list(settings))
        typed_on_line = apply_settings({}, list(settings))
        fixed.update(dict.fromkeys(_question_keys(questionnaire, typed_on_line), "--set"))
    walk = Walk(questionnaire, layered(before, given), before)
    interview = _Interview(walk, fixed, interactive,
                           terminal or Terminal(), dict(show_observed or {}),
                           from_label=from_label)
    if interactive and resume is None:
        interview.terminal.say(
            f"The questions come in {len(questionnaire.sections)} parts and take ten to "
            "fifteen minutes. Enter keeps the answer shown in grey; at the end you can check "
            "and change any answer before anything is saved. Ctrl-C stops, and offers to keep "
            "your answers for later.")
    if resume is not None and interactive:
        interview.terminal.say(f"Carrying on from {resume}: {len(fixed)} answers kept; you can "
                               "change any of them on the review screen at the end.")
    try:
        interview.walk_questions()
        _refuse_missing(interview.missing, use_defaults=use_defaults, from_label=from_label)
        if interactive:
            interview.review()
    except (KeyboardInterrupt, EOFError):  # Ctrl-C, or Ctrl-D on an empty line
        _on_interrupt(interview, partial_path, from_label)
    result = interview.data
    result.setdefault("format", 1)
    return {"format": result.pop("format"), **result}


def _question_keys(questionnaire: Questionnaire, data: dict[str, Any]) -> list[str]:
    return [q.key for _, q in questionnaire.questions()
            if q.key and get_path(data, q.key) is not MISSING]


def _refuse_missing(missing: list[str], *, use_defaults: bool, from_label: str | None) -> None:
    if not missing:
        return
    keys = ", ".join(missing)
    example = f"--set {missing[0]}=..."
    if use_defaults:
        raise SlabuilderError(
            f"--defaults: {len(missing)} question{'s' * (len(missing) > 1)} "
            f"{'have' if len(missing) > 1 else 'has'} no default: {keys}; give them with "
            f"{example}, or with --from FILE (a previous answers file)")
    source = f" in {from_label}" if from_label else ""
    raise SlabuilderError(
        f"no terminal to ask in, and {len(missing)} answer{'s' * (len(missing) > 1)} "
        f"{'are' if len(missing) > 1 else 'is'} missing{source}: {keys}; give them with "
        f"{example}, or with --from FILE (a previous answers file), or run "
        "`slabuilder new` in a terminal to be asked")


def _on_interrupt(interview: _Interview, partial_path: Path | None,
                  from_label: str | None) -> None:
    """Ctrl-C: offer to keep the answers so far; otherwise nothing is written (exit 130)."""
    partial = interview.answered_data()
    if not interview.interactive or not partial or partial_path is None:
        raise InterviewAborted("stopped; nothing was written") from None
    interview.terminal.say()
    try:
        keep = _questionary().confirm(
            "Stopped. Save your answers so far, to carry on later?", default=True,
            **interview.terminal.prompt_kwargs).unsafe_ask()
    except (KeyboardInterrupt, EOFError):
        keep = False
    if not keep:
        raise InterviewAborted("stopped; nothing was written") from None
    path = save_partial(partial, partial_path)
    raise InterviewAborted(f"stopped; your answers so far are in {path}: carry on with "
                           f"`{resume_command(path, from_label)}`") from None
