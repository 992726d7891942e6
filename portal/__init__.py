"""The prefecture portal: each prefecture downloads only its own list, the
secretariat sees all, and ministries check an applicant's 法人番号 against the list."""
