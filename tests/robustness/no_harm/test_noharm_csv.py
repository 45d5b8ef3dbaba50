"""CSV export against formula injection: every payload of OWASP's list, read back by
readers that split on each separator a spreadsheet may pick."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from vaultkit.cli.main import cli
from vaultkit.exporting.csv_out import neutralise

DATA = Path(__file__).with_name("data")
TRIGGERS = "=+-@\t\r＝＋－＠﹦﹢﹣|"
SEPARATORS = (",", ";", "\t", "|")


def payloads() -> list[str]:
    lines = (DATA / "csv_injection_payloads.txt").read_text("utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("# ")]


def cells_seen(text: str) -> list[str]:
    """Every cell any reader sees: RFC 4180 readers and naive splitters, for each separator."""
    out: list[str] = []
    for sep in SEPARATORS:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep):
            out.extend(row)
        for line in text.replace("\r\n", "\n").split("\n"):
            out.extend(line.split(sep))
    return out


def dangerous(cell: str) -> bool:
    head = cell.lstrip(' \n\u00a0\u3000\f\v"')
    return bool(head) and head[0] in TRIGGERS


def test_every_payload_is_neutralised_for_every_separator(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    items = "".join(
        f"- [{p.replace('[', '(').replace(']', ')')}](https://x.example/{i})\n"
        for i, p in enumerate(payloads())
    )
    (vault / "Payloads.md").write_text(f"# Payloads\n\n## =1+1;-2\n\n{items}", "utf-8")
    (vault / "=SUM(1).md").write_text("- [ok](https://y.example/)\n", "utf-8")
    result = CliRunner().invoke(cli, ["export", "--format", "csv", str(vault)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    text = result.stdout_bytes.decode("utf-8")
    assert not [c for c in cells_seen(text) if dangerous(c)]
    # Read as RFC 4180 with commas, each payload is one cell, recognisably itself.
    titles = [row["title"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert len(titles) == len(payloads()) + 1


@pytest.mark.parametrize("payload", payloads())
def test_neutralise_each_payload(payload: str) -> None:
    cell = neutralise(payload)
    assert not [c for c in cells_seen(cell) if dangerous(c)]
    assert cell.replace("'", "") == payload.replace("'", "")  # only apostrophes are added


@pytest.mark.parametrize("cell", ["Title | Site", "fine = ok", "café, 2nd ed.", "C++ primer", "x-y"])
def test_plain_text_is_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell
