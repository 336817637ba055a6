"""Write the JSON-LD context of every shipped document type version that needs one into
vc_engine/data/contexts/doctypes/, and pin each in vc_engine/data/contexts/index.json.

Run after adding or changing a definition file: ``python scripts/write_doctype_contexts.py``.
tests/doctypes/test_generated.py fails while a shipped context differs from its definition.
"""

from __future__ import annotations

import json
from pathlib import Path

from vc_engine.doctypes.catalogue import SHIPPED
from vc_engine.doctypes.generated import type_context

CONTEXTS = Path(__file__).resolve().parent.parent / "vc_engine" / "data" / "contexts"


def main() -> None:
    index_file = CONTEXTS / "index.json"
    index = json.loads(index_file.read_text(encoding="utf-8"))
    (CONTEXTS / "doctypes").mkdir(exist_ok=True)
    for code, versions in sorted(SHIPPED.items()):
        for version, definition in sorted(versions.items()):
            context = type_context(definition.doctype)
            if context is None:
                continue
            name = f"doctypes/{code}-v{version}.jsonld"
            (CONTEXTS / name).write_bytes(context.document)
            index[context.url] = {
                "file": name,
                "sha256": context.sha256,
                "source": f"vc-engine: generated from data/doctypes/{code}.v{version}.yaml",
            }
    index_file.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", "utf-8")


if __name__ == "__main__":
    main()
