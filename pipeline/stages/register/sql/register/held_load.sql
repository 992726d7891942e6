select register_version, register_date, checked from register_loads
