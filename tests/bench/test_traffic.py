"""The wrk script: every pooled request, quoted safely, and its JSON result line."""

from __future__ import annotations

from bench.traffic import HttpRequest, lua_string, parse_wrk_output, wrk_script


def test_lua_string_escapes_quotes_and_backslashes() -> None:
    assert lua_string('say "hi" \\ there') == '"say \\"hi\\" \\\\ there"'


def test_lua_string_writes_non_ascii_bytes_as_decimal_escapes() -> None:
    assert lua_string("ç") == '"\\195\\167"'


def test_wrk_script_lists_each_request_with_token_and_body() -> None:
    script = wrk_script(
        [
            HttpRequest("GET", "/health/live"),
            HttpRequest("POST", "/api/attempts", token="abc", body=b'{"a":1}'),
        ]
    )

    assert '{"GET", "/health/live", "", ""},' in script
    assert '{"POST", "/api/attempts", "abc", "{\\"a\\":1}"},' in script
    assert "function done(summary, latency, requests)" in script


def test_request_headers_carry_bearer_token_and_json_type() -> None:
    request = HttpRequest("POST", "/x", token="t", body=b"{}")

    assert request.headers() == {
        "Authorization": "Bearer t",
        "Content-Type": "application/json",
    }


def test_parse_wrk_output_reads_the_marked_json_line() -> None:
    stdout = (
        "Running 5s test @ http://127.0.0.1:8799\n"
        'BENCH_JSON {"requests":1000,"duration_us":5000000,"p50_us":900,"p99_us":2500,'
        '"max_us":4000,"connect_errors":0,"read_errors":0,"write_errors":0,'
        '"status_errors":2,"timeouts":1}\n'
    )

    result = parse_wrk_output(stdout)

    assert result.rps == 200.0
    assert result.errors == 3
