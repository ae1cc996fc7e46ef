"""`sastre models`: list, import, download, quantize, remove and choose models."""

from __future__ import annotations

from desktop.cli.common import (
    ConsoleProgress,
    Parser,
    engine,
    human_params,
    human_size,
    print_json,
    sub,
    table,
)


def add_parsers(subs) -> None:
    p = sub(subs, "models", "List, import, download, quantize and remove models.")
    ms = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)
    q = sub(ms, "list", "Show installed models.")
    q.add_argument("--json", action="store_true")
    q = sub(ms, "import", "Add a local Hugging Face-layout folder or a .gguf file.")
    q.add_argument("path")
    q.add_argument("--name", help="Name to give it (default: folder or file name).")
    q.add_argument(
        "--copy",
        action="store_true",
        help="Copy a folder into the data folder instead of using it in place.",
    )
    q = sub(ms, "pull", "Download a model from the Hugging Face hub (resumes).")
    q.add_argument("repo_id")
    q.add_argument("--name")
    q = sub(ms, "quantize", "Make a 4- or 8-bit copy of a model.")
    q.add_argument("name")
    q.add_argument("--bits", type=int, choices=(4, 8), required=True)
    q.add_argument("--group-size", type=int, default=64, choices=(32, 64, 128))
    q.add_argument("--name", dest="out_name", help="Name of the copy (default: NAME-Nbit).")
    q = sub(ms, "rm", "Remove a model (deletes its files when Sastre made them).")
    q.add_argument("name")
    q = sub(ms, "default", "Set the model used when none is given.")
    q.add_argument("name")
    sub(ms, "prepare", "Prepare the embedded default model now (done on first use otherwise).")


def cmd_models(args) -> int:
    eng = engine(args)
    mm = eng.models
    if args.action == "list":
        infos = mm.list()
        if args.json:
            print_json([i.to_dict() for i in infos])
            return 0
        if not infos:
            print(
                "No models yet. The embedded default model is prepared on first use "
                "(or now with `sastre models prepare`)."
            )
            return 0
        rows = [
            [
                ("* " if i.is_default else "  ") + i.name,
                i.architecture or "-",
                human_params(i.parameters),
                i.quantization or "-",
                human_size(i.size_bytes),
                i.path + ("" if i.present else "  (MISSING)"),
            ]
            for i in infos
        ]
        print(table(rows, ["  NAME", "ARCHITECTURE", "PARAMS", "QUANTIZATION", "SIZE", "PATH"]))
        return 0
    if args.action == "import":
        rec = mm.import_path(args.path, name=args.name, copy=args.copy, progress=ConsoleProgress())
        print(f"Imported '{rec.name}' ({rec.architecture}, {rec.quantization}) from {args.path}")
    elif args.action == "pull":
        from tqdm.auto import tqdm

        rec = mm.pull(args.repo_id, name=args.name, tqdm_class=tqdm)
        print(f"Downloaded '{rec.name}' to {rec.path}")
    elif args.action == "quantize":
        rec = mm.quantize(args.name, args.bits, args.group_size, args.out_name)
        print(f"Created '{rec.name}' ({rec.quantization}, {human_size(rec.size_bytes)})")
    elif args.action == "rm":
        rec = mm.remove(args.name)
        what = "deleted its files" if rec.managed else f"its folder {rec.path} was left in place"
        print(f"Removed '{rec.name}' ({what}).")
    elif args.action == "default":
        mm.set_default(args.name)
        print(f"Default model: {args.name}")
    elif args.action == "prepare":
        rec = mm.prepare_embedded(progress=ConsoleProgress())
        print(f"Ready: '{rec.name}' at {rec.path}")
    return 0


COMMANDS = {"models": cmd_models}
