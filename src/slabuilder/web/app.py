"""The routes of the browser workspace, and the guard in front of them.

Every page and asset is served from the package; the browser talks to nothing else.  The
guard refuses a request whose Host is not the address the workspace was started on (so a
web page cannot reach it through DNS rebinding), every request that changes something must
carry the page's token, and the browser never names a file: answers are saved under the
company's name in the ``-o`` folder, and documents are made in memory for download.
"""

from __future__ import annotations

import hmac
import itertools
import json
import re
import socket
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from slabuilder.errors import SlabuilderError
from slabuilder.numbertext import as_written, format_of, number_format
from slabuilder.outputs import default_stem
from slabuilder.web.forms import Typed, in_words
from slabuilder.web.workspace import UPLOAD_LIMIT, StaleVersion, Workspace
from slabuilder.words import (
    capfirst,
    count,
    money,
    number,
    percent,
    slugify,
    stage_plural,
    unit,
)

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from slabuilder.questionnaire import Questionnaire
    from slabuilder.web.forms import FormState
    from slabuilder.web.workspace import Chain, Figures

__all__ = ["LOCAL_HOSTS", "create_app", "serve_forever"]

HERE = Path(__file__).resolve().parent
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
DOCUMENTS = ("agreement", "brief", "summary")
ESIGN_SERVICES = ("docusign", "adobe", "dropbox")
_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".otf": "font/otf", ".ttf": "font/ttf", ".png": "image/png"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "font-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


# --------------------------------------------------------------------------- the guard


_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::[0-9]{1,5})?")


def host_name(header: str) -> str:
    """``127.0.0.1:8765`` gives ``127.0.0.1``; ``[::1]:8765`` gives ``[::1]``; a header that
    is not a host and an optional port (``127.0.0.1:1@evil.example``) gives ``""``."""
    header = header.strip().lower()
    found = _HOST.fullmatch(header)
    return found.group(1) if found else ""


