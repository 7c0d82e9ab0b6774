"""`build` and `serve`: run MkDocs on the repository's `mkdocs.yml`, in process.

MkDocs does the site; the `recipes` plugin named in `mkdocs.yml` loads the catalog and adds the
recipe pages and the JSON API. `build` writes into a staging folder beside the target and swaps
it in only when MkDocs finished (MkDocs itself empties its site folder first), so a failed or
killed build leaves the previous site as it was. `--recipes` reaches that plugin by overriding its `recipes_dir`
option through MkDocs' own config loading, so it also holds across `serve` rebuilds (MkDocs
reloads the config on every change).
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from builder.write.guard import check_separate
from builder.write.publish import UnsafePath, publish_folder, staging_folder
from builder.write.site_cache import SiteRecord, fingerprint

REPO_CONFIG = Path(__file__).resolve().parents[2] / "mkdocs.yml"
PLUGIN = "recipes"


def register(sub: argparse._SubParsersAction) -> None:
    build = sub.add_parser(
        "build", help="build the whole site (pages + JSON API) with MkDocs",
        description="Build the static site (every recipe page, the command builder and the JSON API)\n"
                    "from mkdocs.yml and a recipe folder.",
        epilog="examples:\n  recipes build                        # site/ from recipes/\n"
               "  recipes build --strict --out public  # fail on any warning\n"
               "  recipes build --recipes ../my-recipes --out /tmp/site",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(build)
    build.add_argument("--out", type=Path, metavar="DIR", help="site folder (default: site_dir of mkdocs.yml, site/)")
    build.add_argument("--strict", action="store_true", help="treat MkDocs warnings (broken links, …) as errors")
    build.add_argument("--no-cache", action="store_true",
                       help="render everything, ignoring and not recording the previous build (.recipes-cache/)")
    build.set_defaults(func=run_build)

    serve = sub.add_parser(
        "serve", help="preview the site locally, rebuilding on every change",
        description="Serve the site with live reload; recipe, template and builder edits trigger a rebuild.",
        epilog="examples:\n  recipes serve\n  recipes serve --dev-addr 0.0.0.0:8080 --recipes ../my-recipes",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(serve)
    serve.add_argument("--dev-addr", metavar="HOST:PORT", help="address to serve on (default: 127.0.0.1:8000)")
    serve.add_argument("--strict", action="store_true", help="treat MkDocs warnings as errors")
    serve.set_defaults(func=run_serve)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--recipes", type=Path, metavar="DIR",
                   help="recipe folder (default: the one mkdocs.yml names, recipes/)")
    p.add_argument("-f", "--config-file", type=Path, metavar="FILE",
                   help=f"MkDocs configuration (default: ./mkdocs.yml, else {REPO_CONFIG})")


def config_file(asked: Path | None) -> Path:
    for candidate in ([asked] if asked else [Path("mkdocs.yml"), REPO_CONFIG]):
        if candidate.is_file():
            return candidate.resolve()
    print(f"error: {(asked or REPO_CONFIG).as_posix()} not found (pass --config-file)", file=sys.stderr)
    raise SystemExit(1)


def plugin_override(config: Path, recipes: Path | None) -> dict[str, Any]:
    """MkDocs config overrides: the `plugins` setting with our plugin pointed at another folder.

    Given as a mapping, MkDocs' other accepted form: it validates a list by consuming its items
    (`dict.popitem`), which would break the config reload of every `serve` rebuild.
    """
    if recipes is None:
        return {}
    from mkdocs.utils.yaml import yaml_load

    with config.open(encoding="utf-8") as fd:
        listed = (yaml_load(fd) or {}).get("plugins") or []
    plugins: dict[str, Any] = dict(listed) if isinstance(listed, dict) else {}
    for item in listed if isinstance(listed, list) else []:
        name, options = next(iter(item.items())) if isinstance(item, dict) else (item, {})
        plugins[name] = options or {}
    plugins[PLUGIN] = {**(plugins.get(PLUGIN) or {}), "recipes_dir": str(recipes.resolve())}
    return {"plugins": plugins}


# MkDocs' progress lines that tell a recipes user nothing (the folder is printed once at the end).
_CHATTER = ("Cleaning site directory", "Building documentation to directory")


def _quiet(record: logging.LogRecord) -> bool:
    return record.levelno > logging.INFO or not record.getMessage().startswith(_CHATTER)


def _logging() -> None:
    """INFO and above from MkDocs and its plugins on stderr, minus MkDocs' progress chatter."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "name", "") == "recipes-cli" for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.name = "recipes-cli"
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler.addFilter(_quiet)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _fail(err: object) -> int:
    print(f"error: {err}", file=sys.stderr)
    return 1


def _cache_options(args: argparse.Namespace, path: Path) -> str:
    """The command's options that the output depends on (part of the site's fingerprint)."""
    recipes = args.recipes.resolve() if args.recipes else None
    out = args.out.absolute() if args.out else None  # None: the configuration's site_dir
    return f"build strict={bool(args.strict)} recipes={recipes} config={path} out={out}"


