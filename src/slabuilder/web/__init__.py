"""The browser workspace (`slabuilder serve`): the only package that imports Starlette and
uvicorn.  :mod:`forms` turns the questionnaire into form fields and checks them,
:mod:`workspace` holds one person's answers and makes what they give, :mod:`app` serves it."""
