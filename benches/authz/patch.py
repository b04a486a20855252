"""Adds aksemu's engine (and timed variants of every engine) to a scratch copy of
the bench-peers authz harness. Usage: patch.py <harness dir> <aksemu repo root>"""

import pathlib
import shutil
import sys

harness, root = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
shutil.copy(root / "benches/authz/aksemu_engine.rs", harness / "src/aksemu_engine.rs")
cargo = (harness / "Cargo.toml").read_text()
if "aksemu-authz" not in cargo:
    cargo = cargo.replace("[dependencies]\n", "[dependencies]\n"
                          f'aksemu-authz = {{ path = "{root}/crates/aksemu-authz" }}\n'
                          f'aksemu-core = {{ path = "{root}/crates/aksemu-core" }}\n', 1)
    (harness / "Cargo.toml").write_text(cargo)
main = (harness / "src/main.rs").read_text()
if "mod aksemu_engine;" not in main:
    anchor = '        "ref" => Box::new(RefEngine::build(&w)),\n'
    assert anchor in main, "harness changed: engine dispatch not found"
    timed = "".join(
        f'        "timed-{name}" => Box::new(aksemu_engine::Timed::new({ctor})),\n'
        for name, ctor in [
            ("aksemu", "Box::new(aksemu_engine::AksemuEngine::build(&w))"),
            ("aksemu-data", "Box::new(aksemu_engine::AksemuEngine::build_data(&w))"),
            ("ref", "Box::new(RefEngine::build(&w))"),
            ("cedar-attr", "Box::new(cedar_engines::CedarEngine::build_attr(&w))"),
        ])
    main = main.replace(anchor, anchor + '        "aksemu" => Box::new(aksemu_engine::AksemuEngine::build(&w)),\n'
                        + '        "aksemu-data" => Box::new(aksemu_engine::AksemuEngine::build_data(&w)),\n' + timed, 1)
    main = main + "\nmod aksemu_engine;\n"
    (harness / "src/main.rs").write_text(main)