def _input_folders(cfg: Any) -> list[str]:
    """The folders besides the recipes that the configuration builds from: docs, theme overrides,
    our assets and the folders `serve` watches."""
    base = Path(cfg.config_file_path or ".").resolve().parent
    found = [cfg.docs_dir, cfg.theme.custom_dir]
    plugin = cfg.plugins.get(PLUGIN)
    if plugin is not None:
        found += [base / plugin.config.assets_dir, *(base / w for w in plugin.config.watch)]
    return sorted({str(Path(f).resolve()) for f in found if f})


def run_build(args: argparse.Namespace) -> int:
    path = config_file(args.config_file)
    # Before MkDocs is even imported: without --out, the site folder MkDocs defaults to (a record
    # there was made from this same configuration, since its bytes are in the fingerprint).
    guess = args.out.absolute() if args.out else path.parent / "site"
    options = _cache_options(args, path)
    if not args.no_cache and SiteRecord(guess).up_to_date(path, options):
        print(f"{guess} is up to date: nothing written", file=sys.stderr)
        return 0
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from builder.site.plugin import RecipesPlugin

    _logging()
    overrides = plugin_override(path, args.recipes)
    try:
        first = load_config(str(path), **overrides)
        target = args.out.absolute() if args.out else Path(first.site_dir)
        recipes = _recipes_dir(first)
        check_separate(target, recipes)
        record = SiteRecord(target) if not args.no_cache and recipes is not None else None
        folders = _input_folders(first)
        print_ = fingerprint(path, recipes, folders, options) if record and recipes else None
        with staging_folder(target) as staging:  # MkDocs empties its site_dir: never the live one
            cfg = load_config(str(path), site_dir=str(staging), strict=args.strict or None, **overrides)
            if record is not None:
                record.forget()
            plugin = cfg.plugins.get(PLUGIN)
            if isinstance(plugin, RecipesPlugin):  # MkDocs keeps one instance per process: say which record
                plugin.use_record(record)
            cfg.plugins.on_startup(command="build", dirty=False)
            try:
                build(cfg)
            finally:
                cfg.plugins.on_shutdown()
            publish_folder(staging, target)
        if record is not None and recipes is not None and print_ is not None:
            record.record(print_, recipes.resolve(), folders)
    except MkDocsException as err:  # Abort (strict warnings, plugin errors) and config errors
        return _fail(err)
    except (OSError, UnsafePath) as err:
        return _fail(f"cannot write the site to {target}: {getattr(err, 'strerror', None) or err}")
    print(f"built {target}", file=sys.stderr)
    return 0


def _port_taken(addr: str) -> str | None:
    """A message when `HOST:PORT` cannot be bound, checked before the (slow) first build."""
    import socket

    host, _, port = addr.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            # As the server itself binds: a port left in TIME_WAIT by a stopped serve is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, number))
    except ValueError:
        return f"--dev-addr {addr!r} is not HOST:PORT"
    except OSError as err:
        taken = f"port {port} on {host} is already in use" if err.errno in (48, 98, 10048) \
            else f"cannot serve on {addr}: {err.strerror or err}"
        return (f"{taken} (another `recipes serve`?).\n"
                f"Stop that process, or pick another port: recipes serve --dev-addr {host}:{number + 1}")
    return None


def _recipes_dir(cfg: Any) -> Path | None:
    """The recipe folder our plugin reads (None when the configuration has no such plugin)."""
    plugin = cfg.plugins.get(PLUGIN)
    if plugin is None:
        return None
    folder: str = plugin.config.recipes_dir
    return Path(cfg.config_file_path or ".").resolve().parent / folder


def _poll_often() -> None:
    """Look for saved files every 0.1 s instead of MkDocs' 0.5 s (a few hundred stat calls)."""
    import mkdocs.commands.serve
    from mkdocs.livereload import LiveReloadServer

    class QuickReload(LiveReloadServer):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "polling_interval": 0.1})

    setattr(mkdocs.commands.serve, "LiveReloadServer", QuickReload)  # noqa: B010 (read at serve time)


def run_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    _logging()
    path = config_file(args.config_file)
    busy = _port_taken(args.dev_addr or "127.0.0.1:8000")
    if busy:
        return _fail(busy)
    # Dirty builds: each rebuild renders and writes only what a save changed (the recipes plugin
    # tells MkDocs which generated files are unchanged; builder/site/serve_outputs.py). MkDocs
    # warns about dirty builds, which `strict` would turn into an error: we chose them knowingly.
    logging.getLogger("mkdocs.commands.build").addFilter(
        lambda record: not record.getMessage().startswith("A 'dirty' build is being performed"))
    _poll_often()
    try:
        serve(str(path), livereload=True, build_type="dirty", dev_addr=args.dev_addr, strict=args.strict or None,
              **plugin_override(path, args.recipes))
    except MkDocsException as err:
        return _fail(err)
    except OSError as err:  # the address is taken or cannot be bound
        return _fail(f"cannot serve on {args.dev_addr or '127.0.0.1:8000'}: {err.strerror or err}")
    return 0
