"""The MQL definition: fit filters from the ICP, disqualifiers, the points table, the threshold,
and the two sentences a sales rep reads to understand why a lead reached them."""

from __future__ import annotations

from dataclasses import dataclass, field

from slabuilder import words
from slabuilder.answers import Answers, CustomSignal, Icp
from slabuilder.derive.findings import Finding
from slabuilder.signals import DEFAULT_SIGNALS, FIT_SIGNALS, KNOWN_SIGNAL_IDS, Signal
from slabuilder.words import join

HUBSPOT_SCORE_CAP = 100


@dataclass(frozen=True)
class FitCriterion:
    criterion: str
    requirement: str
    answered: bool


@dataclass(frozen=True)
class IntentTier:
    tier: str
    examples: str
    rule: str


INTENT_TIERS = (
    IntentTier("High intent",
               "demo or trial request; pricing page plus two or more other pages in one visit; "
               "return visits within 14 days; an inbound call or chat",
               "becomes an MQL as soon as the fit criteria are met"),
    IntentTier("Medium intent",
               "a content download followed by an e-mail click within 7 days; a webinar "
               "attended plus a follow-up click; a case study or the ROI calculator",
               "becomes an MQL once further engagement lifts the score to the threshold"),
    IntentTier("Low intent",
               "a single download, a newsletter sign-up, a badge scanned at an event",
               "stays with marketing for nurture and is never routed to sales on its own"),
)


MIN_DISQUALIFIERS = 3
"""Fewer disqualifiers than this and the agreement leaves sales arguing over every lead."""


@dataclass(frozen=True)
class ScoringModel:
    fit: list[FitCriterion]
    disqualifiers: list[str]
    signals: list[Signal]
    threshold: int
    fit_points: int
    """The most a contact can score from fit alone."""
    max_points: int
    score_cap: int | None
    explanation: list[str]
    """Exactly two sentences."""
    tiers: tuple[IntentTier, ...] = INTENT_TIERS
    warnings: list[Finding] = field(default_factory=list)
    min_disqualifiers: int = 0
    """The fewest disqualifiers a workable agreement names (``MIN_DISQUALIFIERS``)."""


def _size_text(icp: Icp) -> str | None:
    size = icp.company_size
    if size is None:
        return None
    if size.max is None:
        return f"{words.count(size.min)} or more employees"
    return f"{words.count(size.min)} to {words.count(size.max)} employees"


def fit_criteria(icp: Icp) -> list[FitCriterion]:
    size = _size_text(icp)
    return [
        FitCriterion("Company size", size or "not yet agreed", size is not None),
        FitCriterion("Industry", join(icp.industries, "or") or "not yet agreed",
                     bool(icp.industries)),
        FitCriterion("Geography", join(icp.geographies, "or") or "not yet agreed",
                     bool(icp.geographies)),
        FitCriterion("Buying role", join(icp.titles, "or") or "not yet agreed", bool(icp.titles)),
    ]


def resolve_signals(overrides: dict[str, int | CustomSignal | None]) -> list[Signal]:
    """The default engagement table with the answers' changes: new points, removals, added
    signals, and the fit points a team chose to add (none by default)."""
    signals = []
    for default in (*FIT_SIGNALS, *DEFAULT_SIGNALS):
        if default.id not in overrides:
            if default.kind != "fit":
                signals.append(default)
            continue
        change = overrides[default.id]
        if change is None or change == 0:
            continue
        if isinstance(change, CustomSignal):
            signals.append(Signal(default.id, change.label, change.points, change.kind))
        else:
            kind = "negative" if change < 0 else default.kind
            if kind == "negative" and change > 0:
                kind = "behaviour"
            signals.append(Signal(default.id, default.label, change, kind))
    for signal_id, change in overrides.items():
        if signal_id in KNOWN_SIGNAL_IDS or change is None:
            continue
        if isinstance(change, CustomSignal):
            signals.append(Signal(signal_id, change.label, change.points, change.kind))
        elif change != 0:
            label = signal_id.replace("_", " ").capitalize()
            signals.append(Signal(signal_id, label, change,
                                  "negative" if change < 0 else "behaviour"))
    return signals


