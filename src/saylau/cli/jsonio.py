"""JSON-in / JSON-out plumbing shared by the machine-readable ``saylau law …`` commands.

Contract (README, "Command-line contracts"): one JSON document on standard input or
``--input FILE``, one JSON document on standard output, exit 0 for every legal outcome, and exit 2
with a precise message (field, value, rule broken) on standard error for invalid input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ConfigDict, ValidationError

from saylau.law.errors import LawInputError

INVALID_INPUT = 2

M = TypeVar("M", bound=BaseModel)


class StrictModel(BaseModel):
    """Base of every CLI input model: unknown fields are refused, numbers are not coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on standard error and exit with the invalid-input code."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(INVALID_INPUT)


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(document)"
        value = item.get("input")
        shown = json.dumps(value, ensure_ascii=False, default=str) if value is not None else "null"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        lines.append(f"{where}: {item['msg']} (got {shown})")
    return "invalid input: " + "; ".join(lines)


def read_input(model: type[M], input_file: Path | None) -> M:
    """Read and validate the command's JSON document, or exit 2 with a precise message."""
    try:
        text = input_file.read_text(encoding="utf-8") if input_file else sys.stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read input: {exc}")
    if not text.strip():
        fail("no input: expected one JSON document on standard input or --input FILE")
    try:
        # Decimals stay exact: a threshold of 2.5 must not become the float 2.5000000000000001.
        document = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # also 4,301 digits or a deep nesting
        fail(f"input is not valid JSON: {exc}")
    if not isinstance(document, dict):
        fail("input must be a JSON object")
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        fail(_describe(exc))


def law_error(exc: LawInputError) -> NoReturn:
    """Report a rule the input breaks (raised by the law core) and exit 2."""
    fail(
        f"invalid input: {exc.field}={json.dumps(exc.value, ensure_ascii=False, default=str)}: "
        f"{exc.rule}"
    )


def write_output(document: Any) -> None:
    """Write the result document to standard output (UTF-8, stable key order); a value JSON has
    no type for is written as its text."""
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2, default=str))


def json_command(
    app: typer.Typer,
    name: str,
    model: type[M],
    run: Callable[[M], dict[str, Any]],
    help_text: str,
) -> None:
    """Add a JSON-in / JSON-out command: read and validate ``model``, ``run`` it, write the result.

    Every ``saylau law …`` command has this shape; a :class:`LawInputError` from the law core
    becomes exit code 2 with the field, value and rule, like a validation error.
    """

    def command(
        input_file: Annotated[
            Path | None,
            typer.Option("--input", help="Read the JSON document from FILE instead of stdin."),
        ] = None,
    ) -> None:
        document = read_input(model, input_file)
        try:
            output = run(document)
        except LawInputError as exc:
            law_error(exc)
        write_output(output)

    app.command(name, help=help_text)(command)
