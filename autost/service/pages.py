"""Server-rendered pages (Jinja2); their plots are drawn by plotly's script, served from the
installed plotly package, with data from the JSON API.

Pages: ``/`` (every study and job), ``/studies/NAME`` (progress, Pareto front, paged
top-k table), ``/candidates/ARCH_ID`` (per-layer energy and MACs, ArchConfig, scores,
trainings), ``/compare`` (fronts of several studies overlaid), ``/submit`` (a search
form), ``/jobs/ID`` (a job's status and log) and ``/login`` (the token, for a private
server's reads).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from autost.exceptions import AutostError, ReportError
from autost.report.export import scaled
from autost.report.scores import score_info
from autost.search.progress import format_number
from autost.service import studies
from autost.service.api import describe, study_names, trial_page
from autost.service.auth import SESSION_COOKIE, same, session_value
from autost.service.errors import NotFound, status_of
from autost.storage.jobs import get_job, list_jobs
from autost.tables import jsonable, to_json

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(files("autost.service") / "templates"))
templates.env.filters["scaled"] = lambda value, name: scaled(name, value)
templates.env.filters["unit"] = lambda name: score_info(name).shown
templates.env.filters["pretty"] = to_json
templates.env.filters["short"] = format_number
PAGE_SIZE = 25


@dataclass
class TableView:
    """What the study page's table shows: page, state, mixer, sort column and a range of
    one score (the query of /studies/NAME and of its CSV link)."""

    page: int = 1
    state: str = ""
    mixer: str = ""
    sort: str = ""
    score: str = ""
    low: str = ""  # text, as a form sends it (an empty field means no bound)
    high: str = ""

    def __post_init__(self) -> None:
        self.page = max(1, self.page)

    def bound(self, name: str) -> float | None:
        text = getattr(self, name).strip()
        try:
            return float(text) if text else None
        except ValueError:
            raise ReportError(f"{name} {text!r} is not a number; give the range of "
                              f"{self.score or 'the score'} as numbers") from None

    def query(self, **changes) -> str:
        """The query string of this view with ``changes`` (page left out: the first)."""
        values = {**asdict(self), "page": None, **changes}
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})




def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    return templates.TemplateResponse(request, template, context, status_code=status)


def guarded(handler):
    """Show an AutostError (unknown study, bad query) as an error page, not JSON."""
    import functools

    @functools.wraps(handler)
    def page(request: Request, *args, **kwargs):
        try:
            return handler(request, *args, **kwargs)
        except AutostError as e:
            return render(request, "error.html", status_of(e), message=str(e))

    return page


@router.get("/", response_class=HTMLResponse)
@guarded
def index(request: Request):
    storage = request.app.state.storage
    cache = request.app.state.studies
    rows = [studies.summary(cache.get(n)) for n in study_names(storage)]
    return render(request, "index.html", studies=rows, jobs=list_jobs(storage.engine),
                  storage=storage.masked_url)


@router.get("/studies/{name}", response_class=HTMLResponse)
@guarded
def study(request: Request, name: str, objective: list[str] = Query([]),
          view: TableView = Depends()):
    entries = request.app.state.studies.get(name)
    return render(request, "study.html", study=studies.summary(entries),
                  table=_table(request, entries, view), objectives=objective, view=view)


@router.get("/studies/{name}/table", response_class=HTMLResponse)
@guarded
def study_table(request: Request, name: str, view: TableView = Depends()):
    """The top-k table alone, for the study page to refresh while a search runs."""
    entries = request.app.state.studies.get(name)
    return render(request, "table.html", study=studies.summary(entries),
                  table=_table(request, entries, view), view=view)


def _table(request: Request, entries, view: TableView) -> dict:
    """One page of the trials: feasible ones first (those `autost results top` ranks), best
    first by the chosen column (default: the study's first objective), within the range."""
    sort = view.sort or (entries.objectives[0].spec if entries.objectives else None)
    listing = trial_page(request, entries.study_name, state=view.state or None,
                         mixer=view.mixer or None, sort=sort, score=view.score or None,
                         low=view.bound("low"), high=view.bound("high"),
                         offset=(view.page - 1) * PAGE_SIZE,
                         limit=PAGE_SIZE, feasible_first=True)
    names = [o.name for o in entries.objectives]
    names += [n for n in ("params", "sops", "accuracy")
              if n not in names and any(n in r["scores"] for r in listing["rows"])]
    pages = max(1, -(-listing["total"] // PAGE_SIZE))
    return {**listing, "names": names, "page": view.page, "pages": pages, "sort": sort,
            "csv_query": view.query(sort=sort or "", feasible_first="true")}


@router.get("/candidates/{arch_id}", response_class=HTMLResponse)
@guarded
def candidate(request: Request, arch_id: str):
    info = describe(request.app.state.storage, arch_id)
    return render(request, "candidate.html", info=info, layers=_layer_charts(info))


def _layer_charts(info: dict) -> list[dict]:
    """Per score set with a per-layer table: layer names, MACs over all T and energy (mJ,
    the layer's share of the total)."""
    charts = []
    for s in info["scores"]:
        if not s["layers"]:
            continue
        energy = s["values"].get("energy")
        charts.append({
            "settings_key": s["settings_key"], "rate_source": s["rate_source"],
            "names": [r["name"] for r in s["layers"]],
            "macs": [r.get("macs_total") for r in s["layers"]],
            "energy": ([r.get("energy_share", 0.0) * energy for r in s["layers"]]
                       if isinstance(energy, int | float) else None),
        })
    return jsonable(charts)


@router.get("/compare", response_class=HTMLResponse)
@guarded
def compare(request: Request, study: list[str] = Query([]),
            objective: list[str] = Query([])):
    names = study_names(request.app.state.storage)
    missing = [s for s in study if s not in names]
    if missing:
        raise NotFound(f"no study {missing[0]!r}; studies: {', '.join(names)}")
    return render(request, "compare.html", names=names, chosen=study, objectives=objective)


@router.get("/submit", response_class=HTMLResponse)
@guarded
def submit(request: Request):
    from autost.search import list_samplers
    from autost.space import list_spaces

    return render(request, "submit.html", spaces=list_spaces(), samplers=list_samplers())


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
@guarded
def job(request: Request, job_id: int):
    found = get_job(request.app.state.storage.engine, job_id)
    if found is None:
        raise NotFound(f"no job {job_id}")
    return render(request, "job.html", job=found.to_dict())


@router.get("/login", response_class=HTMLResponse)
def login(request: Request, next: str = "/"):
    return render(request, "login.html", next=_local(next))


@router.post("/login", response_class=HTMLResponse)
async def log_in(request: Request):
    """Check the token from the form; on a match set the read-session cookie and go on."""
    form = parse_qs((await request.body()).decode(errors="replace"))
    given, goal = form.get("token", [""])[0], _local(form.get("next", ["/"])[0])
    if not given or not same(given, request.app.state.token):
        return render(request, "login.html", 401, next=goal,
                      error="wrong token; use the one `autost serve` printed at start")
    response = RedirectResponse(goal, status_code=303)
    response.set_cookie(SESSION_COOKIE, session_value(request.app.state.token),
                        httponly=True, samesite="strict", path="/")
    return response


def _local(path: str) -> str:
    """``path`` when it is a path on this server, else ``/`` (never a redirect elsewhere)."""
    return path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/"


@router.get("/plotly.min.js")
def plotly_js():
    """plotly's script from the installed package (never a CDN)."""
    import plotly

    return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                        media_type="text/javascript")
