"""重点支援企業候補: the pipeline from firm and transaction files to the published candidate lists."""
