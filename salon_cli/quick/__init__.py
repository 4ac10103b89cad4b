"""Answers `salon` gives before it loads its command tree: `--version`, a help page already printed
once, and a shell's TAB from the tree's description saved on disk (issue 31: `salon --help` in 100 ms,
one TAB in 150 ms).

Loading typer, rich's help renderer and the 22 modules of commands costs 0.2-0.3 s, every time. What
`--help` prints depends only on the command tree (this version of salon, its command modules as they
are on disk), the words asked and the terminal; so the first time a page is printed it is kept
(`help`), and the next time it is written straight from the file. A TAB is answered from a JSON
description of the tree (`complete`), written by the first TAB (or help page) that loaded the tree.
Pure standard library: this package is below everything else (the console script, salon_cli/startup.py,
calls it first; salon_cli/cli/tree.py writes the tree's description).
"""
