update register_loads set checked = true where register_version = $register_version
