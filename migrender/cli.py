"""Command line: a thin shell over the core.

Each command parses its options, calls one core function and prints what it
returns. One funnel turns the outcome into the exit code: 0 fine, 1 invalid
spec, 2 usage error, 3 migrender itself failed (one line; the traceback only
under --debug).
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import click

from migrender import __version__

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github"]),
    default="text",
    show_default=True,
    help="How problems are printed: text (path:line:col: severity: message), json, or github "
    "(GitHub Actions annotations).",
)
REPORT_FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text, markdown (for a pull request comment) or json.",
)
PATHS_ARGUMENT = click.argument("paths", nargs=-1, type=click.Path(path_type=str))


class _Funnel(click.Group):
    """Turns every exception a command lets escape into a one-line message and exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        from migrender.workspace import UsageError

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except UsageError as exc:
            click.echo(f"migrender: error: {exc}", err=True)
            ctx.exit(EXIT_USAGE)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(
                f"migrender: internal error: {type(exc).__name__}: {exc} "
                "(this is a bug in migrender; rerun with --debug for the traceback)",
                err=True,
            )
            ctx.exit(EXIT_INTERNAL)


@click.group(
    cls=_Funnel,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  migrender validate                      # every environments/*/cluster.yaml
  migrender render --out rendered         # write rendered/<name>/ per environment
  migrender plan environments/prod-east   # capacity of one environment
  migrender catalog A100-SXM4-80GB        # profiles and layouts of one GPU

Exit codes: 0 ok, 1 invalid spec or stale output, 2 usage error, 3 internal error.""",
)
@click.version_option(__version__, prog_name="migrender")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def cli(debug: bool) -> None:
    """Validate and render NVIDIA MIG layouts for Kubernetes and OpenShift.

    One cluster spec per environment (environments/<name>/cluster.yaml) describes the GPU
    node pools and how their GPUs are partitioned; migrender checks it against the real
    hardware rules and renders the GPU Operator settings, the mig-parted ConfigMap, node
    labels and OpenShift AI profiles that GitOps applies.
    """


def _emit_problems(problems: list[Any], fmt: str, *, err: bool = False) -> None:
    from migrender.problems import FORMATTERS

    if problems or fmt == "json":
        click.echo(FORMATTERS[fmt](problems), nl=False, err=err)


def _summary(results: list[Any]) -> str:
    from migrender.problems import Severity

    errors = sum(p.severity is Severity.ERROR for r in results for p in r.problems)
    warnings = sum(p.severity is Severity.WARNING for r in results for p in r.problems)
    bad = sum(not r.ok for r in results)
    specs = f"{len(results)} spec{'s' if len(results) != 1 else ''}"
    if not errors and not warnings:
        return f"{specs} valid"
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{', '.join(parts)} in {specs}" + (f" ({bad} invalid)" if bad else "")


def _finish(code: int) -> NoReturn:
    click.get_current_context().exit(code)


def _validated(paths: tuple[str, ...]) -> list[Any]:
    from migrender.validate import validate_sources
    from migrender.workspace import read_specs

    return validate_sources(read_specs(list(paths) or ["environments"]))


@cli.command(
    epilog="""\b
Examples:
  migrender validate
  migrender validate environments/prod-east/cluster.yaml
  migrender validate environments --format github   # annotations in a GitHub Actions job"""
)
@PATHS_ARGUMENT
@FORMAT_OPTION
def validate(paths: tuple[str, ...], fmt: str) -> None:
    """Check cluster specs against the schema and the GPU hardware rules.

    PATHS are spec files, or folders searched for */cluster.yaml (default: environments).
    Every problem of every file is printed, one per line, sorted by file and position.
    Exit 0 when all specs are valid (warnings allowed), 1 when any has an error, 2 on a
    usage error.
    """
    from migrender.validate import all_problems

    results = _validated(paths)
    problems = all_problems(results)
    _emit_problems(problems, fmt)
    if fmt == "text":
        click.echo(_summary(results), err=True)
    _finish(EXIT_INVALID if any(not r.ok for r in results) else EXIT_OK)


OUT_OPTION = click.option(
    "--out",
    default="rendered",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder that holds one rendered/<metadata.name>/ folder per environment.",
)


def _valid_or_exit(results: list[Any], fmt: str, outcome: str = "nothing done") -> None:
    """Print problems on stderr; exit 1 when any spec has an error."""
    from migrender.validate import all_problems

    _emit_problems(all_problems(results), fmt, err=True)
    if any(not r.ok for r in results):
        click.echo(f"migrender: {_summary(results)}; {outcome}", err=True)
        _finish(EXIT_INVALID)


