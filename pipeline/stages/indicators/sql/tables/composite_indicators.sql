-- The composite score's six indicators, their average ranks and T-scores per firm.
create table if not exists composite_indicators (
    fiscal_year integer,
    prefecture_code varchar,
    firm_id varchar,
    profit_contribution_jpy double,
    employment_contribution double,
    profit_growth double,
    employment_growth double,
    scored_firms bigint,
    connector_rank_avg double,
    hub_rank_avg double,
    profit_rank_avg double,
    employment_rank_avg double,
    profit_growth_rank_avg double,
    employment_growth_rank_avg double,
    connector_t double,
    hub_t double,
    profit_t double,
    employment_t double,
    profit_growth_t double,
    employment_growth_t double,
    composite_reason varchar
);