def _cheapest_path(behaviour: list[Signal], needed: int) -> list[Signal]:
    """A short list of strong behaviours that together reach ``needed`` points."""
    chosen: list[Signal] = []
    total = 0
    for signal in sorted(behaviour, key=lambda s: -s.points):
        if total >= needed:
            break
        chosen.append(signal)
        total += signal.points
    return chosen if total >= needed else []


def _short(signal: Signal) -> str:
    """The signal as a noun a sentence can use: its example, or its own label in quotes
    (a label such as ``Lead Source is Reference`` is not a noun)."""
    if signal.example:
        return signal.example
    return f"\u201c{signal.label}\u201d"


def _fit_clause(icp: Icp) -> str:
    """``the contact is a VP, Director or C-suite at a company of 50 to 500 employees in SaaS
    or Fintech, based in the United States or Canada``."""
    role = f"the contact is a {join(icp.titles, 'or')}" if icp.titles else \
        "the contact has buying authority"
    company = []
    if size := _size_text(icp):
        company.append(f"of {size}")
    if icp.industries:
        company.append(f"in {join(icp.industries, 'or')}")
    where = (f", in one of our markets ({join(icp.geographies, 'or')})" if icp.geographies
             else "")
    at = f" at a company {' '.join(company)}" if company else ""
    return f"{role}{at}{where}"


def explain(icp: Icp, signals: list[Signal], threshold: int, fit_points: int) -> list[str]:
    """Two plain sentences a rep can repeat: who fits, and what the lead must have done."""
    behaviour = [s for s in signals if s.kind == "behaviour" and s.points > 0]
    needed = max(threshold - fit_points, 1)
    first = (f"A lead reaches sales only when {_fit_clause(icp)}, no agreed disqualifier "
             f"applies, and what it did scores at least {threshold} points"
             + (f" (fit adds at most {fit_points}, so at least {needed} must come from "
                "engagement)" if fit_points else "") + ".")
    single = next((s for s in sorted(behaviour, key=lambda s: -s.points)
                   if s.points >= needed), None)
    pair = _cheapest_path([s for s in behaviour if s is not single], needed)
    shown = [f"{_short(s)} ({words.signed(s.points)})" for s in pair[:3]]
    rest = f" and {len(pair) - 3} more" if len(pair) > 3 else ""
    if single is not None:
        also = f", and so do {join(shown)} together" if len(pair) > 1 else ""
        second = (f"For example, {_short(single)} ({words.signed(single.points)}) qualifies on "
                  "its own"
                  f"{also}; fitting the profile without doing anything never does.")
    elif pair:
        second = (f"No single act is enough: it takes {needed} points of engagement, for "
                  f"example {join(shown)}{rest} together; fitting the profile without doing "
                  "anything never does.")
    else:
        second = (f"No combination of engagement signals reaches {needed} points yet, so no "
                  "lead can qualify until the points or the threshold change.")
    return [first, second]


def _in_a_list(label: str) -> str:
    """A signal's label inside a list: ``visited the pricing page`` (an acronym kept)."""
    return label if label[1:2].isupper() else label[0].lower() + label[1:]


UNSCORED_WITHOUT_SOURCE = frozenset({"intent_surge"})
"""Signals that score nothing until the answers name where they come from (an intent data
provider): the points table marks them and no intent tier lists them."""

LOW_INTENT_ACTS = 5
"""A signal that would take more than this many acts to reach the threshold is low intent:
it never routes a lead to sales on its own."""


