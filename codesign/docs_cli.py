"""`codesign docs …`: documentation generated from the code, so that it cannot drift from it.

`codesign docs state-machines` writes docs/state-machines.md from the machines' tables
(`codesign.<module>.workflow`); a test checks that the committed file equals what this
generator produces now. The `docs` group is added to the `codesign` CLI with
`main.add_command(docs)`.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from codesign.app import create_app
from codesign.core.diagram import all_workflows, markdown

COMMAND = "codesign docs state-machines"
DEFAULT_PATH = Path("docs/state-machines.md")


def state_machines_markdown() -> str:
    """The whole page: a header saying how it is made, then one section per machine."""
    create_app()  # the later modules contribute guards and effects to the machines as they register
    workflows = all_workflows()
    lines = [
        "<!-- Generated file: do not edit by hand. Regenerate with `" + COMMAND + "`. -->",
        "",
        "# State machines",
        "",
        f"This page is generated from the transition tables (`codesign/<module>/workflow.py`) by `{COMMAND}`;",
        "do not edit it by hand. A test (`tests/foundation/test_diagrams.py`) fails when it no longer",
        "matches the code.",
        "",
        "For each machine: its states, a diagram (Mermaid) and the transition table, with who may fire each",
        "trigger (`admin`, `applicant`, `system`, …), the guards checked first (the guard functions, with the",
        "first line of their docstring, including those that later modules contribute) and the parameters the caller must give. The pages show the same",
        "machine as an inline SVG (`codesign.core.diagram.svg`) with the current state highlighted. An irreversible",
        "move declares what it does and who is told: every page that offers it asks once with those words before it",
        "fires (`codesign.core.confirm`).",
        "",
        "Machines: " + ", ".join(f"`{w.entity_type}` («{w.name}»)" for w in workflows) + ".",
        "",
    ]
    body = "\n".join(markdown(w) for w in workflows)
    return "\n".join(lines) + "\n" + body.rstrip("\n") + "\n"


def write_state_machines_doc(path: str | Path = DEFAULT_PATH) -> Path:
    """Write the page to `path` (creating its folder) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(state_machines_markdown(), encoding="utf-8")
    return path


@click.group("docs", help="Documentazione generata dal codice.")
def docs():
    pass


@docs.command("state-machines", help="Scrive docs/state-machines.md dalle tabelle delle macchine a stati.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_PATH,
              show_default=True, help="Il file da scrivere.")
@click.option("--check", is_flag=True, help="Non scrive: esce con 1 se il file non corrisponde al codice.")
def state_machines_doc(output: Path, check: bool):
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != state_machines_markdown():
            click.echo(f"{output} non corrisponde alle macchine a stati: esegui `{COMMAND}`.", err=True)
            sys.exit(1)
        click.echo(f"{output} è aggiornato.")
        return
    write_state_machines_doc(output)
    click.echo(f"Scritto {output}.")