class Guard:
    """Refuses foreign Host and Origin headers, and adds the security headers."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        origin_host = host_name(origin.split("://", 1)[-1]) if origin else None
        if host_name(headers.get("host", "")) not in self.hosts or (
                origin_host is not None and origin_host not in self.hosts):
            refusal = Response("This is the slabuilder workspace; open it at the address "
                               "`slabuilder serve` printed.", status_code=421,
                               media_type="text/plain")
            await refusal(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = MutableHeaders(scope=message)
                for name, value in _SECURITY_HEADERS.items():
                    extra.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers)


def _token_refused(request: Request, workspace: Workspace) -> Response | None:
    given = request.headers.get("x-token", "")
    if hmac.compare_digest(given.encode(), workspace.token.encode()):
        return None
    return JSONResponse({"error": "this page is out of date; reload it and try again"},
                        status_code=403)


def _failure(error: SlabuilderError, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(error).split())}, status_code=status)


# --------------------------------------------------------------------------- pages


@cache
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True)


@cache
def _zones() -> list[str]:
    from zoneinfo import available_timezones

    return sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC")


def _page(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(_pages().get_template(name).render(**context))


def _sections(workspace: Workspace, state: FormState) -> list[dict[str, Any]]:
    """Each part of the questionnaire with its fields, in order, for the page templates."""
    parts = []
    unsignable = _icp_gaps(state)
    for index, section in enumerate(workspace.questionnaire.sections, 1):
        fields = [state.fields[q.id] for q in section.questions if q.ask]
        incomplete = any(q.key and q.key.startswith(gap) for gap in unsignable
                         for q in section.questions if q.ask)
        with number_format(format_of(state.data)):  # its examples as the answers write
            intro = as_written(section.intro or "")
        parts.append({"number": index, "section": section, "fields": fields, "intro": intro,
                      "state": "attention" if incomplete else _part_state(fields)})
    return parts


def _icp_gaps(state: FormState) -> list[str]:
    """The ideal customer profile's answers a signable agreement still needs (its keys):
    the part asking them is not done while the documents would be drafts."""
    from pydantic import ValidationError

    from slabuilder.answers import Icp

    try:
        return Icp.model_validate(state.data.get("icp") or {}).missing()
    except (ValidationError, TypeError):
        return []  # a bad answer in it is marked at its question already


def _part_state(fields: list[Any]) -> str:
    """``done`` when every question shown in a part has a good answer, else ``attention``."""
    return "attention" if any(f.visible and f.error for f in fields) else "done"


def _shown(value: Typed, titles: dict[str | None, str]) -> str:
    if isinstance(value, list):
        return ", ".join(titles.get(item, item) for item in value)
    return titles.get(value, value) if titles else value


def _review_rows(workspace: Workspace, state: FormState) -> list[dict[str, Any]]:
    rows = []
    for part in _sections(workspace, state):
        answered = []
        for item in part["fields"]:
            if not item.visible:
                continue
            titles = {c.value or "": c.title for c in item.question.choices or []}
            if item.question.type == "yes/no":
                titles = {"yes": "Yes", "no": "No"}
            answered.append({"field": item,
                             "text": item.reads_as or _shown(item.value, titles)})
        rows.append({"section": part["section"], "rows": answered})
    return rows


def _chain_view(chain: Chain | None) -> dict[str, Any] | None:
    """The targets from the revenue goal back through each rate, and how each follows."""
    if chain is None:
        return None
    from slabuilder.derive.funnel import split_period

    stages = list(chain.totals)
    won = chain.totals["won"]
    steps = [f"{money(chain.revenue, chain.currency)} / {money(chain.deal_size, chain.currency)}"
             f" a deal = {unit(won, 'deal', 'deals')}"]
    for source, target in reversed(list(itertools.pairwise(stages))):
        rate = chain.rates[f"{source}_to_{target}"]
        steps.append(f"{count(chain.totals[target])} / {percent(rate)} = "
                     f"{count(chain.totals[source])} {stage_plural(source)}")
    rows = []
    for stage in stages:
        split = split_period(chain.period, stage, chain.totals[stage])
        rows.append({"stage": capfirst(stage_plural(stage)), "period": count(split.per_period),
                     "month": count(split.per_month), "week": count(split.per_week)})
    return {"period": chain.period, "rows": rows, "steps": steps}


def _figures_view(figures: Figures, questionnaire: Questionnaire) -> dict[str, Any]:
    plan = figures.plan
    chain = _chain_view(figures.chain)
    if plan is None:
        question = figures.problem_question
        return {"problem": in_words(figures.problem or "", questionnaire), "chain": chain,
                "draft": False, "icp_missing": [],
                "question": {"id": question.id, "title": question.title} if question else None,
                "needed": [{"id": q.id, "title": q.title, "message": message}
                           for q, message in figures.needed]}
    capacity = plan.capacity
    agreement = plan.answers.agreement
    signers = [person.name for person in agreement.signatories]
    if agreement.owner.name not in signers:
        signers.append(agreement.owner.name)
    return {
        "problem": None,
        "draft": bool(plan.icp_missing),
        "icp_missing": [in_words(key, questionnaire).strip("“”") for key in plan.icp_missing],
        "signers": [{"name": name, "key": f"{slugify(name)}.p12"} for name in signers],
        "stem": default_stem(plan.answers),
        "chain": chain,
        "period": plan.period,
        "rows": chain["rows"] if chain else [],
        "capacity": None if capacity is None else {
            "role": capacity.rep_role,
            "leads": number(capacity.leads_per_rep_per_day, 1),
            "touches": count(capacity.touches_per_rep_per_day),
            "most": capacity.max_touches_per_rep_per_day},
        "warnings": [{"message": in_words(w.message, questionnaire),
                      "note": w.severity == "note"}
                     for w in plan.warnings],
        "explanation": list(plan.scoring.explanation),
    }


# --------------------------------------------------------------------------- routes


KEY_COOKIE = "slabuilder_key"


def _locked(request: Request, workspace: Workspace, keyed: bool) -> Response | None:
    """On an address other machines can reach, a page opens only with the key printed at
    start (``?key=...``, then kept in a cookie for this site alone)."""
    if not keyed:
        return None
    for given in (request.query_params.get("key", ""), request.cookies.get(KEY_COOKIE, "")):
        if given and hmac.compare_digest(given.encode(), workspace.token.encode()):
            return None
    return Response("Open the workspace with the address `slabuilder serve` printed, key "
                    "included.", status_code=403, media_type="text/plain")


def _keep_key(response: Response, request: Request, keyed: bool) -> Response:
    if keyed and request.query_params.get("key"):
        response.set_cookie(KEY_COOKIE, request.query_params["key"], httponly=True,
                            samesite="strict")
    return response


def create_app(workspace: Workspace, *, hosts: frozenset[str] = LOCAL_HOSTS,
               keyed: bool = False) -> Guard:
    """The ASGI application for one workspace, behind its guard; ``keyed``: its pages need
    the key (``--host`` other than this machine's loopback)."""

    async def form_page(request: Request) -> Response:
        if (refused := _locked(request, workspace, keyed)) is not None:
            return refused
        state = await run_in_threadpool(workspace.state)
        return _keep_key(_page("form.html.j2", parts=_sections(workspace, state),
                               token=workspace.token, zones=_zones(), source=workspace.source,
                               page="form", version=workspace.version,
                               resumed=workspace.resumed), request, keyed)

    async def review_page(request: Request) -> Response:
        if (refused := _locked(request, workspace, keyed)) is not None:
            return refused
        state = await run_in_threadpool(workspace.state)
        figures = await run_in_threadpool(workspace.figures, state)
        return _page("review.html.j2", sections=_review_rows(workspace, state),
                     figures=_figures_view(figures, workspace.questionnaire), token=workspace.token,
                     output_dir=str(workspace.output_dir), source=workspace.source,
                     version=workspace.version, resumed=workspace.resumed,
                     page="review")

    async def update(request: Request) -> Response:
        if (refused := _token_refused(request, workspace)) is not None:
            return refused
        body = await _json(request)
        values = _typed_values(body)
        seen = body.get("version") if isinstance(body, dict) else None
        tab = body.get("tab") if isinstance(body, dict) else None
        if values is None or (seen is not None and not isinstance(seen, int)) or (
                tab is not None and not isinstance(tab, str)):
            return JSONResponse({"error": "the form sent something unexpected; reload the "
                                 "page"}, status_code=400)
        try:
            return JSONResponse(await run_in_threadpool(_update, workspace, values, seen, tab))
        except StaleVersion:
            return JSONResponse({"stale": True, "error": "these answers were changed in "
                                 "another tab or window; reload this page to see them "
                                 "(nothing you typed here was sent)"}, status_code=409)
        except SlabuilderError as error:
            return _failure(error, 500)

    async def ping(request: Request) -> Response:
        return JSONResponse({"version": workspace.version, "tab": workspace.last_tab})

    async def save(request: Request) -> Response:
        if (refused := _token_refused(request, workspace)) is not None:
            return refused
        body = await _json(request)
        replace = isinstance(body, dict) and body.get("replace") is True
        seen = body.get("version") if isinstance(body, dict) else None
        if isinstance(seen, int) and seen != workspace.version:
            # The page shows answers older than the workspace's: what it would save is not
            # what the user sees.
            return JSONResponse({"stale": True, "error": "these answers were changed in "
                                 "another tab or window; reload this page to see them, then "
                                 "save (nothing was saved)"}, status_code=409)
        try:
            path = await run_in_threadpool(lambda: workspace.save(replace=replace))
        except FileExistsError as exists:
            return JSONResponse({"exists": True, "message": f"{exists.args[0]} already "
                                 "exists. Replace it with these answers?"}, status_code=409)
        except SlabuilderError as error:
            return _failure(error)
        return JSONResponse({"saved": str(path), "message": f"Saved the answers in {path}."})

    async def load(request: Request) -> Response:
        if (refused := _token_refused(request, workspace)) is not None:
            return refused
        name = unquote(request.headers.get("x-filename", ""))
        try:
            raw = await _body(request, UPLOAD_LIMIT)
            await run_in_threadpool(workspace.load, raw, name)
        except SlabuilderError as error:
            return _failure(error)
        return JSONResponse({"loaded": True})

    async def download(request: Request) -> Response:
        # The page's links carry its token: another site's <img src=".../all.zip"> cannot
        # make this machine render documents.
        given = request.query_params.get("token", "")
        if not hmac.compare_digest(given.encode(), workspace.token.encode()):
            return Response("This link is out of date; reload the workspace page and download "
                            "again.", status_code=403, media_type="text/plain")
        name = request.path_params["name"]
        wanted = DOCUMENTS if name == "all.zip" else tuple(
            d for d in DOCUMENTS if name == f"{d}.pdf")
        esign = request.query_params.get("esign") or None
        if not wanted or esign not in (None, *ESIGN_SERVICES):
            return Response("No such document.", status_code=404, media_type="text/plain")
        try:
            if name == "all.zip":
                filename, data = await run_in_threadpool(workspace.zip_of_pdfs, wanted, esign)
                kind = "application/zip"
            else:
                files = await run_in_threadpool(workspace.pdfs, wanted, esign)
                filename, data = next(iter(files.items()))
                kind = "application/pdf"
        except SlabuilderError as error:
            return Response(f"Cannot make the documents yet: {error}", status_code=409,
                            media_type="text/plain")
        if esign:  # the copy for a service is told apart from the one to sign here
            stem, _, suffix = filename.rpartition(".")
            filename = f"{stem}-{esign}.{suffix}"
        return Response(data, media_type=kind, headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})

    async def asset(request: Request) -> Response:
        path = _assets().get(request.url.path)
        if path is None:
            return Response("Not found.", status_code=404, media_type="text/plain")
        return Response(path.read_bytes(), media_type=_TYPES[path.suffix],
                        headers={"Cache-Control": "max-age=3600"})

    routes = [
        Route("/", form_page),
        Route("/review", review_page),
        Route("/api/form", update, methods=["POST"]),
        Route("/api/ping", ping),
        Route("/api/save", save, methods=["POST"]),
        Route("/api/load", load, methods=["POST"]),
        Route("/download/{name}", download),
        Route("/static/{name}", asset),
        Route("/fonts/{name}", asset),
    ]
    return Guard(Starlette(routes=routes), hosts)


