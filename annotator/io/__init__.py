"""Importers and exporters: files in, files out, all-or-nothing and atomic."""
