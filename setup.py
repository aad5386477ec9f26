"""Compile the translation catalogues into the wheel; everything else is in pyproject.toml.

The repository keeps only the .po sources; the reader reads compiled .mo files, so an
installed reader needs neither the .po files nor a .po parser. This build_py step writes
reader/translations/<lang>/LC_MESSAGES/messages.mo into the build tree, never the source
tree. An editable checkout gets its .mo files from scripts/install (pybabel compile).
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = "reader/translations/*/LC_MESSAGES/*.po"


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        for po_path in sorted(Path().glob(CATALOGUES)):
            mo_path = Path(self.build_lib) / po_path.with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po_file, mo_path.open("wb") as mo_file:
                write_mo(mo_file, read_po(po_file))


setup(cmdclass={"build_py": BuildPyWithCatalogues})
