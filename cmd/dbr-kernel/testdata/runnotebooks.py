"""Executes notebooks headless with nbclient in the dbr kernel.

usage: runnotebooks.py WORKDIR IN.ipynb OUT.ipynb [IN OUT ...]
Run by kernel_test.go (TestLessonNotebooks); each notebook gets a fresh
kernel, with WORKDIR as its working directory.
"""
import sys

import nbformat
from nbclient import NotebookClient

workdir = sys.argv[1]
args = sys.argv[2:]
for src, dst in zip(args[0::2], args[1::2]):
    nb = nbformat.read(src, as_version=4)
    nbformat.validate(nb)
    NotebookClient(nb, kernel_name="dbr", timeout=300, allow_errors=False,
                   resources={"metadata": {"path": workdir}}).execute()
    nbformat.write(nb, dst)
    print("ran", src)