@cli.command(
    epilog="""\b
Examples:
  migrender render                                  # environments/ -> rendered/
  migrender render environments/prod-east --out deploy
  migrender render --stdout environments/prod-east  # one YAML stream (Argo CD plugin)"""
)
@PATHS_ARGUMENT
@OUT_OPTION
@click.option(
    "--stdout",
    "to_stdout",
    is_flag=True,
    help="Print one environment's manifests as a multi-document YAML stream instead of "
    "writing files. Nothing is printed on stdout unless the spec is valid.",
)
@FORMAT_OPTION
def render(paths: tuple[str, ...], out: str, to_stdout: bool, fmt: str) -> None:
    """Render the manifests of each environment into OUT/<metadata.name>/.

    PATHS are spec files or folders searched for */cluster.yaml (default: environments).
    Every spec is validated first; if any has an error nothing is written (exit 1).
    Each environment folder is replaced atomically: the old one stays until the new one
    is complete, and files that no longer belong are removed.
    """
    from pathlib import Path

    from migrender.output import OutputError, clear_leftovers, write_file, write_tree
    from migrender.render import FLEET_FILE, manifest_stream, render_spec

    results = _validated(paths)
    if to_stdout and len(results) != 1:
        raise click.UsageError(
            f"--stdout renders exactly one environment; {len(results)} specs were given"
        )
    _valid_or_exit(results, fmt, "nothing written")
    rendered = [(r.spec.name, render_spec(r.spec)) for r in results]
    if to_stdout:
        click.echo(manifest_stream(rendered[0][1]), nl=False)
        _finish(EXIT_OK)
    fleet = _fleet(paths, results)
    try:
        clear_leftovers(Path(out))
        for name, files in rendered:
            target = write_tree(Path(out), name, files)
            click.echo(f"rendered {target.as_posix()}/ ({len(files)} files)", err=True)
        if fleet is not None:
            target = write_file(Path(out), FLEET_FILE, fleet)
            click.echo(f"rendered {target.as_posix()} (Argo CD fleet)", err=True)
    except OutputError as exc:
        click.echo(f"migrender: error: {exc}; the previous output is unchanged", err=True)
        _finish(EXIT_INVALID)
    _finish(EXIT_OK)


def _fleet(paths: tuple[str, ...], results: list[Any]) -> str | None:
    """The fleet ApplicationSet, when whole folders of specs were given (a single spec
    file is not the fleet, so it leaves the fleet file alone)."""
    from pathlib import Path

    from migrender.render import render_fleet

    if not all(Path(p).is_dir() for p in paths or ("environments",)):
        return None
    return render_fleet([r.spec for r in results])


@cli.command(
    epilog="""\b
Examples:
  migrender check                 # in CI or pre-commit: is rendered/ current?
  migrender check --out deploy environments/prod-east"""
)
@PATHS_ARGUMENT
@OUT_OPTION
@FORMAT_OPTION
def check(paths: tuple[str, ...], out: str, fmt: str) -> None:
    """Check that OUT holds exactly what `migrender render` would write.

    Exit 0 when every environment's folder is current, 1 when a spec is invalid or a
    file is missing, changed or left over (each is listed), 2 on a usage error.
    """
    from pathlib import Path

    from migrender.output import compare_tree
    from migrender.render import FLEET_FILE, render_spec

    results = _validated(paths)
    _valid_or_exit(results, fmt)
    stale = 0
    fleet = _fleet(paths, results)
    fleet_path = Path(out) / FLEET_FILE
    if fleet is not None and (not fleet_path.is_file() or fleet_path.read_text("utf-8") != fleet):
        what = "out of date" if fleet_path.exists() else "missing"
        click.echo(f"{fleet_path.as_posix()}: {what}")
        stale += 1
    for result in results:
        drift = compare_tree(Path(out), result.spec.name, render_spec(result.spec))
        base = (Path(out) / result.spec.name).as_posix()
        for what, names in (
            ("missing", drift.missing),
            ("out of date", drift.changed),
            ("not rendered by migrender any more", drift.extra),
        ):
            for name in names:
                click.echo(f"{base}/{name}: {what}")
                stale += 1
    if stale:
        click.echo(
            f"migrender: {stale} rendered file{'s' if stale != 1 else ''} differ from the "
            "specs; run `migrender render` and commit the result",
            err=True,
        )
        _finish(EXIT_INVALID)
    click.echo(f"{len(results)} environment{'s' if len(results) != 1 else ''} up to date", err=True)
    _finish(EXIT_OK)


