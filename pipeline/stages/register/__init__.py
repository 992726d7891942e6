"""The 国税庁 corporate register (法人番号公表サイト, 基本3情報) as an optional input.

The 全件データ (one zip per prefecture plus 国外, a headerless 30-column CSV in Unicode or
Shift_JIS) and the daily 差分データ are read in place from HOUJIN_DIR, applied in date order,
checked, and reconciled with each fiscal year's staged firms. Without a register every run
works as it did before; the reconciliation then says "no register".
"""
