"""UN Comtrade through its official client, `comtradeapicall`: a query in, declarations and release dates out.

Two calls per period, both the client's own functions:

- the declarations: `previewFinalData` (keyless, at most 500 records a call) or,
  with a subscription key in `COMTRADE_API_KEY`, `getFinalData`;
- the release dates: `_getFinalDataAvailability` (keyless) or `getFinalDataAvailability`,
  whose records carry each reporter's `lastReleased` for the period.

The response format is UN Comtrade's API "comtrade - v1" as its developer portal
documents it (https://comtradedeveloper.un.org, operations "Get preview final
data", "Get final data" and "Get data availability"): a JSON object whose
`data` array holds one record per reporter, partner, flow, period and commodity,
with `reporterCode` and `partnerCode` (UN M49 numeric, as Comtrade uses them),
`flowCode` (X exports, M imports), `period` (YYYY or YYYYMM), `cmdCode`,
`primaryValue` in US dollars, and `cifvalue` / `fobvalue` where the reporter
gave them; the availability records add `lastReleased`. The client reads
`data` (`json_normalize(jsonResult['data'])`) and returns it as a DataFrame.

The client opens its own `urllib3.PoolManager` per call and, on an HTTP error
or an unreachable host, prints the body and returns None instead of raising.
So the calls here hand it a pool manager of ours (`Transport`) for their
duration: it sees every status code, so a 429 is retried with backoff and a
refused key is named, and it can send the client's requests to another
address (`api_url`) — a mirror, or the local server the tests run. The
client's own code builds every URL and parses every response.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import urllib3

from .errors import UserError
from .settings import COMTRADE_API_URL as API_URL
from .settings import COMTRADE_KEY_VARIABLE as KEY_VARIABLE

PREVIEW_LIMIT = 500  # records a keyless preview call returns at most (the client's README)
KEYED_LIMIT = 100000  # records asked for in one keyed call
ATTEMPTS = 5  # calls per request when the service answers 429 (too many requests)
BACKOFF_SECONDS = 2.0  # the first wait after a 429 without Retry-After; doubled each time
PACE_SECONDS = 1.0  # between two calls: the public tier allows one call a second
FLOW_CODES = {"exports": "X", "imports": "M"}  # the package's flows -> Comtrade's flowCode
TOTAL = "TOTAL"  # Comtrade's cmdCode for all commodities
CHAPTERS = "AG2"  # Comtrade's cmdCode for every HS chapter (aggregation level 2)


class ComtradeError(UserError):
    """UN Comtrade could not be asked, or refused: one line saying which and what to do. Nothing was written."""

    exit_code = 1
    command = "import comtrade"


@dataclass(frozen=True)
class Query:
    """What to ask for, in Comtrade's codes: reporters and partners as M49 numbers, periods as YYYY or YYYYMM."""

    reporters: tuple[int, ...]
    partners: tuple[int, ...]
    periods: tuple[str, ...]
    flows: tuple[str, ...] = ("exports", "imports")
    commodity: str = TOTAL

    @property
    def freq(self) -> str:
        return "M" if len(self.periods[0]) == 6 else "A"

    def describe(self, period: str, commodity: str | None = None) -> str:
        """The query for one period (and one commodity of it) as a locator states it (short: a locator holds 200
        characters)."""
        return f"C/{self.freq}/HS {commodity or self.commodity} period {period}"


@dataclass
class Answer:
    """What the service answered: the declaration records, and the release date of each (reporter, period)."""

    records: list[dict] = field(default_factory=list)
    released: dict[tuple[int, str], str] = field(default_factory=dict)  # (reporterCode, period) -> YYYY-MM-DD
    calls: int = 0


class Transport(urllib3.PoolManager):
    """The pool manager the client is given: sends its requests to `api_url` and keeps what came back."""

    def __init__(self, api_url: str = API_URL, **kw):
        super().__init__(**kw)
        self.api_url = api_url.rstrip("/")
        self.status: int | None = None
        self.body = b""
        self.headers: dict[str, str] = {}
        self.failure: Exception | None = None

    def reset(self) -> None:
        self.status, self.body, self.headers, self.failure = None, b"", {}, None

    def urlopen(self, method, url, redirect=True, **kw):
        if url.startswith(API_URL):
            url = self.api_url + url[len(API_URL):]
        # urllib3 would itself wait out a 429 that has a Retry-After, unseen and unbounded: the client here does
        # (`Client._call`); urllib3 keeps retrying only connections that failed.
        kw.setdefault("retries", urllib3.Retry(total=3, connect=3, read=0, status=0, redirect=3,
                                               respect_retry_after_header=False, raise_on_status=False))
        try:
            response = super().urlopen(method, url, redirect=redirect, **kw)
        except urllib3.exceptions.HTTPError as exc:
            self.failure = exc
            raise
        self.status, self.body, self.headers = response.status, response.data, dict(response.headers)
        return response


@contextlib.contextmanager
def _given(transport: Transport) -> Iterator[None]:
    """Let the client's modules open `transport` where they open a PoolManager; silence what they print."""
    from comtradeapicall import DataAvailability, PreviewGet

    shim = types.SimpleNamespace(PoolManager=lambda *a, **k: transport, ProxyManager=urllib3.ProxyManager,
                                 exceptions=urllib3.exceptions)
    modules = (PreviewGet, DataAvailability)
    saved = [m.urllib3 for m in modules]
    for module in modules:
        module.urllib3 = shim
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        for module, original in zip(modules, saved):
            module.urllib3 = original


