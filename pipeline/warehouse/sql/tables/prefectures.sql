create table if not exists prefectures (
    prefecture_code varchar primary key,
    prefecture_name varchar not null
);
