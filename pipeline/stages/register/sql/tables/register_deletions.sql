-- Numbers whose newest row is 99 削除: gone from the register, named in the reconciliation.
create table if not exists register_deletions (
    corporate_number varchar, source_file varchar, file_date date
);