@cli.command(
    epilog="""\b
Examples:
  migrender plan                                   # every environment
  migrender plan environments/eks-p5 --format markdown >> $GITHUB_STEP_SUMMARY"""
)
@PATHS_ARGUMENT
@REPORT_FORMAT_OPTION
def plan(paths: tuple[str, ...], fmt: str) -> None:
    """Show the capacity each environment offers: per pool and per cluster.

    For every profile: slices per node and in total, the resource name pods request
    (nvidia.com/mig-<profile> under mixed, nvidia.com/gpu under single), memory and
    compute per slice, and the capacity the layout strands. Exit 1 if a spec is invalid.
    """
    from migrender.capacity import (
        format_plan_json,
        format_plan_markdown,
        format_plan_text,
        plan_cluster,
    )

    results = _validated(paths)
    _valid_or_exit(results, "text")
    plans = [plan_cluster(r.spec) for r in results]
    formatter = {
        "text": format_plan_text,
        "markdown": format_plan_markdown,
        "json": format_plan_json,
    }[fmt]
    click.echo(formatter(plans), nl=False)
    _finish(EXIT_OK)


@cli.command(
    epilog="""\b
Examples:
  migrender catalog                    # every GPU model
  migrender catalog A100-SXM4-40GB     # its profiles, placements and named layouts
  migrender catalog NVIDIA-A30 --format json"""
)
@click.argument("gpu", required=False)
@REPORT_FORMAT_OPTION
def catalog(gpu: str | None, fmt: str) -> None:
    """List the GPU models migrender knows, or one model's MIG profiles and layouts.

    GPU is a catalog id or an alias (such as the GPU Feature Discovery product label
    NVIDIA-A30), in any case. Exit 2 for an unknown model, with the closest ids.
    """
    from migrender.catalog import load_catalog
    from migrender.catalog_view import format_model, format_models

    known = load_catalog()
    if gpu is None:
        click.echo(format_models(known, fmt), nl=False)
        _finish(EXIT_OK)
    model = known.lookup(gpu)
    if model is None:
        close = known.suggest(gpu)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        click.echo(f"migrender: error: unknown GPU model '{gpu}'{hint}", err=True)
        _finish(EXIT_USAGE)
    click.echo(format_model(model, fmt), nl=False)
    _finish(EXIT_OK)


@cli.command(
    epilog="""\b
Examples:
  migrender diff --base main                       # every environment against main
  migrender diff --base origin/main environments/eks-p5
  migrender diff --base "$GITHUB_BASE_REF" --format markdown > comment.md"""
)
@PATHS_ARGUMENT
@click.option(
    "--base",
    "base",
    required=True,
    metavar="GIT_REF",
    help="The git revision to compare the working tree with (branch, tag or commit).",
)
@REPORT_FORMAT_OPTION
def diff(paths: tuple[str, ...], base: str, fmt: str) -> None:
    """Show what the spec changes since GIT_REF do to each environment.

    PATHS are spec files or folders searched for */cluster.yaml (default: environments),
    read both at GIT_REF (with git; the working tree is not touched) and in the working
    tree; environments are matched by metadata.name. Reported per environment: Nodes and
    MachineSets whose nvidia.com/mig.config changes (mig-manager drains and repartitions
    them), nodes that join or leave pools, slices gained and lost per profile and resource
    name, and GPU Operator setting changes. A spec invalid at GIT_REF is reported as such
    and compared as if absent. Exit 0 with or without changes, 1 when a working-tree spec
    is invalid (problems on stderr), 2 for an unknown revision or outside a git repository.
    """
    from migrender.diffing import (
        compare,
        format_diff_json,
        format_diff_markdown,
        format_diff_text,
        specs_by_name,
    )
    from migrender.gitsource import read_both
    from migrender.validate import all_problems, validate_sources

    base_sources, head_sources = read_both(base, list(paths) or ["environments"])
    head = validate_sources(head_sources)
    if any(not r.ok for r in head):
        _emit_problems(all_problems(head), "text", err=True)
        click.echo(f"migrender: {_summary(head)}; nothing compared", err=True)
        _finish(EXIT_INVALID)
    diffs = compare(specs_by_name(validate_sources(base_sources)), specs_by_name(head))
    if fmt == "json":
        click.echo(format_diff_json(diffs), nl=False)
    elif fmt == "markdown":
        click.echo(format_diff_markdown(diffs, base), nl=False)
    else:
        click.echo(format_diff_text(diffs, base), nl=False)
    _finish(EXIT_OK)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="migrender")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
