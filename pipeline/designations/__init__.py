"""The 重点支援企業一覧: plans and their designated firms, verification, approval, the versioned
public list, as-of lookup and KPI tracking (README: 重点支援企業一覧)."""
