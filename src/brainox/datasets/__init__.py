"""Small data sets, loaded from local files only (nothing is downloaded)."""