def _message(body: bytes) -> str:
    """The service's own words from an error body (its JSON `message` or `error`), shortened to one line."""
    text = body.decode("utf-8", "replace")
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            text = str(parsed.get("message") or parsed.get("error") or text)
    except ValueError:
        pass
    text = " ".join(text.split())
    return text[:200] or "no message"


def _wait(headers: dict[str, str], attempt: int) -> float:
    """Seconds to wait before the next attempt: the service's Retry-After, else a doubling backoff."""
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after", "")
    if value.strip().isdigit():
        return float(value)
    return BACKOFF_SECONDS * 2 ** attempt


class Client:
    """Calls through `comtradeapicall`, one request at a time, paced, retried on 429."""

    def __init__(self, key: str | None = None, api_url: str = API_URL, sleep: Callable[[float], None] = time.sleep):
        self.key = key or None
        self.transport = Transport(api_url)
        self.sleep = sleep
        self.calls = 0

    def _call(self, what: str, function: Callable, *args, **kw):
        """One client call, repeated after a 429; its DataFrame, or a ComtradeError that says what went wrong."""
        for attempt in range(ATTEMPTS):
            if self.calls:
                self.sleep(PACE_SECONDS)
            self.calls += 1
            self.transport.reset()
            try:
                with _given(self.transport):
                    frame = function(*args, **kw)
            except (KeyError, TypeError, ValueError) as exc:  # a 200 whose body is not the documented JSON
                raise ComtradeError(f"UN Comtrade's answer for {what} is not in its documented format"
                                    f" ({exc.__class__.__name__}: {exc}) — try again later; nothing was written"
                                    ) from None
            status = self.transport.status
            if self.transport.failure is not None or status is None:
                reason = self.transport.failure.__class__.__name__ if self.transport.failure else "no answer"
                raise ComtradeError(f"UN Comtrade is unreachable at {self.transport.api_url} ({reason}) while"
                                    f" asking for {what} — check the connection and try again; nothing was written")
            if status == 200 and frame is not None:
                return frame
            if status == 429 and attempt + 1 < ATTEMPTS:
                self.sleep(_wait(self.transport.headers, attempt))
                continue
            if status == 429:
                raise ComtradeError(f"UN Comtrade kept answering 429 (too many requests) for {what}, {ATTEMPTS}"
                                    " times — wait an hour and run the import again; nothing was written")
            if status in (401, 403) and self.key:
                raise ComtradeError(f"UN Comtrade refused the subscription key in {KEY_VARIABLE} (HTTP {status}:"
                                    f" {_message(self.transport.body)}) — check the key on"
                                    f" comtradedeveloper.un.org, or unset {KEY_VARIABLE} to use the keyless"
                                    " preview; nothing was written")
            raise ComtradeError(f"UN Comtrade answered HTTP {status} for {what}: {_message(self.transport.body)}"
                                " — check the query; nothing was written")
        raise AssertionError("unreachable")  # the loop returns or raises

    def declarations(self, query: Query, period: str) -> list[dict]:
        import comtradeapicall

        common = dict(typeCode="C", freqCode=query.freq, clCode="HS", period=period,
                      reporterCode=",".join(map(str, query.reporters)), cmdCode=query.commodity,
                      flowCode=",".join(FLOW_CODES[f] for f in query.flows),
                      partnerCode=",".join(map(str, query.partners)), partner2Code="0", customsCode="C00",
                      motCode="0", format_output="JSON", breakdownMode="classic", includeDesc=None)
        what = f"the declarations of {period}"
        if self.key:
            frame = self._call(what, comtradeapicall.getFinalData, self.key, maxRecords=KEYED_LIMIT, **common)
            limit = KEYED_LIMIT
        else:
            frame = self._call(what, comtradeapicall.previewFinalData, maxRecords=PREVIEW_LIMIT, **common)
            limit = PREVIEW_LIMIT
        if len(frame) >= limit:
            raise ComtradeError(f"UN Comtrade returned {len(frame)} records for {period}, the most one call gives"
                                f" — ask for fewer reporters or partners at a time, or set {KEY_VARIABLE};"
                                " nothing was written")
        return [_plain(record) for record in frame.to_dict("records")]

    def releases(self, query: Query, period: str) -> dict[tuple[int, str], str]:
        import comtradeapicall

        args = dict(typeCode="C", freqCode=query.freq, clCode="HS", period=period,
                    reporterCode=",".join(map(str, query.reporters)))
        what = f"the release dates of {period}"
        if self.key:
            frame = self._call(what, comtradeapicall.getFinalDataAvailability, self.key, **args)
        else:
            frame = self._call(what, comtradeapicall._getFinalDataAvailability, **args)
        out = {}
        for record in frame.to_dict("records"):
            record = _plain(record)
            released = str(record.get("lastReleased") or "")[:10]
            if record.get("reporterCode") is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", released):
                out[(int(record["reporterCode"]), str(record.get("period")))] = released
        return out


def _plain(record: dict) -> dict:
    """A DataFrame record with NaN as None and whole floats of code columns as ints."""
    out = {}
    for key, value in record.items():
        if isinstance(value, float) and math.isnan(value):
            value = None
        out[key] = value
    return out


def fetch(query: Query, client: Client) -> Answer:
    """Every period of the query: its declarations and its release dates. Raises ComtradeError; writes nothing."""
    answer = Answer()
    for period in query.periods:
        records = client.declarations(query, period)
        answer.records.extend(records)
        if records:
            answer.released.update(client.releases(query, period))
    answer.calls = client.calls
    return answer
