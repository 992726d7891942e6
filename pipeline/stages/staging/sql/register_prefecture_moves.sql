-- How many of the year's staged firms are in the register's prefecture instead of the file's.
select count(*) from checked_firms
where fiscal_year = $fiscal_year and reason is null and prefecture_source = 'register'
