"""Ingest: discover files, tail them with rsync --append semantics, commit to the dataset."""