def tiers_from_points(signals: list[Signal], threshold: int, fit_points: int,
                      unscored: frozenset[str] = frozenset()) -> tuple[IntentTier, ...]:
    """The intent tiers as the points table makes them: the model's own signals sorted by
    whether one of them qualifies a fitting lead alone.  The standard examples (a pricing
    page, return visits) would say that a signal worth fewer points than the threshold
    makes an MQL on its own, which the points table beside them denies."""
    needed = max(threshold - fit_points, 1)
    behaviour = sorted((s for s in signals if s.kind == "behaviour" and s.points > 0
                        and s.id not in unscored), key=lambda s: -s.points)
    high = [_in_a_list(s.label) for s in behaviour if s.points >= needed]
    medium = [_in_a_list(s.label) for s in behaviour
              if needed > s.points and s.points * LOW_INTENT_ACTS >= needed]
    low = [_in_a_list(s.label) for s in behaviour if s.points * LOW_INTENT_ACTS < needed]
    tiers = []
    if high:
        tiers.append(IntentTier("High intent", "; ".join(high), INTENT_TIERS[0].rule))
    if medium:
        tiers.append(IntentTier("Medium intent", "; ".join(medium), INTENT_TIERS[1].rule))
    tiers.append(IntentTier("Low intent", "; ".join(
        [*low, "any activity the scoring table gives no points"]), INTENT_TIERS[2].rule))
    return tuple(tiers)


def build_scoring(answers: Answers) -> ScoringModel:
    icp = answers.icp
    scoring = answers.scoring
    signals = resolve_signals(scoring.signals)
    fit_points = sum(s.points for s in signals if s.kind == "fit" and s.points > 0)
    max_points = sum(s.points for s in signals if s.points > 0)
    cap = scoring.score_cap or (HUBSPOT_SCORE_CAP if answers.company.crm == "hubspot" else None)
    threshold = scoring.threshold
    warnings: list[Finding] = []
    if len(signals) > scoring.max_signals:
        warnings.append(Finding(
            "scoring_too_complex",
            f"The model has {len(signals)} signals, more than a rep can keep in mind "
            f"(limit {scoring.max_signals}); merge or drop the weakest so that the two-sentence "
            "explanation stays true.", "scoring.signals"))
    if max_points < threshold:
        warnings.append(Finding(
            "threshold_unreachable",
            f"No lead can reach the threshold of {threshold}: every positive signal together "
            f"gives {max_points}. Lower the threshold or add signals.", "scoring.threshold"))
    elif low_intent := [s for s in signals if s.kind == "behaviour"
                        and s.points > 0 and s.points * 2 >= threshold - fit_points
                        and "low-intent" in s.label.lower()]:
        warnings.append(Finding(
            "threshold_too_low",
            f"Two pieces of low-intent activity ({_short(low_intent[0])}, "
            f"{words.signed(low_intent[0].points)} each) reach the threshold of {threshold}: "
            "raise the "
            "threshold so that only real interest qualifies.", "scoring.threshold"))
    if cap is not None and threshold > cap:
        warnings.append(Finding(
            "threshold_over_cap",
            f"The threshold of {threshold} is above the CRM's score cap of {cap} points.",
            "scoring.threshold"))
    measured = any(isinstance(change, CustomSignal) and change.condition is not None
                   for change in scoring.signals.values())
    if fit_points and not 50 <= threshold <= 80 and not measured:
        # A threshold learnt from the company's own leads (signals with conditions) stands on
        # its evidence, not on the rule of thumb for hand-set combined scores.
        warnings.append(Finding(
            "threshold_unusual",
            f"A threshold of {threshold} is outside the common 50 to 80 points of a combined "
            "fit and engagement score; check it against how many MQLs sales accepts (aim for "
            "60% or more).", "scoring.threshold", severity="note"))
    written = len(icp.disqualifiers)
    if written < MIN_DISQUALIFIERS:
        so_far = ("No disqualifier is written down" if not written else
                  f"Only {words.spelled(written)} "
                  f"{'disqualifier is' if written == 1 else 'disqualifiers are'} written down")
        warnings.append(Finding(
            "few_disqualifiers",
            f"{so_far}; the smallest workable agreement names at least "
            f"{words.spelled(MIN_DISQUALIFIERS)} that both sides sign.", "icp.disqualifiers"))
    return ScoringModel(
        fit=fit_criteria(icp), disqualifiers=list(icp.disqualifiers), signals=signals,
        threshold=threshold, fit_points=fit_points, max_points=max_points, score_cap=cap,
        explanation=explain(icp, signals, threshold, fit_points),
        tiers=tiers_from_points(signals, threshold, fit_points, UNSCORED_WITHOUT_SOURCE
                                if not answers.intent.sources else frozenset()),
        warnings=warnings, min_disqualifiers=MIN_DISQUALIFIERS)
