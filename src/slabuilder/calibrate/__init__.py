"""Fitting the scoring model's points and threshold on a company's own lead history, and
scoring leads with the answers' model.

The only package that imports scikit-learn and numpy, and only in the modules that fit
(:mod:`slabuilder.calibrate.fit`); nothing here is imported on any other command's start-up.
Entry points: :func:`slabuilder.jobs.calibrate.calibrate` and
:func:`slabuilder.jobs.score.score_leads`.
"""
