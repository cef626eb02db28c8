"""Reading tables people hand to halluc (CSV, TSV, JSON Lines, Parquet)."""
