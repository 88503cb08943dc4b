"""Official documents as print-ready PDFs (issue #6): ballots, protocol forms, result protocols,
certificates. Typeset with Typst (through its Python package) with the fonts shipped here."""
