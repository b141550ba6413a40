"""Requests of a scenario and the wrk Lua script that sends them in rotation.

The script pre-formats every request once per wrk thread (``init``), hands
them out in turn (``request``), and prints one JSON line in ``done`` with the
latency percentiles and the error counts; ``summary.errors.status`` counts
the responses wrk saw with a status of 400 or more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import msgspec

RESULT_MARK = "BENCH_JSON "


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    token: str | None = None
    body: bytes | None = None

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        return headers


class WrkResult(msgspec.Struct, frozen=True):
    requests: int
    duration_us: int
    p50_us: float
    p99_us: float
    max_us: float
    connect_errors: int
    read_errors: int
    write_errors: int
    status_errors: int
    timeouts: int

    @property
    def rps(self) -> float:
        return self.requests / (self.duration_us / 1_000_000)

    @property
    def errors(self) -> int:
        return (
            self.connect_errors
            + self.read_errors
            + self.write_errors
            + self.status_errors
            + self.timeouts
        )


def lua_string(value: str | bytes) -> str:
    """A double-quoted Lua literal; bytes outside printable ASCII become ``\\ddd``."""
    raw = value.encode() if isinstance(value, str) else value
    out = ['"']
    for byte in raw:
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03d}")
    out.append('"')
    return "".join(out)


_SCRIPT_BODY = """
local prepared = {}
local position = 0

function init(args)
  for i, spec in ipairs(specs) do
    local headers = {}
    if spec[3] ~= "" then headers["Authorization"] = "Bearer " .. spec[3] end
    local body = nil
    if spec[4] ~= "" then
      headers["Content-Type"] = "application/json"
      body = spec[4]
    end
    prepared[i] = wrk.format(spec[1], spec[2], headers, body)
  end
end

function request()
  position = position % #prepared + 1
  return prepared[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"status_errors":%d,' ..
    '"timeouts":%d}\\n',
    RESULT_MARK, summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def wrk_script(requests: Sequence[HttpRequest]) -> str:
    """The Lua source that rotates through ``requests``."""
    if not requests:
        raise ValueError("a scenario needs at least one request")
    lines = [f"RESULT_MARK = {lua_string(RESULT_MARK)}", "specs = {"]
    for request in requests:
        fields = (request.method, request.path, request.token or "", request.body or b"")
        lines.append("  {" + ", ".join(lua_string(field) for field in fields) + "},")
    lines.append("}")
    return "\n".join(lines) + "\n" + _SCRIPT_BODY


def parse_wrk_output(stdout: str) -> WrkResult:
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return msgspec.json.decode(line[len(RESULT_MARK) :], type=WrkResult)
    raise ValueError("wrk printed no result line; is the Lua script's done() running?")