def serve_forever(app: Guard, listener: socket.socket, started: threading.Event) -> None:
    """Serve ``app`` with uvicorn on a bound socket until Ctrl-C; ``started`` is set once it
    accepts connections."""
    import asyncio

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           lifespan="off", server_header=False))

    async def watch() -> None:
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.02)
        started.set()

    async def main() -> None:
        watcher = asyncio.ensure_future(watch())
        try:
            await server.serve(sockets=[listener])
        finally:
            watcher.cancel()

    asyncio.run(main())  # uvicorn's serve() turns Ctrl-C into a clean shutdown


@cache
def _assets() -> dict[str, Path]:
    """URL path to file, for the workspace's own files and the documents' fonts only."""
    from slabuilder.resources import templates_dir

    found = {f"/static/{p.name}": p for p in (HERE / "static").iterdir()
             if p.suffix in _TYPES}
    found.update({f"/fonts/{p.name}": p for p in (templates_dir() / "fonts").iterdir()
                  if p.suffix in _TYPES})
    return found


async def _json(request: Request) -> Any:
    try:
        return json.loads(await _body(request, 4 * UPLOAD_LIMIT))
    except (ValueError, RecursionError, SlabuilderError):
        return None


async def _body(request: Request, limit: int) -> bytes:
    """The request's body, refused past ``limit`` bytes before it is all read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise SlabuilderError(f"the file is larger than {limit // 1000} kB; is this the right "
                              "file?")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise SlabuilderError(f"the file is larger than {limit // 1000} kB; is this the "
                                  "right file?")
        chunks.append(chunk)
    return b"".join(chunks)


def _typed_values(body: Any) -> dict[str, Typed] | None:
    values = body.get("values") if isinstance(body, dict) else None
    if not isinstance(values, dict):
        return None
    typed: dict[str, Typed] = {}
    for key, value in values.items():
        if isinstance(value, str):
            typed[str(key)] = value
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            typed[str(key)] = list(value)
        else:
            return None
    return typed


def _update(workspace: Workspace, values: dict[str, Typed], seen: int | None = None,
            tab: str | None = None) -> dict[str, Any]:
    """Fields, figures and the preview for what the browser holds now."""
    state = workspace.update(values, seen, tab)
    figures = workspace.figures(state)
    preview = None
    if figures.plan is not None:
        try:
            preview = workspace.preview(figures.plan)
        except SlabuilderError as error:
            figures = type(figures)(None, str(error))
    return {
        "version": workspace.version,
        "parts": {part["section"].id: part["state"] for part in _sections(workspace, state)},
        "fields": {name: {"visible": f.visible, "error": f.error, "empty": f.empty,
                          "prompt": f.prompt, "understood": f.understood, "help": f.help}
                   for name, f in state.fields.items()},
        "figures": _pages().get_template("_figures.html.j2").render(
            figures=_figures_view(figures, workspace.questionnaire)),
        "preview": preview,
    }
